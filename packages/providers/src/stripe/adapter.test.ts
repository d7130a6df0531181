import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PaymentProvider, PrepareRequest, ProviderAccount } from '@platform/core';
import { STRIPE_FAKE_TOKENS, startStripeFake, type StripeFake } from '../../test/fakes/stripe-fake.js';
import { createStripeProvider } from './adapter.js';

const account = (id: string, secretKey: string): ProviderAccount => ({
  id,
  provider: 'stripe',
  mode: 'sandbox',
  credentials: { secretKey, publishableKey: `pk_test_${id}`, webhookSecret: `whsec_${id}` },
});
const ACCOUNT = account('acct_a', 'sk_test_a');

let fake: StripeFake;
let provider: PaymentProvider;
let seq = 0;
let ids: { attemptId: string; paymentId: string };

beforeAll(async () => {
  fake = await startStripeFake();
  provider = createStripeProvider({ apiBaseUrl: fake.url, timeoutMs: 2000 });
});
afterAll(() => fake.close());
beforeEach(() => {
  seq += 1;
  ids = { attemptId: `att_${seq}`, paymentId: `pay_${seq}` };
});

const prepareRequest = (extra: Partial<PrepareRequest> = {}): PrepareRequest => ({
  account: ACCOUNT, ...ids, amount: 1999, currency: 'EUR', mode: 'sandbox', description: 'Order 42', returnUrl: 'https://pay.example/return', ...extra,
});
const requestsFor = (route: string) => fake.requests.filter((r) => r.route === route);
const lastRequest = (route: string) => requestsFor(route).at(-1)!;
const intentsOf = (attemptId: string) => [...fake.paymentIntents.values()].filter((pi) => pi.metadata.attemptId === attemptId);

async function prepared(): Promise<string> {
  const result = await provider.prepare(prepareRequest());
  if (!result.ok) throw new Error(`prepare failed: ${result.code}`);
  return result.reference;
}
const authorize = (reference: string | null, confirmationToken?: string) =>
  provider.authorize({ account: ACCOUNT, ...ids, amount: 1999, currency: 'EUR', mode: 'sandbox', reference, confirmationToken, returnUrl: 'https://pay.example/return' });

