import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentSchema } from '@platform/core';
import { startTestPlatform, validPayment, type TestPlatform } from './harness.js';

let t: TestPlatform;
let token: string;
let keyN = 0;

beforeAll(async () => {
  t = await startTestPlatform();
  token = (await t.tenantWithTokens('pay-shop')).sandboxToken;
});
afterAll(() => t.close());

const wholeSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000) * 1000;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function post(path: string, body?: unknown, as = token) {
  return t.request('POST', path, { token: as, idempotencyKey: `pay-${++keyN}`, ...(body === undefined ? {} : { body }) });
}

async function createPayment(body: Record<string, unknown> = validPayment, as = token) {
  const res = await post('/v1/payments', body, as);
  expect(res.status).toBe(201);
  return res.body;
}

async function checkoutTokenIdOf(paymentId: string): Promise<string | null> {
  const [row] = await t.platform.orm.em.fork().execute<{ checkout_token_id: string | null }[]>(
    'select checkout_token_id from payments where id = ?',
    [paymentId],
  );
  return row!.checkout_token_id;
}

describe('POST /v1/payments', () => {
  it('returns 201 with the documented Payment, including the checkout token and URL', async () => {
    const res = await post('/v1/payments', { ...validPayment, provider: 'sandbox', checkoutExpiresInSeconds: 600 });
    expect(res.status).toBe(201);
    expect(res.headers.get('request-id')).toMatch(/^req_/);
    const p = res.body;
    expect(Object.keys(p)).toEqual(
      expect.arrayContaining([
        'id', 'object', 'mode', 'status', 'amount', 'currency', 'amountRefunded', 'description', 'customer', 'metadata',
        'provider', 'providerReference', 'returnUrl', 'cancelUrl', 'checkoutToken', 'checkoutUrl', 'checkoutExpiresAt',
        'lastError', 'createdAt', 'updatedAt',
      ]),
    );
    expect(p).toMatchObject({
      id: expect.stringMatching(/^pay_/),
      object: 'payment',
      mode: 'sandbox',
      status: 'requires_payment_method',
      amount: 1999,
      currency: 'EUR',
      amountRefunded: 0,
      description: 'Order #1001',
      customer: { email: 'ann@example.com', name: 'Ann' },
      metadata: { orderId: '1001' },
      provider: 'sandbox',
      providerReference: null,
      returnUrl: 'https://shop.example.com/checkout/done',
      cancelUrl: 'https://shop.example.com/cart',
      lastError: null,
    });
    expect(paymentSchema.safeParse(p).success).toBe(true);
    for (const field of ['createdAt', 'updatedAt', 'checkoutExpiresAt']) expect(p[field]).toMatch(ISO_UTC);
    // whole seconds, like the token's exp
    expect(Date.parse(p.checkoutExpiresAt)).toBe(wholeSeconds(p.createdAt) + 600_000);

    expect(p.checkoutToken).toEqual(expect.any(String));
    expect(p.checkoutUrl).toBe(`${t.config.publicUrl}/pay/${p.checkoutToken}`);
    expect(jose.decodeJwt(p.checkoutToken).exp! * 1000).toBe(Date.parse(p.checkoutExpiresAt));
    const claims = await t.platform.tokens.verifyCheckoutToken(p.checkoutToken);
    expect(claims).toMatchObject({ paymentId: p.id, mode: 'sandbox' });
    expect(claims.tokenId).toBe(await checkoutTokenIdOf(p.id));
  });

  it('without provider and expiry, sandbox mode uses the sandbox provider and a one-hour checkout', async () => {
    const p = await createPayment();
    expect(p.provider).toBe('sandbox');
    expect(Date.parse(p.checkoutExpiresAt)).toBe(wholeSeconds(p.createdAt) + 3600_000);
  });
});

describe('GET /v1/payments/{id}', () => {
  it('returns the payment but never its checkout token', async () => {
    const created = await createPayment();
    const res = await t.request('GET', `/v1/payments/${created.id}`, { token });
    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty('checkoutToken');
    expect(res.body).not.toHaveProperty('checkoutUrl');
    expect(res.text).not.toContain(created.checkoutToken);
    const { checkoutToken: _t, checkoutUrl: _u, ...rest } = created;
    expect(res.body).toEqual(rest);

    const list = await t.request('GET', '/v1/payments', { token });
    expect(list.text).not.toContain(created.checkoutToken);
    for (const item of list.body.data) expect(item).not.toHaveProperty('checkoutToken');
  });

  it('an unknown id → 404 resource_missing', async () => {
    const res = await t.request('GET', '/v1/payments/pay_does_not_exist', { token });
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'resource_missing' });
  });
});

