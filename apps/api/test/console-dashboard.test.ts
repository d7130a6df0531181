import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from './harness.js';
import { createEndpoint, createPayment, expectError, ok, signedIn } from './console-helpers.js';

/** console.dashboard.summary: daily series, failing endpoints, payments stuck in processing. */
let t: TestPlatform;
let viewer: Awaited<ReturnType<typeof signedIn>>;
type Shop = Awaited<ReturnType<TestPlatform['tenantWithTokens']>>;
let shopA: Shop;
let shopB: Shop;
const ids: Record<string, string> = {};
const endpoints: Record<string, string> = {};
const base = { returnUrl: 'https://shop.example.com/done' };
const day = (offset: number) => new Date(Date.now() - offset * 86400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  t = await startTestPlatform({ worker: false });
  viewer = await signedIn(t, 'viewer');
  shopA = await t.tenantWithTokens('dash-shop-a');
  shopB = await t.tenantWithTokens('dash-shop-b');
  const make = async (name: string, token: string, amount: number, currency: string) => {
    ids[name] = (await createPayment(t, token, { ...base, amount, currency })).id;
  };
  await make('a1', shopA.sandboxToken, 1000, 'EUR');
  await make('a2', shopA.sandboxToken, 2000, 'EUR');
  await make('a3', shopA.sandboxToken, 400, 'USD');
  await make('a4', shopA.liveToken, 9000, 'EUR');
  await make('b1', shopB.sandboxToken, 5000, 'EUR');
  await make('old', shopB.sandboxToken, 7000, 'EUR');
  await make('stuck', shopB.sandboxToken, 3000, 'EUR');
  await make('busy', shopA.sandboxToken, 3500, 'EUR');
  const set = (sql: string, names: string[]) => t.sql(`update payments set ${sql} where id in (${names.map(() => '?').join(', ')})`, names.map((n) => ids[n]));
  // Fixture states (the payment flows themselves are covered by the payment tests).
  await set(`status = 'succeeded'`, ['a1', 'a2', 'a3', 'a4', 'b1', 'old']);
  await set(`created_at = now() - interval '3 days'`, ['b1']);
  await set(`created_at = now() - interval '20 days'`, ['old']);
  await set(`status = 'processing', updated_at = now() - interval '20 minutes'`, ['stuck']);
  await set(`status = 'processing', updated_at = now() - interval '5 minutes'`, ['busy']);

  endpoints['failing'] = (await createEndpoint(t, shopA.sandboxToken, 'https://a.example.com/hooks')).id;
  endpoints['disabled'] = (await createEndpoint(t, shopB.sandboxToken, 'https://b.example.com/hooks')).id;
  endpoints['healthy'] = (await createEndpoint(t, shopB.sandboxToken, 'https://ok.example.com/hooks')).id;
  await t.sql(`update webhook_endpoints set failing_since = now() - interval '1 hour', last_failure_at = now() - interval '5 minutes' where id = ?`, [endpoints['failing']]);
  await t.sql(`update webhook_endpoints set status = 'disabled', disabled_reason = 'The endpoint answered 410 Gone' where id = ?`, [endpoints['disabled']]);
  // Two failed deliveries for the failing endpoint.
  const events = await t.sql(`select id from events where tenant_id = ? and mode = 'sandbox' order by id limit 2`, [shopA.tenantId]);
  for (const [i, e] of events.entries()) {
    await t.sql(
      `insert into webhook_deliveries (id, tenant_id, mode, endpoint_id, event_id, status, attempt_count, created_at, updated_at)
       values (?, ?, 'sandbox', ?, ?, 'failed', 8, now(), now())`,
      [`whd_dash${i}`, shopA.tenantId, endpoints['failing'], e.id],
    );
  }
});
afterAll(() => t.close());

describe('console.dashboard.summary', () => {
  it('series per UTC day, mode and currency: count, succeeded count and succeeded volume in minor units', async () => {
    const s = ok(await viewer.client.query('dashboard.summary'));
    expect(s.since).toBe(`${day(13)}T00:00:00.000Z`);
    expect(s.series).toEqual([
      { day: day(3), mode: 'sandbox', currency: 'EUR', count: 1, succeededCount: 1, volume: 5000 },
      { day: day(0), mode: 'live', currency: 'EUR', count: 1, succeededCount: 1, volume: 9000 },
      { day: day(0), mode: 'sandbox', currency: 'EUR', count: 4, succeededCount: 2, volume: 3000 },
      { day: day(0), mode: 'sandbox', currency: 'USD', count: 1, succeededCount: 1, volume: 400 },
    ]);
    const longer = ok(await viewer.client.query('dashboard.summary', { days: 30 }));
    expect(longer.series[0]).toEqual({ day: day(20), mode: 'sandbox', currency: 'EUR', count: 1, succeededCount: 1, volume: 7000 });
  });

  it('lists failing and disabled endpoints (not healthy ones) with their failed deliveries', async () => {
    const s = ok(await viewer.client.query('dashboard.summary'));
    expect(s.failingEndpoints).toEqual([
      expect.objectContaining({ endpointId: endpoints['failing'], tenantId: shopA.tenantId, url: 'https://a.example.com/hooks', disabledReason: null, failedDeliveries: 2, failingSince: expect.any(String), lastFailureAt: expect.any(String) }),
      expect.objectContaining({ endpointId: endpoints['disabled'], tenantId: shopB.tenantId, status: 'disabled', disabledReason: 'The endpoint answered 410 Gone', failedDeliveries: 0 }),
    ]);
  });

  it('lists payments processing for more than 15 minutes', async () => {
    const s = ok(await viewer.client.query('dashboard.summary'));
    expect(s.stuckProcessing).toEqual([{ paymentId: ids['stuck'], tenantId: shopB.tenantId, mode: 'sandbox', amount: 3000, currency: 'EUR', since: expect.any(String) }]);
    expect(Date.now() - Date.parse(s.stuckProcessing[0].since)).toBeGreaterThan(15 * 60_000);
  });

  it('narrows everything to one tenant and/or mode', async () => {
    const a = ok(await viewer.client.query('dashboard.summary', { tenantId: shopA.tenantId, mode: 'sandbox' }));
    expect(a.series).toEqual([
      { day: day(0), mode: 'sandbox', currency: 'EUR', count: 3, succeededCount: 2, volume: 3000 },
      { day: day(0), mode: 'sandbox', currency: 'USD', count: 1, succeededCount: 1, volume: 400 },
    ]);
    expect(a.failingEndpoints.map((e: any) => e.endpointId)).toEqual([endpoints['failing']]);
    expect(a.stuckProcessing).toEqual([]);
    const live = ok(await viewer.client.query('dashboard.summary', { mode: 'live' }));
    expect(live.series).toEqual([{ day: day(0), mode: 'live', currency: 'EUR', count: 1, succeededCount: 1, volume: 9000 }]);
    expect(live.failingEndpoints).toEqual([]);
  });

  it('validates days and needs a session', async () => {
    expectError(await viewer.client.query('dashboard.summary', { days: 0 }), 400, 'parameter_invalid');
    expectError(await viewer.client.query('dashboard.summary', { days: 365 }), 400, 'parameter_invalid');
    expect((await fetch(`${t.baseUrl}/trpc/console.dashboard.summary`)).status).toBe(401);
  });
});
