import { readFileSync } from 'node:fs';
import Stripe from 'stripe';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { NormalizedOutcome, ProviderAccount } from '@platform/core';
import { signStripeEvent, stripeEvent } from '../../test/fakes/stripe-fake.js';
import { createStripeProvider } from './adapter.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url), 'utf8'));
const PI = fixture('stripe-payment_intent.json') as Stripe.PaymentIntent;
const REFUND = fixture('stripe-refund.json') as Stripe.Refund;
const CHARGE = fixture('stripe-charge.json') as Stripe.Charge;
const PLAN_EVENT = fixture('stripe-event.json') as Stripe.Event;

const account = (id: string, webhookSecret: string): ProviderAccount => ({
  id, provider: 'stripe', mode: 'sandbox', credentials: { secretKey: `sk_test_${id}`, publishableKey: `pk_test_${id}`, webhookSecret },
});
const A = account('acct_a', 'whsec_secret_a');
const B = account('acct_b', 'whsec_secret_b');
const SANDBOX: ProviderAccount = { id: 'sandbox', provider: 'sandbox', mode: 'sandbox', credentials: null };

const provider = createStripeProvider({});
const CREATED = 1_750_000_000;
const OURS = { paymentId: 'pay_1', attemptId: 'att_1' };

/** A body signed now with `secret`, as Stripe would post it. */
function signed(event: object, secret = 'whsec_secret_a', headerName = 'stripe-signature') {
  const body = JSON.stringify(event);
  return { rawBody: Buffer.from(body), headers: { 'content-type': 'application/json', [headerName]: signStripeEvent(body, secret) } };
}
const paymentEvent = (type: string, pi: Partial<Stripe.PaymentIntent> = {}) =>
  stripeEvent(type, { ...PI, id: 'pi_123', metadata: OURS, ...pi }, { id: 'evt_1', created: CREATED });
const refundEvent = (type: string, refund: Partial<Stripe.Refund>) =>
  stripeEvent(type, { ...REFUND, id: 're_1', payment_intent: 'pi_123', metadata: { refundId: 'rf_1', paymentId: 'pay_1' }, ...refund }, { id: 'evt_2', created: CREATED });

afterEach(() => {
  vi.useRealTimers();
});

