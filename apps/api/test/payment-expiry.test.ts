import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NormalizedOutcome } from '@platform/core';
import { signSandboxWebhook, type SandboxWebhookBody } from '@platform/providers';
import { expireDuePayments, expirePayments, PAYMENT_EXPIRY_MS } from '../src/jobs/payment-expiry.js';
import { testCard } from './checkout-client.js';
import { startTestPlatform, validPayment, type TestPlatform } from './harness.js';

/**
 * Automatic expiry (spec/payments.md "Statuses"): a payment with no successful attempt within
 * 24 h is canceled with `cancellationReason: "expired"` and a `payment.canceled` event; one in
 * `processing` is left to reconciliation (the provider may still take the money). The worker is
 * off, so nothing but these explicit runs (and the webhooks this file sends) moves a payment.
 */
let t: TestPlatform;
let shop: Awaited<ReturnType<TestPlatform['tenantWithTokens']>>;
let other: Awaited<ReturnType<TestPlatform['tenantWithTokens']>>;
let keyN = 0;

beforeAll(async () => {
  t = await startTestPlatform({ worker: false });
  shop = await t.tenantWithTokens('expiry-shop');
  other = await t.tenantWithTokens('expiry-other');
});
afterAll(() => t.close());

const hours = (h: number) => new Date(Date.now() + h * 3_600_000);
const expire = (now?: Date, batchSize?: number) => expirePayments(t.platform.orm, t.platform.payments, now, batchSize);

async function createPayment(token = shop.sandboxToken) {
  const res = await t.request('POST', '/v1/payments', { token, idempotencyKey: `exp-${++keyN}`, body: validPayment });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; checkoutToken: string };
}

const submit = (checkoutToken: string, number: string) =>
  t.request('POST', '/trpc/checkout.submit', { body: { token: checkoutToken, card: testCard(number) } });

