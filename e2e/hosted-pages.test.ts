import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, validPayment, type TestPlatform } from '../apps/api/test/harness.js';
import { launchBrowser, screenshotPath } from './browser.js';

let t: TestPlatform;
let browser: Browser;

beforeAll(async () => {
  t = await startTestPlatform();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('pages served by the API (built bundles)', () => {
  it('a checkoutUrl from POST /v1/payments opens the hosted page with the checkout security headers', async () => {
    const { sandboxToken } = await t.tenantWithTokens('browser-shop');
    const payment = await t.request('POST', '/v1/payments', { token: sandboxToken, idempotencyKey: 'b1', body: validPayment });
    expect(payment.status).toBe(201);
    const url = payment.body.checkoutUrl.replace(t.config.publicUrl, t.baseUrl);
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const response = await page.goto(url);
    expect(response?.status()).toBe(200);
    const headers = response!.headers();
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['content-security-policy']).not.toContain("'unsafe-inline' 'self'; script");
    expect(headers['referrer-policy']).toBe('no-referrer');
    await page.getByRole('main').waitFor({ state: 'visible', timeout: 15_000 });
    await page.screenshot({ path: screenshotPath('checkout-placeholder-360') });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the console is served at /console/', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${t.baseUrl}/console/`);
    // The sign-in form renders once the app has asked who is signed in.
    const heading = page.getByRole('heading', { name: 'Payment platform console' });
    await heading.waitFor({ state: 'visible', timeout: 15_000 });
    expect(await heading.isVisible()).toBe(true);
    await page.close();
  });

  it('/docs renders the OpenAPI document in Swagger UI', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${t.baseUrl}/docs`);
    await page.getByText('/v1/payments', { exact: true }).first().waitFor({ timeout: 15_000 });
    await page.screenshot({ path: screenshotPath('api-docs-1280') });
    await page.close();
  });
});
