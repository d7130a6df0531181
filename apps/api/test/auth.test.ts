import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '@platform/core';
import { TokenService } from '../src/auth/tokens.js';
import { loadKeys, type SigningKeys } from '../src/keys.js';
import { TenantService } from '../src/services/tenants.js';
import { startTestPlatform, TEST_CONTEXT, validPayment, type TestPlatform } from './harness.js';

const HOUR_MS = 60 * 60 * 1000;

let t: TestPlatform;
let keys: SigningKeys;
let tenant: Awaited<ReturnType<TestPlatform['createTenant']>>;

beforeAll(async () => {
  t = await startTestPlatform();
  keys = (await loadKeys(t.config)).signing;
  tenant = await t.createTenant('auth-shop');
});
afterAll(() => t.close());

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Claims that the platform would accept if they were signed with its key. */
function validClaims(overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: tenant.tenantId,
    mode: 'sandbox',
    iss: 'payment-platform',
    aud: 'tenant-api',
    iat: now,
    exp: now + 600,
    jti: 'forged-jti',
    ...overrides,
  };
}

async function signWithPlatformKey(claims: Record<string, unknown>): Promise<string> {
  return new jose.SignJWT(claims).setProtectedHeader({ alg: keys.alg, kid: keys.kid, typ: 'JWT' }).sign(keys.privateKey);
}

async function listPayments(token: string | undefined) {
  return t.request('GET', '/v1/payments', token === undefined ? {} : { token });
}

async function expect401(token: string | undefined, code: string) {
  const res = await listPayments(token);
  expect(res.status).toBe(401);
  expect(res.body.error).toMatchObject({ type: 'authentication_error', code });
  expect(res.body.error.requestId).toBe(res.headers.get('request-id'));
}

describe('POST /v1/auth/token', () => {
  it('exchanges a sandbox secret for a 15-minute Bearer token in sandbox mode', async () => {
    const res = await t.request('POST', '/v1/auth/token', { body: { appName: 'auth-shop', appSecret: tenant.secrets.sandbox } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accessToken: expect.any(String), tokenType: 'Bearer', expiresIn: 900, mode: 'sandbox' });

    const header = jose.decodeProtectedHeader(res.body.accessToken);
    expect(header).toMatchObject({ alg: keys.alg, kid: keys.kid });
    const claims = jose.decodeJwt(res.body.accessToken);
    expect(claims).toMatchObject({ sub: tenant.tenantId, mode: 'sandbox', iss: 'payment-platform', aud: 'tenant-api' });
    expect(claims.exp! - claims.iat!).toBe(900);

    expect((await listPayments(res.body.accessToken)).status).toBe(200);
  });

  it("the live secret gives a live token (the secret's mode becomes the token's mode)", async () => {
    const res = await t.request('POST', '/v1/auth/token', { body: { appName: 'auth-shop', appSecret: tenant.secrets.live } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, mode: 'live' });
    expect(jose.decodeJwt(res.body.accessToken)).toMatchObject({ sub: tenant.tenantId, mode: 'live' });
  });

  it('a wrong secret and an unknown app name answer 401 with the identical code and message', async () => {
    const other = await t.createTenant('auth-other');
    const attempts = await Promise.all([
      // right app, wrong secret of the right shape
      t.request('POST', '/v1/auth/token', { body: { appName: 'auth-shop', appSecret: 'sk_sandbox_' + 'x'.repeat(32) } }),
      // right app, another tenant's valid secret
      t.request('POST', '/v1/auth/token', { body: { appName: 'auth-shop', appSecret: other.secrets.sandbox } }),
      // unknown app, a secret that is valid for some tenant
      t.request('POST', '/v1/auth/token', { body: { appName: 'no-such-app', appSecret: tenant.secrets.sandbox } }),
      // right app, not a secret at all
      t.request('POST', '/v1/auth/token', { body: { appName: 'auth-shop', appSecret: 'hunter2' } }),
    ]);
    for (const res of attempts) {
      expect(res.status).toBe(401);
      expect(res.body.error.type).toBe('authentication_error');
      expect(res.body.accessToken).toBeUndefined();
    }
    const shapes = attempts.map((r) => ({ type: r.body.error.type, code: r.body.error.code, message: r.body.error.message, param: r.body.error.param }));
    for (const shape of shapes) expect(shape).toEqual(shapes[0]);
    expect(shapes[0]!.code).toBe('invalid_credentials');
  });

  it('a malformed body → 400 invalid_request_error', async () => {
    const cases = [
      { rawBody: '{"appName": "auth-shop", ', code: 'json_invalid' },
      { body: { appName: 'auth-shop' }, code: 'parameter_missing' },
      { body: { appName: 'auth-shop', appSecret: 42 }, code: 'parameter_invalid' },
      { body: [{ appName: 'auth-shop', appSecret: tenant.secrets.sandbox }], code: 'parameter_invalid' },
      { body: { appName: 'auth-shop', appSecret: tenant.secrets.sandbox, extra: true }, code: 'parameter_invalid' },
    ];
    for (const { code, ...opts } of cases) {
      const res = await t.request('POST', '/v1/auth/token', opts);
      expect(res.status, JSON.stringify(opts)).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code });
    }
  });
});

