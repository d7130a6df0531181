import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, validPayment, type TestPlatform } from './harness.js';

let t: TestPlatform;
let token: string;

beforeAll(async () => {
  t = await startTestPlatform();
  token = (await t.tenantWithTokens('idem-shop')).sandboxToken;
});
afterAll(() => t.close());

describe('Idempotency-Key on POST /v1/payments', () => {
  it('200 concurrent identical requests create exactly one payment; every answer is the 201 (replayed) or 409 in progress', async () => {
    const key = 'race-key-1';
    const responses = await Promise.all(
      Array.from({ length: 200 }, () => t.request('POST', '/v1/payments', { token, idempotencyKey: key, body: validPayment })),
    );
    const created = responses.filter((r) => r.status === 201);
    const inProgress = responses.filter((r) => r.status === 409);
    expect(created.length + inProgress.length).toBe(200);
    expect(created.length).toBeGreaterThanOrEqual(1);
    for (const r of inProgress) expect(r.body.error.code).toBe('idempotency_in_progress');
    // Every 201 is byte-for-byte the first one; all but the original are marked as replays.
    const bodies = new Set(created.map((r) => r.text));
    expect(bodies.size).toBe(1);
    expect(created.filter((r) => r.headers.get('idempotent-replayed') !== 'true')).toHaveLength(1);
    const [{ n }] = await t.sql(`select count(*) as n from payments where metadata->>'orderId' = '1001'`);
    expect(Number(n)).toBe(1);
    expect(await t.count("events where type = 'payment.created'")).toBe(1);
  });

  it('replays the stored response with Idempotent-Replayed: true and executes nothing twice', async () => {
    const first = await t.request('POST', '/v1/payments', { token, idempotencyKey: 'replay-1', body: { ...validPayment, amount: 500 } });
    const again = await t.request('POST', '/v1/payments', { token, idempotencyKey: 'replay-1', body: { ...validPayment, amount: 500 } });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.text).toBe(first.text);
  });

  it('the same key with another body → 422 idempotency_key_reused', async () => {
    await t.request('POST', '/v1/payments', { token, idempotencyKey: 'reuse-1', body: validPayment });
    const res = await t.request('POST', '/v1/payments', { token, idempotencyKey: 'reuse-1', body: { ...validPayment, amount: 2000 } });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ type: 'idempotency_error', code: 'idempotency_key_reused' });
  });

  it('the same key on another path → 422', async () => {
    const created = await t.request('POST', '/v1/payments', { token, idempotencyKey: 'path-1', body: validPayment });
    const res = await t.request('POST', `/v1/payments/${created.body.id}/cancel`, { token, idempotencyKey: 'path-1' });
    expect(res.status).toBe(422);
  });

  it('a missing Idempotency-Key → 400 and nothing stored', async () => {
    const before = await t.count('payments');
    const res = await t.request('POST', '/v1/payments', { token, body: validPayment });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'idempotency_key_missing' });
    expect(await t.count('payments')).toBe(before);
  });

  it('a 4xx validation error is replayed as that error', async () => {
    const bad = { ...validPayment, amount: 0 };
    const first = await t.request('POST', '/v1/payments', { token, idempotencyKey: 'bad-1', body: bad });
    const again = await t.request('POST', '/v1/payments', { token, idempotencyKey: 'bad-1', body: bad });
    expect(first.status).toBe(400);
    expect(again.status).toBe(400);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.text).toBe(first.text);
  });

  it('keys are scoped to tenant and mode', async () => {
    const other = await t.tenantWithTokens('idem-other');
    const a = await t.request('POST', '/v1/payments', { token, idempotencyKey: 'shared-key', body: validPayment });
    const b = await t.request('POST', '/v1/payments', { token: other.sandboxToken, idempotencyKey: 'shared-key', body: validPayment });
    const c = await t.request('POST', '/v1/payments', { token: other.liveToken, idempotencyKey: 'shared-key', body: validPayment });
    expect([a.status, b.status, c.status]).toEqual([201, 201, 201]);
    expect(new Set([a.body.id, b.body.id, c.body.id]).size).toBe(3);
  });
});

describe('stored idempotent responses', () => {
  it('are sealed at rest: neither checkout tokens nor webhook secrets sit in the database in clear', async () => {
    const payment = await t.request('POST', '/v1/payments', { token, idempotencyKey: 'sealed-pay', body: validPayment });
    const endpoint = await t.request('POST', '/v1/webhook-endpoints', { token, idempotencyKey: 'sealed-ep', body: { url: 'http://127.0.0.1:9/hook' } });
    expect(endpoint.status).toBe(201);
    const rows = await t.sql(`select key, response_body from idempotency_keys where key in ('sealed-pay', 'sealed-ep')`);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.response_body).not.toContain(payment.body.checkoutToken);
      expect(row.response_body).not.toContain(endpoint.body.secret);
      expect(row.response_body).not.toContain('"object"');
    }
    // …and the replay is still byte for byte.
    const replay = await t.request('POST', '/v1/webhook-endpoints', { token, idempotencyKey: 'sealed-ep', body: { url: 'http://127.0.0.1:9/hook' } });
    expect(replay.text).toBe(endpoint.text);
  });
});
