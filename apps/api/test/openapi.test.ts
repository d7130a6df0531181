import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The named export is the same class as the default one, and typechecks under NodeNext (ajv is CommonJS).
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { startTestPlatform, validPayment, type ApiResponse, type TestPlatform } from './harness.js';

/**
 * The OpenAPI document is a contract: every real response must match the schema the document
 * declares for its path + method + status. Schemas are strict (additionalProperties: false,
 * required lists), so a missing or extra field in a response fails here.
 */
type Json = Record<string, any>;

const COMPONENTS = 'https://platform.test/components/';
const V1_PATHS = [
  '/v1/auth/token',
  '/v1/payments',
  '/v1/payments/{id}',
  '/v1/payments/{id}/cancel',
  '/v1/payments/{id}/checkout',
  '/v1/events',
  '/v1/events/{id}',
  '/v1/webhook-endpoints/{id}',
];

let t: TestPlatform;
let doc: Json;
let ajv: Ajv2020;
let secrets: { sandbox: string; live: string };
let token: string;
const validators = new Map<string, ValidateFunction>();
const headerValidators = new Map<string, ValidateFunction>();
const checked = new Set<string>();

/** `#/components/schemas/X` → an absolute id under which X is registered on its own. */
function rewriteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([k, v]) => [
      k,
      k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/') ? COMPONENTS + v.slice('#/components/schemas/'.length) : rewriteRefs(v),
    ]),
  );
}

function responseValidator(method: string, path: string, status: number): ValidateFunction {
  const key = `${method} ${path} ${status}`;
  const cached = validators.get(key);
  if (cached) return cached;
  const operation = doc['paths'][path]?.[method.toLowerCase()];
  expect(operation, `${method} ${path} is not in the document`).toBeDefined();
  const response = operation.responses[String(status)];
  expect(response, `${method} ${path} does not declare a ${status} response`).toBeDefined();
  const schema = response.content?.['application/json']?.schema;
  expect(schema, `${method} ${path} ${status} declares no application/json schema`).toBeDefined();
  const validate = ajv.compile(rewriteRefs(schema) as Json);
  validators.set(key, validate);
  return validate;
}

const HEADER_REF = '#/components/headers/';

/** A response's headers, each `$ref` resolved in components.headers (a dangling one fails). */
function declaredHeaders(response: Json): Record<string, Json> {
  return Object.fromEntries(
    Object.entries<Json>(response['headers'] ?? {}).map(([name, h]) => {
      if (typeof h['$ref'] !== 'string') return [name, h];
      const resolved = doc['components']?.['headers']?.[String(h['$ref']).slice(HEADER_REF.length)];
      expect(resolved, `${name}: ${h['$ref']} does not resolve`).toBeDefined();
      return [name, resolved];
    }),
  );
}

/** Header values are text: an integer schema gets the number when the text is all digits. */
function headerValue(schema: Json, text: string): unknown {
  return schema['type'] === 'integer' && /^\d+$/.test(text) ? Number(text) : text;
}

/** Headers only some responses carry: when sent, the response must declare them. */
const CONDITIONAL_HEADERS = ['Idempotent-Replayed', 'Retry-After'];

/**
 * Every header the document declares for this response: present when required, and its value
 * valid against the header's schema; a conditional header that is sent must be declared.
 */
function expectHeadersConform(res: ApiResponse, method: string, path: string, status: number): void {
  const key = `${method} ${path} ${status}`;
  const declared = declaredHeaders(doc['paths'][path][method.toLowerCase()].responses[String(status)]);
  expect(declared, `${key} declares no Request-Id header`).toHaveProperty('Request-Id');
  for (const [name, h] of Object.entries(declared)) {
    const text = res.headers.get(name);
    if (text === null) {
      expect(h['required'], `${key}: the required header ${name} is missing`).not.toBe(true);
      continue;
    }
    const validatorKey = JSON.stringify(h['schema']);
    const validate = headerValidators.get(validatorKey) ?? ajv.compile(h['schema']);
    headerValidators.set(validatorKey, validate);
    expect(validate(headerValue(h['schema'], text)), `${key}: header ${name}: ${text} — ${ajv.errorsText(validate.errors)}`).toBe(true);
  }
  for (const name of CONDITIONAL_HEADERS) {
    if (res.headers.get(name) !== null) expect(declared, `${key} sent ${name} but does not declare it`).toHaveProperty(name);
  }
}

