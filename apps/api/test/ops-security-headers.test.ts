import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, validPayment, type ApiResponse, type TestPlatform } from './harness.js';

/** ARCHITECTURE "Security model": security headers (CSP on the checkout page, HSTS, no-referrer on token URLs). */
describe('security headers on every response', () => {
  let t: TestPlatform;
  let token: string;
  let checkoutToken: string;

  beforeAll(async () => {
    t = await startTestPlatform();
    token = (await t.tenantWithTokens('headers-shop')).sandboxToken;
    const created = await t.request('POST', '/v1/payments', { token, idempotencyKey: 'headers-1', body: validPayment });
    checkoutToken = created.body.checkoutToken;
  });
  afterAll(() => t.close());

  const routes = (): [string, () => Promise<ApiResponse>][] => [
    ['GET /healthz', () => t.request('GET', '/healthz')],
    ['GET /readyz', () => t.request('GET', '/readyz')],
    ['GET /metrics', () => t.request('GET', '/metrics')],
    ['GET /openapi.json', () => t.request('GET', '/openapi.json')],
    ['GET /docs', () => t.request('GET', '/docs')],
    ['GET /v1/payments (200)', () => t.request('GET', '/v1/payments', { token })],
    ['GET /v1/payments (401)', () => t.request('GET', '/v1/payments')],
    ['POST /v1/payments (400)', () => t.request('POST', '/v1/payments', { token, idempotencyKey: 'h-2', rawBody: '{' })],
    ['GET /nope (404)', () => t.request('GET', '/nope')],
    ['GET /trpc/checkout.session', () => t.request('GET', `/trpc/checkout.session?input=${encodeURIComponent(JSON.stringify({ token: checkoutToken }))}`)],
    ['POST /webhooks/sandbox', () => t.request('POST', '/webhooks/sandbox', { rawBody: '{}' })],
    ['GET /pay/{checkoutToken}', () => t.request('GET', `/pay/${checkoutToken}`)],
    ['GET /console/', () => t.request('GET', '/console/')],
  ];

  it('Strict-Transport-Security, X-Content-Type-Options and X-Frame-Options everywhere, errors included', async () => {
    for (const [label, call] of routes()) {
      const res = await call();
      expect(res.headers.get('strict-transport-security'), label).toBe('max-age=31536000; includeSubDomains');
      expect(res.headers.get('x-content-type-options'), label).toBe('nosniff');
      expect(res.headers.get('x-frame-options'), label).toBe('DENY');
    }
  });

  it('no referrer from token URLs (the hosted page, the API), same-origin from the console', async () => {
    for (const [label, call] of routes()) {
      const res = await call();
      expect(res.headers.get('referrer-policy'), label).toBe(label === 'GET /console/' ? 'same-origin' : 'no-referrer');
    }
  });

  it('the checkout page has its CSP (no inline scripts, not frameable)', async () => {
    const res = await t.request('GET', `/pay/${checkoutToken}`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(csp).toContain("frame-ancestors 'none'");
  });
});
