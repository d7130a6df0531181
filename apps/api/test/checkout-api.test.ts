import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCard as card } from './checkout-client.js';
import { startTestPlatform, TEST_CONTEXT, validPayment, type ApiResponse, type TestPlatform } from './harness.js';

/**
 * The hosted checkout's API (tRPC over HTTP, authorized only by the checkout token), with the
 * worker running: outcomes arrive the real way, by the sandbox provider's signed webhook.
 */
let t: TestPlatform;
let tenant: { tenantId: string; secrets: { sandbox: string; live: string } };
let token: string;
let liveToken: string;
let keyN = 0;

beforeAll(async () => {
  t = await startTestPlatform();
  tenant = await t.platform.orm.em
    .fork()
    .transactional((em) =>
      t.platform.tenants.create(em, { appName: 'acme-shop', displayName: 'Acme Shop', allowedOrigins: ['https://shop.example.com'] }, TEST_CONTEXT),
    );
  token = await t.login('acme-shop', tenant.secrets.sandbox);
  liveToken = await t.login('acme-shop', tenant.secrets.live);
});
afterAll(() => t.close());


async function createPayment(body: Record<string, unknown> = validPayment, as = token) {
  const res = await t.request('POST', '/v1/payments', { token: as, idempotencyKey: `co-${++keyN}`, body });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; checkoutToken: string; checkoutExpiresAt: string; [k: string]: unknown };
}

const query = (procedure: string, input: unknown) =>
  t.request('GET', `/trpc/checkout.${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`);
const mutate = (procedure: string, input: unknown) => t.request('POST', `/trpc/checkout.${procedure}`, { body: input });
const session = (checkoutToken: string) => query('session', { token: checkoutToken });
const submit = (checkoutToken: string, number: string, extra: Record<string, unknown> = {}) =>
  mutate('submit', { token: checkoutToken, card: card(number, extra) });
const completeAction = (checkoutToken: string, approve: boolean) => mutate('completeAction', { token: checkoutToken, approve });

function dataOf(res: ApiResponse) {
  expect(res.status, res.text).toBe(200);
  return res.body.result.data;
}

function expectTrpcError(res: ApiResponse, status: number, appCode: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.body.error.data).toMatchObject({ httpStatus: status, appCode });
  expect(res.body.error.message).toEqual(expect.any(String));
}

async function getPayment(id: string, as = token) {
  const res = await t.request('GET', `/v1/payments/${id}`, { token: as });
  expect(res.status).toBe(200);
  return res.body;
}

