import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitCard } from './checkout-client.js';
import { startTestPlatform, validPayment, type ApiResponse, type TestPlatform } from './harness.js';
import { until } from './wait.js';

/**
 * Refunds over the REST API (spec/rest-api.md "Refunds", spec/payments.md "Sandbox mode"), with
 * the worker running: payments succeed and refunds settle the real way, by the sandbox
 * provider's signed webhooks.
 */
let t: TestPlatform;
let token: string;
let liveToken: string;
let otherToken: string;
let keyN = 0;

beforeAll(async () => {
  t = await startTestPlatform();
  ({ sandboxToken: token, liveToken } = await t.tenantWithTokens('refund-shop'));
  otherToken = (await t.tenantWithTokens('other-shop')).sandboxToken;
});
afterAll(() => t.close());

const key = () => `refund-test-${++keyN}`;

async function createPayment(amount = 1999, as = token) {
  const res = await t.request('POST', '/v1/payments', { token: as, idempotencyKey: key(), body: { ...validPayment, amount } });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; checkoutToken: string };
}


async function getPayment(id: string, as = token) {
  const res = await t.request('GET', `/v1/payments/${id}`, { token: as });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

/** A payment paid with 4242 and confirmed by the sandbox provider's webhook. */
async function succeededPayment(amount = 1999) {
  const p = await createPayment(amount);
  await submitCard(t, p.checkoutToken, '4242 4242 4242 4242');
  await until(`payment ${p.id} succeeded`, () => getPayment(p.id), (x) => x.status === 'succeeded');
  return p.id;
}

const refund = (paymentId: string, body: unknown, idempotencyKey = key(), as = token) =>
  t.request('POST', `/v1/payments/${paymentId}/refunds`, { token: as, idempotencyKey, ...(body === undefined ? {} : { body }) });

const getRefund = async (id: string, as = token) => {
  const res = await t.request('GET', `/v1/refunds/${id}`, { token: as });
  expect(res.status, res.text).toBe(200);
  return res.body;
};

const settled = (id: string) => until(`refund ${id} settled`, () => getRefund(id), (r) => r.status !== 'pending');

/** The documented error shape, with the response's Request-Id repeated in the body. */
function expectError(res: ApiResponse, status: number, code: string, param?: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code, message: expect.any(String), requestId: res.headers.get('request-id') });
  if (param) expect(res.body.error.param).toBe(param);
}

const eventTypes = async (objectId: string) => (await t.sql('select type from events where object_id = ? order by id', [objectId])).map((r) => r.type as string);

async function sqlTotals(paymentId: string) {
  const [p] = await t.sql('select amount, amount_refunded from payments where id = ?', [paymentId]);
  const [r] = await t.sql(`select coalesce(sum(amount), 0) as live, count(*) as n from refunds where payment_id = ? and status <> 'failed'`, [paymentId]);
  const [all] = await t.sql('select count(*) as n from refunds where payment_id = ?', [paymentId]);
  return { amount: Number(p.amount), amountRefunded: Number(p.amount_refunded), notFailedSum: Number(r.live), notFailed: Number(r.n), rows: Number(all.n) };
}

