import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { DELIVERY_TIMEOUT_MS, postJson } from '../src/webhooks/http-post.js';
import { startTestPlatform, validPayment, type TestPlatform } from './harness.js';

/**
 * Outbound webhooks end to end (spec/webhooks.md "Out", spec/rest-api.md "Events and webhook
 * endpoints"): real receivers on 127.0.0.1 verify with the public `standardwebhooks` library.
 * The retry schedule is scaled by 0.001 (5 s → 5 ms, 5 min → 300 ms) so retries are fast.
 */

// ---------------------------------------------------------------------------------------------
// Local receivers
// ---------------------------------------------------------------------------------------------

interface Received {
  path: string;
  method: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: any;
  webhookId: string;
  type: string | undefined;
  at: number;
}

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** `nth` counts the requests already received with the same webhook-id (0 for the first). */
type Responder = (r: Received, nth: number) => Reply;

const OK: Responder = () => ({ status: 200, body: 'ok' });

class Receiver {
  readonly received: Received[] = [];
  connections = 0;
  url = '';
  port = 0;
  private server!: http.Server;

  constructor(public respond: Responder = OK) {}

  static async start(respond: Responder = OK): Promise<Receiver> {
    const r = new Receiver(respond);
    r.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: any = null;
        try {
          json = JSON.parse(body);
        } catch {
          // not JSON
        }
        const webhookId = String(req.headers['webhook-id'] ?? '');
        const entry: Received = { path: req.url ?? '', method: req.method ?? '', headers: req.headers, body, json, webhookId, type: json?.type, at: Date.now() };
        const nth = r.received.filter((x) => x.webhookId === webhookId && x.path === entry.path).length;
        r.received.push(entry);
        const reply = r.respond(entry, nth);
        res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers }).end(reply.body ?? '');
      });
    });
    r.server.on('connection', () => r.connections++);
    await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
    r.port = (r.server.address() as AddressInfo).port;
    r.url = `http://127.0.0.1:${r.port}/hooks`;
    return r;
  }

  ofType(type: string): Received[] {
    return this.received.filter((x) => x.type === type);
  }

  forObject(objectId: string): Received[] {
    return this.received.filter((x) => x.json?.data?.object?.id === objectId);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A bare TCP listener: counts connections and hangs up (no HTTP, no TLS). */
async function startTcpSink() {
  const sink = { connections: 0, port: 0, server: net.createServer() };
  sink.server.on('connection', (socket) => {
    sink.connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => sink.server.listen(0, '127.0.0.1', resolve));
  sink.port = (sink.server.address() as AddressInfo).port;
  return sink;
}

async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** How long a negative check ("nothing arrives") waits after its positive control has arrived. */
const SETTLE_MS = 1500;

function verify(secret: string, r: Received): unknown {
  return new Webhook(secret).verify(r.body, r.headers as Record<string, string>);
}

// ---------------------------------------------------------------------------------------------
// Platform
// ---------------------------------------------------------------------------------------------

let t: TestPlatform;
let failAt: string | null = null;
const faultHits: string[] = [];
const receivers: Receiver[] = [];
let keyN = 0;

beforeAll(async () => {
  t = await startTestPlatform({
    webhookRetryScale: 0.001,
    fault: (point) => {
      faultHits.push(point);
      if (point === failAt) throw new Error(`injected fault at ${point}`);
    },
  });
});
afterAll(async () => {
  for (const r of receivers) await r.close();
  await t?.close();
});

async function receiver(respond: Responder = OK): Promise<Receiver> {
  const r = await Receiver.start(respond);
  receivers.push(r);
  return r;
}

function post(path: string, token: string, body?: unknown) {
  return t.request('POST', path, { token, idempotencyKey: `wh-${++keyN}`, ...(body === undefined ? {} : { body }) });
}

async function createEndpoint(token: string, url: string, events?: string[]) {
  const res = await post('/v1/webhook-endpoints', token, { url, ...(events ? { events } : {}) });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; url: string; events: string[]; status: string; secret: string; mode: string };
}

async function createPayment(token: string, body: Record<string, unknown> = validPayment) {
  const res = await post('/v1/payments', token, body);
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; checkoutToken: string; [k: string]: unknown };
}

async function pay(checkoutToken: string) {
  const res = await t.request('POST', '/trpc/checkout.submit', {
    body: { token: checkoutToken, card: { number: '4242424242424242', expMonth: 12, expYear: 2035, cvc: '123' } },
  });
  expect(res.status, res.text).toBe(200);
}