/** Asserts the status, then validates the body and the headers against the document's declarations for it. */
function expectConforms(res: ApiResponse, method: string, path: string, status: number): void {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const validate = responseValidator(method, path, status);
  const ok = validate(res.body);
  expect(ok, `${method} ${path} ${status}: ${ajv.errorsText(validate.errors)}\n${res.text}`).toBe(true);
  expectHeadersConform(res, method, path, status);
  checked.add(`${method} ${path} ${status}`);
}

interface Operation {
  key: string;
  method: string;
  path: string;
  op: Json;
}

function operations(): Operation[] {
  return Object.entries<Json>(doc['paths']).flatMap(([path, item]) =>
    Object.entries<Json>(item)
      .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, method, path, op })),
  );
}

const idempotencyKeyParam = (op: Json): Json | undefined =>
  (op['parameters'] ?? []).find((p: Json) => p['in'] === 'header' && p['name'] === 'Idempotency-Key');
const isSuccess = (status: string) => /^2\d\d$/.test(status);

beforeAll(async () => {
  // Live requests get a budget of 1 per second (for a real 429); sandbox stays unlimited.
  t = await startTestPlatform({ env: { RATE_LIMIT_LIVE: '1' } });
  const tenant = await t.createTenant('openapi-shop');
  secrets = tenant.secrets;
  token = await t.login('openapi-shop', secrets.sandbox);
  const res = await t.request('GET', '/openapi.json');
  expect(res.status).toBe(200);
  doc = res.body;
  ajv = new Ajv2020({ strict: true, allErrors: true });
  ajv.addKeyword('example'); // an OpenAPI annotation, not a validation keyword
  for (const [name, schema] of Object.entries<Json>(doc['components']?.['schemas'] ?? {})) {
    ajv.addSchema(rewriteRefs(schema) as Json, COMPONENTS + name);
  }
});
afterAll(() => t.close());

describe('the document', () => {
  it('GET /openapi.json is OpenAPI 3.1.0 with the /v1 paths, bearer auth and this server', () => {
    expect(doc['openapi']).toBe('3.1.0');
    expect(doc['info']).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(Object.keys(doc['paths'])).toEqual(expect.arrayContaining(V1_PATHS));
    expect(doc['components']['securitySchemes']['bearerAuth']).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc['servers'][0].url).toBe(t.config.publicUrl);
    expect(doc['paths']['/v1/payments']['post'].parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ in: 'header', name: 'Idempotency-Key', required: true })]),
    );
  });

  it('GET /docs returns an HTML page that loads /openapi.json with assets served locally', async () => {
    const page = await t.request('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toMatch(/<html/i);
    const init = await t.request('GET', '/docs/init.js');
    expect(init.status).toBe(200);
    expect(init.text).toContain('/openapi.json');
    for (const asset of page.text.match(/(?:src|href)="(\/docs\/[^"]+)"/g) ?? []) {
      const url = asset.replace(/^(?:src|href)="/, '').replace(/"$/, '');
      expect((await t.request('GET', url)).status, url).toBe(200);
    }
  });

  it('the response schemas are strict: an extra or a missing field fails validation', () => {
    const validate = responseValidator('GET', '/v1/payments/{id}', 200);
    const payment = {
      id: 'pay_1',
      object: 'payment',
      mode: 'sandbox',
      status: 'requires_payment_method',
      amount: 1999,
      currency: 'EUR',
      amountRefunded: 0,
      description: null,
      customer: null,
      metadata: {},
      provider: 'sandbox',
      providerReference: null,
      returnUrl: 'https://shop.example.com/done',
      cancelUrl: null,
      checkoutExpiresAt: null,
      lastError: null,
      cancellationReason: null,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
    expect(validate(payment)).toBe(true);
    expect(validate({ ...payment, internalNote: 'x' })).toBe(false);
    const { amountRefunded: _, ...missing } = payment;
    expect(validate(missing)).toBe(false);
    expect(validate({ ...payment, status: 'paid' })).toBe(false);
    expect(validate({ ...payment, lastError: { code: 'card_declined', message: 'm', stack: 'x' } })).toBe(false);
    const error = responseValidator('POST', '/v1/payments', 400);
    expect(error({ error: { type: 'api_error', code: 'internal_error', message: 'm', requestId: 'req_1' } })).toBe(true);
    expect(error({ error: { type: 'api_error', code: 'internal_error', message: 'm', requestId: 'req_1', stack: 'x' } })).toBe(false);
    expect(error({ error: { type: 'api_error', code: 'internal_error', message: 'm' } })).toBe(false);
  });
});

