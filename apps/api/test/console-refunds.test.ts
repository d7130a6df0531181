import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from './harness.js';
import { auditOf, createPayment, expectError, ok, payWithCard, signedIn, waitFor } from './console-helpers.js';

/** console.refunds.create: support refunds any tenant's payment with a reason and a note. */
let t: TestPlatform;
let support: Awaited<ReturnType<typeof signedIn>>;
let viewer: Awaited<ReturnType<typeof signedIn>>;
let shop: Awaited<ReturnType<TestPlatform['tenantWithTokens']>>;

beforeAll(async () => {
  t = await startTestPlatform();
  support = await signedIn(t, 'support');
  viewer = await signedIn(t, 'viewer');
  shop = await t.tenantWithTokens('refund-console-shop');
});
afterAll(() => t.close());

async function paidPayment(amount = 5000) {
  const p = await createPayment(t, shop.sandboxToken, { amount, currency: 'EUR', returnUrl: 'https://shop.example.com/done', customer: { email: 'r@example.com' } });
  await payWithCard(t, p.checkoutToken);
  await waitFor('the payment to succeed', async () => (await t.sql(`select 1 from payments where id = ? and status = 'succeeded'`, [p.id])).length > 0);
  return p.id;
}

describe('console.refunds.create', () => {
  it('a viewer gets 403 and nothing is refunded', async () => {
    const paymentId = await paidPayment();
    expectError(await viewer.client.mutate('refunds.create', { paymentId, reason: 'requested_by_customer', note: 'customer asked' }), 403, 'permission_denied');
    expect(await t.sql('select * from refunds where payment_id = ?', [paymentId])).toEqual([]);
  });

  it('support refunds part of a payment; the note is in the audit entry with the user as actor; the timeline shows it', async () => {
    const paymentId = await paidPayment(5000);
    const refund = ok(await support.client.mutate('refunds.create', { paymentId, amount: 1200, reason: 'requested_by_customer', note: 'Ticket #42: item damaged' }));
    expect(refund).toMatchObject({ object: 'refund', paymentId, amount: 1200, currency: 'EUR', reason: 'requested_by_customer', tenantId: shop.tenantId });
    expect(['pending', 'succeeded']).toContain(refund.status);

    const [entry] = await auditOf(t, `action = 'refund.create' and target_id = ?`, [paymentId]);
    expect(entry).toMatchObject({ actor_type: 'user', actor_id: support.user.id, tenant_id: shop.tenantId, after: { note: 'Ticket #42: item damaged', refund: { id: refund.id } } });

    await waitFor('the refund to settle', async () => (await t.sql(`select 1 from refunds where id = ? and status = 'succeeded'`, [refund.id])).length > 0);
    const got = ok(await viewer.client.query('payments.get', { paymentId }));
    expect(got.payment.amountRefunded).toBe(1200);
    expect(got.refunds).toEqual([expect.objectContaining({ id: refund.id, status: 'succeeded', amount: 1200 })]);
    expect(got.timeline).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'refund', id: refund.id, title: 'Refund €12.00: succeeded', detail: 'reason requested_by_customer' }),
        expect.objectContaining({ kind: 'audit', title: 'refund.create', detail: `by user ${support.user.email} · note: Ticket #42: item damaged` }),
        expect.objectContaining({ kind: 'event', title: 'Event refund.created' }),
        expect.objectContaining({ kind: 'event', title: 'Event refund.succeeded' }),
      ]),
    );
  });

  it('an admin may refund too; the rest by default; more than remains is refused', async () => {
    const admin = await signedIn(t, 'admin');
    const paymentId = await paidPayment(3000);
    expectError(await admin.client.mutate('refunds.create', { paymentId, amount: 3001, reason: 'duplicate', note: 'dup' }), 400, 'amount_invalid');
    const refund = ok(await admin.client.mutate('refunds.create', { paymentId, reason: 'duplicate', note: 'charged twice' }));
    expect(refund.amount).toBe(3000);
    expectError(await admin.client.mutate('refunds.create', { paymentId, reason: 'duplicate', note: 'again' }), 409, 'invalid_state');
  });

  it('requires a reason and a note of at least 3 characters', async () => {
    const paymentId = await paidPayment();
    expectError(await support.client.mutate('refunds.create', { paymentId, reason: 'requested_by_customer', note: '  x ' }), 400, 'parameter_invalid');
    expectError(await support.client.mutate('refunds.create', { paymentId, note: 'no reason given' }), 400, 'parameter_invalid');
    expectError(await support.client.mutate('refunds.create', { paymentId, reason: 'because', note: 'bad reason' }), 400, 'parameter_invalid');
    expect(await t.sql('select * from refunds where payment_id = ?', [paymentId])).toEqual([]);
  });

  it('refuses an unpaid payment (409) and an unknown one (404)', async () => {
    const p = await createPayment(t, shop.sandboxToken, { amount: 1000, currency: 'EUR', returnUrl: 'https://shop.example.com/done' });
    expectError(await support.client.mutate('refunds.create', { paymentId: p.id, reason: 'duplicate', note: 'not paid' }), 409, 'invalid_state');
    expectError(await support.client.mutate('refunds.create', { paymentId: 'pay_nope', reason: 'duplicate', note: 'unknown' }), 404, 'resource_missing');
  });

  it('needs the CSRF header', async () => {
    const paymentId = await paidPayment();
    expectError(await support.client.mutate('refunds.create', { paymentId, reason: 'duplicate', note: 'csrf' }, { csrf: false }), 403, 'permission_denied');
    expect(await t.sql('select * from refunds where payment_id = ?', [paymentId])).toEqual([]);
  });
});
