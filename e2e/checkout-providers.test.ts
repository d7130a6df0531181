import type { Browser, Locator, Page, Route } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../apps/api/test/harness.js';
import { addProviderAccounts } from '../apps/api/test/provider-account-setup.js';
import { checkoutCsp } from '../apps/api/src/http/web-apps.js';
import type { ProviderName } from '@platform/core';
import { startStripeFake, type StripeFake } from '../packages/providers/test/fakes/stripe-fake.js';
import { startAdyenFake, type AdyenFake } from '../packages/providers/test/fakes/adyen-fake.js';
import { closePagesExpectingNoProblems, launchBrowser, screenshotPath, trackPageProblems, type TrackedPage } from './browser.js';
import { createPayment } from './payments.helpers.js';

/**
 * The hosted checkout with real provider accounts: the API talks to the local Stripe and Adyen
 * fakes (STRIPE_API_BASE_URL / ADYEN_CHECKOUT_BASE_URL), the page calls `checkout.prepare` and
 * loads the provider's browser SDK on demand. These machines are offline, so js.stripe.com and
 * checkoutshopper-*.adyen.com are unreachable — and the routes below make that explicit (and
 * independent of the network), while recording that the browser did try: the CSP let the
 * request through (a CSP block would be reported by trackPageProblems and never reach a route).
 * What must show: the accessible "could not be loaded" state with "Try again", never a blank
 * page and never our sandbox card form.
 */

let t: TestPlatform;
let browser: Browser;
let stripe: StripeFake;
let adyen: AdyenFake;
let stripeShop: { liveToken: string; sandboxToken: string };
const pages: TrackedPage[] = [];

const FORM_FAILED = 'The payment form could not be loaded. Please try again later.';

function stripeKeys(suffix: string) {
  return {
    secretKey: `sk_live_${suffix}0123456789abcdef`,
    publishableKey: `pk_live_${suffix}0123456789abcdef`,
    webhookSecret: `whsec_${suffix}0123456789abcdef`,
  };
}

async function tenantWithAccount(appName: string, mode: 'live' | 'sandbox', provider: 'stripe' | 'adyen', config: Record<string, string>) {
  const tenant = await t.tenantWithTokens(appName);
  await addProviderAccounts(t, { tenantId: tenant.tenantId, mode, provider, config });
  await t.sql('update tenants set display_name = ? where id = ?', [`${appName} store`, tenant.tenantId]);
  return tenant;
}

beforeAll(async () => {
  stripe = await startStripeFake();
  adyen = await startAdyenFake();
  t = await startTestPlatform({ env: { STRIPE_API_BASE_URL: stripe.url, ADYEN_CHECKOUT_BASE_URL: adyen.url } });
  browser = await launchBrowser();
  stripeShop = await tenantWithAccount('stripe-shop', 'live', 'stripe', stripeKeys('shop'));
});

// No uncaught errors and no CSP violations on any page a test opened.
afterEach(() => closePagesExpectingNoProblems(pages));

afterAll(async () => {
  await browser?.close();
  await t?.close();
  await stripe?.close();
  await adyen?.close();
});

interface Opened {
  page: Page;
  /** Requests the page made to the providers' hosts (all aborted: "offline"). */
  providerRequests: string[];
  /** Every same-origin asset the page fetched (to see which chunks were loaded). */
  assets: string[];
}

/** Opens a page with the providers' hosts unreachable, as they are on these machines anyway; its CSP allows exactly `providers`. */
async function open(url: string, width: number, providers: ProviderName[]): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width, height: 800 }, locale: 'en-US' });
  pages.push({ page, problems: trackPageProblems(page) });
  const providerRequests: string[] = [];
  const assets: string[] = [];
  const offline = async (route: Route) => {
    providerRequests.push(route.request().url());
    await route.abort('internetdisconnected');
  };
  await page.route(/^https:\/\/([a-z0-9-]+\.)*(stripe\.com|stripe\.network|adyen\.com)\//, offline);
  page.on('request', (request) => {
    if (request.url().startsWith(`${t.baseUrl}/pay/assets/`)) assets.push(new URL(request.url()).pathname);
  });
  const response = await page.goto(url);
  expect(response?.status()).toBe(200);
  const headers = response!.headers();
  expect(headers['content-security-policy']).toBe(checkoutCsp(providers));
  expect(headers['referrer-policy']).toBe('no-referrer');
  return { page, providerRequests, assets };
}

async function visible(locator: Locator, timeout = 15_000): Promise<Locator> {
  await locator.waitFor({ state: 'visible', timeout });
  return locator;
}

const payButton = (page: Page) => page.getByRole('button', { name: /^Pay / });
const paymentIntentCreates = (paymentId: string) =>
  stripe.requests.filter((r) => r.route === 'POST /v1/payment_intents' && typeof r.body.metadata === 'object' && r.body.metadata.paymentId === paymentId);

