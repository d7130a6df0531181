import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_STREAK_GAP_MS } from '../src/jobs/webhook-deliveries.js';
import { localServers } from './local-servers.js';
import { waitUntil } from './wait.js';
import { startTestPlatform, validPayment, type TestPlatform } from './harness.js';

/**
 * "An endpoint failing for 5 days straight is disabled" (spec/webhooks.md "Out"): the streak
 * runs from `failing_since` only while the failures keep coming. A failure more than 24 h after
 * the endpoint's previous one (`last_failure_at`) — nothing was tried in between, since a failing
 * delivery is retried at most ~11 h later — starts a new streak. The retry schedule is scaled by
 * 0.001 so retries are fast; the past is written straight into the endpoint row.
 */

const HOUR = 3600_000;
const DAY = 24 * HOUR;

let t: TestPlatform;
const servers = localServers();
let keyN = 0;

beforeAll(async () => {
  t = await startTestPlatform({ webhookRetryScale: 0.001 });
});
afterAll(async () => {
  await servers.closeAll();
  await t?.close();
});

/** A receiver that answers 500 to everything and counts the requests. */
async function failingReceiver() {
  const state = { hits: 0, url: '' };
  state.url = await servers.listen((req, res) => {
    req.resume();
    req.on('end', () => {
      state.hits++;
      res.writeHead(500).end('down');
    });
  });
  return state;
}

const post = (token: string, path: string, body?: unknown) => t.request('POST', path, { token, idempotencyKey: `fs-${++keyN}`, ...(body === undefined ? {} : { body }) });

/** A sandbox endpoint answering 500, whose row says it has been failing since `failingSince`, last at `lastFailureAt`. */
async function failingEndpoint(app: string, failingSince: Date, lastFailureAt: Date | null) {
  const token = (await t.tenantWithTokens(app)).sandboxToken;
  const hook = await failingReceiver();
  const res = await post(token, '/v1/webhook-endpoints', { url: hook.url, events: ['payment.created'] });
  expect(res.status, res.text).toBe(201);
  await t.sql('update webhook_endpoints set failing_since = ?, last_failure_at = ? where id = ?', [failingSince, lastFailureAt, res.body.id]);
  return { token, hook, id: res.body.id as string };
}

async function endpointRow(id: string) {
  const [row] = await t.sql('select status, disabled_reason, failing_since, last_failure_at from webhook_endpoints where id = ?', [id]);
  return { ...row, failing_since: row.failing_since && new Date(row.failing_since), last_failure_at: row.last_failure_at && new Date(row.last_failure_at) };
}