async function getPayment(token: string, id: string) {
  const res = await t.request('GET', `/v1/payments/${id}`, { token });
  expect(res.status).toBe(200);
  return res.body;
}

async function deliveriesOf(token: string, endpointId: string) {
  const res = await t.request('GET', `/v1/webhook-endpoints/${endpointId}/deliveries?limit=100`, { token });
  expect(res.status, res.text).toBe(200);
  return res.body.data as {
    id: string;
    eventId: string;
    endpointId: string;
    status: string;
    attemptCount: number;
    lastStatusCode: number | null;
    attempts: { statusCode: number | null; error: string | null; latencyMs: number; responseExcerpt: string | null }[];
  }[];
}

async function deleteEndpoint(token: string, id: string) {
  const res = await t.request('DELETE', `/v1/webhook-endpoints/${id}`, { token });
  expect(res.status, res.text).toBe(200);
}

const webhookJobs = async () => Number((await t.sql(`select count(*) as n from pgboss.job where name = 'webhook-delivery'`))[0].n);
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

// ---------------------------------------------------------------------------------------------

describe('transactional outbox', () => {
  it('a payment create that fails before commit leaves no delivery, no queue job, and sends nothing', async () => {
    const { sandboxToken: token, tenantId } = await t.tenantWithTokens('outbox-shop');
    const hook = await receiver();
    const endpoint = await createEndpoint(token, hook.url);

    const jobsBefore = await webhookJobs();
    const deliveriesBefore = await t.count('webhook_deliveries');
    const eventsBefore = await t.count(`events where tenant_id = '${tenantId}'`);
    faultHits.length = 0;
    failAt = 'payment.create:before_commit';
    let res;
    try {
      res = await post('/v1/payments', token, validPayment);
    } finally {
      failAt = null;
    }
    expect(faultHits).toContain('payment.create:before_commit');
    expect(res.status).toBe(500);

    expect(await t.count('webhook_deliveries')).toBe(deliveriesBefore);
    expect(await t.count(`webhook_deliveries where endpoint_id = '${endpoint.id}'`)).toBe(0);
    expect(await t.count(`events where tenant_id = '${tenantId}'`)).toBe(eventsBefore);
    expect(await webhookJobs()).toBe(jobsBefore);
    // no queue job points at a delivery that does not exist
    expect(
      await t.count(`pgboss.job j where j.name = 'webhook-delivery' and not exists (select 1 from webhook_deliveries d where d.id = j.data->>'deliveryId')`),
    ).toBe(0);

    // Control: the same create without the fault commits one delivery with its job, and it arrives.
    const ok = await createPayment(token);
    expect(await t.count(`webhook_deliveries where endpoint_id = '${endpoint.id}'`)).toBe(1);
    expect(await webhookJobs()).toBe(jobsBefore + 1);
    await waitFor('the committed payment.created', () => hook.forObject(ok.id).length === 1);
    await sleep(SETTLE_MS);
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]!.json).toMatchObject({ type: 'payment.created', data: { object: { id: ok.id } } });
  });
});