async function getPayment(id: string, token = shop.sandboxToken) {
  const res = await t.request('GET', `/v1/payments/${id}`, { token });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

async function paymentIn(status: 'processing' | 'requires_action' | 'succeeded') {
  const p = await createPayment();
  const number = status === 'requires_action' ? '4000 0027 6000 3184' : status === 'processing' ? '4000 0000 0000 3055' : '4242 4242 4242 4242';
  const res = await submit(p.checkoutToken, number);
  expect(res.status, res.text).toBe(200);
  if (status !== 'processing') {
    // The worker is off: deliver the sandbox provider's webhook by hand.
    const [attempt] = await t.sql('select id from payment_attempts where payment_id = ? order by id desc limit 1', [p.id]);
    const outcome: NormalizedOutcome = { type: status };
    const body: SandboxWebhookBody = {
      id: `sbxevt_expiry_${p.id}`,
      type: 'sandbox.outcome',
      created: new Date().toISOString(),
      data: { paymentId: p.id, attemptId: attempt.id, reference: `sbx_${attempt.id}`, outcome },
    };
    const hook = await t.request('POST', '/webhooks/sandbox', { rawBody: JSON.stringify(body), headers: signSandboxWebhook(t.platform.sandboxWebhookSecret, body) });
    expect(hook.body, hook.text).toEqual({ received: true, results: ['applied'] });
  }
  expect((await getPayment(p.id)).status).toBe(status);
  return p;
}

const eventsOf = (paymentId: string) => t.sql('select type, data from events where object_id = ? order by id', [paymentId]);
const statusOf = async (id: string) => (await t.sql('select status, cancellation_reason, checkout_token_id from payments where id = ?', [id]))[0];

describe('expirePayments', () => {
  it('cancels open payments older than 24 h ("expired", payment.canceled, audit), in every tenant and mode; leaves processing, succeeded and canceled ones alone', async () => {
    const open = await createPayment();
    const action = await paymentIn('requires_action');
    const processing = await paymentIn('processing');
    const succeeded = await paymentIn('succeeded');
    const canceled = await createPayment();
    expect((await t.request('POST', `/v1/payments/${canceled.id}/cancel`, { token: shop.sandboxToken, idempotencyKey: `exp-${++keyN}` })).status).toBe(200);
    const live = await createPayment(shop.liveToken);
    const otherTenant = await createPayment(other.sandboxToken);

    // Younger than 24 h: nothing happens.
    expect(await expire(hours(23))).toBe(0);
    expect((await getPayment(open.id)).status).toBe('requires_payment_method');

    const expired = await expire(hours(25));
    expect(expired).toBe(4);

    for (const [p, token] of [
      [open, shop.sandboxToken],
      [action, shop.sandboxToken],
      [live, shop.liveToken],
      [otherTenant, other.sandboxToken],
    ] as const) {
      const after = await getPayment(p.id, token);
      expect(after).toMatchObject({ status: 'canceled', cancellationReason: 'expired' });
      const events = await eventsOf(p.id);
      expect(events.map((e) => e.type).at(-1)).toBe('payment.canceled');
      expect(events.at(-1)!.data).toMatchObject({ id: p.id, status: 'canceled', cancellationReason: 'expired' });
      const audit = await t.sql(`select actor_type, actor_id, before, after from audit_log where target_id = ? and action = 'payment.expire'`, [p.id]);
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ actor_type: 'system', actor_id: 'expiry', after: { status: 'canceled', cancellationReason: 'expired' } });
      // The tenant sees the event through the API.
      const listed = await t.request('GET', '/v1/events?type=payment.canceled', { token });
      expect(listed.body.data.filter((e: any) => e.data.object.id === p.id)).toHaveLength(1);
    }
    expect(await getPayment(action.id)).toMatchObject({ status: 'canceled' });

    // The checkout link is closed: the customer can no longer pay.
    const late = await submit(open.checkoutToken, '4242 4242 4242 4242');
    expect(late.status).toBe(401);
    expect(late.body.error.data.appCode).toBe('checkout_token_revoked');
    expect((await statusOf(open.id)).checkout_token_id).toBeNull();

    expect(await statusOf(processing.id)).toMatchObject({ status: 'processing', cancellation_reason: null });
    expect(await statusOf(succeeded.id)).toMatchObject({ status: 'succeeded', cancellation_reason: null });
    expect(await statusOf(canceled.id)).toMatchObject({ status: 'canceled', cancellation_reason: 'requested_by_tenant' });
    for (const p of [processing, succeeded, canceled]) {
      expect((await eventsOf(p.id)).filter((e) => e.type === 'payment.canceled').length).toBe(p === canceled ? 1 : 0);
    }

    // Running again changes nothing.
    expect(await expire(hours(48))).toBe(0);
    const [{ n }] = await t.sql(`select count(*) as n from events where type = 'payment.canceled'`);
    expect(Number(n)).toBe(5);
  });

  it('uses the payment’s age: a payment created more than 24 h ago expires on a run at the real time', async () => {
    const old = await createPayment();
    const young = await createPayment();
    await t.sql(`update payments set created_at = ? where id = ?`, [new Date(Date.now() - PAYMENT_EXPIRY_MS - 60_000), old.id]);
    await t.sql(`update payments set created_at = ? where id = ?`, [new Date(Date.now() - PAYMENT_EXPIRY_MS + 60_000), young.id]);
    expect(await expire()).toBe(1);
    expect(await getPayment(old.id)).toMatchObject({ status: 'canceled', cancellationReason: 'expired' });
    expect(await getPayment(young.id)).toMatchObject({ status: 'requires_payment_method', cancellationReason: null });
  });

  it('works in batches, oldest first', async () => {
    await expire(hours(25)); // whatever earlier tests left open
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await createPayment()).id);
    expect(await expire(hours(25), 2)).toBe(2);
    const states = await Promise.all(ids.map(async (id) => (await statusOf(id)).status));
    expect(states).toEqual(['canceled', 'canceled', 'requires_payment_method', 'requires_payment_method', 'requires_payment_method']);
    expect(await expire(hours(25), 2)).toBe(2);
    expect(await expire(hours(25), 2)).toBe(1);
    expect(await expire(hours(25), 2)).toBe(0);
  });

  it('one run of the job works off a backlog larger than a batch, batch after batch, up to its batch limit', async () => {
    await expire(hours(25)); // whatever earlier tests left open
    const ids = [];
    for (let i = 0; i < 7; i++) ids.push((await createPayment()).id);
    const drain = (maxBatches: number) => expireDuePayments(t.platform.orm, t.platform.payments, hours(25), { batchSize: 2, maxBatches });
    expect(await drain(1)).toBe(2);
    expect(await drain(100)).toBe(5);
    const states = await Promise.all(ids.map(async (id) => (await statusOf(id)).status));
    expect(states.every((s) => s === 'canceled')).toBe(true);
    expect(await drain(100)).toBe(0);
  });

  it('a payment that moved on after it was picked is not canceled (checked again under its lock)', async () => {
    await expire(hours(25)); // whatever earlier tests left open
    const p = await createPayment();
    // Submit races the expiry run: whichever wins, the payment never ends canceled while processing.
    const [submitted, expired] = await Promise.all([submit(p.checkoutToken, '4000 0000 0000 3055'), expire(hours(25))]);
    const after = await getPayment(p.id);
    if (submitted.status === 200) {
      expect(after.status).toBe('processing');
      expect(expired).toBe(0);
    } else {
      expect(after).toMatchObject({ status: 'canceled', cancellationReason: 'expired' });
      expect(expired).toBe(1);
    }
    const types = (await eventsOf(p.id)).map((e) => e.type);
    expect(types.includes('payment.canceled') && types.includes('payment.processing')).toBe(false);
  });
});
