import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, validPayment, type ApiResponse, type TestPlatform } from './harness.js';

let t: TestPlatform;
let token: string;
let keyCounter = 0;
const freshKey = () => `validation-${++keyCounter}-${Date.now()}`;

beforeAll(async () => {
  t = await startTestPlatform();
  token = (await t.tenantWithTokens('validation-shop')).sandboxToken;
});
afterAll(() => t.close());

/** Things that must never leave the process: stack frames, SQL, driver/ORM internals. */
const LEAKS = [
  /\bat .+ \(.+:\d+:\d+\)/, // stack frame "at fn (file:1:2)"
  /\bat .+:\d+:\d+/,
  /node_modules/,
  /\.ts:\d+/,
  /\b(select|insert|update|delete)\b[\s\S]*\b(from|into|set)\b/i,
  /\bsyntax error at or near\b/i,
  /\b(duplicate key|violates|relation ")/i,
  /mikro-?orm|pglite|postgres/i,
  /"stack"/,
];

function expectNoLeak(res: ApiResponse): void {
  for (const pattern of LEAKS) expect(res.text).not.toMatch(pattern);
}

/** The documented error shape, exactly: { error: { type, code, message, param?, requestId } }, requestId = Request-Id header. */
function expectErrorShape(res: ApiResponse, status: number, code: string, param?: string): void {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const requestId = res.headers.get('request-id');
  expect(requestId).toMatch(/^req_/);
  expect(Object.keys(res.body)).toEqual(['error']);
  const { error } = res.body;
  const allowed = ['type', 'code', 'message', 'param', 'requestId'];
  for (const k of Object.keys(error)) expect(allowed).toContain(k);
  expect(error.code).toBe(code);
  expect(typeof error.message).toBe('string');
  expect(error.message.length).toBeGreaterThan(0);
  expect(error.requestId).toBe(requestId);
  if (param === undefined) expect(error).not.toHaveProperty('param');
  else expect(error.param).toBe(param);
  if (status < 500 && status !== 401 && status !== 403 && status !== 422 && status !== 429) {
    expect(error.type).toBe('invalid_request_error');
  }
  expectNoLeak(res);
}

async function counts(): Promise<Record<string, number>> {
  return {
    payments: await t.count('payments'),
    events: await t.count('events'),
    audit_log: await t.count('audit_log'),
  };
}

const metadataWith = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`key${i}`, 'v']));
const { amount: _amount, ...withoutAmount } = validPayment;
const { currency: _currency, ...withoutCurrency } = validPayment;
const { returnUrl: _returnUrl, ...withoutReturnUrl } = validPayment;

