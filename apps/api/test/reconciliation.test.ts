import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The providers' local fakes are test code of @platform/providers, not part of its exports.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { STRIPE_FAKE_TOKENS, startStripeFake, type StripeFake } from '../../../packages/providers/test/fakes/stripe-fake.js';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startAdyenFake, type AdyenFake } from '../../../packages/providers/test/fakes/adyen-fake.js';
import { DELAYED_OUTCOME_MS } from '@platform/providers';
import { checkoutMutation, paymentIntentIdOf, testCard } from './checkout-client.js';
import { startTestPlatform, validPayment, type TestPlatform } from './harness.js';
import { addProviderAccounts, randomKeyPart as random } from './provider-account-setup.js';

/**
 * Unknown outcomes are resolved by asking the provider, never by guessing (spec/payments.md
 * "Providers"): a Stripe confirm that times out after it was sent leaves the payment
 * `processing` with its attempt `unknown`; `platform.reconciler.run(now)` asks Stripe and moves
 * the payment through the same pipeline as a webhook (state machine, event, audit, inbox). The
 * worker is off: nothing but these explicit runs (and no sandbox webhook) changes a payment.
 */
let t: TestPlatform;
let fake: StripeFake;
let adyen: AdyenFake;
let keyN = 0;
let tenantN = 0;

const TIMEOUT_MS = 300;
const PROCESSING_AFTER_SECONDS = 60;

beforeAll(async () => {
  fake = await startStripeFake();
  adyen = await startAdyenFake();
  t = await startTestPlatform({
    env: { STRIPE_API_BASE_URL: fake.url, ADYEN_CHECKOUT_BASE_URL: adyen.url, PROVIDER_TIMEOUT_MS: String(TIMEOUT_MS), RECONCILE_PROCESSING_AFTER_SECONDS: String(PROCESSING_AFTER_SECONDS) },
    worker: false,
    // The breaker has its own tests (provider-routing); here repeated timeouts must not pause the account.
    resilience: { retry: { maxTries: 3, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 1_000 }, breakerThreshold: 1_000 },
  });
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
  await adyen?.close();
});

/** A moment far enough ahead that every unknown attempt and processing payment is due. */
const later = (seconds = 3_600) => new Date(Date.now() + seconds * 1000);

/** A sandbox-mode tenant with a Stripe test-keys account (its own key at the fake). */
async function stripeTenant() {
  const tenant = await t.tenantWithTokens(`recon-shop-${++tenantN}`);
  const id = random();
  const config = { secretKey: `sk_test_${id}R1`, publishableKey: `pk_test_${id}R2`, webhookSecret: `whsec_${id}R3` };
  const [account] = await addProviderAccounts(t, { tenantId: tenant.tenantId, mode: 'sandbox', provider: 'stripe', config });
  return { token: tenant.sandboxToken, accountId: account!.id, config };
}

async function createPayment(token: string, body: Record<string, unknown> = { ...validPayment, provider: 'stripe' }) {
  const res = await t.request('POST', '/v1/payments', { token, idempotencyKey: `recon-${++keyN}`, body });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; checkoutToken: string };
}

const trpc = (procedure: string, input: unknown) => checkoutMutation(t, procedure, input);

async function getPayment(token: string, id: string) {
  const res = await t.request('GET', `/v1/payments/${id}`, { token });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

async function attempts(token: string, id: string) {
  const res = await t.request('GET', `/v1/payments/${id}/attempts`, { token });
  expect(res.status, res.text).toBe(200);
  return res.body.data as any[];
}

const eventTypes = async (paymentId: string) => (await t.sql('select type from events where object_id = ? order by id', [paymentId])).map((r) => r.type as string);
const auditOf = (paymentId: string) => t.sql('select action, actor_type, actor_id, before, after from audit_log where target_id = ? order by seq', [paymentId]);
const confirms = (piId: string) => fake.requests.filter((r) => r.route === 'POST /v1/payment_intents/:id/confirm' && r.path.includes(piId));

/** prepare + a confirm whose every try hangs longer than the timeout: sent, never answered. */
async function timedOutStripePayment(confirmationToken: string = STRIPE_FAKE_TOKENS.processing) {
  const tenant = await stripeTenant();
  const payment = await createPayment(tenant.token);
  const client = await trpc('prepare', { token: payment.checkoutToken });
  expect(client.client.type).toBe('stripe_payment_element');
  const piId = paymentIntentIdOf(client);
  fake.hang('POST /v1/payment_intents/:id/confirm', { times: 3, ms: TIMEOUT_MS * 5 });
  const started = Date.now();
  const view = await trpc('confirm', { token: payment.checkoutToken, confirmationToken });
  expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS * 3);
  expect(view.status).toBe('processing');
  return { ...tenant, payment, piId };
}

