import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, validPayment, type TestPlatform } from './harness.js';
import { auditOf, waitFor } from './console-helpers.js';
import { localServers } from './local-servers.js';

/**
 * POST /v1/webhook-endpoints/{id} (Stripe-style update): url, events, status. Re-enabling an
 * endpoint disabled by a 410 (or 5 days of failures) delivers new events again and restarts the
 * failure clock. The retry schedule is scaled by 0.001 so retries are fast.
 */

interface Hit {
  type: string;
  objectId: string | undefined;
}

/** A local receiver answering `state.status` (changeable) and recording each event's type. */
async function receiver(status: number) {
  const state = { status, hits: [] as Hit[] };
  const url = await servers.listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type: string; data?: { object?: { id?: string } } };
      state.hits.push({ type: json.type, objectId: json.data?.object?.id });
      res.writeHead(state.status).end('ok');
    });
  });
  return { url, state };
}

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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function post(path: string, token: string, body?: unknown, idempotencyKey = `weu-${++keyN}`) {
  return t.request('POST', path, { token, idempotencyKey, ...(body === undefined ? {} : { body }) });
}

async function createEndpoint(token: string, url: string, events?: string[]) {
  const res = await post('/v1/webhook-endpoints', token, { url, ...(events ? { events } : {}) });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; url: string; events: string[]; status: string; updatedAt: string };
}

async function createPayment(token: string) {
  const res = await post('/v1/payments', token, validPayment);
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string };
}

async function getEndpoint(token: string, id: string) {
  const res = await t.request('GET', `/v1/webhook-endpoints/${id}`, { token });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

const updates = (endpointId: string) => auditOf(t, `action = 'webhook_endpoint.update' and target_id = ?`, [endpointId]);

describe('re-enabling an endpoint disabled by failures', () => {
  it('a 410 disables the endpoint → POST {status: enabled} → a new event is delivered again; audited', async () => {
    const shop = await t.tenantWithTokens('reenable-shop');
    const token = shop.sandboxToken;
    const hook = await receiver(410);
    const endpoint = await createEndpoint(token, hook.url);

    await createPayment(token);
    await waitFor('the endpoint to be disabled', async () => ((await getEndpoint(token, endpoint.id)).status === 'disabled' ? true : null));
    expect((await getEndpoint(token, endpoint.id)).disabledReason).toMatch(/410/);
    const missed = await createPayment(token);
    await sleep(500);
    expect(hook.state.hits.filter((h) => h.objectId === missed.id)).toHaveLength(0);

    hook.state.status = 200;
    const res = await post(`/v1/webhook-endpoints/${endpoint.id}`, token, { status: 'enabled' });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ id: endpoint.id, object: 'webhook_endpoint', url: hook.url, events: ['*'], status: 'enabled', disabledReason: null });
    expect(res.body).not.toHaveProperty('secret');
    expect(await getEndpoint(token, endpoint.id)).toEqual(res.body);

    const later = await createPayment(token);
    await waitFor('the new event to arrive', async () => hook.state.hits.some((h) => h.objectId === later.id && h.type === 'payment.created'));
    await waitFor('the delivery to succeed', async () => {
      const [row] = await t.sql(`select status from webhook_deliveries where endpoint_id = ? order by id desc limit 1`, [endpoint.id]);
      return row?.status === 'succeeded';
    });

    const entries = await updates(endpoint.id);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      actor_type: 'tenant',
      actor_id: shop.tenantId,
      tenant_id: shop.tenantId,
      mode: 'sandbox',
      target_type: 'webhook_endpoint',
      before: { status: 'disabled', disabledReason: expect.stringMatching(/410/) },
      after: { status: 'enabled', disabledReason: null },
    });
  });

  it('re-enabling restarts the 5-day failure clock: the next failure does not disable it again', async () => {
    const token = (await t.tenantWithTokens('clock-shop')).sandboxToken;
    const hook = await receiver(500);
    const endpoint = await createEndpoint(token, hook.url);
    // As the worker leaves it after 5 days of failures.
    const sixDaysAgo = new Date(Date.now() - 6 * 24 * 3600 * 1000);
    await t.sql(`update webhook_endpoints set status = 'disabled', disabled_reason = 'The endpoint failed for 5 days', failing_since = ? where id = ?`, [sixDaysAgo, endpoint.id]);

    const res = await post(`/v1/webhook-endpoints/${endpoint.id}`, token, { status: 'enabled' });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ status: 'enabled', disabledReason: null });
    const [row] = await t.sql('select failing_since from webhook_endpoints where id = ?', [endpoint.id]);
    expect(row.failing_since).toBeNull();

    await createPayment(token);
    await waitFor('two failed attempts', async () => hook.state.hits.length >= 2);
    const after = await getEndpoint(token, endpoint.id);
    expect(after).toMatchObject({ status: 'enabled', disabledReason: null });
    const [clock] = await t.sql('select failing_since from webhook_endpoints where id = ?', [endpoint.id]);
    expect(new Date(clock.failing_since).getTime()).toBeGreaterThan(Date.now() - 60_000);
    await t.request('DELETE', `/v1/webhook-endpoints/${endpoint.id}`, { token });
  });
});