describe('headers, error statuses and the Idempotency-Key rule', () => {
  const RATE_LIMIT_HEADERS = ['Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'];
  const ref = (name: string) => ({ $ref: HEADER_REF + name });

  it('components.headers defines Request-Id, Idempotent-Replayed, Retry-After and RateLimit-* once each', () => {
    const headers = doc['components']['headers'];
    expect(Object.keys(headers).sort()).toEqual(['Idempotent-Replayed', 'Request-Id', ...RATE_LIMIT_HEADERS].sort());
    expect(headers['Request-Id']).toMatchObject({ required: true, schema: { type: 'string' } });
    expect(new RegExp(headers['Request-Id'].schema.pattern).test('req_8vX2kQp1ZtR4mN7c')).toBe(true);
    expect(headers['Idempotent-Replayed'].required).not.toBe(true);
    expect(headers['Idempotent-Replayed'].schema).toMatchObject({ type: 'string', const: 'true' });
    for (const name of RATE_LIMIT_HEADERS) expect(headers[name], name).toMatchObject({ required: true, schema: { type: 'integer' } });
  });

  it('every response of every operation references the Request-Id header, and every header is a $ref into components.headers', () => {
    for (const { key, op } of operations()) {
      for (const [status, response] of Object.entries<Json>(op['responses'])) {
        expect(response['headers']?.['Request-Id'], `${key} ${status}`).toEqual(ref('Request-Id'));
        for (const [name, h] of Object.entries<Json>(response['headers'])) expect(h, `${key} ${status} ${name}`).toEqual(ref(name));
        declaredHeaders(response); // every $ref resolves
      }
    }
  });

  it('every POST but /v1/auth/token takes an Idempotency-Key and declares Idempotent-Replayed on its success and the replayable 400/404/409 only', () => {
    const idempotent = operations().filter(({ op }) => idempotencyKeyParam(op));
    expect(idempotent.map((o) => o.key).sort()).toEqual(
      operations()
        .filter((o) => o.method === 'post' && o.path !== '/v1/auth/token')
        .map((o) => o.key)
        .sort(),
    );
    for (const { key, op } of operations()) {
      for (const [status, response] of Object.entries<Json>(op['responses'])) {
        const replayable = idempotencyKeyParam(op) !== undefined && (isSuccess(status) || ['400', '404', '409'].includes(status));
        expect(response['headers']?.['Idempotent-Replayed'], `${key} ${status}`).toEqual(replayable ? ref('Idempotent-Replayed') : undefined);
      }
    }
  });

  it('every bearer operation declares a 429 with Retry-After and RateLimit-Limit/-Remaining/-Reset (the names rate-limit.ts sends)', () => {
    for (const { key, op } of operations()) {
      const limited = (op['security'] ?? []).some((s: Json) => 'bearerAuth' in s);
      expect(op['responses']['429'] !== undefined, key).toBe(limited);
      if (!limited) continue;
      for (const name of RATE_LIMIT_HEADERS) expect(op['responses']['429'].headers[name], `${key} 429 ${name}`).toEqual(ref(name));
    }
  });

  it('every operation declares 500 and 503 (api_error, error schema); every body-taking operation a 413', () => {
    const error = { $ref: '#/components/schemas/Error' };
    for (const { key, method, op } of operations()) {
      for (const status of ['500', '503']) {
        expect(op['responses'][status]?.content?.['application/json']?.schema, `${key} ${status}`).toEqual(error);
        expect(op['responses'][status].description, `${key} ${status}`).toMatch(/safe to retry/);
      }
      if (op['requestBody'] || method === 'post') {
        expect(op['responses']['413']?.content?.['application/json']?.schema, `${key} 413`).toEqual(error);
      }
    }
  });

  it('POST /v1/auth/token declares 200, 400, 401, 413, 500 and 503', () => {
    expect(Object.keys(doc['paths']['/v1/auth/token'].post.responses).sort()).toEqual(['200', '400', '401', '413', '500', '503']);
  });

  it('no operation declares 403: nothing under /v1 answers permission_error (another tenant’s or mode’s id is a 404)', () => {
    for (const { key, op } of operations()) expect(Object.keys(op['responses']), key).not.toContain('403');
  });

  it('the Idempotency-Key pattern is printable ASCII, 1–255: accepts abc-123, rejects a newline, a tab or a non-ASCII character', () => {
    for (const { key, op } of operations().filter((o) => idempotencyKeyParam(o.op))) {
      const schema = idempotencyKeyParam(op)!['schema'];
      expect(schema, key).toMatchObject({ type: 'string', minLength: 1, maxLength: 255, pattern: expect.any(String) });
      // Without and with the `u` flag (JSON Schema validators use it): the same answers.
      for (const pattern of [new RegExp(schema.pattern), new RegExp(schema.pattern, 'u')]) {
        for (const ok of ['abc-123', 'order 1001/retry~2', ' ', '~', 'x'.repeat(255)]) expect(pattern.test(ok), `${key} ${JSON.stringify(ok)}`).toBe(true);
        for (const bad of ['', 'abc\n123', 'abc-123\n', 'a\tb', 'a\x7fb', 'é', 'ключ', 'x'.repeat(256)]) {
          expect(pattern.test(bad), `${key} ${JSON.stringify(bad)}`).toBe(false);
        }
      }
    }
  });

  it('the server agrees with the pattern on every key a client can send', async () => {
    const pattern = new RegExp(idempotencyKeyParam(doc['paths']['/v1/payments'].post)!['schema'].pattern);
    // fetch refuses a newline or a character above U+00FF in a header; a tab and Latin-1 go through.
    for (const key of ['oa pattern ok-1', 'oa\tpattern', 'oa-é', 'x'.repeat(256)]) {
      const res = await t.request('POST', '/v1/payments', { token, idempotencyKey: key, body: { ...validPayment, amount: 0 } });
      expectConforms(res, 'POST', '/v1/payments', 400);
      expect(res.body.error.param === 'Idempotency-Key', JSON.stringify(key)).toBe(!pattern.test(key));
    }
  });
});

