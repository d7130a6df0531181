import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The providers' local fakes are test code of @platform/providers, not part of its exports.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { authorisationItem, notification, refundItem, signAdyenNotification, startAdyenFake, type AdyenFake, type AdyenNotificationItem } from '../../../packages/providers/test/fakes/adyen-fake.js';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { signStripeEvent, STRIPE_FAKE_TOKENS, startStripeFake, stripeEvent, type StripeFake } from '../../../packages/providers/test/fakes/stripe-fake.js';
import { checkoutMutation, paymentIntentIdOf } from './checkout-client.js';
import { startTestPlatform, validPayment, type ApiResponse, type TestPlatform } from './harness.js';
import { addProviderAccounts, randomKeyPart as random } from './provider-account-setup.js';
import { until } from './wait.js';

/**
 * Inbound Stripe and Adyen webhooks (spec/webhooks.md "In") over real HTTP: signatures checked
 * against the secrets of the account that holds the payment, inbox dedupe, the state machine,
 * and refunds settled by the providers' refund notifications. Payments are prepared and
 * submitted through the hosted checkout against the local fakes; refunds are sent to the
 * fakes by the platform's worker.
 */
let t: TestPlatform;
let stripe: StripeFake;
let adyen: AdyenFake;
let keyN = 0;

const hex = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('').toUpperCase();

interface Shop {
  token: string;
  stripe: { id: string; secretKey: string; webhookSecret: string };
  adyen: { id: string; merchantAccount: string; hmacKey: string };
}
let shop: Shop;
let otherShop: Shop;

async function shopWithAccounts(appName: string, merchantAccount: string): Promise<Shop> {
  const tenant = await t.tenantWithTokens(appName);
  const id = random();
  const stripeConfig = { secretKey: `sk_test_${id}W1`, publishableKey: `pk_test_${id}W2`, webhookSecret: `whsec_${id}W3` };
  const adyenConfig = { apiKey: `AQE${random()}${random()}`, merchantAccount, clientKey: `test_${random().toUpperCase()}`, hmacKey: hex(64), environment: 'test' };
  const [s, a] = await addProviderAccounts(
    t,
    { tenantId: tenant.tenantId, mode: 'sandbox', provider: 'stripe', config: stripeConfig },
    { tenantId: tenant.tenantId, mode: 'sandbox', provider: 'adyen', config: adyenConfig },
  );
  return {
    token: tenant.sandboxToken,
    stripe: { id: s!.id, secretKey: stripeConfig.secretKey, webhookSecret: stripeConfig.webhookSecret },
    adyen: { id: a!.id, merchantAccount, hmacKey: adyenConfig.hmacKey },
  };
}

beforeAll(async () => {
  stripe = await startStripeFake();
  adyen = await startAdyenFake();
  t = await startTestPlatform({ env: { STRIPE_API_BASE_URL: stripe.url, ADYEN_CHECKOUT_BASE_URL: adyen.url } });
  shop = await shopWithAccounts('hooks-shop', 'AcmeShopEU');
  otherShop = await shopWithAccounts('hooks-other', 'OtherShopEU');
});
afterAll(async () => {
  await t?.close();
  await stripe?.close();
  await adyen?.close();
});

const trpc = (procedure: string, input: unknown) => checkoutMutation(t, procedure, input);

async function createPayment(provider: 'stripe' | 'adyen', amount = 1999) {
  const res = await t.request('POST', '/v1/payments', { token: shop.token, idempotencyKey: `hooks-${++keyN}`, body: { ...validPayment, amount, provider } });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; checkoutToken: string };
}

