import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
// The providers' local fakes are test code of @platform/providers, not part of its exports.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startAdyenFake, type AdyenFake } from '../../../packages/providers/test/fakes/adyen-fake.js';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startStripeFake, type StripeFake, type StripeFakeRequest } from '../../../packages/providers/test/fakes/stripe-fake.js';
import { startTestPlatform, validPayment, type ApiResponse, type TestPlatform } from './harness.js';
import { addProviderAccounts, randomKeyPart as random } from './provider-account-setup.js';

/**
 * Routing across a tenant's provider accounts (spec/payments.md "Providers"): retries with the
 * same idempotency key, failover to the next account, every attempt recorded, and the per-account
 * circuit breaker. Real HTTP against the platform; Stripe is the local fake, each account its own
 * API key (the fake scopes objects per key, like separate Stripe accounts).
 */
let t: TestPlatform;
let fake: StripeFake;
let adyen: AdyenFake;
let keyN = 0;
let tenantN = 0;

beforeAll(async () => {
  fake = await startStripeFake();
  adyen = await startAdyenFake();
  t = await startTestPlatform({
    env: { STRIPE_API_BASE_URL: fake.url, ADYEN_CHECKOUT_BASE_URL: adyen.url },
    worker: false,
    // 3 tries per account, fast backoff; the breaker opens after 3 consecutive retryable failures.
    resilience: { retry: { maxTries: 3, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 1_000 }, breakerThreshold: 3, breakerHalfOpenAfterMs: 60_000 },
  });
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
  await adyen?.close();
});
beforeEach(() => {
  fake.requests.length = 0;
  adyen.requests.length = 0;
});


function stripeLiveConfig() {
  const id = random();
  return { secretKey: `sk_live_${id}A1`, publishableKey: `pk_live_${id}B2`, webhookSecret: `whsec_${id}C3` };
}

/** A tenant logged in to live mode with two Stripe live accounts, routed in that order. */
async function liveTenantWithTwoAccounts() {
  const tenant = await t.tenantWithTokens(`route-shop-${++tenantN}`);
  const first = stripeLiveConfig();
  const second = stripeLiveConfig();
  const [a, b] = await addProviderAccounts(
    t,
    { tenantId: tenant.tenantId, mode: 'live', provider: 'stripe', config: first, label: 'primary' },
    { tenantId: tenant.tenantId, mode: 'live', provider: 'stripe', config: second, label: 'backup' },
  );
  expect([a!.position, b!.position]).toEqual([1, 2]);
  return { tenant, first: { ...first, id: a!.id }, second: { ...second, id: b!.id } };
}

async function createPayment(token: string) {
  const res = await t.request('POST', '/v1/payments', { token, idempotencyKey: `route-${++keyN}`, body: validPayment });
  expect(res.status, res.text).toBe(201);
  expect(res.body).toMatchObject({ mode: 'live', provider: null });
  return res.body as { id: string; checkoutToken: string };
}

const prepare = (checkoutToken: string) => t.request('POST', '/trpc/checkout.prepare', { body: { token: checkoutToken } });

async function attemptsViaApi(token: string, paymentId: string) {
  const res = await t.request('GET', `/v1/payments/${paymentId}/attempts`, { token });
  expect(res.status, res.text).toBe(200);
  expect(res.body).toMatchObject({ object: 'list', hasMore: false });
  return res.body.data as any[];
}

const attemptRows = (paymentId: string) =>
  t.sql('select id, status, provider, provider_account_id, provider_reference, error_code from payment_attempts where payment_id = ? order by id', [paymentId]);

/** The fake's create-PaymentIntent requests made with one account's secret key. */
const createsBy = (secretKey: string): StripeFakeRequest[] =>
  fake.requests.filter((r) => r.route === 'POST /v1/payment_intents' && r.headers.authorization === `Bearer ${secretKey}`);

function clientOf(res: ApiResponse) {
  expect(res.status, res.text).toBe(200);
  return res.body.result.data.client;
}