describe('real responses match the document', () => {
  let paymentId: string;
  let canceledId: string;

  it('POST /v1/auth/token → 200, 400, 401', async () => {
    expectConforms(await t.request('POST', '/v1/auth/token', { body: { appName: 'openapi-shop', appSecret: secrets.sandbox } }), 'POST', '/v1/auth/token', 200);
    expectConforms(await t.request('POST', '/v1/auth/token', { body: { appName: 'openapi-shop' } }), 'POST', '/v1/auth/token', 400);
    expectConforms(await t.request('POST', '/v1/auth/token', { body: { appName: 'openapi-shop', appSecret: 'sk_sandbox_wrong' } }), 'POST', '/v1/auth/token', 401);
  });

  it('POST /v1/payments → 201, 400, 401, 413, 422', async () => {
    const created = await t.request('POST', '/v1/payments', { token, idempotencyKey: 'oa-create-1', body: validPayment });
    expectConforms(created, 'POST', '/v1/payments', 201);
    expect(created.body.checkoutToken).toEqual(expect.any(String));
    paymentId = created.body.id;

    const minimal = await t.request('POST', '/v1/payments', {
      token,
      idempotencyKey: 'oa-create-2',
      body: { amount: 500, currency: 'JPY', returnUrl: 'https://shop.example.com/done' },
    });
    expectConforms(minimal, 'POST', '/v1/payments', 201);
    canceledId = minimal.body.id;

    expectConforms(await t.request('POST', '/v1/payments', { token, idempotencyKey: 'oa-bad', body: { ...validPayment, amount: 0 } }), 'POST', '/v1/payments', 400);
    expectConforms(await t.request('POST', '/v1/payments', { token, idempotencyKey: 'oa-json', rawBody: '{' }), 'POST', '/v1/payments', 400);
    expectConforms(await t.request('POST', '/v1/payments', { idempotencyKey: 'oa-noauth', body: validPayment }), 'POST', '/v1/payments', 401);
    expectConforms(
      await t.request('POST', '/v1/payments', { token, idempotencyKey: 'oa-big', rawBody: JSON.stringify({ ...validPayment, description: 'x'.repeat(70_000) }) }),
      'POST',
      '/v1/payments',
      413,
    );
    expectConforms(
      await t.request('POST', '/v1/payments', { token, idempotencyKey: 'oa-create-1', body: { ...validPayment, amount: 1 } }),
      'POST',
      '/v1/payments',
      422,
    );
  });

  it('POST /v1/payments replayed → the stored 201 and 400 with Idempotent-Replayed: true', async () => {
    const replayed = await t.request('POST', '/v1/payments', { token, idempotencyKey: 'oa-create-1', body: validPayment });
    expectConforms(replayed, 'POST', '/v1/payments', 201);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(replayed.body.id).toBe(paymentId);
    const badAgain = await t.request('POST', '/v1/payments', { token, idempotencyKey: 'oa-bad', body: { ...validPayment, amount: 0 } });
    expectConforms(badAgain, 'POST', '/v1/payments', 400);
    expect(badAgain.headers.get('idempotent-replayed')).toBe('true');
    const fresh = await t.request('POST', '/v1/payments', { token, idempotencyKey: 'oa-create-3', body: validPayment });
    expectConforms(fresh, 'POST', '/v1/payments', 201);
    expect(fresh.headers.get('idempotent-replayed')).toBeNull();
  });

  it('GET /v1/payments/{id} → 200 (without the checkout token), 401, 404', async () => {
    const got = await t.request('GET', `/v1/payments/${paymentId}`, { token });
    expectConforms(got, 'GET', '/v1/payments/{id}', 200);
    expect(got.body).not.toHaveProperty('checkoutToken');
    expectConforms(await t.request('GET', `/v1/payments/${paymentId}`), 'GET', '/v1/payments/{id}', 401);
    expectConforms(await t.request('GET', `/v1/payments/${paymentId}`, { token: 'not-a-jwt' }), 'GET', '/v1/payments/{id}', 401);
    expectConforms(await t.request('GET', '/v1/payments/pay_missing', { token }), 'GET', '/v1/payments/{id}', 404);
  });

  it('GET /v1/payments → 200, 400, 401', async () => {
    const list = await t.request('GET', '/v1/payments?limit=1', { token });
    expectConforms(list, 'GET', '/v1/payments', 200);
    expect(list.body.data).toHaveLength(1);
    expect(list.body.hasMore).toBe(true);
    expectConforms(await t.request('GET', '/v1/payments?limit=0', { token }), 'GET', '/v1/payments', 400);
    expectConforms(await t.request('GET', '/v1/payments'), 'GET', '/v1/payments', 401);
  });

  it('GET /v1/payments → 429 with Retry-After and RateLimit-* (live budget: 1 per second)', async () => {
    const liveToken = await t.login('openapi-shop', secrets.live);
    const started = Date.now();
    const first = await t.request('GET', '/v1/payments', { token: liveToken });
    const limited = await t.request('GET', '/v1/payments', { token: liveToken });
    expect(Date.now() - started).toBeLessThan(1000);
    expectConforms(first, 'GET', '/v1/payments', 200);
    expectConforms(limited, 'GET', '/v1/payments', 429);
    expect(limited.body.error.type).toBe('rate_limit_error');
    expect(limited.headers.get('ratelimit-limit')).toBe('1');
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
  });

  it('POST /v1/payments/{id}/cancel → 200, 404, 409', async () => {
    expectConforms(await t.request('POST', `/v1/payments/${canceledId}/cancel`, { token, idempotencyKey: 'oa-cancel-1' }), 'POST', '/v1/payments/{id}/cancel', 200);
    const again = await t.request('POST', `/v1/payments/${canceledId}/cancel`, { token, idempotencyKey: 'oa-cancel-2' });
    expectConforms(again, 'POST', '/v1/payments/{id}/cancel', 409);
    expect(again.body.error.code).toBe('invalid_state');
    expectConforms(await t.request('POST', '/v1/payments/pay_missing/cancel', { token, idempotencyKey: 'oa-cancel-3' }), 'POST', '/v1/payments/{id}/cancel', 404);
  });

  it('POST /v1/payments/{id}/checkout → 200, 400, 409', async () => {
    const reissued = await t.request('POST', `/v1/payments/${paymentId}/checkout`, {
      token,
      idempotencyKey: 'oa-checkout-1',
      body: { checkoutExpiresInSeconds: 600 },
    });
    expectConforms(reissued, 'POST', '/v1/payments/{id}/checkout', 200);
    expect(reissued.body.checkoutToken).toEqual(expect.any(String));
    expectConforms(
      await t.request('POST', `/v1/payments/${paymentId}/checkout`, { token, idempotencyKey: 'oa-checkout-2', body: { checkoutExpiresInSeconds: 1 } }),
      'POST',
      '/v1/payments/{id}/checkout',
      400,
    );
    expectConforms(
      await t.request('POST', `/v1/payments/${canceledId}/checkout`, { token, idempotencyKey: 'oa-checkout-3' }),
      'POST',
      '/v1/payments/{id}/checkout',
      409,
    );
  });

  it('GET /v1/events and /v1/events/{id} → 200, 400, 401, 404', async () => {
    const list = await t.request('GET', '/v1/events', { token });
    expectConforms(list, 'GET', '/v1/events', 200);
    const types = list.body.data.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['payment.created', 'payment.canceled']));
    expectConforms(await t.request('GET', '/v1/events?type=payment.canceled', { token }), 'GET', '/v1/events', 200);
    expectConforms(await t.request('GET', '/v1/events?type=nope', { token }), 'GET', '/v1/events', 400);
    expectConforms(await t.request('GET', '/v1/events'), 'GET', '/v1/events', 401);
    expectConforms(await t.request('GET', `/v1/events/${list.body.data[0].id}`, { token }), 'GET', '/v1/events/{id}', 200);
    expectConforms(await t.request('GET', '/v1/events/evt_missing', { token }), 'GET', '/v1/events/{id}', 404);
  });

  it('POST /v1/webhook-endpoints/{id} → 200, 400, 404; GET → 200', async () => {
    const created = await t.request('POST', '/v1/webhook-endpoints', { token, idempotencyKey: 'oa-we-create', body: { url: 'https://hooks.example.com/openapi' } });
    expect(created.status, created.text).toBe(201);
    const path = `/v1/webhook-endpoints/${created.body.id}`;
    const updated = await t.request('POST', path, { token, idempotencyKey: 'oa-we-update-1', body: { status: 'disabled', events: ['payment.succeeded'] } });
    expectConforms(updated, 'POST', '/v1/webhook-endpoints/{id}', 200);
    expect(updated.body).toMatchObject({ status: 'disabled', events: ['payment.succeeded'] });
    expectConforms(await t.request('POST', path, { token, idempotencyKey: 'oa-we-update-2', body: { status: 'enabled' } }), 'POST', '/v1/webhook-endpoints/{id}', 200);
    expectConforms(await t.request('POST', path, { token, idempotencyKey: 'oa-we-update-3', body: { url: 'nope' } }), 'POST', '/v1/webhook-endpoints/{id}', 400);
    expectConforms(await t.request('POST', '/v1/webhook-endpoints/we_missing', { token, idempotencyKey: 'oa-we-update-4', body: { status: 'enabled' } }), 'POST', '/v1/webhook-endpoints/{id}', 404);
    expectConforms(await t.request('GET', path, { token }), 'GET', '/v1/webhook-endpoints/{id}', 200);
  });

  it('covered every path and the statuses 200/201/400/401/404/409/413/422/429', () => {
    const paths = new Set([...checked].map((k) => k.split(' ')[1]));
    expect([...paths].sort()).toEqual([...V1_PATHS].sort());
    const statuses = new Set([...checked].map((k) => k.split(' ')[2]));
    for (const s of ['200', '201', '400', '401', '404', '409', '413', '422', '429']) expect(statuses).toContain(s);
  });
});