describe('POST /v1/payments rejects invalid bodies with a 4xx in the error shape and stores nothing', () => {
  beforeAll(async () => {
    // The baseline: the valid body really is accepted, so every case below fails for its own reason.
    const ok = await t.request('POST', '/v1/payments', { token, idempotencyKey: freshKey(), body: validPayment });
    expect(ok.status, ok.text).toBe(201);
  });

  it.each<[string, unknown, string, string | undefined]>([
    ['amount negative', { ...validPayment, amount: -1999 }, 'amount_invalid', 'amount'],
    ['amount zero', { ...validPayment, amount: 0 }, 'amount_invalid', 'amount'],
    ['amount float', { ...validPayment, amount: 19.99 }, 'amount_invalid', 'amount'],
    ['amount string', { ...validPayment, amount: '1999' }, 'amount_invalid', 'amount'],
    ['amount above the maximum', { ...validPayment, amount: 100_000_000_000 }, 'amount_invalid', 'amount'],
    ['amount missing', withoutAmount, 'parameter_missing', 'amount'],
    ['currency XXX', { ...validPayment, currency: 'XXX' }, 'currency_invalid', 'currency'],
    ['currency lower-case', { ...validPayment, currency: 'eur' }, 'currency_invalid', 'currency'],
    ['currency missing', withoutCurrency, 'parameter_missing', 'currency'],
    ['returnUrl missing', withoutReturnUrl, 'parameter_missing', 'returnUrl'],
    ['returnUrl javascript:', { ...validPayment, returnUrl: 'javascript:alert(1)' }, 'url_invalid', 'returnUrl'],
    ['returnUrl foreign origin', { ...validPayment, returnUrl: 'https://evil.example.com/x' }, 'url_invalid', 'returnUrl'],
    ['returnUrl not https', { ...validPayment, returnUrl: 'http://shop.example.com' }, 'url_invalid', 'returnUrl'],
    ['returnUrl with credentials', { ...validPayment, returnUrl: 'https://u:p@shop.example.com/x' }, 'url_invalid', 'returnUrl'],
    ['cancelUrl foreign origin', { ...validPayment, cancelUrl: 'https://evil.example.com/cart' }, 'url_invalid', 'cancelUrl'],
    ['51 metadata keys', { ...validPayment, metadata: metadataWith(51) }, 'metadata_invalid', 'metadata'],
    ['a 41-character metadata key', { ...validPayment, metadata: { ['k'.repeat(41)]: 'v' } }, 'metadata_invalid', `metadata.${'k'.repeat(41)}`],
    ['a 501-character metadata value', { ...validPayment, metadata: { note: 'v'.repeat(501) } }, 'metadata_invalid', 'metadata.note'],
    ['a non-string metadata value', { ...validPayment, metadata: { count: 3 } }, 'metadata_invalid', 'metadata.count'],
    ['a provider without an account in this mode', { ...validPayment, provider: 'stripe' }, 'parameter_invalid', 'provider'],
    ['an unknown provider', { ...validPayment, provider: 'paypal' }, 'parameter_invalid', 'provider'],
    ['an unknown top-level field', { ...validPayment, captureMethod: 'manual' }, 'parameter_invalid', 'captureMethod'],
    ['a JSON array body', [validPayment], 'parameter_invalid', undefined],
  ])('%s → 400 %s', async (_name, body, code, param) => {
    const before = await counts();
    const res = await t.request('POST', '/v1/payments', { token, idempotencyKey: freshKey(), body });
    expectErrorShape(res, 400, code, param);
    expect(await counts()).toEqual(before);
  });

  it('the limits themselves are accepted: 50 keys, 40-character key, 500-character value', async () => {
    const res = await t.request('POST', '/v1/payments', {
      token,
      idempotencyKey: freshKey(),
      body: { ...validPayment, metadata: { ...metadataWith(49), ['k'.repeat(40)]: 'v'.repeat(500) } },
    });
    expect(res.status, res.text).toBe(201);
  });

  it('a 65 KiB body → 413 body_too_large', async () => {
    const before = await counts();
    const rawBody = JSON.stringify({ ...validPayment, description: 'x'.repeat(65 * 1024) });
    expect(Buffer.byteLength(rawBody)).toBeGreaterThan(64 * 1024);
    const res = await t.request('POST', '/v1/payments', { token, idempotencyKey: freshKey(), rawBody });
    expectErrorShape(res, 413, 'body_too_large');
    expect(await counts()).toEqual(before);
  });

  it.each(['{"amount": 1999,', '{amount: 1999}', "{'amount': 1999}", 'not json at all'])('malformed JSON %j → 400 json_invalid', async (rawBody) => {
    const before = await counts();
    const res = await t.request('POST', '/v1/payments', { token, idempotencyKey: freshKey(), rawBody });
    expectErrorShape(res, 400, 'json_invalid');
    expect(await counts()).toEqual(before);
  });
});

describe('list parameters', () => {
  it.each(['0', '101', '-1', 'abc', '1.5'])('GET /v1/payments?limit=%s → 400 parameter_invalid on limit', async (limit) => {
    const res = await t.request('GET', `/v1/payments?limit=${limit}`, { token });
    expectErrorShape(res, 400, 'parameter_invalid', 'limit');
  });

  it.each(['1', '100'])('GET /v1/payments?limit=%s → 200', async (limit) => {
    const res = await t.request('GET', `/v1/payments?limit=${limit}`, { token });
    expect(res.status).toBe(200);
    expect(res.body.object).toBe('list');
  });

  it('an unknown status filter → 400', async () => {
    const res = await t.request('GET', '/v1/payments?status=paid', { token });
    expectErrorShape(res, 400, 'parameter_invalid', 'status');
  });
});

describe('unknown routes and ids', () => {
  it.each([
    ['GET', '/v1/nope'],
    ['POST', '/v1/payment'],
    ['DELETE', '/v1/payments'],
    ['GET', '/nope'],
  ])('%s %s → 404 route_not_found in the error shape', async (method, path) => {
    const res = await t.request(method, path, { token, idempotencyKey: freshKey() });
    expectErrorShape(res, 404, 'route_not_found');
  });

  it('an unknown payment id → 404 resource_missing with param id', async () => {
    const res = await t.request('GET', '/v1/payments/pay_doesnotexist', { token });
    expectErrorShape(res, 404, 'resource_missing', 'id');
  });

  it('an id with SQL in it answers 404 and says nothing about the database', async () => {
    const res = await t.request('GET', `/v1/payments/${encodeURIComponent("pay_1' or '1'='1")}`, { token });
    expectErrorShape(res, 404, 'resource_missing', 'id');
  });
});