/** Polls GET /v1/payments/{id} (the authoritative status) until `done`. */
async function waitFor(id: string, done: (p: any) => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const p = await getPayment(id);
    if (done(p)) return p;
    if (Date.now() > deadline) throw new Error(`payment ${id} did not reach the expected state; last: ${JSON.stringify(p)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The payment's event types in the tenant's event log, oldest first. */
async function eventTypes(paymentId: string, as = token): Promise<string[]> {
  const types: string[] = [];
  let cursor = '';
  for (;;) {
    const res = await t.request('GET', `/v1/events?limit=100${cursor}`, { token: as });
    expect(res.status).toBe(200);
    for (const e of res.body.data) if (e.data.object.id === paymentId) types.push(e.type);
    if (!res.body.hasMore) break;
    cursor = `&startingAfter=${res.body.data.at(-1).id}`;
  }
  return types.reverse();
}

const attemptsOf = (paymentId: string) =>
  t.sql('select id, status, provider, error_code from payment_attempts where payment_id = ? order by id', [paymentId]);

describe('checkout.session', () => {
  it('returns the CheckoutView: merchant, amount, currency, mode, returnUrl with ?paymentId=, no next action', async () => {
    const p = await createPayment();
    const res = await session(p.checkoutToken);
    expect(dataOf(res)).toEqual({
      paymentId: p.id,
      status: 'requires_payment_method',
      amount: 1999,
      currency: 'EUR',
      description: 'Order #1001',
      mode: 'sandbox',
      merchant: { displayName: 'Acme Shop', logoUrl: null, brandColor: null },
      lastError: null,
      returnUrl: `https://shop.example.com/checkout/done?paymentId=${p.id}`,
      cancelUrl: 'https://shop.example.com/cart',
      provider: 'sandbox',
      nextAction: null,
      expiresAt: p.checkoutExpiresAt,
    });
    // status is the same query, for polling
    expect(dataOf(await query('status', { token: p.checkoutToken }))).toEqual(res.body.result.data);
  });

  it('never contains tenant secrets, the tenant id or the checkout token', async () => {
    const p = await createPayment();
    const res = await session(p.checkoutToken);
    expect(res.status).toBe(200);
    for (const secret of [tenant.secrets.sandbox, tenant.secrets.live, p.checkoutToken, tenant.tenantId]) {
      expect(res.text).not.toContain(secret);
    }
    expect(res.text).not.toMatch(/sk_(sandbox|live)_/);
    expect(res.text).not.toMatch(/whsec_/);
  });

  it('keeps the tenant’s own query parameters on returnUrl and adds only paymentId', async () => {
    const p = await createPayment({ ...validPayment, returnUrl: 'https://shop.example.com/checkout/done?order=1001' });
    const view = dataOf(await session(p.checkoutToken));
    const url = new URL(view.returnUrl);
    expect(url.origin + url.pathname).toBe('https://shop.example.com/checkout/done');
    expect([...url.searchParams.entries()]).toEqual([
      ['order', '1001'],
      ['paymentId', p.id],
    ]);
  });
});