describe('GET /v1/payments (list)', () => {
  let listToken: string;
  const ids: string[] = []; // in creation order

  beforeAll(async () => {
    listToken = (await t.tenantWithTokens('pay-list')).sandboxToken;
    for (let i = 1; i <= 5; i++) ids.push((await createPayment({ ...validPayment, amount: 100 * i }, listToken)).id);
  });

  const list = (query: string) => t.request('GET', `/v1/payments${query}`, { token: listToken });
  const idsOf = (res: { body: { data: { id: string }[] } }) => res.body.data.map((p) => p.id);

  it('is newest first', async () => {
    const res = await list('');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ object: 'list', hasMore: false });
    expect(idsOf(res)).toEqual([...ids].reverse());
    expect(res.body.data.map((p: { amount: number }) => p.amount)).toEqual([500, 400, 300, 200, 100]);
  });

  it('pages with limit, startingAfter and hasMore', async () => {
    const page1 = await list('?limit=2');
    expect(idsOf(page1)).toEqual([ids[4], ids[3]]);
    expect(page1.body.hasMore).toBe(true);
    const page2 = await list(`?limit=2&startingAfter=${ids[3]}`);
    expect(idsOf(page2)).toEqual([ids[2], ids[1]]);
    expect(page2.body.hasMore).toBe(true);
    const page3 = await list(`?limit=2&startingAfter=${ids[1]}`);
    expect(idsOf(page3)).toEqual([ids[0]]);
    expect(page3.body.hasMore).toBe(false);
    // exactly at the end
    const exact = await list(`?limit=4&startingAfter=${ids[4]}`);
    expect(idsOf(exact)).toEqual([ids[3], ids[2], ids[1], ids[0]]);
    expect(exact.body.hasMore).toBe(false);
  });

  it('a limit outside 1–100 → 400', async () => {
    for (const limit of ['0', '101', 'abc']) {
      const res = await list(`?limit=${limit}`);
      expect(res.status, limit).toBe(400);
      expect(res.body.error.type).toBe('invalid_request_error');
    }
  });

  it('filters by status', async () => {
    const canceled = await post(`/v1/payments/${ids[1]}/cancel`, undefined, listToken);
    expect(canceled.status).toBe(200);
    const onlyCanceled = await list('?status=canceled');
    expect(idsOf(onlyCanceled)).toEqual([ids[1]]);
    expect(onlyCanceled.body.data[0].status).toBe('canceled');
    const open = await list('?status=requires_payment_method&limit=2');
    expect(idsOf(open)).toEqual([ids[4], ids[3]]);
    expect(open.body.hasMore).toBe(true);
    const openRest = await list(`?status=requires_payment_method&startingAfter=${ids[3]}`);
    expect(idsOf(openRest)).toEqual([ids[2], ids[0]]);
    expect(openRest.body.hasMore).toBe(false);
    expect(idsOf(await list('?status=succeeded'))).toEqual([]);
    expect((await list('?status=paid')).status).toBe(400);
  });
});

describe('POST /v1/payments/{id}/cancel', () => {
  it('cancels a payment that requires a payment method and records payment.canceled', async () => {
    const created = await createPayment();
    const res = await post(`/v1/payments/${created.id}/cancel`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: created.id, object: 'payment', status: 'canceled' });
    expect(res.body).not.toHaveProperty('checkoutToken');
    expect((await t.request('GET', `/v1/payments/${created.id}`, { token })).body.status).toBe('canceled');

    const events = await t.request('GET', '/v1/events?type=payment.canceled', { token });
    const forThis = events.body.data.filter((e: { data: { object: { id: string } } }) => e.data.object.id === created.id);
    expect(forThis).toHaveLength(1);
    expect(forThis[0]).toMatchObject({ object: 'event', type: 'payment.canceled', mode: 'sandbox', data: { object: { id: created.id, status: 'canceled' } } });
    // the checkout link dies with the payment
    expect(await checkoutTokenIdOf(created.id)).toBeNull();
  });

  it('canceling twice → 409 invalid_state, and no second event', async () => {
    const created = await createPayment();
    expect((await post(`/v1/payments/${created.id}/cancel`)).status).toBe(200);
    const again = await post(`/v1/payments/${created.id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_state' });
    expect(await t.count(`events where object_id = '${created.id}' and type = 'payment.canceled'`)).toBe(1);
  });
});

describe('POST /v1/payments/{id}/checkout', () => {
  it('issues a fresh token and revokes the old one', async () => {
    const created = await createPayment();
    const oldClaims = await t.platform.tokens.verifyCheckoutToken(created.checkoutToken);
    expect(oldClaims.tokenId).toBe(await checkoutTokenIdOf(created.id));

    const res = await post(`/v1/payments/${created.id}/checkout`, { checkoutExpiresInSeconds: 900 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: created.id, object: 'payment', status: 'requires_payment_method' });
    const fresh = res.body.checkoutToken as string;
    expect(fresh).toEqual(expect.any(String));
    expect(fresh).not.toBe(created.checkoutToken);
    expect(res.body.checkoutUrl).toBe(`${t.config.publicUrl}/pay/${fresh}`);
    expect(Date.parse(res.body.checkoutExpiresAt)).toBeGreaterThan(Date.now() + 800_000);
    expect(Date.parse(res.body.checkoutExpiresAt)).toBeLessThanOrEqual(Date.now() + 900_000);

    const newClaims = await t.platform.tokens.verifyCheckoutToken(fresh);
    expect(newClaims).toMatchObject({ paymentId: created.id, mode: 'sandbox' });
    const current = await checkoutTokenIdOf(created.id);
    expect(newClaims.tokenId).toBe(current);
    // The old token still carries a valid signature, but its jti is no longer the payment's: revoked.
    expect(oldClaims.tokenId).not.toBe(current);

    // GET still never shows the token
    const got = await t.request('GET', `/v1/payments/${created.id}`, { token });
    expect(got.body).not.toHaveProperty('checkoutToken');
  });

  it('without a body, the fresh link gets the default one-hour expiry', async () => {
    const created = await createPayment();
    const res = await post(`/v1/payments/${created.id}/checkout`);
    expect(res.status).toBe(200);
    expect(Date.parse(res.body.checkoutExpiresAt)).toBeGreaterThan(Date.now() + 3500_000);
  });

  it('on a canceled payment → 409 invalid_state', async () => {
    const created = await createPayment();
    expect((await post(`/v1/payments/${created.id}/cancel`)).status).toBe(200);
    const res = await post(`/v1/payments/${created.id}/checkout`);
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_state' });
    expect(res.text).not.toContain('checkoutToken');
    expect(await checkoutTokenIdOf(created.id)).toBeNull();
  });
});