describe('stripe provider: prepare', () => {
  it('creates a PaymentIntent carrying our ids, keyed by the attempt id, and returns the Payment Element config', async () => {
    const result = await provider.prepare(prepareRequest());
    const [pi] = intentsOf(ids.attemptId);
    expect(result).toEqual({ ok: true, reference: pi!.id, client: { type: 'stripe_payment_element', publishableKey: 'pk_test_acct_a', clientSecret: pi!.client_secret } });
    const request = lastRequest('POST /v1/payment_intents');
    expect(request.idempotencyKey).toBe(ids.attemptId);
    expect(request.headers.authorization).toBe('Bearer sk_test_a');
    expect(request.body).toEqual({
      amount: '1999', currency: 'eur', automatic_payment_methods: { enabled: 'true' }, description: 'Order 42',
      metadata: { paymentId: ids.paymentId, attemptId: ids.attemptId },
    });
  });

  it('is idempotent: the same attempt twice sends the same key and yields one PaymentIntent', async () => {
    const first = await provider.prepare(prepareRequest());
    const second = await provider.prepare(prepareRequest());
    expect(second).toEqual(first);
    expect(intentsOf(ids.attemptId)).toHaveLength(1);
    expect(requestsFor('POST /v1/payment_intents').slice(-2).map((r) => r.idempotencyKey)).toEqual([ids.attemptId, ids.attemptId]);
  });

  it("sends amounts in Stripe's unit (ISK ×100) and refuses what Stripe cannot express without calling it", async () => {
    await provider.prepare(prepareRequest({ amount: 500, currency: 'ISK' }));
    expect(lastRequest('POST /v1/payment_intents').body).toMatchObject({ amount: '50000', currency: 'isk' });
    const before = fake.requests.length;
    expect(await provider.prepare(prepareRequest({ amount: 12_345, currency: 'MGA' }))).toMatchObject({ ok: false, kind: 'provider_error', code: 'invalid_amount', retryable: false });
    expect(fake.requests.length).toBe(before);
  });

  it('rejects an account of another provider without calling Stripe', async () => {
    const before = fake.requests.length;
    const result = await provider.prepare(prepareRequest({ account: { id: 'sandbox', provider: 'sandbox', mode: 'sandbox', credentials: null } }));
    expect(result).toMatchObject({ ok: false, kind: 'provider_error', code: 'account_provider_mismatch', retryable: false });
    expect(fake.requests.length).toBe(before);
  });

  it('returns a 500 as a retryable provider error with its status; the retry with the same key succeeds', async () => {
    fake.fail('POST /v1/payment_intents', { status: 500 });
    expect(await provider.prepare(prepareRequest())).toMatchObject({ ok: false, kind: 'provider_error', retryable: true, status: 500 });
    expect(await provider.prepare(prepareRequest())).toMatchObject({ ok: true });
    expect(requestsFor('POST /v1/payment_intents').slice(-2).map((r) => r.idempotencyKey)).toEqual([ids.attemptId, ids.attemptId]);
    expect(intentsOf(ids.attemptId)).toHaveLength(1);
  });

  it('returns a 429 as retryable with Retry-After in milliseconds', async () => {
    fake.fail('POST /v1/payment_intents', { status: 429, retryAfter: 2 });
    expect(await provider.prepare(prepareRequest())).toEqual({
      ok: false, kind: 'provider_error', code: 'rate_limit', message: expect.any(String), retryable: true, status: 429, retryAfterMs: 2000,
    });
  });

  it('returns an authentication error (401) as a non-retryable provider error', async () => {
    fake.fail('POST /v1/payment_intents', { status: 401, body: { error: { type: 'invalid_request_error', message: 'Invalid API Key provided: sk_test_***' } } });
    expect(await provider.prepare(prepareRequest())).toMatchObject({ ok: false, kind: 'provider_error', retryable: false, status: 401 });
  });

  it('returns a timeout after the request was sent as kind timeout; the PaymentIntent exists and is found by attempt id', async () => {
    const impatient = createStripeProvider({ apiBaseUrl: fake.url, timeoutMs: 200 });
    fake.hang('POST /v1/payment_intents', { ms: 1500 });
    const result = await impatient.prepare(prepareRequest());
    expect(result).toMatchObject({ ok: false, kind: 'timeout', code: 'timeout', retryable: true });
    const created = intentsOf(ids.attemptId);
    expect(created).toHaveLength(1);

    // Reconciliation without a reference searches by our attempt id.
    const found = await impatient.retrieve({ account: ACCOUNT, ...ids, reference: null });
    expect(found).toEqual({ ok: true, reference: created[0]!.id, outcome: { type: 'processing' } });
    expect(lastRequest('GET /v1/payment_intents/search').body.query).toBe(`metadata['attemptId']:'${ids.attemptId}'`);

    // The retry with the same key replays Stripe's saved answer: still one PaymentIntent.
    expect(await impatient.prepare(prepareRequest())).toMatchObject({ ok: true, reference: created[0]!.id });
    expect(intentsOf(ids.attemptId)).toHaveLength(1);
  });

  it('returns connection refused as kind network (never sent)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = createStripeProvider({ apiBaseUrl: `http://127.0.0.1:${port}`, timeoutMs: 2000 });
    expect(await unreachable.prepare(prepareRequest())).toMatchObject({ ok: false, kind: 'network', retryable: true });
  });

  it('keeps accounts apart: one client per secret key, objects scoped to their account', async () => {
    const other = account('acct_b', 'sk_test_b');
    const reference = await prepared();
    const result = await provider.prepare(prepareRequest({ account: other }));
    expect(result).toMatchObject({ ok: true, client: { publishableKey: 'pk_test_acct_b' } });
    expect(lastRequest('POST /v1/payment_intents').headers.authorization).toBe('Bearer sk_test_b');
    // Same idempotency key, other account: a different PaymentIntent (keys are per account at Stripe).
    expect(result.ok && result.reference).not.toBe(reference);
    expect(await provider.retrieve({ account: other, ...ids, reference })).toMatchObject({ ok: false, kind: 'provider_error', code: 'resource_missing', status: 404, retryable: false });
  });
});