describe('a platform fault', () => {
  let faulty: TestPlatform;
  let faultyToken: string;

  beforeAll(async () => {
    faulty = await startTestPlatform({
      fault: (point) => {
        // Shaped like a pg driver error: its message carries SQL text, its stack names our files.
        if (point === 'payment.create:before_commit') {
          throw Object.assign(new Error('select secret_column from no_such_table - relation "no_such_table" does not exist'), {
            code: '42P01',
            status: 500,
          });
        }
      },
    });
    faultyToken = (await faulty.tenantWithTokens('faulty-shop')).sandboxToken;
  });
  afterAll(() => faulty.close());

  it('→ 500 api_error internal_error, no stack, no SQL, and nothing stored', async () => {
    const res = await faulty.request('POST', '/v1/payments', { token: faultyToken, idempotencyKey: 'fault-1', body: validPayment });
    expect(res.status).toBe(500);
    expect(res.body.error).toMatchObject({ type: 'api_error', code: 'internal_error', requestId: res.headers.get('request-id') });
    expect(Object.keys(res.body.error).sort()).toEqual(['code', 'message', 'requestId', 'type']);
    expectNoLeak(res);
    expect(res.text).not.toContain('no_such_table');
    expect(res.text).not.toContain('secret_column');
    expect(await faulty.count('payments')).toBe(0);
    expect(await faulty.count('events')).toBe(0);
  });
});

describe('provider and mode', () => {
  it('live mode refuses the sandbox provider', async () => {
    const live = await t.tenantWithTokens('validation-live');
    const res = await t.request('POST', '/v1/payments', { token: live.liveToken, idempotencyKey: freshKey(), body: { ...validPayment, provider: 'sandbox' } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'parameter_invalid', param: 'provider' });
  });
});

describe('bodies that are not JSON are refused, never ignored', () => {
  async function payment() {
    const res = await t.request('POST', '/v1/payments', { token, idempotencyKey: freshKey(), body: validPayment });
    expect(res.status, res.text).toBe(201);
    return res.body.id as string;
  }
  const more = async () => ({ ...(await counts()), refunds: await t.count('refunds') });

  it.each([
    ['text/plain', '/refunds', '{"amount":500}'],
    ['application/x-www-form-urlencoded', '/refunds', 'amount=500'],
    ['text/plain', '/checkout', '{"checkoutExpiresInSeconds":60}'],
    ['text/plain', '/cancel', '{}'],
  ])('a %s body to POST /v1/payments/{id}%s → 400 json_invalid, and nothing changes', async (contentType, action, rawBody) => {
    const id = await payment();
    const before = await more();
    const res = await t.request('POST', `/v1/payments/${id}${action}`, { token, idempotencyKey: freshKey(), rawBody, headers: { 'content-type': contentType } });
    expectErrorShape(res, 400, 'json_invalid');
    expect(res.body.error.message).toContain('application/json');
    expect(await more()).toEqual(before);
    expect((await t.request('GET', `/v1/payments/${id}`, { token })).body.status).toBe('requires_payment_method');
  });

  it('the refusal is not stored under the key: sent again as JSON with the same key, the request runs', async () => {
    const id = await payment();
    const key = freshKey();
    const refused = await t.request('POST', `/v1/payments/${id}/cancel`, { token, idempotencyKey: key, rawBody: '{}', headers: { 'content-type': 'text/plain' } });
    expect(refused.status).toBe(400);
    const fixed = await t.request('POST', `/v1/payments/${id}/cancel`, { token, idempotencyKey: key, rawBody: '{}' });
    expect(fixed.status, fixed.text).toBe(200);
    expect(fixed.headers.get('idempotent-replayed')).toBeNull();
    expect(fixed.body.status).toBe('canceled');
  });

  it('a non-JSON body over 64 KiB → 413 body_too_large', async () => {
    const id = await payment();
    const res = await t.request('POST', `/v1/payments/${id}/cancel`, { token, idempotencyKey: freshKey(), rawBody: 'x'.repeat(65 * 1024), headers: { 'content-type': 'text/plain' } });
    expectErrorShape(res, 413, 'body_too_large');
  });

  it.each([
    ['/cancel', { reason: 'duplicate' }],
    ['/checkout', { checkoutExpiresInSeconds: 120, foo: 1 }],
  ])('an unknown parameter to POST /v1/payments/{id}%s → 400 parameter_invalid, and nothing changes', async (action, body) => {
    const id = await payment();
    const before = await more();
    const res = await t.request('POST', `/v1/payments/${id}${action}`, { token, idempotencyKey: freshKey(), body });
    expect(res.status, res.text).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'parameter_invalid', message: expect.stringMatching(/^Unknown parameter/) });
    expect(await more()).toEqual(before);
  });

  it('rotate-secret and test take no parameters either; no body and {} are fine', async () => {
    const endpoint = await t.request('POST', '/v1/webhook-endpoints', { token, idempotencyKey: freshKey(), body: { url: 'https://hooks.example.com/params' } });
    expect(endpoint.status, endpoint.text).toBe(201);
    for (const action of ['rotate-secret', 'test']) {
      const refused = await t.request('POST', `/v1/webhook-endpoints/${endpoint.body.id}/${action}`, { token, idempotencyKey: freshKey(), body: { expiresInHours: 1 } });
      expect(refused.status, refused.text).toBe(400);
      expect(refused.body.error).toMatchObject({ code: 'parameter_invalid', param: 'expiresInHours' });
    }
    const rotated = await t.request('POST', `/v1/webhook-endpoints/${endpoint.body.id}/rotate-secret`, { token, idempotencyKey: freshKey(), body: {} });
    expect(rotated.status, rotated.text).toBe(200);
    const canceled = await t.request('POST', `/v1/payments/${await payment()}/cancel`, { token, idempotencyKey: freshKey() });
    expect(canceled.status, canceled.text).toBe(200);
  });
});