describe('a timeout after the confirm was sent', () => {
  it('leaves the payment processing with the attempt unknown; reconciliation then applies Stripe’s real status once', async () => {
    const { token, payment, piId } = await timedOutStripePayment();

    // Each try was really sent (the fake executed it) and reused one idempotency key.
    const sent = confirms(piId);
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((r) => r.idempotencyKey)).size).toBe(1);
    expect(fake.paymentIntents.get(piId)!.status).toBe('processing');

    expect(await getPayment(token, payment.id)).toMatchObject({ status: 'processing', lastError: null });
    const before = await attempts(token, payment.id);
    expect(before.at(-1)).toMatchObject({ provider: 'stripe', status: 'unknown', providerReference: piId, error: { code: 'timeout' }, completedAt: null });
    expect(sent[0]!.idempotencyKey).toBe(`${before.at(-1).id}:confirm`);
    expect(await eventTypes(payment.id)).toEqual(['payment.created', 'payment.processing']);

    // Stripe is still processing: the attempt is no longer unknown, nothing else moves.
    await t.platform.reconciler.run(later());
    expect((await attempts(token, payment.id)).at(-1)).toMatchObject({ status: 'processing', providerReference: piId });
    expect((await getPayment(token, payment.id)).status).toBe('processing');
    expect(await eventTypes(payment.id)).toEqual(['payment.created', 'payment.processing']);

    // Stripe finishes; the next run moves the payment to Stripe's real status — once, even when
    // two reconciler runs (two worker replicas) race.
    fake.setStatus(piId, 'succeeded');
    const results = await Promise.all([t.platform.reconciler.run(later()), t.platform.reconciler.run(later())]);
    expect(results[0].resolved + results[1].resolved).toBe(1);
    expect(await getPayment(token, payment.id)).toMatchObject({ status: 'succeeded', providerReference: piId, lastError: null });
    expect((await attempts(token, payment.id)).at(-1)).toMatchObject({ status: 'succeeded', completedAt: expect.any(String) });
    expect(await eventTypes(payment.id)).toEqual(['payment.created', 'payment.processing', 'payment.succeeded']);
    const succeeded = (await auditOf(payment.id)).filter((a) => a.action === 'payment.provider_succeeded');
    expect(succeeded).toHaveLength(1);
    expect(succeeded[0]).toMatchObject({ actor_type: 'system', actor_id: 'reconciliation', before: { status: 'processing' }, after: { status: 'succeeded' } });
    const inbox = await t.sql('select outcome, result, tenant_id from provider_events where payment_id = ?', [payment.id]);
    expect(inbox).toMatchObject([{ outcome: 'succeeded', result: 'applied' }]);

    // The event is visible to the tenant through the API too.
    const events = await t.request('GET', '/v1/events?type=payment.succeeded', { token });
    expect(events.body.data.filter((e: any) => e.data.object.id === payment.id)).toHaveLength(1);

    // Running again changes nothing.
    await t.platform.reconciler.run(later());
    await t.platform.reconciler.run(later(7_200));
    expect(await eventTypes(payment.id)).toEqual(['payment.created', 'payment.processing', 'payment.succeeded']);
    expect((await auditOf(payment.id)).filter((a) => a.action === 'payment.provider_succeeded')).toHaveLength(1);
  });

  it('an unknown attempt the provider declined goes back to requires_payment_method with the provider’s error', async () => {
    const { token, payment, piId } = await timedOutStripePayment();
    fake.setStatus(piId, 'requires_payment_method', { code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' });
    await t.platform.reconciler.run(later());
    const after = await getPayment(token, payment.id);
    expect(after).toMatchObject({ status: 'requires_payment_method', lastError: { code: 'insufficient_funds' } });
    expect((await attempts(token, payment.id)).at(-1)).toMatchObject({ status: 'failed', error: { code: 'insufficient_funds' } });
    expect(await eventTypes(payment.id)).toEqual(['payment.created', 'payment.processing', 'payment.failed']);
  });

  it('does not guess while the provider cannot be reached, and is not run before the attempt is due', async () => {
    const { token, payment, piId } = await timedOutStripePayment(STRIPE_FAKE_TOKENS.succeeds);
    expect(fake.paymentIntents.get(piId)!.status).toBe('succeeded');

    // Not due yet (the attempt just timed out): Stripe is not even asked.
    const asked = () => fake.requests.filter((r) => r.route === 'GET /v1/payment_intents/:id' && r.path.endsWith(piId)).length;
    await t.platform.reconciler.run(new Date());
    expect(asked()).toBe(0);
    expect((await attempts(token, payment.id)).at(-1).status).toBe('unknown');

    // Due, but Stripe answers 500 on every try: nothing changes.
    fake.fail('GET /v1/payment_intents/:id', { status: 500, times: 3 });
    await t.platform.reconciler.run(later());
    expect(asked()).toBe(3);
    expect((await getPayment(token, payment.id)).status).toBe('processing');
    expect((await attempts(token, payment.id)).at(-1).status).toBe('unknown');
    expect(await eventTypes(payment.id)).toEqual(['payment.created', 'payment.processing']);

    // Stripe reachable again: the payment gets its real status.
    await t.platform.reconciler.run(later());
    expect((await getPayment(token, payment.id)).status).toBe('succeeded');
    expect(await eventTypes(payment.id)).toEqual(['payment.created', 'payment.processing', 'payment.succeeded']);
  });
});

