import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The providers' local fakes are test code of @platform/providers, not part of its exports.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { signStripeEvent, STRIPE_FAKE_TOKENS, startStripeFake, stripeEvent, type StripeFake } from '../../../packages/providers/test/fakes/stripe-fake.js';
import { checkoutMutation, paymentIntentIdOf } from './checkout-client.js';
import { startTestPlatform, validPayment, type TestPlatform } from './harness.js';
import { addProviderAccounts } from './provider-account-setup.js';

/**
 * Reconciliation of refunds, never by guessing:
 * - a refund whose queued provider call never got through (the job ran out of retries — here:
 *   no worker runs at all) is sent again once it is old enough, with the refund id as
 *   idempotency key, so the provider makes it exactly once;
 * - a refund the provider accepted but whose webhook never came is looked up at the provider
 *   (`retrieveRefund`) and settled through the webhook pipeline (event, audit, amountRefunded).
 */
let t: TestPlatform;
let stripe: StripeFake;
let token: string;
const creds = { secretKey: 'sk_test_ResendShop0001', publishableKey: 'pk_test_ResendShop0001', webhookSecret: 'whsec_ResendShop0001' };

beforeAll(async () => {
  stripe = await startStripeFake();
  // worker: false — the refund-submit job is queued but nothing works the queue.
  t = await startTestPlatform({ env: { STRIPE_API_BASE_URL: stripe.url }, worker: false });
  const tenant = await t.tenantWithTokens('resend-shop');
  token = tenant.sandboxToken;
  await addProviderAccounts(t, { tenantId: tenant.tenantId, mode: 'sandbox', provider: 'stripe', config: creds });
});
afterAll(async () => {
  await t?.close();
  await stripe?.close();
});

const trpc = (procedure: string, input: unknown) => checkoutMutation(t, procedure, input);

let paymentN = 0;
async function succeededStripePayment() {
  const created = await t.request('POST', '/v1/payments', { token, idempotencyKey: `resend-pay-${++paymentN}`, body: { ...validPayment, amount: 5000, provider: 'stripe' } });
  expect(created.status, created.text).toBe(201);
  const prepared = await trpc('prepare', { token: created.body.checkoutToken });
  const piId = paymentIntentIdOf(prepared);
  await trpc('confirm', { token: created.body.checkoutToken, confirmationToken: STRIPE_FAKE_TOKENS.processing });
  stripe.setStatus(piId, 'succeeded');
  const body = JSON.stringify(stripeEvent('payment_intent.succeeded', { ...stripe.paymentIntents.get(piId)!, status: 'succeeded' }));
  const hook = await t.request('POST', '/webhooks/stripe', { rawBody: body, headers: { 'content-type': 'application/json', 'stripe-signature': signStripeEvent(body, creds.webhookSecret) } });
  expect(hook.body, hook.text).toEqual({ received: true, results: ['applied'] });
  return { id: created.body.id as string, piId };
}

const refundRow = async (id: string) => (await t.sql('select status, provider_reference from refunds where id = ?', [id]))[0];
const refundCallsAtStripe = () => stripe.requests.filter((r) => r.route === 'POST /v1/refunds');

describe('reconciliation resends refunds their provider never accepted', () => {
  it('leaves a young refund alone, sends an old one once with its id as idempotency key, and not again', async () => {
    const payment = await succeededStripePayment();
    const res = await t.request('POST', `/v1/payments/${payment.id}/refunds`, { token, idempotencyKey: 'resend-refund', body: { amount: 1200 } });
    expect(res.status, res.text).toBe(201);
    const refundId = res.body.id as string;

    // Nothing works the queue: the refund is pending and unsent.
    expect(await refundRow(refundId)).toEqual({ status: 'pending', provider_reference: null });
    expect(await t.platform.reconciler.resendUnsentRefunds(new Date())).toBe(0);
    expect(refundCallsAtStripe()).toHaveLength(0);

    // Past the threshold (15 min), reconciliation sends it.
    const later = new Date(Date.now() + 16 * 60_000);
    expect(await t.platform.reconciler.resendUnsentRefunds(later)).toBe(1);
    const calls = refundCallsAtStripe();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.idempotencyKey).toBe(refundId);
    const row = await refundRow(refundId);
    expect(row.status).toBe('pending'); // the provider's webhook settles it
    expect(row.provider_reference).toMatch(/^re_/);
    expect([...stripe.refunds.values()].filter((r) => r.metadata?.['refundId'] === refundId)).toHaveLength(1);

    // Sent: the next run leaves it to the webhook.
    expect(await t.platform.reconciler.resendUnsentRefunds(later)).toBe(0);
    expect(refundCallsAtStripe()).toHaveLength(1);
    const payment2 = await t.request('GET', `/v1/payments/${payment.id}`, { token });
    expect(payment2.body.amountRefunded).toBe(1200);
  });
});

