import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The providers' local fakes are test code of @platform/providers, not part of its exports.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { signStripeEvent, STRIPE_FAKE_TOKENS, startStripeFake, stripeEvent, type StripeFake } from '../../../packages/providers/test/fakes/stripe-fake.js';
import { checkoutMutation, paymentIntentIdOf } from './checkout-client.js';
import { startTestPlatform, validPayment, type TestPlatform } from './harness.js';
import { addProviderAccounts } from './provider-account-setup.js';

/**
 * A refund whose queued provider call never got through (the job ran out of retries — here:
 * no worker runs at all) is sent again by reconciliation once it is old enough, with the
 * refund id as idempotency key, so the provider makes it exactly once.
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

async function succeededStripePayment() {
  const created = await t.request('POST', '/v1/payments', { token, idempotencyKey: 'resend-pay', body: { ...validPayment, amount: 5000, provider: 'stripe' } });
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
