import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from './harness.js';
import { createEndpoint, createPayment, expectError, ok, payWithCard, signedIn, startReceiver, waitFor } from './console-helpers.js';

/** console.payments: cross-tenant search with keyset pagination, and the payment timeline. */
let t: TestPlatform;
let viewer: Awaited<ReturnType<typeof signedIn>>;
type Shop = Awaited<ReturnType<TestPlatform['tenantWithTokens']>>;
let shopA: Shop;
let shopB: Shop;
/** Created in this order (so ids ascend): name → payment id. */
const ids: Record<string, string> = {};
let receiver: Awaited<ReturnType<typeof startReceiver>> | null = null;

const base = { returnUrl: 'https://shop.example.com/done', description: 'Order' };

beforeAll(async () => {
  t = await startTestPlatform();
  viewer = await signedIn(t, 'viewer');
  shopA = await t.tenantWithTokens('pay-shop-a');
  shopB = await t.tenantWithTokens('pay-shop-b');
  const make = async (name: string, token: string, amount: number, currency: string, email?: string) => {
    ids[name] = (await createPayment(t, token, { ...base, amount, currency, ...(email ? { customer: { email } } : {}) })).id;
  };
  await make('a1', shopA.sandboxToken, 1000, 'EUR', 'ann@example.com');
  await make('a2', shopA.sandboxToken, 2500, 'USD', 'Bob@Example.com');
  await make('a3', shopA.liveToken, 5000, 'EUR', 'ann@example.com');
  await make('b1', shopB.sandboxToken, 750, 'EUR', 'carl@example.com');
  await make('b2', shopB.sandboxToken, 12000, 'JPY');
  await make('a4', shopA.sandboxToken, 9999, 'EUR', 'ANN@example.com');
  // a4 canceled the real way; a1 dated last year.
  const cancel = await t.request('POST', `/v1/payments/${ids['a4']}/cancel`, { token: shopA.sandboxToken, idempotencyKey: 'cancel-a4' });
  expect(cancel.status, cancel.text).toBe(200);
  await t.sql(`update payments set created_at = '2025-03-01T12:00:00Z' where id = ?`, [ids['a1']]);
});
afterAll(async () => {
  await receiver?.close();
  await t?.close();
});

const list = async (input: Record<string, unknown> = {}) => ok(await viewer.client.query('payments.list', input));
const names = (page: { data: { id: string }[] }) => page.data.map((p) => Object.keys(ids).find((k) => ids[k] === p.id) ?? p.id);