async function getPayment(id: string) {
  const res = await t.request('GET', `/v1/payments/${id}`, { token: shop.token });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

const eventTypes = async (objectId: string) => (await t.sql('select type from events where object_id = ? order by id', [objectId])).map((r) => r.type as string);
const inbox = (provider: string, eventId: string) => t.sql('select result, note, outcome, account_id, tenant_id from provider_events where provider = ? and event_id = ?', [provider, eventId]);
const inboxCount = async () => Number((await t.sql('select count(*) as n from provider_events'))[0].n);
const latestAttempt = async (paymentId: string) => (await t.sql('select id, status, provider_reference from payment_attempts where payment_id = ? order by id desc limit 1', [paymentId]))[0];

/** Everything a bad webhook must leave alone. */
async function snapshot(paymentId: string) {
  const p = await getPayment(paymentId);
  return { status: p.status, amountRefunded: p.amountRefunded, updatedAt: p.updatedAt, events: await eventTypes(paymentId), inbox: await inboxCount() };
}

function expectSignatureRefused(res: ApiResponse) {
  expect(res.status, res.text).toBe(400);
  expect(res.body.error).toMatchObject({ code: 'webhook_signature_invalid' });
}

// ---- Stripe ---------------------------------------------------------------------------------

/** A Stripe payment prepared and confirmed (the fake keeps it `processing`): the webhook decides. */
async function processingStripePayment(amount = 1999) {
  const payment = await createPayment('stripe', amount);
  const prepared = await trpc('prepare', { token: payment.checkoutToken });
  const piId = paymentIntentIdOf(prepared);
  const view = await trpc('confirm', { token: payment.checkoutToken, confirmationToken: STRIPE_FAKE_TOKENS.processing });
  expect(view.status).toBe('processing');
  return { ...payment, piId };
}

function sendStripe(body: string, signature: string | null) {
  return t.request('POST', '/webhooks/stripe', { rawBody: body, headers: { 'content-type': 'application/json', ...(signature === null ? {} : { 'stripe-signature': signature }) } });
}

function piEvent(type: string, piId: string, status: string) {
  return stripeEvent(type, { ...stripe.paymentIntents.get(piId)!, status });
}

async function succeededStripePayment(amount = 1999) {
  const p = await processingStripePayment(amount);
  stripe.setStatus(p.piId, 'succeeded');
  const body = JSON.stringify(piEvent('payment_intent.succeeded', p.piId, 'succeeded'));
  const res = await sendStripe(body, signStripeEvent(body, shop.stripe.webhookSecret));
  expect(res.body, res.text).toEqual({ received: true, results: ['applied'] });
  return p;
}

describe('POST /webhooks/stripe', () => {
  it('bad signatures → 400 and nothing changes (status, events, inbox)', async () => {
    const p = await processingStripePayment();
    const before = await snapshot(p.id);
    const event = piEvent('payment_intent.succeeded', p.piId, 'succeeded');
    const body = JSON.stringify(event);

    expectSignatureRefused(await sendStripe(body, signStripeEvent(body, `whsec_${random()}nobody`)));
    expectSignatureRefused(await sendStripe(body, null));
    expectSignatureRefused(await sendStripe(body, 't=1,v1=deadbeef'));
    // Signed, then altered in transit.
    const signature = signStripeEvent(body, shop.stripe.webhookSecret);
    expectSignatureRefused(await sendStripe(body.replace('"succeeded"', '"succeeded" '), signature));
    // Correctly signed but too old (tolerance 300 s): a replay.
    expectSignatureRefused(await sendStripe(body, signStripeEvent(body, shop.stripe.webhookSecret, Math.floor(Date.now() / 1000) - 600)));

    expect(await snapshot(p.id)).toEqual(before);
    expect(before.status).toBe('processing');
    expect(await inbox('stripe', event.id)).toEqual([]);
  });

  it('a payment_intent.succeeded signed with the account’s secret succeeds the payment once', async () => {
    const p = await processingStripePayment();
    stripe.setStatus(p.piId, 'succeeded');
    const event = piEvent('payment_intent.succeeded', p.piId, 'succeeded');
    const body = JSON.stringify(event);
    const res = await sendStripe(body, signStripeEvent(body, shop.stripe.webhookSecret));
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ received: true, results: ['applied'] });

    expect(await getPayment(p.id)).toMatchObject({ status: 'succeeded', providerReference: p.piId, provider: 'stripe', lastError: null });
    expect(await latestAttempt(p.id)).toMatchObject({ status: 'succeeded', provider_reference: p.piId });
    expect(await eventTypes(p.id)).toEqual(['payment.created', 'payment.processing', 'payment.succeeded']);
    expect(await inbox('stripe', event.id)).toMatchObject([{ result: 'applied', outcome: 'succeeded', account_id: shop.stripe.id }]);

    // Stripe retries the delivery: acknowledged, nothing else.
    const again = await sendStripe(body, signStripeEvent(body, shop.stripe.webhookSecret));
    expect(again.body).toEqual({ received: true, results: ['duplicate'] });
    // A stale event never moves it backwards.
    const stale = JSON.stringify(piEvent('payment_intent.payment_failed', p.piId, 'requires_payment_method'));
    const staleRes = await sendStripe(stale, signStripeEvent(stale, shop.stripe.webhookSecret));
    expect(staleRes.body).toEqual({ received: true, results: ['ignored'] });
    expect((await getPayment(p.id)).status).toBe('succeeded');
    expect(await eventTypes(p.id)).toEqual(['payment.created', 'payment.processing', 'payment.succeeded']);
  });

  it('payment_intent.payment_failed puts the payment back to requires_payment_method with the decline', async () => {
    const p = await processingStripePayment();
    stripe.setStatus(p.piId, 'requires_payment_method', { code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' });
    const body = JSON.stringify(stripeEvent('payment_intent.payment_failed', stripe.paymentIntents.get(p.piId)));
    const res = await sendStripe(body, signStripeEvent(body, shop.stripe.webhookSecret));
    expect(res.body, res.text).toEqual({ received: true, results: ['applied'] });
    expect(await getPayment(p.id)).toMatchObject({ status: 'requires_payment_method', lastError: { code: 'insufficient_funds' } });
    expect(await eventTypes(p.id)).toEqual(['payment.created', 'payment.processing', 'payment.failed']);
  });

  it('an event for this payment signed by ANOTHER tenant’s Stripe account is not applied', async () => {
    const p = await processingStripePayment();
    const before = await snapshot(p.id);
    const event = piEvent('payment_intent.succeeded', p.piId, 'succeeded');
    const body = JSON.stringify(event);
    const res = await sendStripe(body, signStripeEvent(body, otherShop.stripe.webhookSecret));
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ received: true, results: ['ignored'] });
    const after = await snapshot(p.id);
    expect({ ...after, inbox: before.inbox }).toEqual(before);
    expect(await inbox('stripe', event.id)).toEqual([]);
    expect(await inbox('stripe', `${event.id}@${otherShop.stripe.id}`)).toMatchObject([{ result: 'ignored', account_id: otherShop.stripe.id, note: expect.stringMatching(/account mismatch/) }]);

    // The forged copy does not shadow the genuine event with the same id from the payment's own account.
    const genuine = await sendStripe(body, signStripeEvent(body, shop.stripe.webhookSecret));
    expect(genuine.body).toEqual({ received: true, results: ['applied'] });
    expect((await getPayment(p.id)).status).toBe('succeeded');
    expect(await inbox('stripe', event.id)).toMatchObject([{ result: 'applied', account_id: shop.stripe.id }]);
    // …and a replay of the forged copy stays a duplicate of itself.
    expect((await sendStripe(body, signStripeEvent(body, otherShop.stripe.webhookSecret))).body).toEqual({ received: true, results: ['duplicate'] });
  });

  it('refunds go to Stripe keyed by the refund id and settle by refund.updated (succeeded / failed)', async () => {
    const p = await succeededStripePayment(5000);
    const ok = await t.request('POST', `/v1/payments/${p.id}/refunds`, { token: shop.token, idempotencyKey: `hooks-${++keyN}`, body: { amount: 1500 } });
    expect(ok.status, ok.text).toBe(201);
    const bad = await t.request('POST', `/v1/payments/${p.id}/refunds`, { token: shop.token, idempotencyKey: `hooks-${++keyN}`, body: { amount: 1000 } });
    expect(bad.status, bad.text).toBe(201);

    // The worker sends each refund to the payment's account, with the refund id as idempotency key.
    const sent = (refundId: string) => [...stripe.refunds.values()].find((r) => r.metadata?.refundId === refundId);
    await until('refunds sent to Stripe', async () => [sent(ok.body.id), sent(bad.body.id)], (v) => v.every(Boolean));
    const requests = stripe.requests.filter((r) => r.route === 'POST /v1/refunds' && r.body.payment_intent === p.piId);
    expect(requests.map((r) => r.idempotencyKey).sort()).toEqual([ok.body.id, bad.body.id].sort());
    for (const r of requests) expect(r.headers.authorization).toBe(`Bearer ${shop.stripe.secretKey}`);
    const reOk = sent(ok.body.id)!;
    expect(reOk).toMatchObject({ amount: 1500, payment_intent: p.piId, metadata: { refundId: ok.body.id, paymentId: p.id } });
    await until('provider reference stored', () => t.sql('select provider_reference from refunds where id = ?', [ok.body.id]), (rows) => rows[0].provider_reference === reOk.id);

    // Not settled until Stripe says so.
    expect((await t.request('GET', `/v1/refunds/${ok.body.id}`, { token: shop.token })).body.status).toBe('pending');

    // A refund event signed by another tenant's account is not applied (nor does it shadow the
    // genuine event with the same id); a bad signature changes nothing either.
    const succeeded = JSON.stringify(stripeEvent('refund.updated', { ...reOk, status: 'succeeded' }));
    expect((await sendStripe(succeeded, signStripeEvent(succeeded, otherShop.stripe.webhookSecret))).body).toEqual({ received: true, results: ['ignored'] });
    expect((await t.request('GET', `/v1/refunds/${ok.body.id}`, { token: shop.token })).body.status).toBe('pending');
    expectSignatureRefused(await sendStripe(succeeded, signStripeEvent(succeeded, `whsec_${random()}`)));
    expect((await t.request('GET', `/v1/refunds/${ok.body.id}`, { token: shop.token })).body.status).toBe('pending');

    expect((await sendStripe(succeeded, signStripeEvent(succeeded, shop.stripe.webhookSecret))).body).toEqual({ received: true, results: ['applied'] });
    expect((await t.request('GET', `/v1/refunds/${ok.body.id}`, { token: shop.token })).body).toMatchObject({ status: 'succeeded', failureReason: null });

    const reBad = sent(bad.body.id)!;
    const failed = JSON.stringify(stripeEvent('refund.updated', { ...reBad, status: 'failed', failure_reason: 'lost_or_stolen_card' }));
    expect((await sendStripe(failed, signStripeEvent(failed, shop.stripe.webhookSecret))).body).toEqual({ received: true, results: ['applied'] });
    expect((await t.request('GET', `/v1/refunds/${bad.body.id}`, { token: shop.token })).body).toMatchObject({ status: 'failed', failureReason: 'lost_or_stolen_card' });

    expect((await getPayment(p.id)).amountRefunded).toBe(1500);
    expect(await eventTypes(ok.body.id)).toEqual(['refund.created', 'refund.succeeded']);
    expect(await eventTypes(bad.body.id)).toEqual(['refund.created', 'refund.failed']);
    // A late contradicting event does not reopen a settled refund.
    const late = JSON.stringify(stripeEvent('refund.updated', { ...reOk, status: 'failed', failure_reason: 'unknown' }));
    expect((await sendStripe(late, signStripeEvent(late, shop.stripe.webhookSecret))).body).toEqual({ received: true, results: ['ignored'] });
    expect((await getPayment(p.id)).amountRefunded).toBe(1500);
  });

  it('a refund Stripe refuses is failed at once and its amount restored; 5xx answers are retried with the same key', async () => {
    const p = await succeededStripePayment(3000);
    stripe.fail('POST /v1/refunds', { status: 500, times: 2 });
    const retried = await t.request('POST', `/v1/payments/${p.id}/refunds`, { token: shop.token, idempotencyKey: `hooks-${++keyN}`, body: { amount: 1000 } });
    expect(retried.status).toBe(201);
    await until('refund sent', async () => [...stripe.refunds.values()].filter((r) => r.metadata?.refundId === retried.body.id).length, (n) => n === 1);
    const tries = stripe.requests.filter((r) => r.route === 'POST /v1/refunds' && r.idempotencyKey === retried.body.id);
    expect(tries).toHaveLength(3);

    stripe.fail('POST /v1/refunds', { status: 400, times: 1 });
    const refused = await t.request('POST', `/v1/payments/${p.id}/refunds`, { token: shop.token, idempotencyKey: `hooks-${++keyN}`, body: { amount: 500 } });
    expect(refused.status).toBe(201);
    const settled = await until(
      'refund failed',
      async () => (await t.request('GET', `/v1/refunds/${refused.body.id}`, { token: shop.token })).body,
      (r) => r.status !== 'pending',
    );
    expect(settled).toMatchObject({ status: 'failed', failureReason: expect.any(String) });
    expect((await getPayment(p.id)).amountRefunded).toBe(1000);
    expect(await eventTypes(refused.body.id)).toEqual(['refund.created', 'refund.failed']);
    expect(stripe.requests.filter((r) => r.route === 'POST /v1/refunds' && r.idempotencyKey === refused.body.id)).toHaveLength(1);
  });
});