describe('checkout.submit with sandbox test cards', () => {
  it('4242 → processing, then succeeded by the worker’s webhook, with created/processing/succeeded events', async () => {
    const p = await createPayment();
    const view = dataOf(await submit(p.checkoutToken, '4242 4242 4242 4242'));
    // The synchronous answer never claims success by itself.
    expect(['processing', 'succeeded']).toContain(view.status);
    const done = await waitFor(p.id, (x) => x.status === 'succeeded');
    expect(done).toMatchObject({ status: 'succeeded', lastError: null, providerReference: expect.stringMatching(/^sbx_/) });
    expect(await eventTypes(p.id)).toEqual(['payment.created', 'payment.processing', 'payment.succeeded']);
    expect(await attemptsOf(p.id)).toMatchObject([{ status: 'succeeded', provider: 'sandbox', error_code: null }]);

    // The redirect carries only the payment id, never the status: the tenant must ask the API.
    const after = dataOf(await session(p.checkoutToken));
    expect(after.status).toBe('succeeded');
    const url = new URL(after.returnUrl);
    expect([...url.searchParams.keys()]).toEqual(['paymentId']);
    expect(url.searchParams.get('paymentId')).toBe(p.id);
    expect(after.returnUrl).not.toMatch(/status|succeeded/);
  });

  it('0002 → back to requires_payment_method with lastError card_declined and a payment.failed event', async () => {
    const p = await createPayment();
    dataOf(await submit(p.checkoutToken, '4000 0000 0000 0002'));
    const done = await waitFor(p.id, (x) => x.lastError !== null);
    expect(done).toMatchObject({ status: 'requires_payment_method', lastError: { code: 'card_declined', message: expect.any(String) } });
    expect(await eventTypes(p.id)).toEqual(['payment.created', 'payment.processing', 'payment.failed']);
    expect(await attemptsOf(p.id)).toMatchObject([{ status: 'failed', error_code: 'card_declined' }]);
    const view = dataOf(await session(p.checkoutToken));
    expect(view).toMatchObject({ status: 'requires_payment_method', lastError: { code: 'card_declined' } });

    // the customer may try again with another card
    dataOf(await submit(p.checkoutToken, '4242424242424242'));
    await waitFor(p.id, (x) => x.status === 'succeeded');
    expect((await attemptsOf(p.id)).map((a) => a.status)).toEqual(['failed', 'succeeded']);
  });

  it('0119 → provider error: requires_payment_method with lastError provider_error at once, attempt failed', async () => {
    const p = await createPayment();
    const view = dataOf(await submit(p.checkoutToken, '4000 0000 0000 0119'));
    expect(view).toMatchObject({ status: 'requires_payment_method', lastError: { code: 'provider_error', message: expect.any(String) } });
    expect(await getPayment(p.id)).toMatchObject({ status: 'requires_payment_method', lastError: { code: 'provider_error' } });
    expect(await attemptsOf(p.id)).toMatchObject([{ status: 'failed', provider: 'sandbox', error_code: 'provider_error' }]);
    expect(await eventTypes(p.id)).toEqual(['payment.created', 'payment.processing', 'payment.failed']);
  });

  it('3184 → requires_action; completeAction approve → succeeded', async () => {
    const p = await createPayment();
    dataOf(await submit(p.checkoutToken, '4000 0027 6000 3184'));
    await waitFor(p.id, (x) => x.status === 'requires_action');
    expect(dataOf(await session(p.checkoutToken))).toMatchObject({ status: 'requires_action', nextAction: { type: 'three_d_secure' } });

    const view = dataOf(await completeAction(p.checkoutToken, true));
    expect(['processing', 'succeeded']).toContain(view.status);
    expect(await waitFor(p.id, (x) => x.status === 'succeeded')).toMatchObject({ lastError: null });
    expect(await eventTypes(p.id)).toEqual([
      'payment.created',
      'payment.processing',
      'payment.requires_action',
      'payment.processing',
      'payment.succeeded',
    ]);
  });

  it('3184 → requires_action; completeAction approve:false → requires_payment_method with authentication_failed', async () => {
    const p = await createPayment();
    dataOf(await submit(p.checkoutToken, '4000002760003184'));
    await waitFor(p.id, (x) => x.status === 'requires_action');
    dataOf(await completeAction(p.checkoutToken, false));
    const done = await waitFor(p.id, (x) => x.status === 'requires_payment_method');
    expect(done.lastError).toMatchObject({ code: 'authentication_failed' });
    expect(await eventTypes(p.id)).toEqual([
      'payment.created',
      'payment.processing',
      'payment.requires_action',
      'payment.processing',
      'payment.failed',
    ]);
    expect(await attemptsOf(p.id)).toMatchObject([{ status: 'failed', error_code: 'authentication_failed' }]);
  });

  it('3055 and 3063 stay processing for a few seconds, then succeed / fail with card_declined by webhook', async () => {
    const ok = await createPayment();
    const ko = await createPayment();
    const submittedAt = Date.now();
    expect(dataOf(await submit(ok.checkoutToken, '4000 0000 0000 3055')).status).toBe('processing');
    expect(dataOf(await submit(ko.checkoutToken, '4000 0000 0000 3063')).status).toBe('processing');
    await new Promise((r) => setTimeout(r, 1000));
    expect((await getPayment(ok.id)).status).toBe('processing');
    expect((await getPayment(ko.id)).status).toBe('processing');

    const [succeeded, failed] = await Promise.all([
      waitFor(ok.id, (x) => x.status === 'succeeded', 15_000),
      waitFor(ko.id, (x) => x.status !== 'processing', 15_000),
    ]);
    expect(Date.now() - submittedAt).toBeGreaterThanOrEqual(2000);
    expect(succeeded.status).toBe('succeeded');
    expect(failed).toMatchObject({ status: 'requires_payment_method', lastError: { code: 'card_declined' } });
    expect(await eventTypes(ok.id)).toEqual(['payment.created', 'payment.processing', 'payment.succeeded']);
    expect(await eventTypes(ko.id)).toEqual(['payment.created', 'payment.processing', 'payment.failed']);
  });

  it.each(['4111 1111 1111 1111', '1234 5678 9012 3456', '4242 4242 4242 4241'])('any other number (%s, checksum or not) → declined with test_card_required', async (number) => {
    const p = await createPayment();
    dataOf(await submit(p.checkoutToken, number));
    const done = await waitFor(p.id, (x) => x.lastError !== null);
    expect(done).toMatchObject({ status: 'requires_payment_method', lastError: { code: 'test_card_required' } });
  });
});