describe('POST /v1/payments/{id}/refunds', () => {
  it('a sandbox refund is created pending and succeeds by webhook: refund.created then refund.succeeded', async () => {
    const paymentId = await succeededPayment(1999);
    const res = await refund(paymentId, { amount: 500, reason: 'requested_by_customer' });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^re_/),
      object: 'refund',
      mode: 'sandbox',
      paymentId,
      amount: 500,
      currency: 'EUR',
      status: 'pending',
      reason: 'requested_by_customer',
      failureReason: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect((await getPayment(paymentId)).amountRefunded).toBe(500);

    const done = await settled(res.body.id);
    expect(done).toMatchObject({ id: res.body.id, status: 'succeeded', failureReason: null, amount: 500 });
    expect(await getPayment(paymentId)).toMatchObject({ status: 'succeeded', amountRefunded: 500 });
    expect(await eventTypes(res.body.id)).toEqual(['refund.created', 'refund.succeeded']);

    // The tenant sees both events through the API, carrying the refund as GET returns it.
    const events = await t.request('GET', '/v1/events?type=refund.succeeded', { token });
    const mine = events.body.data.filter((e: any) => e.data.object.id === res.body.id);
    expect(mine).toHaveLength(1);
    expect(mine[0].data.object).toEqual(done);
    const audit = await t.sql('select action, actor_type from audit_log where target_id = ? and action like ? order by seq', [paymentId, 'refund.%']);
    expect(audit).toMatchObject([{ action: 'refund.create', actor_type: 'tenant' }, { action: 'refund.succeeded', actor_type: 'provider' }]);

    // GET /v1/payments/{id}/refunds lists it.
    const list = await t.request('GET', `/v1/payments/${paymentId}/refunds`, { token });
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ object: 'list', data: [done], hasMore: false });
  });

  it('a sandbox refund whose amount ends in 99 fails: refund.failed, amountRefunded restored', async () => {
    const paymentId = await succeededPayment(5000);
    const ok = await refund(paymentId, { amount: 1000 });
    expect(ok.status, ok.text).toBe(201);
    const bad = await refund(paymentId, { amount: 1299 });
    expect(bad.status, bad.text).toBe(201);
    expect((await getPayment(paymentId)).amountRefunded).toBe(2299);

    expect(await settled(bad.body.id)).toMatchObject({ status: 'failed', failureReason: 'refund_failed', amount: 1299 });
    expect(await settled(ok.body.id)).toMatchObject({ status: 'succeeded' });
    expect((await getPayment(paymentId)).amountRefunded).toBe(1000);
    expect(await eventTypes(bad.body.id)).toEqual(['refund.created', 'refund.failed']);
    expect(await sqlTotals(paymentId)).toMatchObject({ amountRefunded: 1000, notFailedSum: 1000, rows: 2 });

    // The failed amount can be refunded again.
    const retry = await refund(paymentId, { amount: 4000 });
    expect(retry.status, retry.text).toBe(201);
    expect((await getPayment(paymentId)).amountRefunded).toBe(5000);
  });

  it('without an amount refunds the rest; then the payment is fully refunded (409 invalid_state)', async () => {
    const paymentId = await succeededPayment(1999);
    expect((await refund(paymentId, { amount: 700 })).status).toBe(201);
    const rest = await refund(paymentId, undefined);
    expect(rest.status, rest.text).toBe(201);
    expect(rest.body.amount).toBe(1299);
    expect((await getPayment(paymentId)).amountRefunded).toBe(1999);
    expectError(await refund(paymentId, { amount: 1 }), 409, 'invalid_state');
    expectError(await refund(paymentId, {}), 409, 'invalid_state');
  });

  it('refuses a payment that is not succeeded with 409 invalid_state, changing nothing', async () => {
    const open = await createPayment();
    expectError(await refund(open.id, { amount: 100 }), 409, 'invalid_state');

    const processing = await createPayment();
    await submitCard(t, processing.checkoutToken, '4000 0000 0000 3055'); // processing for 3 s
    expect((await getPayment(processing.id)).status).toBe('processing');
    expectError(await refund(processing.id, { amount: 100 }), 409, 'invalid_state');

    const canceled = await createPayment();
    expect((await t.request('POST', `/v1/payments/${canceled.id}/cancel`, { token, idempotencyKey: key() })).status).toBe(200);
    expectError(await refund(canceled.id, {}), 409, 'invalid_state');

    for (const id of [open.id, processing.id, canceled.id]) {
      expect((await getPayment(id)).amountRefunded).toBe(0);
      expect(await sqlTotals(id)).toMatchObject({ amountRefunded: 0, rows: 0 });
    }
  });

  it('an amount above what remains → 400 amount_invalid; malformed amounts → 400 with param', async () => {
    const paymentId = await succeededPayment(1000);
    expectError(await refund(paymentId, { amount: 1001 }), 400, 'amount_invalid', 'amount');
    expect((await refund(paymentId, { amount: 600 })).status).toBe(201);
    expectError(await refund(paymentId, { amount: 401 }), 400, 'amount_invalid', 'amount');
    for (const amount of [0, -5, 1.5, '100']) {
      const res = await refund(paymentId, { amount });
      expect(res.status, res.text).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', param: 'amount' });
    }
    expect((await refund(paymentId, { amount: 100, reason: 'because' })).status).toBe(400);
    expect((await refund(paymentId, { amount: 100, extra: true })).status).toBe(400);
    expect(await sqlTotals(paymentId)).toMatchObject({ amountRefunded: 600, notFailedSum: 600, rows: 1 });
  });

  it('is tenant and mode scoped: another tenant’s or mode’s payment and refund are 404', async () => {
    const paymentId = await succeededPayment(1000);
    const created = await refund(paymentId, { amount: 100 });
    expect(created.status).toBe(201);
    expectError(await refund(paymentId, { amount: 100 }, key(), otherToken), 404, 'resource_missing');
    expectError(await refund(paymentId, { amount: 100 }, key(), liveToken), 404, 'resource_missing');
    expectError(await refund('pay_doesnotexist', { amount: 100 }), 404, 'resource_missing');
    for (const as of [otherToken, liveToken]) {
      expectError(await t.request('GET', `/v1/refunds/${created.body.id}`, { token: as }), 404, 'resource_missing');
      expectError(await t.request('GET', `/v1/payments/${paymentId}/refunds`, { token: as }), 404, 'resource_missing');
    }
    expect((await getPayment(paymentId)).amountRefunded).toBe(100);
  });

  it('requires an Idempotency-Key and a token', async () => {
    const paymentId = await succeededPayment(1000);
    const noKey = await t.request('POST', `/v1/payments/${paymentId}/refunds`, { token, body: { amount: 100 } });
    expect(noKey.status).toBe(400);
    expect(noKey.body.error.code).toBe('idempotency_key_missing');
    expect((await t.request('POST', `/v1/payments/${paymentId}/refunds`, { idempotencyKey: key(), body: { amount: 100 } })).status).toBe(401);
    expect(await sqlTotals(paymentId)).toMatchObject({ rows: 0, amountRefunded: 0 });
  });
});