describe('console.payments.list', () => {
  it('lists every tenant, newest first, with tenantId and money in minor units', async () => {
    const page = await list();
    expect(names(page)).toEqual(['a4', 'b2', 'b1', 'a3', 'a2', 'a1']);
    expect(page.nextCursor).toBeNull();
    expect(page.data[1]).toMatchObject({ id: ids['b2'], tenantId: shopB.tenantId, amount: 12000, currency: 'JPY', mode: 'sandbox' });
    expect(page.data[0]).not.toHaveProperty('checkoutToken');
  });

  it('filters by tenant, mode, status, e-mail (case-insensitive), amount, date and id', async () => {
    expect(names(await list({ tenantId: shopB.tenantId }))).toEqual(['b2', 'b1']);
    expect(names(await list({ tenantId: shopA.tenantId, mode: 'live' }))).toEqual(['a3']);
    expect(names(await list({ status: 'canceled' }))).toEqual(['a4']);
    expect(names(await list({ tenantId: shopA.tenantId, status: 'requires_payment_method' }))).toEqual(['a3', 'a2', 'a1']);
    expect(names(await list({ email: 'ANN@example.com' }))).toEqual(['a4', 'a3', 'a1']);
    expect(names(await list({ email: 'bob@example.com' }))).toEqual(['a2']);
    expect(names(await list({ email: 'nobody@example.com' }))).toEqual([]);
    expect(names(await list({ amountMin: 1000, amountMax: 5000 }))).toEqual(['a3', 'a2', 'a1']);
    expect(names(await list({ amountMin: 10000 }))).toEqual(['b2']);
    expect(names(await list({ to: '2026-01-01' }))).toEqual(['a1']);
    expect(names(await list({ from: '2025-03-01T12:00:00Z', to: '2025-03-01T12:00:01Z' }))).toEqual(['a1']);
    expect(names(await list({ from: '2025-03-02T00:00:00+00:00', tenantId: shopA.tenantId, mode: 'sandbox' }))).toEqual(['a4', 'a2']);
    expect(names(await list({ id: ids['b1'] }))).toEqual(['b1']);
    expect(names(await list({ email: 'ann@example.com', tenantId: shopA.tenantId, mode: 'sandbox', amountMax: 5000 }))).toEqual(['a1']);
  });

  it('pages with a keyset cursor: no gaps, no repeats, also under a filter', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: any = await list({ limit: 4, ...(cursor ? { cursor } : {}) });
      seen.push(...names(page));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(2);
    expect(seen).toEqual(['a4', 'b2', 'b1', 'a3', 'a2', 'a1']);

    const first = await list({ tenantId: shopA.tenantId, limit: 2 });
    expect(names(first)).toEqual(['a4', 'a3']);
    expect(first.nextCursor).toBe(ids['a3']);
    const second = await list({ tenantId: shopA.tenantId, limit: 2, cursor: first.nextCursor });
    expect(names(second)).toEqual(['a2', 'a1']);
    expect(second.nextCursor).toBeNull();
  });

  it('rejects bad filters with a typed 400', async () => {
    expectError(await viewer.client.query('payments.list', { status: 'paid' }), 400, 'parameter_invalid');
    expectError(await viewer.client.query('payments.list', { from: 'yesterday' }), 400, 'parameter_invalid');
    expectError(await viewer.client.query('payments.list', { amountMin: 1.5 }), 400, 'parameter_invalid');
    expectError(await viewer.client.query('payments.list', { currency: 'eur' }), 400, 'parameter_invalid');
    expectError(await viewer.client.query('payments.list', { currency: 'XXX' }), 400, 'parameter_invalid');
    expectError(await viewer.client.query('payments.list', { limit: 1000 }), 400, 'parameter_invalid');
  });

  // Last in this block: it adds payments that the listings above don't expect.
  it('filters by currency; with a currency, the amount range compares within it only', async () => {
    const shopC = await t.tenantWithTokens('pay-shop-c');
    const eur = (await createPayment(t, shopC.sandboxToken, { ...base, amount: 2500, currency: 'EUR' })).id;
    const jpy = (await createPayment(t, shopC.sandboxToken, { ...base, amount: 2500, currency: 'JPY' })).id;
    const idsOf = async (input: Record<string, unknown>) => (await list({ tenantId: shopC.tenantId, ...input })).data.map((p: { id: string }) => p.id);
    expect(await idsOf({ currency: 'EUR', amountMin: 2000, amountMax: 3000 })).toEqual([eur]);
    expect(await idsOf({ currency: 'JPY', amountMin: 2000, amountMax: 3000 })).toEqual([jpy]);
    expect(await idsOf({ currency: 'EUR', amountMin: 2501 })).toEqual([]);
    // Without a currency, minor units compare across currencies (as before).
    expect(await idsOf({ amountMin: 2000, amountMax: 3000 })).toEqual([jpy, eur]);
    // A currency alone, across tenants.
    expect(names(await list({ currency: 'JPY' }))).toEqual([jpy, 'b2']);
    expect(names(await list({ currency: 'USD', amountMin: 2500, amountMax: 2500 }))).toEqual(['a2']);
  });

  it('needs a session', async () => {
    const res = await fetch(`${t.baseUrl}/trpc/console.payments.list`);
    expect(res.status).toBe(401);
  });
});