describe('delivery to a standardwebhooks receiver', () => {
  let token: string;
  let endpoint: Awaited<ReturnType<typeof createEndpoint>>;
  let hook: Receiver;

  beforeAll(async () => {
    token = (await t.tenantWithTokens('verify-shop')).sandboxToken;
    // 500 to the first request of every event, 200 to the retry
    hook = await receiver((_r, nth) => (nth === 0 ? { status: 500, body: 'try again' } : { status: 200, body: 'thanks' }));
    endpoint = await createEndpoint(token, hook.url);
  });

  it('a paid sandbox payment yields verified payment.created and payment.succeeded, each retried under the same webhook-id', async () => {
    const created = await createPayment(token);
    await pay(created.checkoutToken);
    await waitFor('payment succeeded', async () => (await getPayment(token, created.id)).status === 'succeeded');
    await waitFor('both events twice (500, then 200)', () =>
      ['payment.created', 'payment.succeeded'].every((type) => hook.forObject(created.id).filter((r) => r.type === type).length >= 2),
    );

    for (const type of ['payment.created', 'payment.succeeded']) {
      const requests = hook.forObject(created.id).filter((r) => r.type === type);
      const ids = new Set(requests.map((r) => r.webhookId));
      expect(ids.size, type).toBe(1); // the retry carries the same webhook-id: the event id
      const [id] = [...ids];
      expect(id).toMatch(/^evt_/);
      for (const r of requests) {
        expect(r.json.id).toBe(id);
        // the public library accepts every attempt with the endpoint's secret…
        expect(verify(endpoint.secret, r)).toEqual(r.json);
        // …and only with it
        expect(() => verify('whsec_' + Buffer.alloc(32, 7).toString('base64'), r)).toThrow(WebhookVerificationError);
      }
      const deliveries = (await deliveriesOf(token, endpoint.id)).filter((d) => d.eventId === id);
      expect(deliveries).toHaveLength(1);
      expect(deliveries[0]).toMatchObject({ status: 'succeeded', attemptCount: 2, lastStatusCode: 200 });
      expect(deliveries[0]!.attempts.map((a) => a.statusCode)).toEqual([500, 200]);
      expect(deliveries[0]!.attempts[0]!.responseExcerpt).toBe('try again');
    }
  });

  it('the request: POST, JSON content type, Standard Webhooks headers, and the event with the Payment as GET returns it', async () => {
    const created = await createPayment(token);
    await pay(created.checkoutToken);
    await waitFor('payment.succeeded delivered', () => hook.forObject(created.id).some((r) => r.type === 'payment.succeeded'));
    const paid = await getPayment(token, created.id);
    expect(paid.status).toBe('succeeded');

    const createdReq = hook.forObject(created.id).find((r) => r.type === 'payment.created')!;
    const succeededReq = hook.forObject(created.id).find((r) => r.type === 'payment.succeeded')!;
    const { checkoutToken: _t, checkoutUrl: _u, ...createdAsGet } = created;

    for (const [r, object] of [
      [createdReq, createdAsGet],
      [succeededReq, paid],
    ] as const) {
      expect(r.method).toBe('POST');
      expect(r.headers['content-type']).toMatch(/^application\/json\b/);
      expect(r.headers['webhook-id']).toBe(r.json.id);
      expect(r.headers['webhook-timestamp']).toMatch(/^\d+$/);
      expect(Math.abs(Number(r.headers['webhook-timestamp']) - r.at / 1000)).toBeLessThan(30);
      expect(r.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      expect(Object.keys(r.json).sort()).toEqual(['createdAt', 'data', 'id', 'mode', 'object', 'type']);
      expect(r.json).toMatchObject({ id: expect.stringMatching(/^evt_/), object: 'event', mode: 'sandbox' });
      expect(r.json.createdAt).toMatch(ISO_UTC);
      expect(r.json.data).toEqual({ object });
      // the same object GET /v1/events/{id} returns
      const ev = await t.request('GET', `/v1/events/${r.json.id}`, { token });
      expect(ev.status).toBe(200);
      expect(ev.body).toEqual(r.json);
    }
    expect(createdReq.json.type).toBe('payment.created');
    expect(createdReq.json.data.object).toMatchObject({ id: created.id, object: 'payment', status: 'requires_payment_method' });
    expect(createdReq.body).not.toContain(created.checkoutToken);
    expect(succeededReq.json.type).toBe('payment.succeeded');
    expect(succeededReq.json.data.object).toMatchObject({ id: created.id, status: 'succeeded', amount: 1999, currency: 'EUR' });
  });
});

describe('retries and 410', () => {
  it('500, 500, 200 → the event arrives three times; the deliveries API lists the attempts and status succeeded', async () => {
    const token = (await t.tenantWithTokens('retry-shop')).sandboxToken;
    const statuses = [500, 500, 200];
    const hook = await receiver((_r, nth) => ({ status: statuses[Math.min(nth, 2)]!, body: `answer ${nth}` }));
    const endpoint = await createEndpoint(token, hook.url);
    const created = await createPayment(token);

    await waitFor('three requests', () => hook.forObject(created.id).length >= 3);
    const deliveries = await waitFor('delivery succeeded', async () => {
      const list = await deliveriesOf(token, endpoint.id);
      return list.length === 1 && list[0]!.status === 'succeeded' ? list : null;
    });
    await sleep(SETTLE_MS);
    const requests = hook.forObject(created.id);
    expect(requests).toHaveLength(3);
    expect(new Set(requests.map((r) => r.webhookId)).size).toBe(1);
    for (const r of requests) expect(verify(endpoint.secret, r)).toEqual(r.json);

    const [delivery] = deliveries;
    expect(delivery).toMatchObject({ object: 'webhook_delivery', endpointId: endpoint.id, eventId: requests[0]!.webhookId, status: 'succeeded', attemptCount: 3, lastStatusCode: 200, nextAttemptAt: null });
    expect(delivery!.attempts.map((a) => a.statusCode)).toEqual([500, 500, 200]);
    expect(delivery!.attempts.map((a) => a.responseExcerpt)).toEqual(['answer 0', 'answer 1', 'answer 2']);
    for (const a of delivery!.attempts) {
      expect(a.latencyMs).toEqual(expect.any(Number));
      expect(a.error).toBeNull();
    }
  });

  it('410 Gone disables the endpoint at once: no retry, status disabled with a reason, later events not delivered', async () => {
    const token = (await t.tenantWithTokens('gone-shop')).sandboxToken;
    const gone = await receiver(() => ({ status: 410, body: 'gone' }));
    const control = await receiver();
    const endpoint = await createEndpoint(token, gone.url);
    await createEndpoint(token, control.url);

    const first = await createPayment(token);
    await waitFor('the 410', () => gone.received.length === 1);
    const disabled = await waitFor('endpoint disabled', async () => {
      const res = await t.request('GET', `/v1/webhook-endpoints/${endpoint.id}`, { token });
      return res.body.status === 'disabled' ? res.body : null;
    });
    expect(disabled.disabledReason).toEqual(expect.any(String));
    expect(disabled.disabledReason).toMatch(/410/);
    const [delivery] = await deliveriesOf(token, endpoint.id);
    expect(delivery).toMatchObject({ eventId: gone.received[0]!.webhookId, status: 'failed', attemptCount: 1, lastStatusCode: 410 });
    expect(delivery!.attempts.map((a) => a.statusCode)).toEqual([410]);
    expect(first.id).toBe(gone.received[0]!.json.data.object.id);

    const later = await createPayment(token);
    await waitFor('the control endpoint gets the later event', () => control.forObject(later.id).length === 1);
    await sleep(SETTLE_MS);
    expect(gone.received).toHaveLength(1); // neither a retry of the first nor the later event
    expect(await t.count(`webhook_deliveries where endpoint_id = '${endpoint.id}'`)).toBe(1);
  });
});

describe('event type filters', () => {
  it("an endpoint subscribed to ['payment.succeeded'] gets only that", async () => {
    const token = (await t.tenantWithTokens('filter-shop')).sandboxToken;
    const only = await receiver();
    const all = await receiver();
    const filtered = await createEndpoint(token, only.url, ['payment.succeeded']);
    expect(filtered.events).toEqual(['payment.succeeded']);
    const everything = await createEndpoint(token, all.url);
    expect(everything.events).toEqual(['*']);

    const created = await createPayment(token);
    await pay(created.checkoutToken);
    await waitFor('payment.succeeded on the filtered endpoint', () => only.ofType('payment.succeeded').length === 1);
    await waitFor('all events on the unfiltered endpoint', () =>
      ['payment.created', 'payment.processing', 'payment.succeeded'].every((type) => all.ofType(type).length === 1),
    );
    await sleep(SETTLE_MS);
    expect(only.received.map((r) => r.type)).toEqual(['payment.succeeded']);
    expect(only.received[0]!.json.data.object).toMatchObject({ id: created.id, status: 'succeeded' });
    expect(verify(filtered.secret, only.received[0]!)).toEqual(only.received[0]!.json);
    expect(await t.count(`webhook_deliveries where endpoint_id = '${filtered.id}'`)).toBe(1);
  });

  it('an unknown event type is refused at creation', async () => {
    const token = (await t.tenantWithTokens('filter-bad-shop')).sandboxToken;
    const res = await post('/v1/webhook-endpoints', token, { url: 'http://127.0.0.1:9/x', events: ['payment.bogus'] });
    expect(res.status).toBe(400);
    expect(res.body.error.type).toBe('invalid_request_error');
  });
});

describe('endpoint CRUD', () => {
  let tenant: Awaited<ReturnType<TestPlatform['tenantWithTokens']>>;
  let token: string;
  let other: string;

  beforeAll(async () => {
    tenant = await t.tenantWithTokens('crud-shop');
    token = tenant.sandboxToken;
    other = (await t.tenantWithTokens('crud-other')).sandboxToken;
  });

  it('the secret (whsec_) is shown once: never by GET or list, and not stored in plaintext', async () => {
    const hook = await receiver();
    const created = await createEndpoint(token, hook.url);
    expect(created).toMatchObject({
      id: expect.stringMatching(/^we_/),
      object: 'webhook_endpoint',
      mode: 'sandbox',
      url: hook.url,
      events: ['*'],
      status: 'enabled',
      disabledReason: null,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]+=*$/),
    });
    const secretBody = created.secret.slice('whsec_'.length);
    expect(Buffer.from(secretBody, 'base64').length).toBeGreaterThanOrEqual(24);

    const got = await t.request('GET', `/v1/webhook-endpoints/${created.id}`, { token });
    expect(got.status).toBe(200);
    expect(got.body).not.toHaveProperty('secret');
    expect(got.text).not.toContain(secretBody);
    const { secret: _s, ...withoutSecret } = created;
    expect(got.body).toEqual(withoutSecret);

    const list = await t.request('GET', '/v1/webhook-endpoints', { token });
    expect(list.status).toBe(200);
    expect(list.body.data.map((e: { id: string }) => e.id)).toContain(created.id);
    expect(list.text).not.toContain(secretBody);
    for (const e of list.body.data) expect(e).not.toHaveProperty('secret');

    const [row] = await t.sql('select secret_encrypted from webhook_endpoints where id = ?', [created.id]);
    expect(row.secret_encrypted).toEqual(expect.any(String));
    expect(row.secret_encrypted).not.toContain(created.secret);
    expect(row.secret_encrypted).not.toContain(secretBody);
    expect(row.secret_encrypted).not.toContain(Buffer.from(secretBody, 'base64').toString('hex'));
    const all = JSON.stringify(await t.sql('select * from webhook_endpoints where id = ?', [created.id]));
    expect(all).not.toContain(secretBody);
    // …yet the worker can sign with it: a delivery verifies with the secret shown at creation
    await post(`/v1/webhook-endpoints/${created.id}/test`, token);
    const r = await waitFor('the test event', () => hook.ofType('webhook.test')[0]);
    expect(verify(created.secret, r)).toEqual(r.json);
  });

  it('DELETE → 404 afterwards, gone from the list, and later events are not delivered', async () => {
    const doomed = await receiver();
    const control = await receiver();
    const endpoint = await createEndpoint(token, doomed.url);
    await createEndpoint(token, control.url);

    // it worked before the delete
    const before = await createPayment(token);
    await waitFor('delivery before the delete', () => doomed.forObject(before.id).length === 1);

    const res = await t.request('DELETE', `/v1/webhook-endpoints/${endpoint.id}`, { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: endpoint.id, object: 'webhook_endpoint', mode: 'sandbox', deleted: true });
    expect((await t.request('GET', `/v1/webhook-endpoints/${endpoint.id}`, { token })).status).toBe(404);
    const list = await t.request('GET', '/v1/webhook-endpoints?limit=100', { token });
    expect(list.body.data.map((e: { id: string }) => e.id)).not.toContain(endpoint.id);
    expect((await t.request('DELETE', `/v1/webhook-endpoints/${endpoint.id}`, { token })).status).toBe(404);

    const after = await createPayment(token);
    await waitFor('the control endpoint gets the later event', () => control.forObject(after.id).length === 1);
    await sleep(SETTLE_MS);
    expect(doomed.forObject(after.id)).toHaveLength(0);
    expect(doomed.received).toHaveLength(1);
  });

  it("another tenant's endpoint id (or the other mode's) → 404 on every route", async () => {
    const endpoint = await createEndpoint(token, 'http://127.0.0.1:9/unused');
    const event = (await t.sql(`select id from events where tenant_id = ? limit 1`, [tenant.tenantId]))[0]?.id ?? 'evt_x';
    for (const as of [other, tenant.liveToken]) {
      const calls = [
        t.request('GET', `/v1/webhook-endpoints/${endpoint.id}`, { token: as }),
        t.request('GET', `/v1/webhook-endpoints/${endpoint.id}/deliveries`, { token: as }),
        t.request('DELETE', `/v1/webhook-endpoints/${endpoint.id}`, { token: as }),
        post(`/v1/webhook-endpoints/${endpoint.id}/rotate-secret`, as),
        post(`/v1/webhook-endpoints/${endpoint.id}/test`, as),
        post(`/v1/webhook-endpoints/${endpoint.id}/replay`, as, { eventId: event }),
      ];
      for (const res of await Promise.all(calls)) {
        expect(res.status, res.text).toBe(404);
        expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'resource_missing' });
      }
      const list = await t.request('GET', '/v1/webhook-endpoints?limit=100', { token: as });
      expect(list.body.data.map((e: { id: string }) => e.id)).not.toContain(endpoint.id);
    }
    // still there, untouched, for its owner
    const mine = await t.request('GET', `/v1/webhook-endpoints/${endpoint.id}`, { token });
    expect(mine.body).toMatchObject({ id: endpoint.id, status: 'enabled' });
    expect(await t.count(`webhook_deliveries where endpoint_id = '${endpoint.id}'`)).toBe(0);
    await deleteEndpoint(token, endpoint.id);
  });
});