describe('the 5-day rule counts a streak of failures, not the time since the first one', () => {
  it.each([
    ['6 days ago', 6 * DAY],
    ['25 hours ago (just over the gap)', 25 * HOUR],
  ])('failing since 6 days, last failure %s: one new failure does not disable; the streak starts again at it', async (_label, gap) => {
    expect(FAILURE_STREAK_GAP_MS).toBe(DAY);
    const now = Date.now();
    const endpoint = await failingEndpoint(`quiet-${gap}`, new Date(now - 6 * DAY), new Date(now - gap));
    const before = Date.now();
    await post(endpoint.token, '/v1/payments', validPayment);
    await waitUntil('two failed attempts', () => endpoint.hook.hits >= 2);

    const row = await endpointRow(endpoint.id);
    expect(row).toMatchObject({ status: 'enabled', disabled_reason: null });
    expect(row.failing_since.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(row.last_failure_at.getTime()).toBeGreaterThanOrEqual(row.failing_since.getTime());
    await t.request('DELETE', `/v1/webhook-endpoints/${endpoint.id}`, { token: endpoint.token });
  });

  it('failing since 6 days with the last failure 1 hour ago (failing continuously): the next failure disables it', async () => {
    const now = Date.now();
    const sixDaysAgo = new Date(now - 6 * DAY);
    const endpoint = await failingEndpoint('continuous', sixDaysAgo, new Date(now - HOUR));
    await post(endpoint.token, '/v1/payments', validPayment);
    await waitUntil('the endpoint disabled', async () => (await endpointRow(endpoint.id)).status === 'disabled');

    const row = await endpointRow(endpoint.id);
    expect(row.disabled_reason).toBe('The endpoint failed for 5 days');
    expect(row.failing_since).toEqual(sixDaysAgo); // the streak was not restarted
    expect(row.last_failure_at.getTime()).toBeGreaterThan(now - 60_000);
    expect(endpoint.hook.hits).toBe(1);
    const [delivery] = await t.sql('select status, attempt_count from webhook_deliveries where endpoint_id = ?', [endpoint.id]);
    expect(delivery).toEqual({ status: 'failed', attempt_count: 1 });
  });

  it('failing since 4 days, last failure 1 hour ago: the streak goes on (not disabled, failing_since kept)', async () => {
    const now = Date.now();
    const fourDaysAgo = new Date(now - 4 * DAY);
    const endpoint = await failingEndpoint('four-days', fourDaysAgo, new Date(now - HOUR));
    await post(endpoint.token, '/v1/payments', validPayment);
    await waitUntil('two failed attempts', () => endpoint.hook.hits >= 2);

    const row = await endpointRow(endpoint.id);
    expect(row).toMatchObject({ status: 'enabled', failing_since: fourDaysAgo });
    expect(row.last_failure_at.getTime()).toBeGreaterThan(now - 60_000);
    await t.request('DELETE', `/v1/webhook-endpoints/${endpoint.id}`, { token: endpoint.token });
  });

  it('re-enabled after a 5-day disable with a recent last failure: the next failure starts a new streak', async () => {
    const now = Date.now();
    const endpoint = await failingEndpoint('reenabled', new Date(now - 6 * DAY), new Date(now - HOUR));
    await t.sql(`update webhook_endpoints set status = 'disabled', disabled_reason = 'The endpoint failed for 5 days' where id = ?`, [endpoint.id]);
    const res = await post(endpoint.token, `/v1/webhook-endpoints/${endpoint.id}`, { status: 'enabled' });
    expect(res.status, res.text).toBe(200);

    const before = Date.now();
    await post(endpoint.token, '/v1/payments', validPayment);
    await waitUntil('two failed attempts', () => endpoint.hook.hits >= 2);
    const row = await endpointRow(endpoint.id);
    expect(row).toMatchObject({ status: 'enabled', disabled_reason: null });
    expect(row.failing_since.getTime()).toBeGreaterThanOrEqual(before - 1000);
    await t.request('DELETE', `/v1/webhook-endpoints/${endpoint.id}`, { token: endpoint.token });
  });
});

describe('Migration20261207010000_webhook_failure_streak', () => {
  it("backfills last_failure_at of failing endpoints from their latest failed attempt since failing_since; others stay null", async () => {
    const m = await startTestPlatform({ migrate: false, worker: false });
    try {
      await m.platform.orm.getMigrator().up({ to: 'Migration20261207000000_refund_checks' });
      const at = (h: number) => new Date(Date.UTC(2026, 10, 1) + h * HOUR);
      await m.sql(`insert into tenants (id, app_name, display_name, created_at, updated_at) values ('ten_m', 'migration-shop', 'Migration shop', ?, ?)`, [at(0), at(0)]);
      await m.sql(`insert into events (id, tenant_id, mode, type, object_id, data, created_at) values ('evt_m', 'ten_m', 'sandbox', 'payment.created', 'pay_m', '{}', ?)`, [at(0)]);
      const endpoint = (id: string, failingSince: Date | null) =>
        m.sql(
          `insert into webhook_endpoints (id, tenant_id, mode, url, status, secret_encrypted, failing_since, created_at, updated_at)
           values (?, 'ten_m', 'sandbox', 'https://hooks.example.com/x', 'enabled', 'x', ?, ?, ?)`,
          [id, failingSince, at(0), at(0)],
        );
      await endpoint('we_failing', at(10));
      await endpoint('we_pruned', at(10)); // failing, but its attempts are gone (retention)
      await endpoint('we_healthy', null);
      for (const [delivery, endpointId] of [['wd_1', 'we_failing'], ['wd_2', 'we_failing'], ['wd_3', 'we_healthy']]) {
        await m.sql(
          `insert into webhook_deliveries (id, tenant_id, mode, endpoint_id, event_id, status, attempt_count, created_at, updated_at)
           values (?, 'ten_m', 'sandbox', ?, 'evt_m', 'pending', 0, ?, ?)`,
          [delivery, endpointId, at(0), at(0)],
        );
      }
      const attempt = (id: string, delivery: string, hour: number, statusCode: number | null) =>
        m.sql(`insert into webhook_attempts (id, delivery_id, tenant_id, mode, attempted_at, status_code, latency_ms) values (?, ?, 'ten_m', 'sandbox', ?, ?, 5)`, [id, delivery, at(hour), statusCode]);
      await attempt('wa_1', 'wd_1', 9, 500); // before the streak
      await attempt('wa_2', 'wd_1', 10, 500);
      await attempt('wa_3', 'wd_2', 13, null); // a timeout: the latest failure
      await attempt('wa_4', 'wd_1', 12, 503);
      await attempt('wa_5', 'wd_3', 20, 500); // another endpoint's

      await m.platform.orm.getMigrator().up();
      const rows = await m.sql('select id, last_failure_at from webhook_endpoints order by id');
      expect(rows.map((r: { id: string; last_failure_at: string | null }) => [r.id, r.last_failure_at && new Date(r.last_failure_at).toISOString()])).toEqual([
        ['we_failing', at(13).toISOString()],
        ['we_healthy', null],
        ['we_pruned', null],
      ]);
    } finally {
      await m.close();
    }
  });
});