describe('stripe webhook: signature', () => {
  const VECTOR = { payload: '{"id":"evt_test","object":"event"}', secret: 'whsec_test_secret', timestamp: 1_700_000_000 };
  const VECTOR_HEADER = 't=1700000000,v1=8042376f6ca064adbe037642a718227dfd59047137eb49497a54c49eb0cfb724';

  it('reproduces the fixture README vector with the official library', () => {
    expect(signStripeEvent(VECTOR.payload, VECTOR.secret, VECTOR.timestamp)).toBe(VECTOR_HEADER);
    const event = Stripe.webhooks.constructEvent(VECTOR.payload, VECTOR_HEADER, VECTOR.secret, 300, undefined, (VECTOR.timestamp + 10) * 1000);
    expect(event).toEqual({ id: 'evt_test', object: 'event' });
  });

  it('verifies the vector within the 300 s tolerance (then finds it malformed: no type) and rejects it later', async () => {
    const request = { rawBody: Buffer.from(VECTOR.payload), headers: { 'stripe-signature': VECTOR_HEADER } };
    const accounts = [account('acct_v', VECTOR.secret)];
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime((VECTOR.timestamp + 299) * 1000);
    expect(await provider.parseWebhook(request, accounts)).toMatchObject({ ok: false, kind: 'malformed' });
    vi.setSystemTime((VECTOR.timestamp + 301) * 1000);
    expect(await provider.parseWebhook(request, accounts)).toMatchObject({ ok: false, kind: 'invalid_signature' });
  });

  it('rejects a bad signature, a wrong secret, a tampered body and a missing header', async () => {
    const good = signed(paymentEvent('payment_intent.succeeded'));
    const badSig = { ...good, headers: { 'stripe-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` } };
    const tampered = { ...good, rawBody: Buffer.from(good.rawBody.toString().replace('pay_1', 'pay_2')) };
    for (const request of [badSig, tampered, { ...good, headers: {} }]) {
      expect(await provider.parseWebhook(request, [A])).toMatchObject({ ok: false, kind: 'invalid_signature' });
    }
    expect(await provider.parseWebhook(good, [B])).toMatchObject({ ok: false, kind: 'invalid_signature' });
    expect(await provider.parseWebhook(good, [])).toMatchObject({ ok: false, kind: 'invalid_signature' });
  });

  it('names the account whose secret verified the event (other providers are skipped)', async () => {
    const fromB = signed(paymentEvent('payment_intent.succeeded'), 'whsec_secret_b', 'Stripe-Signature');
    const result = await provider.parseWebhook(fromB, [SANDBOX, A, B]);
    expect(result).toMatchObject({ ok: true, events: [{ accountId: 'acct_b' }] });
  });

  it('reports a correctly signed body that is not JSON as malformed', async () => {
    const body = 'not json';
    const request = { rawBody: Buffer.from(body), headers: { 'stripe-signature': signStripeEvent(body, 'whsec_secret_a') } };
    expect(await provider.parseWebhook(request, [A])).toMatchObject({ ok: false, kind: 'malformed' });
  });
});

describe('stripe webhook: payment events', () => {
  const declined = { type: 'card_error', code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' } as Stripe.PaymentIntent.LastPaymentError;
  it.each<[string, Partial<Stripe.PaymentIntent>, NormalizedOutcome]>([
    ['payment_intent.succeeded', { status: 'succeeded' }, { type: 'succeeded' }],
    ['payment_intent.processing', { status: 'processing' }, { type: 'processing' }],
    ['payment_intent.requires_action', { status: 'requires_action' }, { type: 'requires_action' }],
    ['payment_intent.payment_failed', { last_payment_error: declined }, { type: 'failed', code: 'insufficient_funds', message: 'Your card has insufficient funds.' }],
    ['payment_intent.payment_failed', { last_payment_error: { type: 'card_error', code: 'expired_card', message: 'Expired.' } as Stripe.PaymentIntent.LastPaymentError }, { type: 'failed', code: 'expired_card', message: 'Expired.' }],
    ['payment_intent.canceled', { status: 'canceled' }, { type: 'canceled' }],
    ['payment_intent.created', {}, { type: 'not_supported', providerType: 'payment_intent.created' }],
  ])('%s → %o', async (type, pi, outcome) => {
    const result = await provider.parseWebhook(signed(paymentEvent(type, pi)), [A]);
    expect(result).toEqual({
      ok: true,
      events: [{ eventId: 'evt_1', accountId: 'acct_a', paymentId: 'pay_1', attemptId: 'att_1', reference: 'pi_123', outcome, occurredAt: new Date(CREATED * 1000) }],
    });
  });

  it('returns a PaymentIntent without our metadata as not ours: paymentId null, not_supported', async () => {
    const result = await provider.parseWebhook(signed(paymentEvent('payment_intent.succeeded', { metadata: {} })), [A]);
    expect(result).toEqual({
      ok: true,
      events: [{ eventId: 'evt_1', accountId: 'acct_a', paymentId: null, reference: 'pi_123', outcome: { type: 'not_supported', providerType: 'payment_intent.succeeded' }, occurredAt: new Date(CREATED * 1000) }],
    });
  });

  it("maps any other event type (the fixture's plan.created) to not_supported", async () => {
    const result = await provider.parseWebhook(signed(PLAN_EVENT), [A]);
    expect(result).toMatchObject({
      ok: true,
      events: [{ eventId: PLAN_EVENT.id, paymentId: null, reference: 'price_1PgafmB7WZ01zgkW6dKueIc5', outcome: { type: 'not_supported', providerType: 'plan.created' } }],
    });
  });
});

describe('stripe webhook: refund events', () => {
  it.each<[string, Partial<Stripe.Refund>, NormalizedOutcome]>([
    ['refund.created', { status: 'succeeded' }, { type: 'refund_succeeded', refundId: 'rf_1', refundReference: 're_1' }],
    ['refund.updated', { status: 'succeeded' }, { type: 'refund_succeeded', refundId: 'rf_1', refundReference: 're_1' }],
    ['charge.refund.updated', { status: 'succeeded' }, { type: 'refund_succeeded', refundId: 'rf_1', refundReference: 're_1' }],
    ['refund.updated', { status: 'failed', failure_reason: 'expired_or_canceled_card' }, { type: 'refund_failed', refundId: 'rf_1', refundReference: 're_1', code: 'expired_or_canceled_card', message: expect.any(String) }],
    ['refund.failed', { status: 'failed', failure_reason: 'lost_or_stolen_card' }, { type: 'refund_failed', refundId: 'rf_1', refundReference: 're_1', code: 'lost_or_stolen_card', message: expect.any(String) }],
    ['refund.updated', { status: 'canceled' }, { type: 'refund_failed', refundId: 'rf_1', refundReference: 're_1', code: 'refund_canceled', message: expect.any(String) }],
    ['refund.created', { status: 'pending' }, { type: 'not_supported', providerType: 'refund.created' }],
  ])('%s with status %o → %o', async (type, refund, outcome) => {
    const result = await provider.parseWebhook(signed(refundEvent(type, refund)), [A]);
    expect(result).toEqual({
      ok: true,
      events: [{ eventId: 'evt_2', accountId: 'acct_a', paymentId: 'pay_1', reference: 'pi_123', outcome, occurredAt: new Date(CREATED * 1000) }],
    });
  });

  it('ignores a refund we did not create (no metadata)', async () => {
    const result = await provider.parseWebhook(signed(refundEvent('refund.created', { metadata: {} })), [A]);
    expect(result).toMatchObject({ ok: true, events: [{ paymentId: null, outcome: { type: 'not_supported', providerType: 'refund.created' } }] });
  });

  it('does not map charge.refunded (the refund.* events carry the refunds)', async () => {
    const result = await provider.parseWebhook(signed(stripeEvent('charge.refunded', { ...CHARGE, refunded: true }, { id: 'evt_3' })), [A]);
    expect(result).toMatchObject({ ok: true, events: [{ eventId: 'evt_3', paymentId: null, reference: CHARGE.id, outcome: { type: 'not_supported', providerType: 'charge.refunded' } }] });
  });
});