describe('live mode and SSRF', () => {
  let live: string;
  let sandbox: string;

  beforeAll(async () => {
    const tenant = await t.tenantWithTokens('ssrf-shop');
    live = tenant.liveToken;
    sandbox = tenant.sandboxToken;
  });

  it('live endpoints must be https: http:// → 400 url_invalid', async () => {
    const res = await post('/v1/webhook-endpoints', live, { url: 'http://hooks.example.com/webhooks' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'url_invalid', param: 'url' });
    // the same URL is fine in sandbox
    expect((await post('/v1/webhook-endpoints', sandbox, { url: 'http://hooks.example.com/webhooks' })).status).toBe(201);
    // and https is fine in live
    expect((await post('/v1/webhook-endpoints', live, { url: 'https://hooks.example.com/webhooks' })).status).toBe(201);
  });

  it.each(['https://127.0.0.1/hooks', 'https://169.254.169.254/latest/meta-data/', 'https://10.1.2.3/x', 'https://192.168.1.1/x', 'https://[::1]/x', 'https://0.0.0.0/x'])(
    'live %s → 400 url_invalid (private IP literal at creation)',
    async (url) => {
      const res = await post('/v1/webhook-endpoints', live, { url });
      expect(res.status, res.text).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'url_invalid', param: 'url' });
    },
  );

  it('a live endpoint whose host name resolves to loopback is refused at send time: recorded error, no connection', async () => {
    const sink = await startTcpSink();
    try {
      const endpoint = await createEndpoint(live, `https://localhost:${sink.port}/hooks`); // not an IP literal: creation passes
      expect(endpoint).toMatchObject({ mode: 'live', status: 'enabled' });
      const test = await post(`/v1/webhook-endpoints/${endpoint.id}/test`, live);
      expect(test.status, test.text).toBe(201);
      const [delivery] = await waitFor('a recorded attempt', async () => {
        const list = await deliveriesOf(live, endpoint.id);
        return list.length === 1 && list[0]!.attempts.length >= 1 ? list : null;
      });
      expect(delivery!.status).not.toBe('succeeded');
      const attempt = delivery!.attempts[0]!;
      expect(attempt.statusCode).toBeNull();
      expect(attempt.error).toMatch(/refused/i);
      expect(attempt.error).toMatch(/private/i);
      expect(sink.connections).toBe(0);
      await deleteEndpoint(live, endpoint.id);
    } finally {
      sink.server.close();
    }
  });

  it('sandbox endpoints on 127.0.0.1 are delivered', async () => {
    const hook = await receiver();
    const endpoint = await createEndpoint(sandbox, hook.url);
    const p = await createPayment(sandbox);
    const r = await waitFor('delivery to 127.0.0.1', () => hook.forObject(p.id)[0]);
    expect(verify(endpoint.secret, r)).toMatchObject({ type: 'payment.created', mode: 'sandbox' });
  });

  it('postJson without the guard (WEBHOOK_ALLOW_PRIVATE_TARGETS=true) reaches 127.0.0.1', async () => {
    const hook = await receiver();
    const result = await postJson(hook.url, { 'content-type': 'application/json' }, '{"a":1}', { guard: false });
    expect(result).toMatchObject({ statusCode: 200, forbidden: false, error: null });
    expect(hook.received).toHaveLength(1);
    const guarded = await postJson(hook.url, { 'content-type': 'application/json' }, '{"a":1}', { guard: true });
    expect(guarded).toMatchObject({ statusCode: null, forbidden: true });
    expect(hook.received).toHaveLength(1);
  });

  it('with WEBHOOK_ALLOW_PRIVATE_TARGETS=true, live endpoints may target private addresses (created, and connected to at send time)', async () => {
    const t2 = await startTestPlatform({ webhookRetryScale: 0.001, env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
    const sink = await startTcpSink();
    try {
      expect(t2.config.webhookAllowPrivateTargets).toBe(true);
      const liveToken = (await t2.tenantWithTokens('private-ok')).liveToken;
      const res = await t2.request('POST', '/v1/webhook-endpoints', { token: liveToken, idempotencyKey: 'p-1', body: { url: `https://127.0.0.1:${sink.port}/hooks` } });
      expect(res.status, res.text).toBe(201);
      const test = await t2.request('POST', `/v1/webhook-endpoints/${res.body.id}/test`, { token: liveToken, idempotencyKey: 'p-2' });
      expect(test.status, test.text).toBe(201);
      await waitFor('a connection to the private target', () => sink.connections >= 1);
      const attempt = await waitFor('a recorded attempt', async () => {
        const list = await t2.request('GET', `/v1/webhook-endpoints/${res.body.id}/deliveries`, { token: liveToken });
        return list.body.data[0]?.attempts[0] as { error: string | null } | undefined;
      });
      expect(attempt.error ?? '').not.toMatch(/private/i); // it failed at TLS, not at the guard
      expect((await t2.request('DELETE', `/v1/webhook-endpoints/${res.body.id}`, { token: liveToken })).status).toBe(200);
    } finally {
      sink.server.close();
      await t2.close();
    }
  });
});