describe('startingAfter must name an object of the list', () => {
  it.each(['/v1/payments', '/v1/events', '/v1/webhook-endpoints'])('GET %s?startingAfter=<unknown> → 404 resource_missing on startingAfter', async (path) => {
    const res = await t.request('GET', `${path}?startingAfter=pay_zzzzzzzzzzzzzzzzzzzzzzzzzz`, { token });
    expectErrorShape(res, 404, 'resource_missing', 'startingAfter');
  });

  it("another tenant's payment id is unknown here too; our own pages on, even when its status no longer matches the filter", async () => {
    const other = await t.tenantWithTokens('validation-cursor-other');
    const theirs = await t.request('POST', '/v1/payments', { token: other.sandboxToken, idempotencyKey: freshKey(), body: validPayment });
    expectErrorShape(await t.request('GET', `/v1/payments?startingAfter=${theirs.body.id}`, { token }), 404, 'resource_missing', 'startingAfter');

    const first = await t.request('POST', '/v1/payments', { token, idempotencyKey: freshKey(), body: validPayment });
    const second = await t.request('POST', '/v1/payments', { token, idempotencyKey: freshKey(), body: validPayment });
    const page = await t.request('GET', `/v1/payments?status=requires_payment_method&limit=1&startingAfter=${second.body.id}`, { token });
    expect(page.status, page.text).toBe(200);
    expect(page.body.data[0].id).toBe(first.body.id);
    // The cursor was canceled meanwhile: it is still a position in the list.
    expect((await t.request('POST', `/v1/payments/${second.body.id}/cancel`, { token, idempotencyKey: freshKey() })).status).toBe(200);
    const again = await t.request('GET', `/v1/payments?status=requires_payment_method&limit=1&startingAfter=${second.body.id}`, { token });
    expect(again.status, again.text).toBe(200);
    expect(again.body.data[0].id).toBe(first.body.id);
  });

  it("a refund list's cursor must be a refund of that payment", async () => {
    const payment = await t.request('POST', '/v1/payments', { token, idempotencyKey: freshKey(), body: validPayment });
    const res = await t.request('GET', `/v1/payments/${payment.body.id}/refunds?startingAfter=re_unknown`, { token });
    expectErrorShape(res, 404, 'resource_missing', 'startingAfter');
  });
});

describe('authorization header', () => {
  it.each(['bearer', 'BEARER', 'Bearer'])('the scheme %s is accepted (case-insensitive); a wrong scheme is not', async (scheme) => {
    const res = await t.request('GET', '/v1/payments?limit=1', { headers: { authorization: `${scheme} ${token}` } });
    expect(res.status, res.text).toBe(200);
    const wrong = await t.request('GET', '/v1/payments?limit=1', { headers: { authorization: `Basic ${token}` } });
    expectErrorShape(wrong, 401, 'authentication_required');
  });
});
