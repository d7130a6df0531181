import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutCsp } from '../src/http/web-apps.js';
import { startTestPlatform, validPayment, type TestPlatform } from './harness.js';
import { addProviderAccounts, randomKeyPart } from './provider-account-setup.js';

/**
 * The hosted page's CSP is chosen per payment link: only the hosts of the providers whose form
 * this payment may show. Adyen pages also allow frames and form posts to any https origin (the
 * card issuers' 3-D Secure pages); sandbox and Stripe pages don't. Assets and unusable links get
 * the strictest policy.
 */
let t: TestPlatform;
let keyN = 0;

beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(() => t?.close());

const adyenConfig = () => ({
  apiKey: `AQE_test_${randomKeyPart()}_0123456789`,
  merchantAccount: 'CspShopECOM',
  clientKey: `test_${randomKeyPart().toUpperCase()}12345678`,
  hmacKey: '00112233445566778899AABBCCDDEEFF',
  environment: 'test' as const,
});

async function pageCsp(token: string, body: Record<string, unknown> = {}) {
  const created = await t.request('POST', '/v1/payments', { token, idempotencyKey: `csp-${++keyN}`, body: { ...validPayment, ...body } });
  expect(created.status, created.text).toBe(201);
  const res = await fetch(`${t.baseUrl}${new URL(created.body.checkoutUrl as string).pathname}`);
  return res.headers.get('content-security-policy');
}

describe('CSP of /pay/{token}', () => {
  it('a sandbox payment on the built-in sandbox: our own origin only, no frames, forms to ourselves', async () => {
    const shop = await t.tenantWithTokens('csp-sandbox-shop');
    const csp = await pageCsp(shop.sandboxToken);
    expect(csp).toBe(checkoutCsp(['sandbox']));
    expect(csp).toContain("frame-src 'none'");
    expect(csp).not.toContain('stripe.com');
    expect(csp).not.toContain('adyen.com');
  });

  it('a live payment routed to Stripe: Stripe hosts only, forms to ourselves', async () => {
    const shop = await t.tenantWithTokens('csp-stripe-shop');
    const id = randomKeyPart();
    await addProviderAccounts(t, { tenantId: shop.tenantId, mode: 'live', provider: 'stripe', config: { secretKey: `sk_live_${id}CspKey1`, publishableKey: `pk_live_${id}CspKey2`, webhookSecret: `whsec_${id}CspKey3` } });
    const csp = await pageCsp(shop.liveToken);
    expect(csp).toBe(checkoutCsp(['stripe']));
    expect(csp).toMatch(/form-action 'self'(;|$)/); // no https: for Stripe
    expect(csp).not.toMatch(/frame-src [^;]*https:(;| |$)/);
  });

  it('a payment that may use Adyen: frames and form posts to any https origin (issuer 3-D Secure)', async () => {
    const shop = await t.tenantWithTokens('csp-adyen-shop');
    const id = randomKeyPart();
    await addProviderAccounts(
      t,
      { tenantId: shop.tenantId, mode: 'live', provider: 'stripe', config: { secretKey: `sk_live_${id}CspKey1`, publishableKey: `pk_live_${id}CspKey2`, webhookSecret: `whsec_${id}CspKey3` } },
      { tenantId: shop.tenantId, mode: 'live', provider: 'adyen', config: { ...adyenConfig(), clientKey: `live_${id.toUpperCase()}12345678`, environment: 'live', liveEndpointUrlPrefix: 'abc123-cspshop' } },
      { tenantId: shop.tenantId, mode: 'sandbox', provider: 'adyen', config: adyenConfig() },
    );
    // Live routing: Stripe first, Adyen as failover — either form may be shown.
    const csp = await pageCsp(shop.liveToken);
    expect(csp).toBe(checkoutCsp(['stripe', 'adyen']));
    expect(csp).toContain("form-action 'self' https:");
    expect(csp).toMatch(/frame-src [^;]*https:(;|$)/);
    // A payment that asked for Stripe never shows Adyen's form…
    expect(await pageCsp(shop.liveToken, { provider: 'stripe' })).toBe(checkoutCsp(['stripe']));
    // …and sandbox payments use the built-in sandbox unless they ask for the tenant's provider.
    expect(await pageCsp(shop.sandboxToken)).toBe(checkoutCsp(['sandbox']));
    expect(await pageCsp(shop.sandboxToken, { provider: 'adyen' })).toBe(checkoutCsp(['adyen']));
  });

  it('an unusable link and the page assets get the strictest policy', async () => {
    const bad = await fetch(`${t.baseUrl}/pay/not.a.token`);
    expect(bad.headers.get('content-security-policy')).toBe(checkoutCsp([]));
    const asset = await fetch(`${t.baseUrl}/pay/assets/index.js`);
    expect(asset.headers.get('content-security-policy')).toBe(checkoutCsp([]));
  });
});