describe('checkout.prepare routing over the tenant’s accounts', () => {
  it('first account answers 500 on every try → retried with one idempotency key, then the second account takes the payment; both attempts are visible', async () => {
    const { tenant, first, second } = await liveTenantWithTwoAccounts();
    const payment = await createPayment(tenant.liveToken);
    fake.fail('POST /v1/payment_intents', { status: 500, times: 3 });

    const client = clientOf(await prepare(payment.checkoutToken));
    expect(client).toMatchObject({ type: 'stripe_payment_element', publishableKey: second.publishableKey, clientSecret: expect.stringMatching(/^pi_/) });

    // Three tries at the first account, all with the same idempotency key (its attempt id)…
    const firstTries = createsBy(first.secretKey);
    expect(firstTries).toHaveLength(3);
    expect(new Set(firstTries.map((r) => r.idempotencyKey)).size).toBe(1);
    // …then one call at the second account, under the second attempt's key.
    const secondTries = createsBy(second.secretKey);
    expect(secondTries).toHaveLength(1);
    expect(secondTries[0]!.idempotencyKey).not.toBe(firstTries[0]!.idempotencyKey);

    const rows = await attemptRows(payment.id);
    expect(rows).toMatchObject([
      { status: 'failed', provider: 'stripe', provider_account_id: first.id, provider_reference: null },
      { status: 'pending', provider: 'stripe', provider_account_id: second.id, provider_reference: expect.stringMatching(/^pi_/) },
    ]);
    expect(firstTries[0]!.idempotencyKey).toBe(rows[0].id);
    expect(secondTries[0]!.idempotencyKey).toBe(rows[1].id);
    // The PaymentIntent carries our ids and lives at the second account only.
    expect(secondTries[0]!.body.metadata).toEqual({ paymentId: payment.id, attemptId: rows[1].id });
    expect(fake.paymentIntents.get(rows[1].provider_reference)?.client_secret).toBe(client.clientSecret);

    // GET /v1/payments/{id}/attempts: the failure with the provider's error, then the pending attempt.
    const attempts = await attemptsViaApi(tenant.liveToken, payment.id);
    expect(attempts).toHaveLength(2);
    expect(attempts[0]).toMatchObject({
      object: 'payment_attempt',
      paymentId: payment.id,
      provider: 'stripe',
      status: 'failed',
      providerReference: null,
      error: { code: expect.any(String), message: expect.stringContaining('after 3 tries') },
      completedAt: expect.any(String),
    });
    expect(attempts[0].error.code).not.toBe('circuit_open');
    expect(attempts[1]).toMatchObject({ provider: 'stripe', status: 'pending', providerReference: rows[1].provider_reference, error: null, completedAt: null });
    // Neither answer leaks an account secret.
    for (const secret of [first.secretKey, second.secretKey, first.webhookSecret, second.webhookSecret]) {
      expect(JSON.stringify(attempts)).not.toContain(secret);
    }

    const [p] = await t.sql('select status, provider, provider_account_id, provider_reference from payments where id = ?', [payment.id]);
    expect(p).toMatchObject({ status: 'requires_payment_method', provider: 'stripe', provider_account_id: second.id, provider_reference: rows[1].provider_reference });

    // A reload of the page fetches the prepared object again (same attempt, same key): no third attempt.
    fake.requests.length = 0;
    const again = clientOf(await prepare(payment.checkoutToken));
    expect(again.clientSecret).toBe(client.clientSecret);
    expect(createsBy(first.secretKey)).toHaveLength(0);
    expect(createsBy(second.secretKey).map((r) => r.idempotencyKey)).toEqual([rows[1].id]);
    expect(await attemptRows(payment.id)).toHaveLength(2);

    // The customer pays: the confirm goes to the account that created the PaymentIntent.
    fake.requests.length = 0;
    const confirmed = await t.request('POST', '/trpc/checkout.confirm', { body: { token: payment.checkoutToken, confirmationToken: 'ctoken_fake_processing' } });
    expect(confirmed.status, confirmed.text).toBe(200);
    expect(confirmed.body.result.data.status).toBe('processing');
    const confirms = fake.requests.filter((r) => r.route === 'POST /v1/payment_intents/:id/confirm');
    expect(confirms).toHaveLength(1);
    expect(confirms[0]!.path).toBe(`/v1/payment_intents/${rows[1].provider_reference}/confirm`);
    expect(confirms[0]!.headers.authorization).toBe(`Bearer ${second.secretKey}`);
    expect((await attemptRows(payment.id)).at(-1)).toMatchObject({ status: 'processing', provider_account_id: second.id, provider_reference: rows[1].provider_reference });
  });

  it('after the first account’s repeated failures its circuit is open: the next payment goes straight to the second account', async () => {
    const { tenant, first, second } = await liveTenantWithTwoAccounts();
    // Payment 1: the first account fails three times (3 consecutive failures open its breaker).
    const p1 = await createPayment(tenant.liveToken);
    fake.fail('POST /v1/payment_intents', { status: 503, times: 3 });
    clientOf(await prepare(p1.checkoutToken));
    expect(createsBy(first.secretKey)).toHaveLength(3);
    expect(t.platform.providerCaller.isOpen(first.id)).toBe(true);

    // Payment 2: the first account is not called at all, even though it would answer now.
    fake.requests.length = 0;
    const p2 = await createPayment(tenant.liveToken);
    const client = clientOf(await prepare(p2.checkoutToken));
    expect(client.publishableKey).toBe(second.publishableKey);
    expect(createsBy(first.secretKey)).toHaveLength(0);
    expect(createsBy(second.secretKey)).toHaveLength(1);
    expect(fake.requests.filter((r) => r.headers.authorization === `Bearer ${first.secretKey}`)).toHaveLength(0);

    // The skipped account is still recorded (circuit open), and the payment is at the second account.
    const attempts = await attemptsViaApi(tenant.liveToken, p2.id);
    expect(attempts).toMatchObject([
      { status: 'failed', error: { code: 'circuit_open' } },
      { status: 'pending', providerReference: expect.stringMatching(/^pi_/) },
    ]);
    const rows = await attemptRows(p2.id);
    expect(rows.map((r) => r.provider_account_id)).toEqual([first.id, second.id]);
    const [p] = await t.sql('select provider_account_id from payments where id = ?', [p2.id]);
    expect(p.provider_account_id).toBe(second.id);
  });

  it('a live payment of a tenant without provider accounts → 503 with reason not_configured, nothing recorded', async () => {
    const tenant = await t.tenantWithTokens(`route-shop-none-${++tenantN}`);
    const payment = await createPayment(tenant.liveToken);
    const res = await prepare(payment.checkoutToken);
    expect(res.status).toBe(503);
    expect(res.body.error.data, res.text).toMatchObject({ appCode: 'service_unavailable', details: { reason: 'not_configured' } });
    expect(await attemptRows(payment.id)).toEqual([]);
  });

  it('a non-retryable refusal (4xx) is neither retried nor failed over', async () => {
    const { tenant, first, second } = await liveTenantWithTwoAccounts();
    const payment = await createPayment(tenant.liveToken);
    fake.fail('POST /v1/payment_intents', { status: 400, times: 1 });
    const res = await prepare(payment.checkoutToken);
    expect(res.status, res.text).toBe(503);
    expect(res.body.error.data).toMatchObject({ appCode: 'service_unavailable' });
    expect(createsBy(first.secretKey)).toHaveLength(1);
    expect(createsBy(second.secretKey)).toHaveLength(0);
    expect(await attemptRows(payment.id)).toMatchObject([{ status: 'failed', provider_account_id: first.id }]);
    expect(t.platform.providerCaller.isOpen(first.id)).toBe(false);
  });

  it('when every account fails retryably the customer gets a clear error and every attempt is recorded', async () => {
    const { tenant, first, second } = await liveTenantWithTwoAccounts();
    const payment = await createPayment(tenant.liveToken);
    fake.fail('POST /v1/payment_intents', { status: 500, times: 6 });
    const res = await prepare(payment.checkoutToken);
    expect(res.status).toBe(503);
    expect(res.body.error.data, res.text).toMatchObject({ appCode: 'service_unavailable', details: { reason: 'provider_unavailable' } });
    expect(res.text).not.toContain(first.secretKey);
    expect(createsBy(first.secretKey)).toHaveLength(3);
    expect(createsBy(second.secretKey)).toHaveLength(3);
    const rows = await attemptRows(payment.id);
    expect(rows).toMatchObject([
      { status: 'failed', provider_account_id: first.id },
      { status: 'failed', provider_account_id: second.id },
    ]);
    const [p] = await t.sql('select status, provider_account_id from payments where id = ?', [payment.id]);
    expect(p).toEqual({ status: 'requires_payment_method', provider_account_id: null });
  });

  it('fails over across providers: Stripe down → the Adyen account creates the session', async () => {
    const tenant = await t.tenantWithTokens(`route-shop-${++tenantN}`);
    const stripe = stripeLiveConfig();
    const adyenConfig = {
      apiKey: `AQE${random()}${random()}`,
      merchantAccount: 'AcmeShopEU',
      clientKey: `live_${random().toUpperCase()}`,
      hmacKey: '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056',
      environment: 'live',
      liveEndpointUrlPrefix: 'acme-checkout',
    };
    const [s, a] = await addProviderAccounts(
      t,
      { tenantId: tenant.tenantId, mode: 'live', provider: 'stripe', config: stripe },
      { tenantId: tenant.tenantId, mode: 'live', provider: 'adyen', config: adyenConfig },
    );
    const payment = await createPayment(tenant.liveToken);
    fake.fail('POST /v1/payment_intents', { status: 500, times: 3 });
    const client = clientOf(await prepare(payment.checkoutToken));
    expect(client).toMatchObject({ type: 'adyen_drop_in', clientKey: adyenConfig.clientKey, environment: 'live', sessionId: expect.stringMatching(/^CS/) });
    expect(createsBy(stripe.secretKey)).toHaveLength(3);
    const sessions = adyen.requests.filter((r) => r.route === 'sessions');
    expect(sessions).toHaveLength(1);
    const rows = await attemptRows(payment.id);
    expect(rows).toMatchObject([
      { status: 'failed', provider: 'stripe', provider_account_id: s!.id },
      { status: 'pending', provider: 'adyen', provider_account_id: a!.id, provider_reference: client.sessionId },
    ]);
    expect(sessions[0]!.headers['idempotency-key']).toBe(rows[1].id);
    expect(sessions[0]!.body).toMatchObject({ reference: payment.id, merchantAccount: 'AcmeShopEU', amount: { value: 1999, currency: 'EUR' }, metadata: { attemptId: rows[1].id } });
    const [p] = await t.sql('select provider, provider_account_id from payments where id = ?', [payment.id]);
    expect(p).toEqual({ provider: 'adyen', provider_account_id: a!.id });
  });
});