describe('stripe provider: authorize', () => {
  it('confirms the prepared PaymentIntent with the ConfirmationToken under a stable key', async () => {
    const reference = await prepared();
    expect(await authorize(reference, 'ctoken_123')).toEqual({ ok: true, reference });
    const request = lastRequest('POST /v1/payment_intents/:id/confirm');
    expect(request.path).toBe(`/v1/payment_intents/${reference}/confirm`);
    expect(request.idempotencyKey).toBe(`${ids.attemptId}:confirm`);
    expect(request.body).toEqual({ confirmation_token: 'ctoken_123', return_url: 'https://pay.example/return' });
    expect(fake.paymentIntents.get(reference)!.status).toBe('succeeded');
  });

  it('accepts processing without claiming success', async () => {
    const reference = await prepared();
    expect(await authorize(reference, STRIPE_FAKE_TOKENS.processing)).toEqual({ ok: true, reference });
  });

  it('returns the client secret as next action when the customer must act (3-D Secure)', async () => {
    const reference = await prepared();
    expect(await authorize(reference, STRIPE_FAKE_TOKENS.requiresAction)).toEqual({
      ok: true, reference, nextAction: { type: 'stripe_handle_next_action', clientSecret: fake.paymentIntents.get(reference)!.client_secret },
    });
  });

  it.each([
    [STRIPE_FAKE_TOKENS.insufficientFunds, 'insufficient_funds'],
    [STRIPE_FAKE_TOKENS.cardDeclined, 'generic_decline'],
  ])('maps a decline (%s) to a final declined failure with the decline code', async (token, code) => {
    const reference = await prepared();
    expect(await authorize(reference, token)).toEqual({ ok: false, kind: 'declined', code, message: expect.any(String), retryable: false, status: 402 });
    expect(await provider.retrieve({ account: ACCOUNT, ...ids, reference })).toMatchObject({ ok: true, outcome: { type: 'failed', code } });
  });

  it('needs a reference and a ConfirmationToken', async () => {
    expect(await authorize(null, 'ctoken_1')).toMatchObject({ ok: false, kind: 'provider_error', retryable: false });
    expect(await authorize(await prepared(), undefined)).toMatchObject({ ok: false, kind: 'declined', code: 'confirmation_token_required' });
  });

  it('returns a timed-out confirm as kind timeout; retrying with the same key replays the outcome', async () => {
    const impatient = createStripeProvider({ apiBaseUrl: fake.url, timeoutMs: 200 });
    const reference = await prepared();
    fake.hang('POST /v1/payment_intents/:id/confirm', { ms: 1500 });
    const confirm = () => impatient.authorize({ account: ACCOUNT, ...ids, amount: 1999, currency: 'EUR', mode: 'sandbox', reference, confirmationToken: 'ctoken_1' });
    expect(await confirm()).toMatchObject({ ok: false, kind: 'timeout', retryable: true });
    expect(fake.paymentIntents.get(reference)!.status).toBe('succeeded');
    expect(await confirm()).toEqual({ ok: true, reference });
    expect(requestsFor('POST /v1/payment_intents/:id/confirm').slice(-2).map((r) => r.idempotencyKey)).toEqual([`${ids.attemptId}:confirm`, `${ids.attemptId}:confirm`]);
  });
});

describe('stripe provider: completeAction', () => {
  it('leaves 3-D Secure to the browser and returns the reference', async () => {
    expect(await provider.completeAction({ account: ACCOUNT, ...ids, reference: 'pi_1', approve: true })).toEqual({ ok: true, reference: 'pi_1' });
  });
});

describe('stripe provider: retrieve', () => {
  it.each([
    ['succeeded', { type: 'succeeded' }],
    ['processing', { type: 'processing' }],
    ['requires_action', { type: 'requires_action' }],
    ['canceled', { type: 'canceled' }],
    ['requires_payment_method', { type: 'processing' }],
  ] as const)('maps a PaymentIntent in %s', async (status, outcome) => {
    const reference = await prepared();
    fake.setStatus(reference, status);
    expect(await provider.retrieve({ account: ACCOUNT, ...ids, reference })).toEqual({ ok: true, reference, outcome });
  });

  it('maps a failed attempt with its error', async () => {
    const reference = await prepared();
    fake.setStatus(reference, 'requires_payment_method', { code: 'card_declined', decline_code: 'lost_card', message: 'Your card was declined.' });
    expect(await provider.retrieve({ account: ACCOUNT, ...ids, reference })).toEqual({
      ok: true, reference, outcome: { type: 'failed', code: 'lost_card', message: 'Your card was declined.' },
    });
  });

  it('reports failed/not_found when Stripe has nothing for the attempt', async () => {
    expect(await provider.retrieve({ account: ACCOUNT, ...ids, reference: null })).toEqual({
      ok: true, reference: null, outcome: { type: 'failed', code: 'not_found', message: expect.any(String) },
    });
  });

  it("refuses a PaymentIntent that carries another payment's id", async () => {
    const reference = await prepared();
    expect(await provider.retrieve({ account: ACCOUNT, attemptId: ids.attemptId, paymentId: 'pay_other', reference })).toMatchObject({
      ok: false, kind: 'provider_error', code: 'unexpected_response', retryable: false,
    });
  });
});