describe('secret rotation', () => {
  it('during the grace period both secrets verify; after it only the new one', async () => {
    const token = (await t.tenantWithTokens('rotate-shop')).sandboxToken;
    const hook = await receiver();
    const endpoint = await createEndpoint(token, hook.url);
    const oldSecret = endpoint.secret;

    const rotated = await post(`/v1/webhook-endpoints/${endpoint.id}/rotate-secret`, token);
    expect(rotated.status, rotated.text).toBe(200);
    const newSecret = rotated.body.secret as string;
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(oldSecret);
    expect(rotated.body).toMatchObject({ id: endpoint.id, status: 'enabled' });
    const graceEnds = Date.parse(rotated.body.previousSecretExpiresAt);
    expect(Math.abs(graceEnds - (Date.now() + 24 * 3600_000))).toBeLessThan(60_000);
    const got = await t.request('GET', `/v1/webhook-endpoints/${endpoint.id}`, { token });
    expect(got.text).not.toContain(newSecret.slice(6));

    // during the grace period: two signatures, and BOTH secrets verify
    const during = await post(`/v1/webhook-endpoints/${endpoint.id}/test`, token);
    expect(during.status, during.text).toBe(201);
    const first = await waitFor('the first test event', () => hook.ofType('webhook.test')[0]);
    expect(String(first.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify(oldSecret, first)).toEqual(first.json);
    expect(verify(newSecret, first)).toEqual(first.json);

    // after the grace period: one signature, only the new secret verifies
    await t.sql(`update webhook_endpoints set previous_secret_expires_at = now() - interval '1 minute' where id = ?`, [endpoint.id]);
    await post(`/v1/webhook-endpoints/${endpoint.id}/test`, token);
    const second = await waitFor('the second test event', () => hook.ofType('webhook.test')[1]);
    expect(second.webhookId).not.toBe(first.webhookId);
    expect(String(second.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(verify(newSecret, second)).toEqual(second.json);
    expect(() => verify(oldSecret, second)).toThrow(WebhookVerificationError);
  });
});

describe('replay and test events', () => {
  let token: string;
  let otherToken: string;

  beforeAll(async () => {
    token = (await t.tenantWithTokens('replay-shop')).sandboxToken;
    otherToken = (await t.tenantWithTokens('replay-other')).sandboxToken;
  });

  it('POST /{id}/replay {eventId} re-sends an old event with the same webhook-id, and it arrives', async () => {
    const hook = await receiver();
    const endpoint = await createEndpoint(token, hook.url);
    const p = await createPayment(token);
    const original = await waitFor('the original delivery', () => hook.forObject(p.id)[0]);
    await waitFor('original delivery recorded', async () => (await deliveriesOf(token, endpoint.id))[0]?.status === 'succeeded');

    const res = await post(`/v1/webhook-endpoints/${endpoint.id}/replay`, token, { eventId: original.webhookId });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ object: 'webhook_delivery', endpointId: endpoint.id, eventId: original.webhookId, status: 'pending' });

    const replayed = await waitFor('the replay', () => hook.forObject(p.id)[1]);
    expect(replayed.webhookId).toBe(original.webhookId);
    expect(replayed.json).toEqual(original.json);
    expect(verify(endpoint.secret, replayed)).toEqual(original.json);

    const deliveries = await waitFor('both deliveries succeeded', async () => {
      const list = (await deliveriesOf(token, endpoint.id)).filter((d) => d.eventId === original.webhookId);
      return list.length === 2 && list.every((d) => d.status === 'succeeded') ? list : null;
    });
    expect(deliveries.map((d) => d.id)).toContain(res.body.id);
    await sleep(SETTLE_MS);
    expect(hook.forObject(p.id)).toHaveLength(2);
  });

  it('replay of an unknown event or of another tenant’s event → 404', async () => {
    const endpoint = await createEndpoint(token, 'http://127.0.0.1:9/unused');
    const unknown = await post(`/v1/webhook-endpoints/${endpoint.id}/replay`, token, { eventId: 'evt_does_not_exist' });
    expect(unknown.status).toBe(404);
    await createPayment(otherToken);
    const [foreign] = await t.sql(`select e.id from events e join tenants tn on tn.id = e.tenant_id where tn.app_name = 'replay-other' limit 1`);
    expect(foreign?.id).toMatch(/^evt_/);
    const res = await post(`/v1/webhook-endpoints/${endpoint.id}/replay`, token, { eventId: foreign.id });
    expect(res.status).toBe(404);
    expect(await t.count(`webhook_deliveries where endpoint_id = '${endpoint.id}'`)).toBe(0);
    await deleteEndpoint(token, endpoint.id);
  });

  it('POST /{id}/test sends a webhook.test event to that endpoint only', async () => {
    const tenantToken = (await t.tenantWithTokens('test-event-shop')).sandboxToken;
    const a = await receiver();
    const b = await receiver();
    const endpointA = await createEndpoint(tenantToken, a.url);
    await createEndpoint(tenantToken, b.url);

    const res = await post(`/v1/webhook-endpoints/${endpointA.id}/test`, tenantToken);
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ object: 'webhook_delivery', endpointId: endpointA.id, eventId: expect.stringMatching(/^evt_/) });
    const r = await waitFor('the test event at A', () => a.ofType('webhook.test')[0]);
    expect(r.webhookId).toBe(res.body.eventId);
    expect(verify(endpointA.secret, r)).toMatchObject({
      id: res.body.eventId,
      object: 'event',
      type: 'webhook.test',
      mode: 'sandbox',
      data: { object: { id: endpointA.id, object: 'webhook_endpoint', url: a.url } },
    });
    // a control event that goes everywhere, then nothing else
    const p = await createPayment(tenantToken);
    await waitFor('control event at B', () => b.forObject(p.id).length === 1);
    await sleep(SETTLE_MS);
    expect(b.ofType('webhook.test')).toHaveLength(0);
    expect(a.ofType('webhook.test')).toHaveLength(1);
    expect(await t.count(`webhook_deliveries where event_id = '${res.body.eventId}'`)).toBe(1);
  });
});