describe('payments stuck in processing', () => {
  it('a confirmed Stripe payment whose webhook never came is resolved after RECONCILE_PROCESSING_AFTER_SECONDS, not before', async () => {
    const tenant = await stripeTenant();
    const payment = await createPayment(tenant.token);
    const prepared = await trpc('prepare', { token: payment.checkoutToken });
    const piId = paymentIntentIdOf(prepared);
    const view = await trpc('confirm', { token: payment.checkoutToken, confirmationToken: STRIPE_FAKE_TOKENS.processing });
    expect(view.status).toBe('processing');
    expect((await attempts(tenant.token, payment.id)).at(-1).status).toBe('processing');
    fake.setStatus(piId, 'succeeded');

    // Younger than the threshold: left to the webhook.
    await t.platform.reconciler.run(new Date(Date.now() + (PROCESSING_AFTER_SECONDS - 10) * 1000));
    expect((await getPayment(tenant.token, payment.id)).status).toBe('processing');

    await t.platform.reconciler.run(later(PROCESSING_AFTER_SECONDS + 5));
    expect((await getPayment(tenant.token, payment.id)).status).toBe('succeeded');
    expect(await eventTypes(payment.id)).toEqual(['payment.created', 'payment.processing', 'payment.succeeded']);
  });

  it('sandbox payments are reconciled against the sandbox provider’s own records (3055 → succeeded, 3063 → failed)', async () => {
    const { sandboxToken } = await t.tenantWithTokens(`recon-sandbox-${++tenantN}`);
    const submit = async (number: string) => {
      const payment = await createPayment(sandboxToken, validPayment);
      const view = await trpc('submit', { token: payment.checkoutToken, card: testCard(number) });
      expect(view.status).toBe('processing');
      return payment;
    };
    const ok = await submit('4000 0000 0000 3055');
    const declined = await submit('4000 0000 0000 3063');

    // The worker is off: no sandbox webhook arrives, only reconciliation can settle them. Before
    // the simulated provider has settled (3 s), it answers "processing" and nothing moves.
    await t.platform.reconciler.run(later());
    expect((await getPayment(sandboxToken, ok.id)).status).toBe('processing');
    expect((await getPayment(sandboxToken, declined.id)).status).toBe('processing');
    await new Promise((resolve) => setTimeout(resolve, DELAYED_OUTCOME_MS + 200));
    await t.platform.reconciler.run(later());
    expect(await getPayment(sandboxToken, ok.id)).toMatchObject({ status: 'succeeded', provider: 'sandbox' });
    expect(await getPayment(sandboxToken, declined.id)).toMatchObject({ status: 'requires_payment_method', lastError: { code: 'card_declined' } });
    expect(await eventTypes(ok.id)).toEqual(['payment.created', 'payment.processing', 'payment.succeeded']);
    expect(await eventTypes(declined.id)).toEqual(['payment.created', 'payment.processing', 'payment.failed']);
  });
  it('an Adyen payment whose AUTHORISATION never came is resolved with the Drop-in’s sessionResult', async () => {
    const tenant = await t.tenantWithTokens(`recon-adyen-${++tenantN}`);
    const config = { apiKey: `AQE${random()}${random()}`, merchantAccount: 'ReconShopEU', clientKey: `test_${random().toUpperCase()}`, hmacKey: 'AB'.repeat(32), environment: 'test' };
    await addProviderAccounts(t, { tenantId: tenant.tenantId, mode: 'sandbox', provider: 'adyen', config });
    const payment = await createPayment(tenant.sandboxToken, { ...validPayment, provider: 'adyen' });
    const prepared = await trpc('prepare', { token: payment.checkoutToken });
    const sessionId = prepared.client.sessionId as string;
    const view = await trpc('reportResult', { token: payment.checkoutToken, sessionResult: 'X3XtfGC9!H4sIAAAAAAAA' });
    expect(view.status).toBe('processing');

    // Adyen still has the session active: nothing moves.
    await t.platform.reconciler.run(later());
    expect((await getPayment(tenant.sandboxToken, payment.id)).status).toBe('processing');
    const asked = adyen.requests.filter((r) => r.route === 'sessionResult');
    expect(asked.at(-1)).toMatchObject({ path: expect.stringContaining(`/sessions/${sessionId}`), query: { sessionResult: 'X3XtfGC9!H4sIAAAAAAAA' } });

    adyen.setSessionStatus(sessionId, 'completed');
    await t.platform.reconciler.run(later());
    expect((await getPayment(tenant.sandboxToken, payment.id)).status).toBe('succeeded');
    expect(await eventTypes(payment.id)).toEqual(['payment.created', 'payment.processing', 'payment.succeeded']);
  });
});