describe('console.payments.get', () => {
  it('a paid payment’s timeline shows its attempt, events, webhook deliveries with each try, and audit entries, by time', async () => {
    receiver = await startReceiver(200);
    const endpoint = await createEndpoint(t, shopB.sandboxToken, receiver.url);
    const p = await createPayment(t, shopB.sandboxToken, { ...base, amount: 4200, currency: 'EUR', customer: { email: 'tl@example.com' } });
    await payWithCard(t, p.checkoutToken);
    const done = await waitFor('succeeded with delivered webhooks', async () => {
      const got = ok(await viewer.client.query('payments.get', { paymentId: p.id }));
      const tries = got.timeline.filter((e: any) => e.kind === 'delivery' && /HTTP 200/.test(e.title));
      return got.payment.status === 'succeeded' && tries.length >= 3 ? got : null;
    });

    expect(done.payment).toMatchObject({ id: p.id, tenantId: shopB.tenantId, status: 'succeeded', amount: 4200, currency: 'EUR' });
    expect(done.refunds).toEqual([]);
    const kinds = new Set(done.timeline.map((e: any) => e.kind));
    expect([...kinds].sort()).toEqual(['attempt', 'audit', 'delivery', 'event']);
    const titles = done.timeline.map((e: any) => e.title);
    expect(titles).toEqual(expect.arrayContaining(['Event payment.created', 'Event payment.processing', 'Event payment.succeeded', 'payment.create']));
    expect(titles).toContain('Attempt at sandbox: succeeded');
    expect(titles.filter((x: string) => x.startsWith('Webhook payment.succeeded → HTTP 200'))).toHaveLength(1);
    expect(done.timeline.find((e: any) => e.title.startsWith('Webhook payment.created queued'))).toMatchObject({ kind: 'delivery', detail: expect.stringContaining('status succeeded') });
    expect(done.timeline.find((e: any) => e.title === 'payment.create').detail).toMatch(/^by tenant /);
    for (const e of done.timeline) expect(e).toEqual({ id: expect.any(String), at: expect.any(String), kind: expect.any(String), title: expect.any(String), detail: e.detail });
    const times = done.timeline.map((e: any) => e.at);
    expect([...times].sort()).toEqual(times);
    // created before succeeded
    expect(titles.indexOf('Event payment.created')).toBeLessThan(titles.indexOf('Event payment.succeeded'));
    expect(endpoint.id).toMatch(/^we_/);
  });

  it('audit entries by a console user show their e-mail, or the id once the user is removed', async () => {
    const [support, admin] = [await signedIn(t, 'support'), await signedIn(t, 'admin')];
    const p = await createPayment(t, shopA.sandboxToken, { ...base, amount: 3000, currency: 'EUR' });
    await payWithCard(t, p.checkoutToken);
    await waitFor('the payment to succeed', async () => (await t.sql(`select 1 from payments where id = ? and status = 'succeeded'`, [p.id])).length > 0);
    ok(await support.client.mutate('refunds.create', { paymentId: p.id, amount: 500, reason: 'requested_by_customer', note: 'Ticket #7' }));

    const refundEntry = async () => ok(await viewer.client.query('payments.get', { paymentId: p.id })).timeline.find((e: any) => e.kind === 'audit' && e.title === 'refund.create');
    expect((await refundEntry()).detail).toBe(`by user ${support.user.email} · note: Ticket #7`);
    // Entries by tenants and others keep their ids.
    const created = ok(await viewer.client.query('payments.get', { paymentId: p.id })).timeline.find((e: any) => e.title === 'payment.create');
    expect(created.detail).toBe(`by tenant ${shopA.tenantId}`);

    ok(await admin.client.mutate('users.remove', { userId: support.user.id }));
    expect((await refundEntry()).detail).toBe(`by user ${support.user.id} · note: Ticket #7`);
  });

  it('answers 404 for an unknown payment', async () => {
    expectError(await viewer.client.query('payments.get', { paymentId: 'pay_nope' }), 404, 'resource_missing');
  });
});