describe('the page loads the provider form the API prepared', () => {
  it("CSP of /pay: only the payment's providers are allowed; still no inline scripts, not frameable, no referrer", () => {
    const directives = (providers: ProviderName[]) => new Map(checkoutCsp(providers).split('; ').map((d) => [d.split(' ')[0]!, d.split(' ').slice(1)] as const));
    const sandbox = directives(['sandbox']);
    expect(sandbox.get('script-src')).toEqual(["'self'"]);
    expect(sandbox.get('connect-src')).toEqual(["'self'"]);
    expect(sandbox.get('frame-src')).toEqual(["'none'"]);
    expect(sandbox.get('form-action')).toEqual(["'self'"]);
    const stripeOnly = directives(['stripe']);
    expect(stripeOnly.get('script-src')).toEqual(["'self'", 'https://js.stripe.com', 'https://*.js.stripe.com']);
    expect(stripeOnly.get('frame-src')).toEqual(['https://js.stripe.com', 'https://*.js.stripe.com', 'https://hooks.stripe.com']);
    expect(stripeOnly.get('connect-src')).toEqual(["'self'", 'https://api.stripe.com']);
    expect(stripeOnly.get('form-action')).toEqual(["'self'"]);
    // Adyen: its hosts, and frames/forms of any https origin for the issuers' 3-D Secure pages.
    const adyenOnly = directives(['adyen']);
    expect(adyenOnly.get('script-src')).toEqual(["'self'", 'https://checkoutshopper-test.adyen.com', 'https://checkoutshopper-live.adyen.com']);
    expect(adyenOnly.get('frame-src')).toEqual(['https:']);
    expect(adyenOnly.get('form-action')).toEqual(["'self'", 'https:']);
    expect(adyenOnly.get('connect-src')).toEqual(expect.arrayContaining(["'self'", 'https://checkoutshopper-test.adyen.com', 'https://checkoutanalytics-live.adyen.com']));
    for (const d of [sandbox, stripeOnly, adyenOnly, directives(['stripe', 'adyen'])]) {
      expect(d.get('script-src')).not.toContain("'unsafe-inline'");
      expect(d.get('frame-ancestors')).toEqual(["'none'"]);
      expect(d.get('default-src')).toEqual(["'self'"]);
      expect(d.get('base-uri')).toEqual(["'none'"]);
    }
  });

  it('live Stripe payment: prepare creates the PaymentIntent, js.stripe.com is unreachable → "could not be loaded" with Try again, no card form', async () => {
    const payment = await createPayment(t, stripeShop.liveToken);
    const { page, providerRequests, assets } = await open(payment.url, 360, ['stripe']);

    const alert = await visible(page.getByRole('alert').filter({ hasText: FORM_FAILED }));
    expect(await alert.textContent()).toContain('No money has been taken.');
    expect(await page.getByRole('heading', { name: 'The payment form is not available' }).isVisible()).toBe(true);
    const retry = page.getByRole('button', { name: 'Try again' });
    expect(await retry.isVisible()).toBe(true);
    // Never the sandbox card form (nor a pay button) on a live Stripe payment.
    expect(await page.getByLabel('Card number').count()).toBe(0);
    expect(await payButton(page).count()).toBe(0);
    expect(await page.getByText('Sandbox — no real money').count()).toBe(0);
    await page.screenshot({ path: screenshotPath('checkout-stripe-unavailable-360'), fullPage: true });

    // The page called checkout.prepare: our server created the PaymentIntent at "Stripe" for this payment…
    expect(paymentIntentCreates(payment.id)).toHaveLength(1);
    const [row] = await t.sql('select provider, provider_reference from payments where id = ?', [payment.id]);
    expect(row.provider).toBe('stripe');
    expect(stripe.paymentIntents.has(row.provider_reference)).toBe(true);
    // …and the browser then tried to load Stripe.js (allowed by the CSP), in its own lazy chunk.
    expect(providerRequests.some((u) => u.startsWith('https://js.stripe.com/'))).toBe(true);
    expect(assets.some((a) => /\/assets\/stripe-[\w-]+\.js$/.test(a))).toBe(true);
    expect(assets.some((a) => /\/assets\/adyen-/.test(a))).toBe(false);

    // Try again: loads Stripe.js again (same prepared PaymentIntent), fails the same accessible way.
    const before = providerRequests.length;
    await retry.click();
    await visible(page.getByRole('alert').filter({ hasText: FORM_FAILED }));
    expect(providerRequests.length).toBeGreaterThan(before);
    expect(paymentIntentCreates(payment.id)).toHaveLength(1);
    // After a click the focus follows the new state (keyboard and screen-reader users hear it).
    expect(await page.locator(':focus').textContent()).toBe('The payment form is not available');
    expect((await t.request('GET', `/v1/payments/${payment.id}`, { token: stripeShop.liveToken })).body.status).toBe('requires_payment_method');
  });

  it('reloading the page reuses the prepared PaymentIntent (same idempotency key at Stripe)', async () => {
    const payment = await createPayment(t, stripeShop.liveToken);
    const first = await open(payment.url, 1280, ['stripe']);
    await visible(first.page.getByRole('alert').filter({ hasText: FORM_FAILED }));
    await first.page.screenshot({ path: screenshotPath('checkout-stripe-unavailable-1280'), fullPage: true });
    const second = await open(payment.url, 1280, ['stripe']);
    await visible(second.page.getByRole('alert').filter({ hasText: FORM_FAILED }));
    const creates = paymentIntentCreates(payment.id);
    expect(creates).toHaveLength(2);
    expect(creates[1]!.idempotencyKey).toBe(creates[0]!.idempotencyKey);
    expect([...stripe.paymentIntents.values()].filter((pi) => pi.metadata['paymentId'] === payment.id)).toHaveLength(1);
  });

  it('a sandbox payment of a tenant without sandbox accounts keeps the built-in card form and loads no provider SDK', async () => {
    const payment = await createPayment(t, stripeShop.sandboxToken);
    const { page, providerRequests, assets } = await open(payment.url, 360, ['sandbox']);
    expect(await (await visible(payButton(page))).textContent()).toBe('Pay €19.99');
    expect(await page.getByLabel('Card number').isVisible()).toBe(true);
    expect(providerRequests).toEqual([]);
    expect(assets.filter((a) => /\/assets\/(stripe|adyen)-/.test(a))).toEqual([]);
  });

  it('sandbox payment with an Adyen test account: Drop-in is loaded lazily; Adyen unreachable → "could not be loaded"', async () => {
    const shop = await tenantWithAccount('adyen-shop', 'sandbox', 'adyen', {
      apiKey: 'AQE_test_api_key_0123456789abcdef',
      merchantAccount: 'AdyenShopECOM',
      clientKey: 'test_ABCDEFGH12345678',
      hmacKey: '00112233445566778899AABBCCDDEEFF',
      environment: 'test',
    });
    // Sandbox payments use the built-in sandbox unless the tenant asks for its provider.
    const payment = await createPayment(t, shop.sandboxToken, { provider: 'adyen' });
    const { page, providerRequests, assets } = await open(payment.url, 360, ['adyen']);

    await visible(page.getByRole('alert').filter({ hasText: FORM_FAILED }));
    expect(await page.getByText('Sandbox — no real money').isVisible()).toBe(true);
    expect(await page.getByLabel('Card number').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Try again' }).isVisible()).toBe(true);
    // prepare created the Adyen session for this payment; Drop-in (JS and CSS chunks) then tried Adyen.
    expect(adyen.sessions().map((s) => s.reference)).toContain(payment.id);
    expect(assets.some((a) => /\/assets\/adyen-[\w-]+\.js$/.test(a))).toBe(true);
    expect(assets.some((a) => /\/assets\/adyen-[\w-]+\.css$/.test(a))).toBe(true);
    expect(providerRequests.some((u) => u.startsWith('https://checkoutshopper-test.adyen.com/'))).toBe(true);
    await page.screenshot({ path: screenshotPath('checkout-adyen-unavailable-360'), fullPage: true });
  });
});

// Last: the Stripe fake's scripted failures apply to every later PaymentIntent creation.
describe('no provider reachable', () => {
  it('the only account answers 500 always → readable "provider unavailable" message with Try again', async () => {
    const shop = await tenantWithAccount('stripe-down', 'live', 'stripe', stripeKeys('down'));
    stripe.fail('POST /v1/payment_intents', { status: 500, times: 1000 });
    const payment = await createPayment(t, shop.liveToken);
    const { page, providerRequests } = await open(payment.url, 360, ['stripe']);

    const alert = await visible(page.getByRole('alert').filter({ hasText: 'The payment provider is not available at the moment' }));
    expect(await alert.textContent()).toContain('No money was taken');
    expect(await page.getByRole('heading', { name: 'Card payment is not available right now' }).isVisible()).toBe(true);
    expect(await page.getByLabel('Card number').count()).toBe(0);
    expect(await payButton(page).count()).toBe(0);
    await page.screenshot({ path: screenshotPath('checkout-provider-unavailable-360'), fullPage: true });

    // prepare tried Stripe (with retries) and gave up; the browser never got a form to load.
    const tries = paymentIntentCreates(payment.id).length;
    expect(tries).toBeGreaterThanOrEqual(1);
    expect(providerRequests).toEqual([]);
    const [attempts] = await t.sql("select count(*)::int as n from payment_attempts where payment_id = ? and status = 'failed'", [payment.id]);
    expect(attempts.n).toBe(1);

    // Try again asks the API again; still unavailable, still readable.
    await page.getByRole('button', { name: 'Try again' }).click();
    await visible(page.getByRole('alert').filter({ hasText: 'The payment provider is not available at the moment' }));
    await expect.poll(async () => (await t.sql("select count(*)::int as n from payment_attempts where payment_id = ? and status = 'failed'", [payment.id]))[0].n).toBe(2);
    expect((await t.request('GET', `/v1/payments/${payment.id}`, { token: shop.liveToken })).body.status).toBe('requires_payment_method');
  });
});
