import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRetention } from '../src/jobs/retention.js';
import { startTestPlatform, validPayment, type TestPlatform } from './harness.js';

let t: TestPlatform;
let token: string;

beforeAll(async () => {
  t = await startTestPlatform({ worker: false });
  token = (await t.tenantWithTokens('retention-shop')).sandboxToken;
});
afterAll(() => t.close());

describe('retention', () => {
  it('drops expired idempotency keys and events older than 30 days (with their deliveries), keeps the rest', async () => {
    await t.request('POST', '/v1/webhook-endpoints', { token, idempotencyKey: 'ep', body: { url: 'http://127.0.0.1:9/hook' } });
    const old = await t.request('POST', '/v1/payments', { token, idempotencyKey: 'old', body: validPayment });
    const fresh = await t.request('POST', '/v1/payments', { token, idempotencyKey: 'fresh', body: validPayment });
    const [oldEvent] = await t.sql(`select id from events where object_id = ? and type = 'payment.created'`, [old.body.id]);
    await t.sql(`update events set created_at = now() - interval '31 days' where id = ?`, [oldEvent.id]);
    await t.sql(`update idempotency_keys set expires_at = now() - interval '1 minute' where key = 'old'`);
    expect(await t.count(`webhook_deliveries where event_id = '${oldEvent.id}'`)).toBe(1);

    const result = await runRetention(t.platform.orm, new Date());
    expect(result).toEqual({ idempotencyKeys: 1, events: 1 });
    expect(await t.count(`events where id = '${oldEvent.id}'`)).toBe(0);
    expect(await t.count(`webhook_deliveries where event_id = '${oldEvent.id}'`)).toBe(0);
    expect(await t.count(`events where object_id = '${fresh.body.id}'`)).toBe(1);
    expect(await t.count(`idempotency_keys where key = 'old'`)).toBe(0);
    expect(await t.count(`idempotency_keys where key = 'fresh'`)).toBe(1);
    // The payment itself is kept; only its old event is gone.
    expect((await t.request('GET', `/v1/payments/${old.body.id}`, { token })).status).toBe(200);
  });
});