describe('an answer to a request sent before the endpoint changed', () => {
  /** A receiver that holds every request until `release(status)`. */
  async function heldReceiver() {
    const held: { res: http.ServerResponse; type: string }[] = [];
    const url = await servers.listen((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => held.push({ res, type: (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type: string }).type }));
    });
    const release = (status: number) => {
      for (const h of held.splice(0)) h.res.writeHead(status).end('gone');
    };
    return { url, held, release };
  }

  it('a 410 to a delivery in flight while the endpoint was disabled and re-enabled does not disable it again', async () => {
    const token = (await t.tenantWithTokens('inflight-reenable-shop')).sandboxToken;
    const hook = await heldReceiver();
    const endpoint = await createEndpoint(token, hook.url);
    await createPayment(token);
    await waitFor('the delivery to be in flight', async () => hook.held.length > 0);

    expect((await post(`/v1/webhook-endpoints/${endpoint.id}`, token, { status: 'disabled' })).status).toBe(200);
    expect((await post(`/v1/webhook-endpoints/${endpoint.id}`, token, { status: 'enabled' })).status).toBe(200);
    hook.release(410);
    await waitFor('the 410 to be recorded', async () => {
      const [row] = await t.sql(`select d.status from webhook_deliveries d where d.endpoint_id = ? and d.attempt_count > 0`, [endpoint.id]);
      return row?.status === 'failed';
    });
    expect(await getEndpoint(token, endpoint.id)).toMatchObject({ status: 'enabled', disabledReason: null });
  });

  it('a 410 from the old url after the url was changed does not disable the endpoint; a 410 from the current one does', async () => {
    const token = (await t.tenantWithTokens('inflight-url-shop')).sandboxToken;
    const oldHook = await heldReceiver();
    const newHook = await receiver(410);
    const endpoint = await createEndpoint(token, oldHook.url);
    await createPayment(token);
    await waitFor('the delivery to be in flight', async () => oldHook.held.length > 0);

    expect((await post(`/v1/webhook-endpoints/${endpoint.id}`, token, { url: newHook.url })).status).toBe(200);
    oldHook.release(410);
    await waitFor('the old 410 to be recorded', async () => {
      const [row] = await t.sql(`select status from webhook_deliveries where endpoint_id = ? and attempt_count > 0`, [endpoint.id]);
      return row?.status === 'failed';
    });
    expect(await getEndpoint(token, endpoint.id)).toMatchObject({ status: 'enabled' });

    await createPayment(token);
    await waitFor('the new url to disable it', async () => ((await getEndpoint(token, endpoint.id)).status === 'disabled' ? true : null));
    expect((await getEndpoint(token, endpoint.id)).disabledReason).toMatch(/410/);
  });
});