// ---- Adyen ----------------------------------------------------------------------------------

/** An Adyen payment with a session whose Drop-in reported back: `processing`, waiting for AUTHORISATION. */
async function processingAdyenPayment(amount = 1999) {
  const payment = await createPayment('adyen', amount);
  const prepared = await trpc('prepare', { token: payment.checkoutToken });
  expect(prepared.client).toMatchObject({ type: 'adyen_drop_in', sessionId: expect.stringMatching(/^CS/) });
  const view = await trpc('reportResult', { token: payment.checkoutToken, sessionResult: `X3XtfGC9!${random()}` });
  expect(view.status).toBe('processing');
  const attempt = await latestAttempt(payment.id);
  return { ...payment, amount, sessionId: prepared.client.sessionId as string, attemptId: attempt.id as string };
}

function authorisation(p: { id: string; amount: number; attemptId: string }, merchantAccount: string, overrides: Partial<AdyenNotificationItem> = {}) {
  return authorisationItem({
    pspReference: hex(16),
    merchantAccountCode: merchantAccount,
    merchantReference: p.id,
    amount: { value: p.amount, currency: 'EUR' },
    eventDate: new Date().toISOString(),
    additionalData: { 'metadata.attemptId': p.attemptId },
    ...overrides,
  });
}

function sendAdyen(items: AdyenNotificationItem[]) {
  return t.request('POST', '/webhooks/adyen', { body: notification(items) });
}

