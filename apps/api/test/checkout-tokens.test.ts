import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as jose from 'jose';
import { TokenService } from '../src/auth/tokens.js';
import { loadKeys } from '../src/keys.js';
import { CHECKOUT_READ_GRACE_MS, resolveCheckoutToken } from '../src/services/checkout-tokens.js';
import { startTestPlatform, validPayment, type TestPlatform } from './harness.js';

let t: TestPlatform;
let token: string;

beforeAll(async () => {
  t = await startTestPlatform();
  token = (await t.tenantWithTokens('checkout-shop')).sandboxToken;
});
afterAll(() => t.close());

const resolve = (checkoutToken: string, now?: Date) =>
  resolveCheckoutToken(t.platform.orm.em.fork(), t.platform.tokens, checkoutToken, now);

async function createPayment(key: string, extra: Record<string, unknown> = {}) {
  const res = await t.request('POST', '/v1/payments', { token, idempotencyKey: key, body: { ...validPayment, ...extra } });
  expect(res.status).toBe(201);
  return res.body;
}

describe('checkout tokens', () => {
  it('are jose JWTs for one payment with audience "checkout" and the requested expiry', async () => {
    const payment = await createPayment('ct-1', { checkoutExpiresInSeconds: 600 });
    const claims = jose.decodeJwt(payment.checkoutToken);
    expect(claims.aud).toBe('checkout');
    expect(claims.sub).toBe(payment.id);
    expect(claims.exp! - claims.iat!).toBe(600);
    expect(Date.parse(payment.checkoutExpiresAt)).toBe(claims.exp! * 1000);
    expect(payment.checkoutUrl).toBe(`${t.config.publicUrl}/pay/${payment.checkoutToken}`);
    expect((await resolve(payment.checkoutToken)).id).toBe(payment.id);
  });

  it('default to 3600 s and refuse more than 86400 s', async () => {
    const payment = await createPayment('ct-2');
    const claims = jose.decodeJwt(payment.checkoutToken);
    expect(claims.exp! - claims.iat!).toBe(3600);
    const tooLong = await t.request('POST', '/v1/payments', { token, idempotencyKey: 'ct-3', body: { ...validPayment, checkoutExpiresInSeconds: 86_401 } });
    expect(tooLong.status).toBe(400);
  });

  it('a reissued token revokes the old one', async () => {
    const payment = await createPayment('ct-4');
    const reissued = await t.request('POST', `/v1/payments/${payment.id}/checkout`, { token, idempotencyKey: 'ct-4-re' });
    expect(reissued.status).toBe(200);
    expect(reissued.body.checkoutToken).not.toBe(payment.checkoutToken);
    await expect(resolve(payment.checkoutToken)).rejects.toMatchObject({ code: 'checkout_token_revoked' });
    expect((await resolve(reissued.body.checkoutToken)).id).toBe(payment.id);
  });

  it('canceling the payment revokes its token', async () => {
    const payment = await createPayment('ct-5');
    await t.request('POST', `/v1/payments/${payment.id}/cancel`, { token, idempotencyKey: 'ct-5-cancel' });
    await expect(resolve(payment.checkoutToken)).rejects.toMatchObject({ code: 'checkout_token_revoked' });
  });

  it('an expired token is refused as expired; a forged or tenant token as invalid', async () => {
    const payment = await createPayment('ct-6', { checkoutExpiresInSeconds: 60 });
    const later = new Date(Date.now() + 61_000);
    const expiredTokens = new TokenService((await loadKeys(t.config)).signing, () => later);
    await expect(resolveCheckoutToken(t.platform.orm.em.fork(), expiredTokens, payment.checkoutToken, later)).rejects.toMatchObject({
      code: 'checkout_token_expired',
    });
    await expect(resolve(token)).rejects.toMatchObject({ code: 'checkout_token_invalid' });
    await expect(resolve(`${payment.checkoutToken.slice(0, -4)}AAAA`)).rejects.toMatchObject({ code: 'checkout_token_invalid' });
  });

  it("a paid payment's receipt stays readable with its expired link for a day after expiry, then no longer", async () => {
    const payment = await createPayment('ct-7', { checkoutExpiresInSeconds: 60 });
    await t.sql(`update payments set status = 'succeeded' where id = ?`, [payment.id]);
    const at = async (msAfterExpiry: number) => {
      const now = new Date(Date.parse(payment.checkoutExpiresAt) + msAfterExpiry);
      const tokens = new TokenService((await loadKeys(t.config)).signing, () => now);
      return resolveCheckoutToken(t.platform.orm.em.fork(), tokens, payment.checkoutToken, now, 'read');
    };
    expect((await at(60_000)).id).toBe(payment.id);
    expect((await at(CHECKOUT_READ_GRACE_MS - 60_000)).id).toBe(payment.id);
    await expect(at(CHECKOUT_READ_GRACE_MS + 60_000)).rejects.toMatchObject({ code: 'checkout_token_expired' });
  });
});
