import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaymentSchema, TENANT_FILTER } from '../src/db/entities/index.js';
import { startTestPlatform, validPayment, type TestPlatform } from './harness.js';

type Tenant = Awaited<ReturnType<TestPlatform['tenantWithTokens']>>;

let t: TestPlatform;
let a: Tenant;
let b: Tenant;
let keyN = 0;

/** Payment ids created per tenant + mode, to compare lists against. */
const created = { aSandbox: [] as string[], aLive: [] as string[], bSandbox: [] as string[] };

async function createPayment(token: string, into: string[]): Promise<{ id: string; checkoutToken: string }> {
  const res = await t.request('POST', '/v1/payments', { token, idempotencyKey: `iso-${++keyN}`, body: validPayment });
  expect(res.status).toBe(201);
  into.push(res.body.id);
  return res.body;
}

async function checkoutTokenIdOf(paymentId: string): Promise<string | null> {
  const [row] = await t.platform.orm.em.fork().execute<{ checkout_token_id: string | null }[]>(
    'select checkout_token_id from payments where id = ?',
    [paymentId],
  );
  return row!.checkout_token_id;
}

function expectMissing(res: { status: number; body: any }) {
  expect(res.status).toBe(404);
  expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'resource_missing' });
}

beforeAll(async () => {
  t = await startTestPlatform();
  a = await t.tenantWithTokens('iso-a');
  b = await t.tenantWithTokens('iso-b');
  for (let i = 0; i < 2; i++) {
    await createPayment(a.sandboxToken, created.aSandbox);
    await createPayment(a.liveToken, created.aLive);
    await createPayment(b.sandboxToken, created.bSandbox);
  }
});
afterAll(() => t.close());

describe("another tenant's or mode's ids answer 404", () => {
  it("tenant A's token on tenant B's payment: GET, cancel and checkout reissue → 404, and nothing changes", async () => {
    const id = created.bSandbox[0]!;
    const tokenIdBefore = await checkoutTokenIdOf(id);
    expect((await t.request('GET', `/v1/payments/${id}`, { token: b.sandboxToken })).status).toBe(200);

    expectMissing(await t.request('GET', `/v1/payments/${id}`, { token: a.sandboxToken }));
    expectMissing(await t.request('POST', `/v1/payments/${id}/cancel`, { token: a.sandboxToken, idempotencyKey: 'cross-cancel' }));
    expectMissing(await t.request('POST', `/v1/payments/${id}/checkout`, { token: a.sandboxToken, idempotencyKey: 'cross-checkout' }));

    const owner = await t.request('GET', `/v1/payments/${id}`, { token: b.sandboxToken });
    expect(owner.body.status).toBe('requires_payment_method');
    expect(await checkoutTokenIdOf(id)).toBe(tokenIdBefore);
    expect(await t.count(`events where object_id = '${id}'`)).toBe(1);
  });

  it('the 404 for a foreign id is the same as for an id that does not exist', async () => {
    const foreign = await t.request('GET', `/v1/payments/${created.bSandbox[0]}`, { token: a.sandboxToken });
    const unknown = await t.request('GET', '/v1/payments/pay_01jzzzzzzzzzzzzzzzzzzzzzzz', { token: a.sandboxToken });
    expect(foreign.status).toBe(unknown.status);
    expect(foreign.body.error.code).toBe(unknown.body.error.code);
    expect(foreign.body.error.type).toBe(unknown.body.error.type);
  });

  it('a sandbox token on a live payment of the same tenant → 404 (GET, cancel, checkout)', async () => {
    const id = created.aLive[0]!;
    expect((await t.request('GET', `/v1/payments/${id}`, { token: a.liveToken })).status).toBe(200);

    expectMissing(await t.request('GET', `/v1/payments/${id}`, { token: a.sandboxToken }));
    expectMissing(await t.request('POST', `/v1/payments/${id}/cancel`, { token: a.sandboxToken, idempotencyKey: 'mode-cancel' }));
    expectMissing(await t.request('POST', `/v1/payments/${id}/checkout`, { token: a.sandboxToken, idempotencyKey: 'mode-checkout' }));
    // and the other way round
    expectMissing(await t.request('GET', `/v1/payments/${created.aSandbox[0]}`, { token: a.liveToken }));

    expect((await t.request('GET', `/v1/payments/${id}`, { token: a.liveToken })).body.status).toBe('requires_payment_method');
  });

  it("GET /v1/events/{id} of another tenant or mode → 404", async () => {
    const own = await t.request('GET', '/v1/events', { token: b.sandboxToken });
    const eventId = own.body.data[0].id as string;
    expect((await t.request('GET', `/v1/events/${eventId}`, { token: b.sandboxToken })).status).toBe(200);

    expectMissing(await t.request('GET', `/v1/events/${eventId}`, { token: a.sandboxToken }));
    expectMissing(await t.request('GET', `/v1/events/${eventId}`, { token: b.liveToken }));
  });
});

describe('lists show only the caller tenant + mode', () => {
  const scopes = () => [
    { name: 'A sandbox', token: a.sandboxToken, mode: 'sandbox', ids: created.aSandbox },
    { name: 'A live', token: a.liveToken, mode: 'live', ids: created.aLive },
    { name: 'B sandbox', token: b.sandboxToken, mode: 'sandbox', ids: created.bSandbox },
    { name: 'B live', token: b.liveToken, mode: 'live', ids: [] as string[] },
  ];

  it('GET /v1/payments', async () => {
    expect(await t.count('payments')).toBe(6);
    for (const scope of scopes()) {
      const res = await t.request('GET', '/v1/payments?limit=100', { token: scope.token });
      expect(res.status).toBe(200);
      expect(res.body.data.map((p: { id: string }) => p.id).sort(), scope.name).toEqual([...scope.ids].sort());
      for (const p of res.body.data) expect(p.mode).toBe(scope.mode);
    }
  });

  it('GET /v1/events', async () => {
    expect(await t.count('events')).toBeGreaterThanOrEqual(6);
    for (const scope of scopes()) {
      const res = await t.request('GET', '/v1/events?limit=100', { token: scope.token });
      expect(res.status).toBe(200);
      const objectIds = res.body.data.map((e: { data: { object: { id: string } } }) => e.data.object.id);
      expect([...new Set(objectIds)].sort(), scope.name).toEqual([...scope.ids].sort());
      for (const e of res.body.data) expect(e.mode).toBe(scope.mode);
    }
  });
});

describe('the isolation layer cannot be forgotten', () => {
  it('querying a tenant-owned entity without the tenant filter parameters throws', async () => {
    const em = t.platform.orm.em.fork();
    await expect(em.find(PaymentSchema, {})).rejects.toThrow(/filter/i);
    await expect(t.platform.orm.em.fork().findOne(PaymentSchema, { id: created.bSandbox[0]! })).rejects.toThrow(/filter/i);
    await expect(t.platform.orm.em.fork().count(PaymentSchema, {})).rejects.toThrow(/filter/i);
  });

  it('with the parameters it sees exactly one tenant + mode; seeing everything takes an explicit opt-out', async () => {
    const scoped = t.platform.orm.em.fork();
    scoped.setFilterParams(TENANT_FILTER, { tenantId: a.tenantId, mode: 'live' });
    expect((await scoped.find(PaymentSchema, {})).map((p) => p.id).sort()).toEqual([...created.aLive].sort());
    expect(await scoped.findOne(PaymentSchema, { id: created.bSandbox[0]! })).toBeNull();

    const all = await t.platform.orm.em.fork().find(PaymentSchema, {}, { filters: false });
    expect(all).toHaveLength(6);
  });
});