describe('checkout.submit refusals', () => {
  it('an invalid card (not card-shaped, past expiry, 2-digit CVC) → 400 parameter_invalid and nothing changes', async () => {
    const p = await createPayment();
    const before = await getPayment(p.id);
    const cases = [
      submit(p.checkoutToken, '4242 4242 424'),
      submit(p.checkoutToken, '4242-4242-4242-abcd'),
      submit(p.checkoutToken, '4242 4242 4242 4242', { expMonth: 1, expYear: 2020 }),
      submit(p.checkoutToken, '4242 4242 4242 4242', { expMonth: 12, expYear: new Date().getUTCFullYear() - 1 }),
      submit(p.checkoutToken, '4242 4242 4242 4242', { cvc: '12' }),
    ];
    for (const res of await Promise.all(cases)) expectTrpcError(res, 400, 'parameter_invalid');
    // give a (wrongly) queued webhook time to land before checking nothing happened
    await new Promise((r) => setTimeout(r, 1500));
    expect(await getPayment(p.id)).toEqual(before);
    expect(await attemptsOf(p.id)).toEqual([]);
    expect(await eventTypes(p.id)).toEqual(['payment.created']);
  });

  it('a live-mode payment refuses raw card data: 403 permission_denied and nothing changes', async () => {
    const p = await createPayment(validPayment, liveToken);
    expect(dataOf(await session(p.checkoutToken))).toMatchObject({ paymentId: p.id, mode: 'live', status: 'requires_payment_method' });
    const before = await getPayment(p.id, liveToken);
    expectTrpcError(await submit(p.checkoutToken, '4242 4242 4242 4242'), 403, 'permission_denied');
    await new Promise((r) => setTimeout(r, 1000));
    expect(await getPayment(p.id, liveToken)).toEqual(before);
    expect(await attemptsOf(p.id)).toEqual([]);
    expect(await eventTypes(p.id, liveToken)).toEqual(['payment.created']);
  });

  it('submit on a succeeded payment → 409 invalid_state; completeAction when no action is pending → 409', async () => {
    const p = await createPayment();
    dataOf(await submit(p.checkoutToken, '4242 4242 4242 4242'));
    await waitFor(p.id, (x) => x.status === 'succeeded');
    const before = await getPayment(p.id);
    expectTrpcError(await submit(p.checkoutToken, '4242 4242 4242 4242'), 409, 'invalid_state');
    expectTrpcError(await completeAction(p.checkoutToken, true), 409, 'invalid_state');
    expect(await getPayment(p.id)).toEqual(before);
    expect(await attemptsOf(p.id)).toHaveLength(1);

    const fresh = await createPayment();
    expectTrpcError(await completeAction(fresh.checkoutToken, true), 409, 'invalid_state');
    expect((await getPayment(fresh.id)).status).toBe('requires_payment_method');
  });
});

