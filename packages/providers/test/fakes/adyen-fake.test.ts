import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAdyenFake, type AdyenFake } from './adyen-fake.js';

let fake: AdyenFake;
beforeEach(async () => {
  fake = await startAdyenFake();
});
afterEach(async () => {
  await fake.close();
});

const session = { merchantAccount: 'M', amount: { value: 100, currency: 'EUR' }, reference: 'pay_1', returnUrl: 'https://x.example/r' };
type Json = Record<string, unknown>;
const json = async (res: Response) => (await res.json()) as Json;
const post = (path: string, body: unknown, headers: Record<string, string> = { 'x-api-key': 'k1' }) =>
  fetch(`${fake.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('Adyen fake', () => {
  it('answers /v71 and /v72 paths; unknown routes 404; no API key 401', async () => {
    expect((await post('/v71/sessions', session)).status).toBe(201);
    expect((await post('/v72/sessions', session)).status).toBe(201);
    expect((await post('/v72/paymentLinks', session)).status).toBe(404);
    const unauthorized = await post('/v72/sessions', session, {});
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.json()).toMatchObject({ status: 401, errorType: 'security' });
  });

  it('idempotency keys are scoped per API key and route', async () => {
    const a = await json(await post('/v72/sessions', session, { 'x-api-key': 'k1', 'idempotency-key': 'i1' }));
    const b = await json(await post('/v72/sessions', session, { 'x-api-key': 'k1', 'idempotency-key': 'i1' }));
    const c = await json(await post('/v72/sessions', session, { 'x-api-key': 'k2', 'idempotency-key': 'i1' }));
    expect(b).toEqual(a);
    expect(c.id).not.toBe(a.id);
    expect(fake.sessions()).toHaveLength(2);
  });

  it('fail(times) answers errors without storing; then normal answers resume', async () => {
    fake.fail('refunds', { status: 500, times: 2 });
    const refund = { merchantAccount: 'M', amount: { value: 1, currency: 'EUR' }, reference: 'ref_1' };
    expect((await post('/v72/payments/PSP1/refunds', refund, { 'x-api-key': 'k', 'idempotency-key': 'r' })).status).toBe(500);
    expect((await post('/v72/payments/PSP1/refunds', refund, { 'x-api-key': 'k', 'idempotency-key': 'r' })).status).toBe(500);
    const ok = await post('/v72/payments/PSP1/refunds', refund, { 'x-api-key': 'k', 'idempotency-key': 'r' });
    expect(ok.status).toBe(201);
    expect(await ok.json()).toMatchObject({ paymentPspReference: 'PSP1', reference: 'ref_1', status: 'received', merchantAccount: 'M' });
  });

  it('session result reflects setSessionStatus and needs sessionResult', async () => {
    const id = String((await json(await post('/v72/sessions', session))).id);
    const get = (q: string) => fetch(`${fake.url}/v72/sessions/${id}${q}`, { headers: { 'x-api-key': 'k1' } });
    expect((await get('')).status).toBe(422);
    expect(await (await get('?sessionResult=abc')).json()).toEqual({ id, status: 'active', reference: 'pay_1' });
    fake.setSessionStatus(id, 'completed');
    expect(await (await get('?sessionResult=abc')).json()).toMatchObject({ status: 'completed' });
  });
});