describe('stripe provider: refund', () => {
  it('refunds the PaymentIntent under our refund id, once', async () => {
    const reference = await prepared();
    await authorize(reference, 'ctoken_1');
    const request = { account: ACCOUNT, refundId: `rf_${seq}`, paymentId: ids.paymentId, paymentReference: reference, amount: 500, currency: 'EUR' as const };
    const first = await provider.refund(request);
    const [refund] = [...fake.refunds.values()].filter((r) => r.metadata?.refundId === request.refundId);
    expect(first).toEqual({ ok: true, reference: refund!.id });
    expect(lastRequest('POST /v1/refunds')).toMatchObject({
      idempotencyKey: request.refundId,
      body: { payment_intent: reference, amount: '500', metadata: { refundId: request.refundId, paymentId: ids.paymentId } },
    });
    expect(await provider.refund(request)).toEqual(first);
    expect([...fake.refunds.values()].filter((r) => r.metadata?.refundId === request.refundId)).toHaveLength(1);
  });

  it('returns Stripe refusing the refund as a non-retryable provider error', async () => {
    const reference = await prepared();
    const result = await provider.refund({ account: ACCOUNT, refundId: `rf_${seq}`, paymentId: ids.paymentId, paymentReference: reference, amount: 500, currency: 'EUR' });
    expect(result).toMatchObject({ ok: false, kind: 'provider_error', retryable: false, status: 400 });
  });
});

describe('stripe provider: retrieveRefund', () => {
  async function acceptedRefund() {
    const reference = await prepared();
    await authorize(reference, 'ctoken_1');
    const refundId = `rf_lookup_${seq}`;
    const result = await provider.refund({ account: ACCOUNT, refundId, paymentId: ids.paymentId, paymentReference: reference, amount: 500, currency: 'EUR' });
    if (!result.ok) throw new Error(`refund failed: ${result.code}`);
    return { refundId, refundReference: result.reference };
  }
  const lookup = (r: { refundId: string; refundReference: string }) => provider.retrieveRefund({ account: ACCOUNT, paymentId: ids.paymentId, ...r });

  it('asks GET /v1/refunds/{id}: pending → processing, then succeeded → refund_succeeded', async () => {
    const r = await acceptedRefund();
    fake.setRefundStatus(r.refundReference, 'pending');
    expect(await lookup(r)).toEqual({ ok: true, outcome: { type: 'processing' } });
    expect(lastRequest('GET /v1/refunds/:id').path).toBe(`/v1/refunds/${r.refundReference}`);
    fake.setRefundStatus(r.refundReference, 'succeeded');
    expect(await lookup(r)).toEqual({ ok: true, outcome: { type: 'refund_succeeded', refundId: r.refundId, refundReference: r.refundReference } });
  });

  it("maps failed and canceled refunds with Stripe's failure reason", async () => {
    const r = await acceptedRefund();
    fake.setRefundStatus(r.refundReference, 'failed', 'expired_or_canceled_card');
    expect(await lookup(r)).toEqual({
      ok: true,
      outcome: { type: 'refund_failed', refundId: r.refundId, refundReference: r.refundReference, code: 'expired_or_canceled_card', message: expect.stringContaining('failed') },
    });
    fake.setRefundStatus(r.refundReference, 'canceled');
    expect(await lookup(r)).toMatchObject({ ok: true, outcome: { type: 'refund_failed', code: 'refund_canceled' } });
  });

  it("refuses a Stripe refund that carries another refund's id, and reports an unknown one as a provider error", async () => {
    const r = await acceptedRefund();
    expect(await lookup({ ...r, refundId: 'rf_someone_else' })).toMatchObject({ ok: false, kind: 'provider_error', code: 'unexpected_response', retryable: false });
    expect(await lookup({ ...r, refundReference: 're_missing' })).toMatchObject({ ok: false, kind: 'provider_error', status: 404, retryable: false });
  });
});
