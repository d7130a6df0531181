import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationsList } from '../src/db/migrations/index.js';
import { databaseRateLimitStore, memoryRateLimitStore } from '../src/http/rate-limit-store.js';
import { startTestPlatform, validPayment, type ApiResponse, type TestPlatform } from './harness.js';

function expectErrorBody(res: ApiResponse, status: number, type: string, code: string): void {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.body.error).toMatchObject({ type, code, message: expect.any(String) });
  expect(res.body.error.requestId).toBe(res.headers.get('request-id'));
}

describe('on a migrated database', () => {
  let t: TestPlatform;
  let token: string;

  beforeAll(async () => {
    t = await startTestPlatform();
    token = (await t.tenantWithTokens('ops-shop')).sandboxToken;
  });
  afterAll(() => t.close());

  it('GET /healthz → 200', async () => {
    const res = await t.request('GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('GET /readyz → 200', async () => {
    const res = await t.request('GET', '/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready' });
  });

  it('GET /metrics is Prometheus text with request counts by route pattern (never a raw id) and latency', async () => {
    const created = await t.request('POST', '/v1/payments', { token, idempotencyKey: 'metrics-1', body: validPayment });
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    expect((await t.request('GET', `/v1/payments/${id}`, { token })).status).toBe(200);
    expect((await t.request('GET', '/v1/payments/pay_rawidnotfound', { token })).status).toBe(404);
    expect((await t.request('POST', '/v1/payments/pay_rawidcancel/cancel', { token, idempotencyKey: 'metrics-2' })).status).toBe(404);

    const res = await t.request('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.text;
    expect(text).toContain('# TYPE http_requests_total counter');
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    // Successes and errors of the same route share one label, with the /v1 prefix.
    expect(text).toMatch(/^http_requests_total\{method="GET",route="\/v1\/payments\/:id",status="200"\} 1$/m);
    expect(text).toMatch(/^http_requests_total\{method="GET",route="\/v1\/payments\/:id",status="404"\} 1$/m);
    expect(text).toMatch(/^http_requests_total\{method="POST",route="\/v1\/payments\/:id\/cancel",status="404"\} 1$/m);
    expect(text).toMatch(/^http_requests_total\{method="POST",route="\/v1\/payments",status="201"\} 1$/m);
    expect(text).toMatch(/^http_request_duration_seconds_bucket\{le="[^"]+",method="GET",route="\/v1\/payments\/:id"\} \d+$/m);
    expect(text).toMatch(/^http_request_duration_seconds_count\{method="GET",route="\/v1\/payments\/:id"\} 2$/m);
    for (const raw of [id, 'pay_rawidnotfound', 'pay_rawidcancel']) expect(text).not.toContain(raw);
    // every route label is a pattern or "unmatched"
    for (const [, route] of text.matchAll(/route="([^"]*)"/g)) expect(route).toMatch(/^(unmatched|\/[a-z0-9/:._-]*)$/);
  });

  it('every response carries a Request-Id header, errors and 404s included', async () => {
    const responses = await Promise.all([
      t.request('GET', '/healthz'),
      t.request('GET', '/readyz'),
      t.request('GET', '/metrics'),
      t.request('GET', '/openapi.json'),
      t.request('GET', '/docs'),
      t.request('GET', '/nope'),
      t.request('GET', '/v1/nope', { token }),
      t.request('GET', '/v1/payments'),
      t.request('GET', '/v1/payments', { token }),
      t.request('GET', '/v1/payments/pay_missing', { token }),
      t.request('POST', '/v1/payments', { token, body: validPayment }),
      t.request('POST', '/v1/payments', { token, idempotencyKey: 'rid-1', rawBody: '{' }),
      t.request('POST', '/v1/payments', { token, idempotencyKey: 'rid-2', rawBody: JSON.stringify({ d: 'x'.repeat(70_000) }) }),
      t.request('POST', '/v1/auth/token', { body: { appName: 'ops-shop', appSecret: 'sk_sandbox_wrong' } }),
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 404, 404, 401, 200, 404, 400, 400, 413, 401]);
    const ids = responses.map((r) => r.headers.get('request-id'));
    for (const id of ids) expect(id).toMatch(/^req_[A-Za-z0-9_-]{8,}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('on an unmigrated database', () => {
  let t: TestPlatform;

  beforeAll(async () => {
    t = await startTestPlatform({ migrate: false });
  });
  afterAll(() => t.close());

  it('/healthz is still 200 (the process is up)', async () => {
    expect((await t.request('GET', '/healthz')).status).toBe(200);
  });

  it('/readyz → 503 with a reason naming the pending migration', async () => {
    const res = await t.request('GET', '/readyz');
    expect(res.status).toBe(503);
    expect(res.body.status).toBe('not_ready');
    expect(migrationsList.length).toBeGreaterThan(0);
    for (const m of migrationsList) expect(res.body.reason).toContain(m.name);
  });

  it.each([
    ['POST', '/v1/auth/token', { body: { appName: 'a', appSecret: 'sk_sandbox_x' } }],
    ['GET', '/v1/payments', {}],
    ['POST', '/v1/payments', { token: 'x', idempotencyKey: 'k', body: validPayment }],
    ['GET', '/v1/events/evt_1', {}],
  ] as const)('%s %s → 503 api_error in the error shape', async (method, path, opts) => {
    const res = await t.request(method, path, opts);
    expectErrorBody(res, 503, 'api_error', 'service_unavailable');
    expect(res.body.error.message).toMatch(/migrat/i);
  });

  it.each([
    ['POST', '/webhooks/sandbox', { rawBody: '{"type":"payment.succeeded"}' }],
    ['POST', '/webhooks/stripe', { rawBody: '{}', headers: { 'stripe-signature': 't=1,v1=x' } }],
    ['POST', '/webhooks/adyen', { body: { notificationItems: [] } }],
  ] as const)('inbound provider webhooks: %s %s → 503 in the error shape (the provider retries later)', async (method, path, opts) => {
    const res = await t.request(method, path, opts);
    expectErrorBody(res, 503, 'api_error', 'service_unavailable');
    expect(res.body.error.message).toMatch(/migrat/i);
  });

  it.each([
    ['GET', `/trpc/checkout.session?input=${encodeURIComponent(JSON.stringify({ token: 'x.y.z' }))}`, {}],
    ['POST', '/trpc/console.auth.login', { body: { email: 'a@example.com', password: 'pw' }, headers: { 'x-console-csrf': '1' } }],
    ['GET', '/trpc/console.auth.me', {}],
  ] as const)('tRPC (checkout and console): %s %s → 503 in the tRPC error shape the apps read', async (method, path, opts) => {
    const res = await t.request(method, path, opts);
    expect(res.status, res.text).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body.error).toMatchObject({
      message: expect.stringMatching(/migrat/i),
      data: { code: 'SERVICE_UNAVAILABLE', httpStatus: 503, appCode: 'service_unavailable' },
    });
    expect(res.text).not.toMatch(/stack|select |pgboss/i);
  });

  it('the hosted pages\' static files are still served (no migration error)', async () => {
    for (const path of ['/pay/some.checkout.token', '/console/']) {
      const res = await t.request('GET', path);
      // 200 with the built app, or 503 "not built" when the web apps were not built.
      expect(res.text).not.toMatch(/migrat/i);
      if (res.status === 200) expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    }
  });
});

describe.each(['database', 'memory'] as const)('rate limiting (RATE_LIMIT_STORE=%s)', (store) => {
  let t: TestPlatform;

  beforeAll(async () => {
    t = await startTestPlatform({ env: { RATE_LIMIT_SANDBOX: '3', RATE_LIMIT_LIVE: '100', RATE_LIMIT_STORE: store } });
  });
  afterAll(() => t.close());

  it('the 4th sandbox request within a second → 429 rate_limit_error with Retry-After and RateLimit-* headers', async () => {
    const { sandboxToken } = await t.tenantWithTokens('limited-shop');
    const started = Date.now();
    const ok: ApiResponse[] = [];
    for (let i = 0; i < 3; i++) ok.push(await t.request('GET', '/v1/payments', { token: sandboxToken }));
    const limited = await t.request('GET', '/v1/payments', { token: sandboxToken });
    expect(Date.now() - started).toBeLessThan(1000);

    expect(ok.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(ok.map((r) => r.headers.get('ratelimit-limit'))).toEqual(['3', '3', '3']);
    expect(ok.map((r) => r.headers.get('ratelimit-remaining'))).toEqual(['2', '1', '0']);

    expectErrorBody(limited, 429, 'rate_limit_error', 'rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get('ratelimit-limit')).toBe('3');
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    expect(Number(limited.headers.get('ratelimit-reset'))).toBeGreaterThanOrEqual(1);

    // POSTs count against the same budget, and a rate-limited POST executes nothing.
    const before = await t.count('payments');
    const post = await t.request('POST', '/v1/payments', { token: sandboxToken, idempotencyKey: 'rl-1', body: validPayment });
    expect(post.status).toBe(429);
    expect(await t.count('payments')).toBe(before);
  });

  it('the budget is per tenant and mode: a live token and another tenant are limited separately', async () => {
    const tenant = await t.tenantWithTokens('split-shop');
    const other = await t.tenantWithTokens('other-shop');
    for (let i = 0; i < 3; i++) expect((await t.request('GET', '/v1/payments', { token: tenant.sandboxToken })).status).toBe(200);
    expect((await t.request('GET', '/v1/payments', { token: tenant.sandboxToken })).status).toBe(429);

    const live = await t.request('GET', '/v1/payments', { token: tenant.liveToken });
    expect(live.status).toBe(200);
    expect(live.headers.get('ratelimit-limit')).toBe('100');
    expect(live.headers.get('ratelimit-remaining')).toBe('99');

    const otherSandbox = await t.request('GET', '/v1/payments', { token: other.sandboxToken });
    expect(otherSandbox.status).toBe(200);
    expect(otherSandbox.headers.get('ratelimit-remaining')).toBe('2');
  });

  it('the budget refills after the window', async () => {
    const { sandboxToken } = await t.tenantWithTokens('refill-shop');
    for (let i = 0; i < 4; i++) await t.request('GET', '/v1/payments', { token: sandboxToken });
    const limited = await t.request('GET', '/v1/payments', { token: sandboxToken });
    expect(limited.status).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, Number(limited.headers.get('retry-after')) * 1000 + 100));
    expect((await t.request('GET', '/v1/payments', { token: sandboxToken })).status).toBe(200);
  });

  it(store === 'database' ? 'two replicas (two stores on one database) share one budget' : 'each process (each store) counts on its own', async () => {
    const make = () => (store === 'database' ? databaseRateLimitStore(t.platform.orm) : memoryRateLimitStore());
    const [a, b] = [make(), make()];
    const key = `replicas-${store}-${Date.now()}`;
    const decisions = [];
    for (let i = 0; i < 6; i++) decisions.push(await (i % 2 === 0 ? a : b).consume(key, 3));
    const allowed = decisions.filter((d) => d.allowed).length;
    expect(allowed).toBe(store === 'database' ? 3 : 6);
    if (store === 'database') {
      expect(decisions.map((d) => d.remaining)).toEqual([2, 1, 0, 0, 0, 0]);
      for (const d of decisions) expect(d.msBeforeNext).toBeLessThanOrEqual(1000);
    }
  });
});

describe('RATE_LIMIT_PUBLIC: the public tRPC API (hosted checkout, console sign-in) per client IP', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform({ env: { RATE_LIMIT_PUBLIC: '3' } });
  });
  afterAll(() => t.close());

  it('the 4th call from one address within a second → 429 rate_limited in the tRPC error shape; REST is not affected', async () => {
    const { sandboxToken } = await t.tenantWithTokens('public-limit-shop');
    const created = await t.request('POST', '/v1/payments', { token: sandboxToken, idempotencyKey: 'public-rl', body: validPayment });
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the two token exchanges above spent this second's budget
    const session = () => t.request('GET', `/trpc/checkout.session?input=${encodeURIComponent(JSON.stringify({ token: created.body.checkoutToken }))}`);
    const started = Date.now();
    const results = [await session(), await session(), await session(), await session()];
    expect(Date.now() - started).toBeLessThan(1000);
    expect(results.slice(0, 3).map((r) => r.status)).toEqual([200, 200, 200]);
    const limited = results[3]!;
    expect(limited.status).toBe(429);
    expect(limited.body.error.data).toMatchObject({ appCode: 'rate_limited', details: { retryAfterSeconds: '1' } });
    expect((await t.request('GET', '/v1/payments', { token: sandboxToken })).status).toBe(200);
  });

  it('POST /v1/auth/token spends it too, before any secret is checked: 429 rate_limited in the REST error shape with Retry-After', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the previous test's budget
    await t.tenantWithTokens('token-limit-shop');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const exchange = () => t.request('POST', '/v1/auth/token', { body: { appName: 'token-limit-shop', appSecret: 'sk_sandbox_wrong' } });
    const results = [await exchange(), await exchange(), await exchange(), await exchange()];
    expect(results.slice(0, 3).map((r) => r.status)).toEqual([401, 401, 401]);
    expectErrorBody(results[3]!, 429, 'rate_limit_error', 'rate_limited');
    expect(Number(results[3]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('console sign-in attempts spend the same per-IP budget', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const login = () =>
      t.request('POST', '/trpc/console.auth.login', { body: { email: 'nobody@example.com', password: 'wrong-password' }, headers: { 'x-console-csrf': '1' } });
    const results = [await login(), await login(), await login(), await login()];
    expect(results.slice(0, 3).map((r) => r.status)).toEqual([401, 401, 401]);
    expect(results[3]!.status).toBe(429);
  });
});

describe('TRUST_PROXY decides whose X-Forwarded-For counts as the client address', () => {
  it.each([
    ['loopback', 'each forwarded address has its own budget', [200, 200, 200]],
    ['false', 'the forwarded addresses are ignored: one budget for the connection', [200, 429, 429]],
  ] as const)('TRUST_PROXY=%s: %s', async (trustProxy, _what, expected) => {
    const t = await startTestPlatform({ env: { RATE_LIMIT_PUBLIC: '1', TRUST_PROXY: trustProxy } });
    try {
      const statuses = [];
      for (const ip of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) {
        statuses.push((await t.request('GET', '/trpc/checkout.session?input=%7B%22token%22%3A%22x%22%7D', { headers: { 'x-forwarded-for': ip } })).status === 429 ? 429 : 200);
      }
      expect(statuses).toEqual(expected);
    } finally {
      await t.close();
    }
  });
});

describe('RATE_LIMIT_SANDBOX=0', () => {
  let t: TestPlatform;

  beforeAll(async () => {
    t = await startTestPlatform({ env: { RATE_LIMIT_SANDBOX: '0' } });
  });
  afterAll(() => t.close());

  it('turns the sandbox limit off: 40 requests in a burst all succeed without RateLimit headers', async () => {
    const { sandboxToken } = await t.tenantWithTokens('unlimited-shop');
    const responses = await Promise.all(Array.from({ length: 40 }, () => t.request('GET', '/v1/payments?limit=1', { token: sandboxToken })));
    expect(responses.map((r) => r.status)).toEqual(Array(40).fill(200));
    for (const r of responses) expect(r.headers.get('ratelimit-limit')).toBeNull();
  });
});
