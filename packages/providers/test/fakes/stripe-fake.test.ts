import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeFake, type StripeFake } from './stripe-fake.js';

let fake: StripeFake;
beforeAll(async () => {
  fake = await startStripeFake();
});
afterAll(() => fake.close());

const post = (path: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${fake.url}${path}`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk_test_fake', 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
const get = (path: string, key = 'sk_test_fake') => fetch(`${fake.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
const json = (res: Response): Promise<any> => res.json();
const create = (key: string, form: Record<string, string> = {}) =>
  post('/v1/payment_intents', { amount: '1000', currency: 'eur', 'metadata[attemptId]': key, ...form }, { 'idempotency-key': key });

describe('stripe fake', () => {
  it('builds PaymentIntents from the fixture with the request overrides', async () => {
    const res = await create('k1', { 'metadata[paymentId]': 'pay_1' });
    const pi = await json(res);
    expect(res.status).toBe(200);
    expect(pi).toMatchObject({ object: 'payment_intent', amount: 1000, currency: 'eur', status: 'requires_payment_method', last_payment_error: null, next_action: null, metadata: { attemptId: 'k1', paymentId: 'pay_1' } });
    expect(pi.client_secret).toMatch(new RegExp(`^${pi.id}_secret_`));
    expect(fake.requests.at(-1)).toMatchObject({ route: 'POST /v1/payment_intents', idempotencyKey: 'k1', body: { metadata: { attemptId: 'k1', paymentId: 'pay_1' } } });
  });

  it('replays an idempotent POST and refuses the same key with other parameters', async () => {
    const first = await json(await create('k2'));
    const replay = await create('k2');
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect((await json(replay)).id).toBe(first.id);
    const other = await create('k2', { amount: '2000' });
    expect(other.status).toBe(400);
    expect((await json(other)).error.type).toBe('idempotency_error');
  });

  it('scopes objects to the API key and answers 401 without one, 404 for unknown routes', async () => {
    const pi = await json(await create('k3'));
    expect((await get(`/v1/payment_intents/${pi.id}`)).status).toBe(200);
    expect((await get(`/v1/payment_intents/${pi.id}`, 'sk_test_other')).status).toBe(404);
    expect((await fetch(`${fake.url}/v1/payment_intents/${pi.id}`)).status).toBe(401);
    expect((await get('/v1/customers')).status).toBe(404);
  });

  it('searches metadata clauses joined by AND', async () => {
    const pi = await json(await create('k4', { 'metadata[paymentId]': 'pay_4' }));
    const query = encodeURIComponent("metadata['attemptId']:'k4' AND metadata['paymentId']:'pay_4'");
    const result = await json(await get(`/v1/payment_intents/search?query=${query}`));
    expect(result).toMatchObject({ object: 'search_result', data: [{ id: pi.id }] });
    expect((await get(`/v1/payment_intents/search?query=${encodeURIComponent('amount>1')}`)).status).toBe(400);
  });

  it('fails a route the scripted number of times without saving the answer under the key', async () => {
    fake.fail('POST /v1/payment_intents', { status: 503, times: 2, retryAfter: 1 });
    const a = await create('k5');
    expect(a.status).toBe(503);
    expect(a.headers.get('retry-after')).toBe('1');
    expect((await json(a)).error.type).toBe('api_error');
    expect((await create('k5')).status).toBe(503);
    expect((await create('k5')).status).toBe(200);
  });

  it('moves PaymentIntents with setStatus and throws for unknown ids', async () => {
    const pi = await json(await create('k6'));
    fake.setStatus(pi.id, 'requires_payment_method', { code: 'card_declined', decline_code: 'lost_card' });
    expect(fake.paymentIntents.get(pi.id)).toMatchObject({ status: 'requires_payment_method', last_payment_error: { type: 'card_error', decline_code: 'lost_card' } });
    expect(() => fake.setStatus('pi_nope', 'succeeded')).toThrow(/pi_nope/);
  });

  it('closes even while a hung answer is pending', async () => {
    const local = await startStripeFake();
    local.hang('POST /v1/payment_intents', { ms: 60_000 });
    const pending = fetch(`${local.url}/v1/payment_intents`, { method: 'POST', headers: { authorization: 'Bearer sk_x' }, body: 'amount=1&currency=eur' }).catch(() => 'aborted');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(local.paymentIntents.size).toBe(1);
    await local.close();
    expect(await pending).toBe('aborted');
  });
});