describe('redirects and timeouts', () => {
  it('a redirect is not followed and counts as a failure', async () => {
    const token = (await t.tenantWithTokens('redirect-shop')).sandboxToken;
    const hook = await receiver((r) =>
      r.path === '/followed' ? { status: 200, body: 'followed' } : { status: 302, headers: { location: '/followed' }, body: 'moved' },
    );
    const endpoint = await createEndpoint(token, hook.url);
    await createPayment(token);
    // the first attempt fails and is retried (5 ms scaled), so two attempts show the failure
    const [delivery] = await waitFor('two recorded attempts', async () => {
      const list = await deliveriesOf(token, endpoint.id);
      return list[0] && list[0].attempts.length >= 2 ? list : null;
    });
    await deleteEndpoint(token, endpoint.id);
    expect(delivery!.status).not.toBe('succeeded');
    expect(delivery!.attempts.slice(0, 2).map((a) => a.statusCode)).toEqual([302, 302]);
    expect(hook.received.filter((r) => r.path === '/followed')).toHaveLength(0);
    expect(hook.received.length).toBeGreaterThanOrEqual(2);
  });

  it('postJson does not follow a redirect either', async () => {
    const hook = await receiver((r) => (r.path === '/followed' ? { status: 200 } : { status: 307, headers: { location: '/followed' } }));
    const result = await postJson(hook.url, {}, '{}', { guard: false });
    expect(result.statusCode).toBe(307);
    expect(hook.received.map((r) => r.path)).toEqual(['/hooks']);
  });

  it('a receiver that never answers is cut at the timeout (15 s in production)', async () => {
    expect(DELIVERY_TIMEOUT_MS).toBe(15_000);
    const sockets = new Set<net.Socket>();
    const silent = http.createServer(() => {
      // never answers
    });
    silent.on('connection', (s) => sockets.add(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const started = Date.now();
      const result = await postJson(`http://127.0.0.1:${(silent.address() as AddressInfo).port}/`, {}, '{}', { guard: false, timeoutMs: 200 });
      const elapsed = Date.now() - started;
      expect(result.statusCode).toBeNull();
      expect(result.forbidden).toBe(false);
      expect(result.error).toMatch(/timed out/i);
      expect(elapsed).toBeGreaterThanOrEqual(190);
      expect(elapsed).toBeLessThan(5_000);
      expect(sockets.size).toBe(1);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });
});