describe('tokens rejected on a protected route (GET /v1/payments)', () => {
  it('control: the same claims signed with the platform key are accepted', async () => {
    expect((await listPayments(await signWithPlatformKey(validClaims()))).status).toBe(200);
  });

  it('no Authorization header → 401', async () => {
    await expect401(undefined, 'authentication_required');
    const res = await t.request('GET', '/v1/payments', { headers: { authorization: 'Basic YXV0aC1zaG9wOnNlY3JldA==' } });
    expect(res.status).toBe(401);
  });

  it('an unsigned `alg: none` token → 401', async () => {
    const token = `${b64url({ alg: 'none', typ: 'JWT', kid: keys.kid })}.${b64url(validClaims())}.`;
    await expect401(token, 'token_invalid');
    // also without a kid, and with the platform's valid signature stripped from a real token
    await expect401(`${b64url({ alg: 'none' })}.${b64url(validClaims())}.`, 'token_invalid');
    const real = await signWithPlatformKey(validClaims());
    await expect401(`${b64url({ alg: 'none', kid: keys.kid })}.${real.split('.')[1]}.`, 'token_invalid');
  });

  it('a token signed by a foreign Ed25519 key (with the platform issuer, audience and kid) → 401', async () => {
    const foreign = await jose.generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const token = await new jose.SignJWT(validClaims())
      .setProtectedHeader({ alg: 'EdDSA', kid: keys.kid, typ: 'JWT' })
      .sign(foreign.privateKey);
    expect(jose.decodeJwt(token)).toMatchObject({ iss: 'payment-platform', aud: 'tenant-api', sub: tenant.tenantId });
    await expect401(token, 'token_invalid');
  });

  it('HS256 signed with the platform public key bytes (algorithm confusion) → 401', async () => {
    const publicJwk = await jose.exportJWK(keys.publicKey);
    const spkiPem = await jose.exportSPKI(keys.publicKey as jose.CryptoKey);
    const secrets = [
      new TextEncoder().encode(spkiPem),
      Buffer.from(publicJwk.x!, 'base64url'),
      new TextEncoder().encode(JSON.stringify(publicJwk)),
    ];
    for (const secret of secrets) {
      const token = await new jose.SignJWT(validClaims()).setProtectedHeader({ alg: 'HS256', kid: keys.kid, typ: 'JWT' }).sign(secret);
      await expect401(token, 'token_invalid');
    }
  });

  it('a token for another audience (the checkout token of a payment) → 401', async () => {
    const login = await t.login('auth-shop', tenant.secrets.sandbox);
    const created = await t.request('POST', '/v1/payments', { token: login, idempotencyKey: 'aud-1', body: validPayment });
    expect(created.status).toBe(201);
    const checkoutToken = created.body.checkoutToken as string;
    expect(jose.decodeJwt(checkoutToken).aud).toBe('checkout');
    await expect401(checkoutToken, 'token_invalid');
    // platform-signed, everything valid but the audience
    await expect401(await signWithPlatformKey(validClaims({ aud: 'console' })), 'token_invalid');
  });

  it('an expired token (signed by the platform keys with a clock in the past) → 401 token_expired', async () => {
    const past = new TokenService(keys, () => new Date(Date.now() - 2 * HOUR_MS));
    const { token } = await past.signTenantToken({ tenantId: tenant.tenantId, mode: 'sandbox' });
    expect(jose.decodeJwt(token).exp! * 1000).toBeLessThan(Date.now());
    await expect401(token, 'token_expired');
    // control: the same service with the current clock signs an accepted token
    const { token: fresh } = await new TokenService(keys).signTenantToken({ tenantId: tenant.tenantId, mode: 'sandbox' });
    expect((await listPayments(fresh)).status).toBe(200);
  });
});

describe('secret rotation', () => {
  it('keeps the previous secret valid for 24 h, then only the new one works', async () => {
    const rotating = await t.createTenant('auth-rotate');
    const oldSecret = rotating.secrets.sandbox;
    const before = Date.now();
    const rotated = await t.platform.orm.em
      .fork()
      .transactional((em) => t.platform.tenants.rotateSecret(em, 'auth-rotate', 'sandbox', TEST_CONTEXT));
    expect(rotated.secret).toMatch(/^sk_sandbox_/);
    expect(rotated.secret).not.toBe(oldSecret);
    const graceEnd = Date.parse(rotated.previousValidUntil);
    expect(graceEnd).toBeGreaterThanOrEqual(before + 24 * HOUR_MS);
    expect(graceEnd).toBeLessThanOrEqual(Date.now() + 24 * HOUR_MS);

    // During the grace period both work, through the API.
    for (const appSecret of [oldSecret, rotated.secret]) {
      const res = await t.request('POST', '/v1/auth/token', { body: { appName: 'auth-rotate', appSecret } });
      expect(res.status).toBe(200);
      expect(res.body.mode).toBe('sandbox');
      expect(jose.decodeJwt(res.body.accessToken).sub).toBe(rotating.tenantId);
    }
    // The other mode's secret is untouched.
    expect((await t.request('POST', '/v1/auth/token', { body: { appName: 'auth-rotate', appSecret: rotating.secrets.live } })).status).toBe(200);

    const at = (offsetMs: number) => new TenantService(() => new Date(Date.now() + offsetMs));
    const authenticate = (service: TenantService, secret: string) =>
      service.authenticate(t.platform.orm.em.fork(), 'auth-rotate', secret);

    // 23 h later: still in grace.
    await expect(authenticate(at(23 * HOUR_MS), oldSecret)).resolves.toMatchObject({ mode: 'sandbox', tenant: { id: rotating.tenantId } });

    // 25 h later: the old secret is refused, the new one works.
    const later = at(25 * HOUR_MS);
    const refused = await authenticate(later, oldSecret).then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'invalid_credentials', status: 401 });
    await expect(authenticate(later, rotated.secret)).resolves.toMatchObject({ mode: 'sandbox', tenant: { id: rotating.tenantId } });
  });
});