describe('updating url, events and status', () => {
  it('url and events change where and what is delivered; status disabled stops deliveries', async () => {
    const token = (await t.tenantWithTokens('update-shop')).sandboxToken;
    const oldHook = await receiver(200);
    const newHook = await receiver(200);
    const endpoint = await createEndpoint(token, oldHook.url);

    const res = await post(`/v1/webhook-endpoints/${endpoint.id}`, token, { url: newHook.url, events: ['payment.canceled', 'payment.canceled'] });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ url: newHook.url, events: ['payment.canceled'], status: 'enabled' });
    expect(res.body.updatedAt > endpoint.updatedAt).toBe(true);

    const payment = await createPayment(token);
    expect((await post(`/v1/payments/${payment.id}/cancel`, token)).status).toBe(200);
    await waitFor('the canceled event at the new url', async () => newHook.state.hits.some((h) => h.type === 'payment.canceled'));
    await sleep(500);
    expect(newHook.state.hits.map((h) => h.type)).toEqual(['payment.canceled']);
    expect(oldHook.state.hits).toHaveLength(0);

    const all = await post(`/v1/webhook-endpoints/${endpoint.id}`, token, { events: ['*'], status: 'disabled' });
    expect(all.status, all.text).toBe(200);
    expect(all.body).toMatchObject({ events: ['*'], status: 'disabled', disabledReason: 'Disabled through the API' });
    await createPayment(token);
    await sleep(800);
    expect(newHook.state.hits).toHaveLength(1);
    expect((await updates(endpoint.id)).map((e) => e.after.status)).toEqual(['enabled', 'disabled']);
  });

  it('a request that changes nothing answers the endpoint and writes no audit entry', async () => {
    const token = (await t.tenantWithTokens('noop-shop')).sandboxToken;
    const endpoint = await createEndpoint(token, 'https://hooks.example.com/noop');
    for (const body of [{}, { status: 'enabled' }, { url: endpoint.url }, undefined]) {
      const res = await post(`/v1/webhook-endpoints/${endpoint.id}`, token, body);
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ id: endpoint.id, status: 'enabled', updatedAt: endpoint.updatedAt });
    }
    expect(await updates(endpoint.id)).toHaveLength(0);
  });
});