describe('reconciliation settles accepted refunds whose webhook never came', () => {
  const minutes = (n: number) => new Date(Date.now() + n * 60_000);
  /** When reconciliation last asked (ISO, UTC). */
  const checkedAt = async (id: string) => {
    const [row] = await t.sql('select checked_at from refunds where id = ?', [id]);
    return row.checked_at === null ? null : new Date(row.checked_at).toISOString();
  };
  const eventTypes = async (id: string) => (await t.sql(`select type from events where object_id = ? order by id`, [id])).map((e) => e.type as string);
  const lookups = (reference: string) => stripe.requests.filter((r) => r.route === 'GET /v1/refunds/:id' && r.path.endsWith(reference));

  /** A refund Stripe accepted (status as given) whose webhook is never sent. */
  async function acceptedRefund(amount: number, key: string) {
    const payment = await succeededStripePayment();
    const res = await t.request('POST', `/v1/payments/${payment.id}/refunds`, { token, idempotencyKey: key, body: { amount } });
    expect(res.status, res.text).toBe(201);
    const refundId = res.body.id as string;
    await t.platform.reconciler.resendUnsentRefunds(minutes(16));
    const reference = (await refundRow(refundId)).provider_reference as string;
    expect(reference).toMatch(/^re_/);
    stripe.setRefundStatus(reference, 'pending');
    return { paymentId: payment.id, refundId, reference };
  }

  it('asks Stripe only once the refund is old enough, and again only after the recheck interval; a success settles it with its event and audit entry', async () => {
    const r = await acceptedRefund(1500, 'lookup-refund-ok');
    // Young: not asked.
    await t.platform.reconciler.checkPendingRefunds(new Date());
    expect(lookups(r.reference)).toHaveLength(0);
    expect(await checkedAt(r.refundId)).toBeNull();

    // Old enough, still pending at Stripe: asked, nothing changes, and not asked again within the hour.
    const due = minutes(11);
    await t.platform.reconciler.checkPendingRefunds(due);
    expect(lookups(r.reference)).toHaveLength(1);
    expect((await refundRow(r.refundId)).status).toBe('pending');
    expect(await checkedAt(r.refundId)).toBe(due.toISOString());
    await t.platform.reconciler.checkPendingRefunds(minutes(30));
    expect(lookups(r.reference)).toHaveLength(1);

    stripe.setRefundStatus(r.reference, 'succeeded');
    const run = await t.platform.reconciler.checkPendingRefunds(minutes(75));
    expect(run.resolved).toBeGreaterThanOrEqual(1);
    expect(lookups(r.reference)).toHaveLength(2);
    const refund = await t.request('GET', `/v1/refunds/${r.refundId}`, { token });
    expect(refund.body).toMatchObject({ id: r.refundId, status: 'succeeded', amount: 1500 });
    expect((await t.request('GET', `/v1/payments/${r.paymentId}`, { token })).body.amountRefunded).toBe(1500);
    expect(await eventTypes(r.refundId)).toEqual(['refund.created', 'refund.succeeded']);
    const audit = await t.sql(`select action, actor_type, actor_id from audit_log where action = 'refund.succeeded' and target_id = ?`, [r.paymentId]);
    expect(audit).toEqual([{ action: 'refund.succeeded', actor_type: 'system', actor_id: 'reconciliation' }]);

    // Settled: never asked again; a late webhook for it changes nothing.
    await t.platform.reconciler.checkPendingRefunds(minutes(200));
    expect(lookups(r.reference)).toHaveLength(2);
    const body = JSON.stringify(stripeEvent('refund.updated', stripe.refunds.get(r.reference)));
    const hook = await t.request('POST', '/webhooks/stripe', { rawBody: body, headers: { 'content-type': 'application/json', 'stripe-signature': signStripeEvent(body, creds.webhookSecret) } });
    expect(hook.status, hook.text).toBe(200);
    expect(await eventTypes(r.refundId)).toEqual(['refund.created', 'refund.succeeded']);
  });

  it('a refund Stripe failed is failed with its reason, and the amount is refundable again', async () => {
    const r = await acceptedRefund(2000, 'lookup-refund-failed');
    stripe.setRefundStatus(r.reference, 'failed', 'expired_or_canceled_card');
    await t.platform.reconciler.checkPendingRefunds(minutes(11));
    const refund = await t.request('GET', `/v1/refunds/${r.refundId}`, { token });
    expect(refund.body).toMatchObject({ status: 'failed', failureReason: 'expired_or_canceled_card' });
    expect((await t.request('GET', `/v1/payments/${r.paymentId}`, { token })).body.amountRefunded).toBe(0);
    expect(await eventTypes(r.refundId)).toEqual(['refund.created', 'refund.failed']);
  });

  // Last in this file: the failures it scripts (and the breaker they open) outlive it.
  it('does not guess while Stripe cannot be reached: the refund stays pending and is asked again after the recheck interval', async () => {
    const r = await acceptedRefund(700, 'lookup-refund-down');
    stripe.fail('GET /v1/refunds/:id', { status: 503, times: 1_000 });
    const first = minutes(11);
    await t.platform.reconciler.checkPendingRefunds(first);
    expect(lookups(r.reference).length).toBeGreaterThanOrEqual(1);
    expect((await refundRow(r.refundId)).status).toBe('pending');
    expect(await checkedAt(r.refundId)).toBe(first.toISOString());
    const recheck = minutes(75);
    await t.platform.reconciler.checkPendingRefunds(recheck);
    expect((await refundRow(r.refundId)).status).toBe('pending');
    expect(await checkedAt(r.refundId)).toBe(recheck.toISOString());
  });
});