describe('GET /v1/payments/{id}/refunds', () => {
  it('lists newest first with keyset pagination', async () => {
    const paymentId = await succeededPayment(1000);
    const ids: string[] = [];
    for (const amount of [100, 200, 300]) {
      const res = await refund(paymentId, { amount });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    const page1 = await t.request('GET', `/v1/payments/${paymentId}/refunds?limit=2`, { token });
    expect(page1.status).toBe(200);
    expect(page1.body.hasMore).toBe(true);
    expect(page1.body.data.map((r: any) => r.id)).toEqual([ids[2], ids[1]]);
    const page2 = await t.request('GET', `/v1/payments/${paymentId}/refunds?limit=2&startingAfter=${ids[1]}`, { token });
    expect(page2.body).toMatchObject({ object: 'list', hasMore: false });
    expect(page2.body.data.map((r: any) => r.id)).toEqual([ids[0]]);
    expect((await t.request('GET', `/v1/payments/${paymentId}/refunds?limit=0`, { token })).status).toBe(400);
  });
});

describe('refund idempotency', () => {
  it('the same request retried with its Idempotency-Key refunds once and replays the first answer', async () => {
    const paymentId = await succeededPayment(1999);
    const k = key();
    const first = await refund(paymentId, { amount: 300 }, k);
    expect(first.status, first.text).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const second = await refund(paymentId, { amount: 300 }, k);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.text).toBe(first.text);

    // Same key, different request → 422, nothing executed.
    const reused = await refund(paymentId, { amount: 400 }, k);
    expect(reused.status).toBe(422);
    expect(reused.body.error).toMatchObject({ type: 'idempotency_error', code: 'idempotency_key_reused' });

    // Ten concurrent copies of a new request: still one refund.
    const k2 = key();
    const copies = await Promise.all(Array.from({ length: 10 }, () => refund(paymentId, { amount: 250 }, k2)));
    const created = copies.filter((c) => c.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    for (const c of copies) {
      if (c.status === 201) expect(c.body.id).toBe(created[0]!.body.id);
      else expectError(c, 409, 'idempotency_in_progress');
    }
    expect(await sqlTotals(paymentId)).toMatchObject({ rows: 2, amountRefunded: 550, notFailedSum: 550 });
    expect((await getPayment(paymentId)).amountRefunded).toBe(550);
    const list = await t.request('GET', `/v1/payments/${paymentId}/refunds`, { token });
    expect(list.body.data.map((r: any) => r.id).sort()).toEqual([first.body.id, created[0]!.body.id].sort());

    // A refused request is replayed as the same refusal.
    const k3 = key();
    const tooMuch = await refund(paymentId, { amount: 5000 }, k3);
    expect(tooMuch.status).toBe(400);
    const again = await refund(paymentId, { amount: 5000 }, k3);
    expect(again.status).toBe(400);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });
});

describe('concurrent partial refunds', () => {
  it('50 concurrent refunds summing to more than the amount never over-refund; amountRefunded = sum of non-failed refunds', async () => {
    const amount = 10_000;
    const paymentId = await succeededPayment(amount);
    const amounts = Array.from({ length: 50 }, (_, i) => 200 + (i % 5) * 100); // 200…600, sum 20 000; none ends in 99
    expect(amounts.reduce((a, b) => a + b, 0)).toBeGreaterThan(amount);

    const answers = await Promise.all(amounts.map((a) => refund(paymentId, { amount: a })));
    const accepted = answers.map((res, i) => ({ res, amount: amounts[i]! })).filter((x) => x.res.status === 201);
    const refused = answers.map((res, i) => ({ res, amount: amounts[i]! })).filter((x) => x.res.status !== 201);
    for (const { res } of refused) {
      if (res.status === 409) expectError(res, 409, 'invalid_state');
      else expectError(res, 400, 'amount_invalid', 'amount');
    }
    const acceptedSum = accepted.reduce((s, x) => s + x.amount, 0);
    expect(acceptedSum).toBeLessThanOrEqual(amount);
    expect(refused.length).toBeGreaterThan(0);
    for (const { res, amount: a } of accepted) expect(res.body).toMatchObject({ amount: a, status: 'pending', paymentId });
    // Each refusal was right: it asked for more than what remains even now.
    for (const { amount: a } of refused) expect(a).toBeGreaterThan(amount - acceptedSum);

    expect((await getPayment(paymentId)).amountRefunded).toBe(acceptedSum);
    expect(await sqlTotals(paymentId)).toEqual({ amount, amountRefunded: acceptedSum, notFailedSum: acceptedSum, notFailed: accepted.length, rows: accepted.length });

    // The worker settles every refund (all succeed); the totals hold.
    await until(
      'all refunds settled',
      () => t.sql(`select count(*) as n from refunds where payment_id = ? and status = 'pending'`, [paymentId]),
      (rows) => Number(rows[0].n) === 0,
      30_000,
    );
    const [{ n: succeeded }] = await t.sql(`select count(*) as n from refunds where payment_id = ? and status = 'succeeded'`, [paymentId]);
    expect(Number(succeeded)).toBe(accepted.length);
    expect((await getPayment(paymentId)).amountRefunded).toBe(acceptedSum);
    expect(await sqlTotals(paymentId)).toMatchObject({ amountRefunded: acceptedSum, notFailedSum: acceptedSum });
    const list = await t.request('GET', `/v1/payments/${paymentId}/refunds?limit=100`, { token });
    expect(list.body.data).toHaveLength(accepted.length);
    expect(list.body.data.every((r: any) => r.status === 'succeeded')).toBe(true);
  });

  it('with failing refunds in the mix, amountRefunded still equals the sum of refunds that are not failed', async () => {
    const amount = 5_000;
    const paymentId = await succeededPayment(amount);
    // Every third refund ends in 99 and will fail at the sandbox provider.
    const amounts = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? 399 : 300));
    const answers = await Promise.all(amounts.map((a) => refund(paymentId, { amount: a })));
    for (const res of answers) expect([201, 400, 409], res.text).toContain(res.status);
    await until(
      'all refunds settled',
      () => t.sql(`select count(*) as n from refunds where payment_id = ? and status = 'pending'`, [paymentId]),
      (rows) => Number(rows[0].n) === 0,
      30_000,
    );
    const totals = await sqlTotals(paymentId);
    expect(totals.amountRefunded).toBe(totals.notFailedSum);
    expect(totals.amountRefunded).toBeLessThanOrEqual(amount);
    expect((await getPayment(paymentId)).amountRefunded).toBe(totals.notFailedSum);
    const failed = await t.sql(`select amount, failure_reason from refunds where payment_id = ? and status = 'failed'`, [paymentId]);
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed) expect(f).toMatchObject({ failure_reason: 'refund_failed' });
    expect(failed.every((f) => Number(f.amount) === 399)).toBe(true);
  });
});