describe('validation and isolation', () => {
  it('a bad url, an unknown event type or an unknown field → 400, and nothing changes', async () => {
    const shop = await t.tenantWithTokens('invalid-update-shop');
    const endpoint = await createEndpoint(shop.sandboxToken, 'https://hooks.example.com/valid');
    const liveEndpoint = await createEndpoint(shop.liveToken, 'https://hooks.example.com/live');
    await t.sql(`update webhook_endpoints set status = 'disabled', disabled_reason = 'The endpoint answered 410 Gone' where id = ?`, [endpoint.id]);
    const before = await getEndpoint(shop.sandboxToken, endpoint.id);
    const cases: [string, string, unknown, string][] = [
      [shop.sandboxToken, endpoint.id, { url: 'not a url', status: 'enabled' }, 'url_invalid'],
      [shop.sandboxToken, endpoint.id, { url: 'ftp://hooks.example.com/x' }, 'url_invalid'],
      [shop.sandboxToken, endpoint.id, { url: 'https://user:pw@hooks.example.com/x' }, 'url_invalid'],
      [shop.sandboxToken, endpoint.id, { events: ['payment.nope'], status: 'enabled' }, 'parameter_invalid'],
      [shop.sandboxToken, endpoint.id, { events: [] }, 'parameter_invalid'],
      [shop.sandboxToken, endpoint.id, { status: 'paused' }, 'parameter_invalid'],
      [shop.sandboxToken, endpoint.id, { status: 'enabled', secret: 'whsec_x' }, 'parameter_invalid'],
      [shop.liveToken, liveEndpoint.id, { url: 'http://hooks.example.com/x' }, 'url_invalid'],
      [shop.liveToken, liveEndpoint.id, { url: 'https://169.254.169.254/latest/meta-data/' }, 'url_invalid'],
      [shop.liveToken, liveEndpoint.id, { url: 'https://[::1]/x' }, 'url_invalid'],
    ];
    for (const [token, id, body, code] of cases) {
      const res = await post(`/v1/webhook-endpoints/${id}`, token, body);
      expect(res.status, `${JSON.stringify(body)}: ${res.text}`).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code });
    }
    expect(await getEndpoint(shop.sandboxToken, endpoint.id)).toEqual(before);
    expect(await getEndpoint(shop.liveToken, liveEndpoint.id)).toMatchObject({ url: 'https://hooks.example.com/live', status: 'enabled' });
    expect(await updates(endpoint.id)).toHaveLength(0);
    expect(await updates(liveEndpoint.id)).toHaveLength(0);
  });

  it("another tenant's endpoint (or the other mode's) → 404, and it stays as it was", async () => {
    const owner = await t.tenantWithTokens('owner-shop');
    const intruder = await t.tenantWithTokens('intruder-shop');
    const endpoint = await createEndpoint(owner.sandboxToken, 'https://hooks.example.com/owned');
    await t.sql(`update webhook_endpoints set status = 'disabled', disabled_reason = 'The endpoint answered 410 Gone' where id = ?`, [endpoint.id]);
    for (const token of [intruder.sandboxToken, owner.liveToken]) {
      const res = await post(`/v1/webhook-endpoints/${endpoint.id}`, token, { status: 'enabled', url: 'https://evil.example.com/x' });
      expect(res.status, res.text).toBe(404);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'resource_missing' });
    }
    expect(await getEndpoint(owner.sandboxToken, endpoint.id)).toMatchObject({ url: 'https://hooks.example.com/owned', status: 'disabled' });
    expect(await updates(endpoint.id)).toHaveLength(0);
    const deleted = await createEndpoint(owner.sandboxToken, 'https://hooks.example.com/deleted');
    await t.request('DELETE', `/v1/webhook-endpoints/${deleted.id}`, { token: owner.sandboxToken });
    expect((await post(`/v1/webhook-endpoints/${deleted.id}`, owner.sandboxToken, { status: 'enabled' })).status).toBe(404);
  });

  it('is idempotent: the same key replays the response (one change, one audit entry); another body with it → 422', async () => {
    const token = (await t.tenantWithTokens('idem-update-shop')).sandboxToken;
    const endpoint = await createEndpoint(token, 'https://hooks.example.com/idem');
    await t.sql(`update webhook_endpoints set status = 'disabled', disabled_reason = 'The endpoint answered 410 Gone' where id = ?`, [endpoint.id]);
    const first = await post(`/v1/webhook-endpoints/${endpoint.id}`, token, { status: 'enabled' }, 'idem-enable');
    expect(first.status, first.text).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    // Disabled again in between: a replay must not re-run the update.
    await t.sql(`update webhook_endpoints set status = 'disabled', disabled_reason = 'The endpoint answered 410 Gone' where id = ?`, [endpoint.id]);
    const again = await post(`/v1/webhook-endpoints/${endpoint.id}`, token, { status: 'enabled' }, 'idem-enable');
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.text).toBe(first.text);
    expect((await getEndpoint(token, endpoint.id)).status).toBe('disabled');
    expect(await updates(endpoint.id)).toHaveLength(1);
    const reused = await post(`/v1/webhook-endpoints/${endpoint.id}`, token, { status: 'disabled' }, 'idem-enable');
    expect(reused.status, reused.text).toBe(422);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
    const missing = await t.request('POST', `/v1/webhook-endpoints/${endpoint.id}`, { token, body: { status: 'enabled' } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('idempotency_key_missing');
  });
});