describe('checkout tokens over tRPC', () => {
  const tokenIdOf = async (paymentId: string) => (await t.sql('select checkout_token_id from payments where id = ?', [paymentId]))[0].checkout_token_id as string;

  it('an expired token → 401 checkout_token_expired with the way back, for session and submit; nothing changes', async () => {
    const p = await createPayment();
    const expired = await t.platform.tokens.signCheckoutToken(
      { paymentId: p.id, tenantId: tenant.tenantId, mode: 'sandbox', tokenId: await tokenIdOf(p.id) },
      new Date(Date.now() - 60_000),
    );
    for (const res of [await session(expired), await submit(expired, '4242 4242 4242 4242'), await completeAction(expired, true)]) {
      expectTrpcError(res, 401, 'checkout_token_expired');
      expect(res.body.error.data.details).toEqual({ returnUrl: 'https://shop.example.com/cart' });
    }
    expect(await attemptsOf(p.id)).toEqual([]);
    expect((await getPayment(p.id)).status).toBe('requires_payment_method');

    // the payment's own expiry counts too (the link's time ran out), and without a cancelUrl
    // the way back is the returnUrl
    const q = await createPayment({ ...validPayment, cancelUrl: undefined });
    await t.sql(`update payments set checkout_expires_at = now() - interval '1 second' where id = ?`, [q.id]);
    const res = await session(q.checkoutToken);
    expectTrpcError(res, 401, 'checkout_token_expired');
    expect(res.body.error.data.details).toEqual({ returnUrl: 'https://shop.example.com/checkout/done' });
  });

  it('a replaced (reissued) token → 401 checkout_token_revoked with the way back; a canceled payment’s link shows it canceled but takes no card', async () => {
    const p = await createPayment();
    const reissued = await t.request('POST', `/v1/payments/${p.id}/checkout`, { token, idempotencyKey: `co-${++keyN}` });
    expect(reissued.status).toBe(200);
    for (const res of [await session(p.checkoutToken), await submit(p.checkoutToken, '4242 4242 4242 4242')]) {
      expectTrpcError(res, 401, 'checkout_token_revoked');
      expect(res.body.error.data.details).toEqual({ returnUrl: 'https://shop.example.com/cart' });
    }
    expect(await attemptsOf(p.id)).toEqual([]);
    expect(dataOf(await session(reissued.body.checkoutToken)).paymentId).toBe(p.id);

    const c = await createPayment();
    expect((await t.request('POST', `/v1/payments/${c.id}/cancel`, { token, idempotencyKey: `co-${++keyN}` })).status).toBe(200);
    // Reading: the customer sees that the payment was canceled (not a "link replaced" page).
    expect(dataOf(await session(c.checkoutToken))).toMatchObject({ paymentId: c.id, status: 'canceled' });
    // Writing: the link no longer takes a card.
    const res = await submit(c.checkoutToken, '4242 4242 4242 4242');
    expectTrpcError(res, 401, 'checkout_token_revoked');
    expect(res.body.error.data.details).toEqual({ returnUrl: 'https://shop.example.com/cart' });
    expect(await attemptsOf(c.id)).toEqual([]);
  });

  it('an expired link still shows a paid payment’s receipt, but an unpaid one shows the expiry error', async () => {
    const paid = await createPayment();
    await submit(paid.checkoutToken, '4242 4242 4242 4242');
    await waitFor(paid.id, (p) => p.status === 'succeeded');
    await t.sql(`update payments set checkout_expires_at = now() - interval '1 minute' where id = ?`, [paid.id]);
    expect(dataOf(await session(paid.checkoutToken))).toMatchObject({ status: 'succeeded' });
    const unpaid = await createPayment();
    await t.sql(`update payments set checkout_expires_at = now() - interval '1 minute' where id = ?`, [unpaid.id]);
    expectTrpcError(await session(unpaid.checkoutToken), 401, 'checkout_token_expired');
  });

  it('a forged token, another key’s token or a tenant access token → 401 checkout_token_invalid without details', async () => {
    const p = await createPayment();
    const [h, payload] = p.checkoutToken.split('.');
    const claims = jose.decodeJwt(p.checkoutToken);
    // same claims, but the payment id swapped, keeping the original signature
    const swapped = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'pay_01other' })).toString('base64url')}.${p.checkoutToken.split('.')[2]}`;
    const { privateKey } = await jose.generateKeyPair('EdDSA');
    const otherKey = await new jose.SignJWT(claims).setProtectedHeader(jose.decodeProtectedHeader(p.checkoutToken) as jose.JWTHeaderParameters).sign(privateKey);
    const forged = [`${h}.${payload}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`, swapped, otherKey, token, 'not-a-checkout-token'];
    for (const bad of forged) {
      for (const res of [await session(bad), await submit(bad, '4242 4242 4242 4242')]) {
        expectTrpcError(res, 401, 'checkout_token_invalid');
        expect(res.body.error.data.details).toBeNull();
      }
    }
    expect(await attemptsOf(p.id)).toEqual([]);
    expect((await getPayment(p.id)).status).toBe('requires_payment_method');
  });
});