function expectAccepted(res: ApiResponse) {
  expect(res.status, res.text).toBe(200);
  expect(res.text).toBe('[accepted]');
}

describe('Stripe: one PaymentIntent confirmed again after a decline', () => {
  it('a late decline of the earlier confirmation is ignored; the success of the new one is applied', async () => {
    const payment = await createPayment('stripe');
    const prepared = await trpc('prepare', { token: payment.checkoutToken });
    const piId = paymentIntentIdOf(prepared);
    const declined = await trpc('confirm', { token: payment.checkoutToken, confirmationToken: STRIPE_FAKE_TOKENS.cardDeclined });
    expect(declined.status).toBe('requires_payment_method');
    const lateDeclineCreated = Math.floor(Date.now() / 1000) - 5; // sent by Stripe for the first confirmation
    await new Promise((r) => setTimeout(r, 1100));
    const retried = await trpc('confirm', { token: payment.checkoutToken, confirmationToken: STRIPE_FAKE_TOKENS.processing });
    expect(retried.status).toBe('processing');

    const late = JSON.stringify(stripeEvent('payment_intent.payment_failed', {
      ...stripe.paymentIntents.get(piId)!,
      status: 'requires_payment_method',
      last_payment_error: { code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' },
    }, { created: lateDeclineCreated }));
    const res = await sendStripe(late, signStripeEvent(late, shop.stripe.webhookSecret));
    expect(res.body, res.text).toEqual({ received: true, results: ['ignored'] });
    expect((await getPayment(payment.id)).status).toBe('processing');

    stripe.setStatus(piId, 'succeeded');
    const ok = JSON.stringify(piEvent('payment_intent.succeeded', piId, 'succeeded'));
    expect((await sendStripe(ok, signStripeEvent(ok, shop.stripe.webhookSecret))).body.results).toEqual(['applied']);
    expect((await getPayment(payment.id)).status).toBe('succeeded');
  });

  it('a success after the attempt was failed by a webhook is applied: the money was taken', async () => {
    const p = await processingStripePayment();
    const failed = JSON.stringify(stripeEvent('payment_intent.payment_failed', {
      ...stripe.paymentIntents.get(p.piId)!,
      status: 'requires_payment_method',
      last_payment_error: { code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' },
    }));
    expect((await sendStripe(failed, signStripeEvent(failed, shop.stripe.webhookSecret))).body.results).toEqual(['applied']);
    expect((await getPayment(p.id)).status).toBe('requires_payment_method');
    stripe.setStatus(p.piId, 'succeeded');
    const ok = JSON.stringify(piEvent('payment_intent.succeeded', p.piId, 'succeeded'));
    expect((await sendStripe(ok, signStripeEvent(ok, shop.stripe.webhookSecret))).body.results).toEqual(['applied']);
    const after = await getPayment(p.id);
    expect(after.status).toBe('succeeded');
    expect(after.lastError).toBeNull();
    expect((await eventTypes(p.id)).slice(-2)).toEqual(['payment.failed', 'payment.succeeded']);
  });
});

describe('POST /webhooks/adyen', () => {
  it('bad HMAC signatures → 400 and nothing changes (status, events, inbox)', async () => {
    const p = await processingAdyenPayment();
    const before = await snapshot(p.id);
    const item = authorisation(p, shop.adyen.merchantAccount);

    expectSignatureRefused(await sendAdyen([signAdyenNotification(item, hex(64))]));
    expectSignatureRefused(await sendAdyen([item])); // unsigned
    // Signed, then the amount altered.
    const signed = signAdyenNotification(item, shop.adyen.hmacKey);
    expectSignatureRefused(await sendAdyen([{ ...signed, amount: { value: 1, currency: 'EUR' } }]));
    // Signed with another tenant's key but naming this merchant account.
    expectSignatureRefused(await sendAdyen([signAdyenNotification(item, otherShop.adyen.hmacKey)]));
    // One bad item spoils the batch.
    expectSignatureRefused(await sendAdyen([signed, signAdyenNotification(authorisation(p, shop.adyen.merchantAccount), hex(64))]));

    expect(await snapshot(p.id)).toEqual(before);
    expect(before.status).toBe('processing');
  });

  it('AUTHORISATION signed with the account’s HMAC key is answered [accepted] and succeeds the payment once', async () => {
    const p = await processingAdyenPayment();
    const item = signAdyenNotification(authorisation(p, shop.adyen.merchantAccount), shop.adyen.hmacKey);
    expectAccepted(await sendAdyen([item]));
    expect(await getPayment(p.id)).toMatchObject({ status: 'succeeded', provider: 'adyen', providerReference: item.pspReference, lastError: null });
    expect(await eventTypes(p.id)).toEqual(['payment.created', 'payment.processing', 'payment.succeeded']);
    expect(await inbox('adyen', `${item.pspReference}:AUTHORISATION:true`)).toMatchObject([{ result: 'applied', outcome: 'authorized', account_id: shop.adyen.id }]);
    expect(await latestAttempt(p.id)).toMatchObject({ status: 'succeeded' });

    // Adyen delivers again: accepted, nothing else.
    expectAccepted(await sendAdyen([item]));
    expect(await eventTypes(p.id)).toEqual(['payment.created', 'payment.processing', 'payment.succeeded']);
  });

  it('a refused AUTHORISATION puts the payment back to requires_payment_method with the reason', async () => {
    const p = await processingAdyenPayment();
    const item = signAdyenNotification(authorisation(p, shop.adyen.merchantAccount, { success: 'false', reason: 'Not enough balance' }), shop.adyen.hmacKey);
    expectAccepted(await sendAdyen([item]));
    expect(await getPayment(p.id)).toMatchObject({ status: 'requires_payment_method', lastError: { code: 'insufficient_funds' } });
    expect(await eventTypes(p.id)).toEqual(['payment.created', 'payment.processing', 'payment.failed']);
  });

  it('without metadata.attemptId: a success for our payment id is applied (the money was taken); a refusal is recorded, not applied', async () => {
    const refused = await processingAdyenPayment();
    const noMetadata = { additionalData: {} };
    const refusal = signAdyenNotification(authorisation(refused, shop.adyen.merchantAccount, { ...noMetadata, success: 'false', reason: 'Refused' }), shop.adyen.hmacKey);
    expectAccepted(await sendAdyen([refusal]));
    expect(await getPayment(refused.id)).toMatchObject({ status: 'processing' });
    expect(await inbox('adyen', `${refusal.pspReference}:AUTHORISATION:false`)).toMatchObject([{ result: 'ignored' }]);

    const paid = await processingAdyenPayment();
    const success = signAdyenNotification(authorisation(paid, shop.adyen.merchantAccount, noMetadata), shop.adyen.hmacKey);
    expectAccepted(await sendAdyen([success]));
    expect(await getPayment(paid.id)).toMatchObject({ status: 'succeeded', providerReference: success.pspReference });
    expect(await latestAttempt(paid.id)).toMatchObject({ status: 'succeeded' });
    expect(await inbox('adyen', `${success.pspReference}:AUTHORISATION:true`)).toMatchObject([{ result: 'applied', account_id: shop.adyen.id }]);

    // Another tenant's account signing a success for our payment id still changes nothing.
    const other = await processingAdyenPayment();
    const foreign = signAdyenNotification(authorisation(other, otherShop.adyen.merchantAccount, noMetadata), otherShop.adyen.hmacKey);
    expectAccepted(await sendAdyen([foreign]));
    expect(await getPayment(other.id)).toMatchObject({ status: 'processing' });
  });

  it('an AUTHORISATION for this payment signed by ANOTHER tenant’s Adyen account is not applied', async () => {
    const p = await processingAdyenPayment();
    const before = await snapshot(p.id);
    const item = signAdyenNotification(authorisation(p, otherShop.adyen.merchantAccount), otherShop.adyen.hmacKey);
    expectAccepted(await sendAdyen([item]));
    const after = await snapshot(p.id);
    expect({ ...after, inbox: before.inbox }).toEqual(before);
    expect(await inbox('adyen', `${item.pspReference}:AUTHORISATION:true@${otherShop.adyen.id}`)).toMatchObject([{ result: 'ignored', account_id: otherShop.adyen.id }]);

    // The genuine notification for the same pspReference still applies.
    const genuine = signAdyenNotification(authorisation(p, shop.adyen.merchantAccount, { pspReference: item.pspReference }), shop.adyen.hmacKey);
    expectAccepted(await sendAdyen([genuine]));
    expect(await getPayment(p.id)).toMatchObject({ status: 'succeeded', providerReference: item.pspReference });
    expect(await inbox('adyen', `${item.pspReference}:AUTHORISATION:true`)).toMatchObject([{ result: 'applied', account_id: shop.adyen.id }]);
  });

  it('refunds go to Adyen against the payment’s pspReference and settle by REFUND (success true / false)', async () => {
    const p = await processingAdyenPayment(4000);
    const auth = signAdyenNotification(authorisation(p, shop.adyen.merchantAccount), shop.adyen.hmacKey);
    expectAccepted(await sendAdyen([auth]));
    expect((await getPayment(p.id)).status).toBe('succeeded');

    const create = (amount: number) => t.request('POST', `/v1/payments/${p.id}/refunds`, { token: shop.token, idempotencyKey: `hooks-${++keyN}`, body: { amount } });
    const ok = await create(1000);
    const bad = await create(500);
    expect([ok.status, bad.status]).toEqual([201, 201]);

    const refundRequests = () => adyen.requests.filter((r) => r.route === 'refunds' && r.path.includes(auth.pspReference));
    await until('refunds sent to Adyen', async () => refundRequests().length, (n) => n >= 2);
    expect(refundRequests().map((r) => r.headers['idempotency-key']).sort()).toEqual([ok.body.id, bad.body.id].sort());
    const okRequest = refundRequests().find((r) => r.headers['idempotency-key'] === ok.body.id)!;
    expect(okRequest.body).toMatchObject({ merchantAccount: shop.adyen.merchantAccount, reference: ok.body.id, amount: { value: 1000, currency: 'EUR' } });
    const refs = await until(
      'provider references stored',
      () => t.sql('select id, provider_reference from refunds where payment_id = ? order by id', [p.id]),
      (rows) => rows.every((r) => r.provider_reference),
    );
    const pspOf = (id: string) => refs.find((r) => r.id === id)!.provider_reference as string;

    const refundNotification = (refundId: string, amount: number, success: 'true' | 'false', merchantAccount = shop.adyen.merchantAccount) =>
      refundItem({
        pspReference: pspOf(refundId),
        originalReference: auth.pspReference,
        merchantAccountCode: merchantAccount,
        merchantReference: refundId,
        amount: { value: amount, currency: 'EUR' },
        eventDate: new Date().toISOString(),
        success,
        ...(success === 'true' ? { reason: '' } : {}),
      });

    // Another tenant's account cannot settle this refund; a bad HMAC is refused.
    expectAccepted(await sendAdyen([signAdyenNotification(refundNotification(ok.body.id, 1000, 'true', otherShop.adyen.merchantAccount), otherShop.adyen.hmacKey)]));
    expectSignatureRefused(await sendAdyen([signAdyenNotification(refundNotification(ok.body.id, 1000, 'true'), hex(64))]));
    expect((await t.request('GET', `/v1/refunds/${ok.body.id}`, { token: shop.token })).body.status).toBe('pending');

    expectAccepted(await sendAdyen([signAdyenNotification(refundNotification(ok.body.id, 1000, 'true'), shop.adyen.hmacKey)]));
    expectAccepted(await sendAdyen([signAdyenNotification(refundNotification(bad.body.id, 500, 'false'), shop.adyen.hmacKey)]));
    expect((await t.request('GET', `/v1/refunds/${ok.body.id}`, { token: shop.token })).body).toMatchObject({ status: 'succeeded' });
    expect((await t.request('GET', `/v1/refunds/${bad.body.id}`, { token: shop.token })).body).toMatchObject({ status: 'failed', failureReason: 'refund_failed' });
    expect((await getPayment(p.id)).amountRefunded).toBe(1000);
    expect(await eventTypes(ok.body.id)).toEqual(['refund.created', 'refund.succeeded']);
    expect(await eventTypes(bad.body.id)).toEqual(['refund.created', 'refund.failed']);
  });
});
