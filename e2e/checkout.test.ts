import { randomUUID } from 'node:crypto';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, validPayment, type TestPlatform } from '../apps/api/test/harness.js';
import { TokenService } from '../apps/api/src/auth/tokens.js';
import { loadKeys } from '../apps/api/src/keys.js';
import { closePagesExpectingNoProblems, launchBrowser, screenshotPath, startLocalSite, trackPageProblems, type TrackedPage } from './browser.js';

/**
 * The hosted checkout (apps/checkout, built) against the real API + worker: sandbox test cards
 * end to end, 3-D Secure, delayed webhooks, token error pages, keyboard use, screenshots.
 */

let t: TestPlatform;
let browser: Browser;
let site: Awaited<ReturnType<typeof startLocalSite>>;
let sandboxToken: string;
let liveToken: string;
let tenantId: string;
const MERCHANT = 'Acme Coffee Roasters';
const pages: TrackedPage[] = [];

// A small SVG logo as a data: URL (CSP img-src allows data: and https:).
const LOGO =
  'data:image/svg+xml;base64,' +
  Buffer.from(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40"><rect width="40" height="40" rx="8" fill="#0a6b44"/><circle cx="20" cy="20" r="9" fill="#f4e3c1"/></svg>',
  ).toString('base64');

/** A card expiry safely in the future, as typed: "12 / 29". */
const FUTURE_EXPIRY = `12 / ${String((new Date().getFullYear() + 3) % 100).padStart(2, '0')}`;

beforeAll(async () => {
  t = await startTestPlatform();
  browser = await launchBrowser();
  site = await startLocalSite();
  const tenant = await t.tenantWithTokens('coffee-shop');
  sandboxToken = tenant.sandboxToken;
  liveToken = tenant.liveToken;
  tenantId = tenant.tenantId;
  await t.sql('update tenants set display_name = ?, logo_url = ?, brand_color = ? where id = ?', [MERCHANT, LOGO, '#0a6b44', tenantId]);
});

// No uncaught errors and no CSP violations (inline scripts) on any page a test opened.
afterEach(() => closePagesExpectingNoProblems(pages));

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await t?.close();
});

interface CreatedPayment {
  id: string;
  url: string;
  token: string;
}

async function createPayment(body: Record<string, unknown> = {}, token = sandboxToken): Promise<CreatedPayment> {
  const res = await t.request('POST', '/v1/payments', {
    token,
    idempotencyKey: randomUUID(),
    body: { ...validPayment, returnUrl: `${site.url}/done`, cancelUrl: `${site.url}/cart`, ...body },
  });
  expect(res.status, res.text).toBe(201);
  return { id: res.body.id, url: res.body.checkoutUrl.replace(t.config.publicUrl, t.baseUrl), token: res.body.checkoutToken };
}

async function getPayment(id: string, token = sandboxToken) {
  const res = await t.request('GET', `/v1/payments/${id}`, { token });
  expect(res.status).toBe(200);
  return res.body;
}

/**
 * Navigations to the shop are held until `releaseReturn(page)`: the receipt redirects after
 * ~2 s, and on a busy machine the assertions on the receipt must not race that timer (the
 * receipt stays on screen until the held navigation is answered).
 */
const returnGates = new WeakMap<Page, () => void>();

async function open(url: string, width = 360): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: width < 600 ? 760 : 900 }, locale: 'en-US' });
  pages.push({ page, problems: trackPageProblems(page) });
  const gate = new Promise<void>((resolve) => returnGates.set(page, resolve));
  await page.route(`${site.url}/**`, async (route) => {
    await gate;
    await route.continue();
  });
  await page.goto(url);
  return page;
}

function releaseReturn(page: Page): void {
  returnGates.get(page)?.();
}

async function visible(locator: Locator, timeout = 10_000): Promise<Locator> {
  await locator.waitFor({ state: 'visible', timeout });
  return locator;
}

async function fillCard(page: Page, number: string, expiry = FUTURE_EXPIRY, cvc = '123') {
  await page.getByLabel('Card number').fill(number);
  await page.getByLabel('Expiry date').fill(expiry);
  await page.getByLabel('CVC').fill(cvc);
  await page.getByLabel('Name on card').fill('Ann Example');
}

const payButton = (page: Page) => page.getByRole('button', { name: /^Pay / });

/** The receipt, then the redirect to returnUrl with ?paymentId=… */
async function expectPaidAndRedirected(page: Page, paymentId: string, screenshot?: string) {
  await visible(page.getByRole('heading', { name: 'Payment successful' }), 15_000);
  expect(await page.getByText(paymentId).isVisible()).toBe(true);
  expect(await page.locator('.receipt').textContent()).toContain(MERCHANT);
  const back = page.getByRole('link', { name: `Return to ${MERCHANT}` });
  expect(await back.getAttribute('href')).toBe(`${site.url}/done?paymentId=${paymentId}`);
  await visible(page.getByRole('status').filter({ hasText: `Taking you back to ${MERCHANT}` }));
  if (screenshot) await page.screenshot({ path: screenshotPath(screenshot), fullPage: true });
  releaseReturn(page);
  await page.waitForURL(`${site.url}/done?paymentId=${paymentId}`, { timeout: 10_000 });
  expect(site.visits).toContain(`/done?paymentId=${paymentId}`);
  expect((await getPayment(paymentId)).status).toBe('succeeded');
}

/** What has the focus: a field's <label> text, else the element's own text (buttons). */
async function focusedLabel(page: Page): Promise<string | null> {
  const focused = page.locator(':focus');
  if ((await focused.count()) === 0) return null;
  const id = await focused.getAttribute('id');
  const label = id ? page.locator(`label[for="${id}"]`) : null;
  if (label && (await label.count()) > 0) return label.textContent();
  return focused.textContent();
}

/** The role of the focused element (e.g. "alert" for the decline message). */
async function focusedRole(page: Page): Promise<string | null> {
  const focused = page.locator(':focus');
  return (await focused.count()) === 0 ? null : focused.getAttribute('role');
}

describe('hosted checkout: sandbox test cards', () => {
  it('4242 4242 4242 4242 pays: branded page, receipt, redirect to returnUrl, the API says succeeded', async () => {
    const payment = await createPayment();
    const page = await open(payment.url, 360);

    await visible(page.getByRole('heading', { level: 1, name: MERCHANT }));
    expect(await page.getByText('Sandbox — no real money').isVisible()).toBe(true);
    expect(await page.getByText('Order #1001').isVisible()).toBe(true);
    expect(await page.locator('.amount').textContent()).toContain('€19.99');
    expect(await page.locator('img.merchant-logo').getAttribute('src')).toBe(LOGO);
    expect(await payButton(page).textContent()).toBe('Pay €19.99');
    for (const label of ['Card number', 'Expiry date', 'CVC', 'Name on card']) {
      expect(await page.getByLabel(label, { exact: true }).isVisible(), label).toBe(true);
    }
    const cancel = page.getByRole('link', { name: `Cancel and return to ${MERCHANT}` });
    expect(await cancel.getAttribute('href')).toBe(`${site.url}/cart`);
    // Usable at 360 px: nothing wider than the viewport.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await page.screenshot({ path: screenshotPath('checkout-form-360'), fullPage: true });

    await fillCard(page, '4242424242424242');
    expect(await page.getByLabel('Card number').inputValue()).toBe('4242 4242 4242 4242');
    await payButton(page).click();

    await visible(page.getByRole('heading', { name: 'Payment successful' }), 15_000);
    expect(await page.locator('.receipt').textContent()).toContain('€19.99');
    await expectPaidAndRedirected(page, payment.id, 'checkout-receipt-360');
  });

  it('a paid payment opened later shows its receipt instead of the form (and stays put)', async () => {
    const payment = await createPayment({ amount: 250000, currency: 'JPY', description: 'Espresso machine' });
    const first = await open(payment.url, 1280);
    expect(await visible(payButton(first)).then((b) => b.textContent())).toBe('Pay ¥250,000');
    await fillCard(first, '4242 4242 4242 4242');
    await payButton(first).click();
    await expectPaidAndRedirected(first, payment.id);

    const later = await open(payment.url, 1280);
    releaseReturn(later); // a redirect would really happen (and be seen below)
    await visible(later.getByRole('heading', { name: 'Payment successful' }));
    expect(await later.getByLabel('Card number').count()).toBe(0);
    expect(await later.locator('.receipt').textContent()).toContain('¥250,000');
    expect(await later.getByRole('link', { name: `Return to ${MERCHANT}` }).getAttribute('href')).toBe(`${site.url}/done?paymentId=${payment.id}`);
    await later.screenshot({ path: screenshotPath('checkout-receipt-1280'), fullPage: true });
    expect(await later.getByText('Taking you back').count()).toBe(0);
    await later.waitForTimeout(2500);
    expect(new URL(later.url()).pathname).toMatch(/^\/pay\//);
  });

  it('4000 0000 0000 0002 is declined with a readable message, then 4242… succeeds on the same page', async () => {
    const payment = await createPayment();
    const page = await open(payment.url, 1280);
    await visible(payButton(page));
    await page.screenshot({ path: screenshotPath('checkout-form-1280'), fullPage: true });

    await fillCard(page, '4000 0000 0000 0002');
    await payButton(page).click();
    const alert = await visible(page.getByRole('alert').filter({ hasText: 'did not go through' }), 15_000);
    expect(await alert.textContent()).toContain('Your card was declined.');
    const declined = await getPayment(payment.id);
    expect(declined.status).toBe('requires_payment_method');
    expect(declined.lastError).toMatchObject({ code: 'card_declined' });
    // The form is back, with what was typed, and the focus is on the message.
    expect(await page.getByLabel('Card number').inputValue()).toBe('4000 0000 0000 0002');
    expect(await focusedRole(page)).toBe('alert');
    await page.screenshot({ path: screenshotPath('checkout-declined-1280'), fullPage: true });

    await page.getByLabel('Card number').fill('4242 4242 4242 4242');
    await payButton(page).click();
    await expectPaidAndRedirected(page, payment.id);
  });

  it('a provider error (4000 0000 0000 0119, refused synchronously) shows its message and the form works again', async () => {
    const payment = await createPayment();
    const page = await open(payment.url, 360);
    await visible(payButton(page));
    await fillCard(page, '4000 0000 0000 0119');
    await payButton(page).click();
    const alert = await visible(page.getByRole('alert').filter({ hasText: 'did not go through' }), 15_000);
    expect(await alert.textContent()).toContain('payment provider had a problem');
    expect((await getPayment(payment.id)).lastError).toMatchObject({ code: 'provider_error' });
    // Same error twice in a row: the form is fresh each time (not stuck "sending").
    await payButton(page).click();
    await page.locator('[role="alert"]:focus').waitFor({ timeout: 15_000 });
    expect(await payButton(page).getAttribute('aria-disabled')).toBeNull();
    const [attempts] = await t.sql('select count(*)::int as n from payment_attempts where payment_id = ?', [payment.id]);
    expect(attempts.n).toBe(2);
    await page.getByLabel('Card number').fill('4242 4242 4242 4242');
    await payButton(page).click();
    await expectPaidAndRedirected(page, payment.id);
  });

  it('4000 0027 6000 3184 → 3-D Secure → "Complete authentication" → succeeded', async () => {
    const payment = await createPayment();
    const page = await open(payment.url, 360);
    await visible(payButton(page));
    await fillCard(page, '4000 0027 6000 3184');
    await payButton(page).click();

    const complete = await visible(page.getByRole('button', { name: 'Complete authentication' }), 15_000);
    expect(await page.getByRole('button', { name: 'Fail authentication' }).isVisible()).toBe(true);
    expect((await getPayment(payment.id)).status).toBe('requires_action');
    await page.screenshot({ path: screenshotPath('checkout-3ds-360'), fullPage: true });
    await complete.click();
    await expectPaidAndRedirected(page, payment.id);
  });

  it('3-D Secure "Fail authentication" → back to requires_payment_method with lastError, message on the page', async () => {
    const payment = await createPayment();
    const page = await open(payment.url, 360);
    await visible(payButton(page));
    await fillCard(page, '4000002760003184');
    await payButton(page).click();
    await (await visible(page.getByRole('button', { name: 'Fail authentication' }), 15_000)).click();

    const alert = await visible(page.getByRole('alert').filter({ hasText: 'did not go through' }), 15_000);
    expect(await alert.textContent()).toContain('could not be authenticated');
    const failed = await getPayment(payment.id);
    expect(failed.status).toBe('requires_payment_method');
    expect(failed.lastError).toMatchObject({ code: 'authentication_failed' });
    expect(await payButton(page).isVisible()).toBe(true);
  });

  it('4000 0000 0000 3055 shows the waiting state, then success when the delayed webhook arrives', async () => {
    const payment = await createPayment();
    const page = await open(payment.url, 360);
    await visible(payButton(page));
    await fillCard(page, '4000 0000 0000 3055');
    await payButton(page).click();

    await visible(page.getByRole('heading', { name: 'Processing your payment…' }), 5_000);
    expect((await getPayment(payment.id)).status).toBe('processing');
    await page.screenshot({ path: screenshotPath('checkout-processing-360'), fullPage: true });
    await expectPaidAndRedirected(page, payment.id);
  });

  it('checks the card inline: errors tied to their fields, focus on the first invalid one', async () => {
    const payment = await createPayment();
    const page = await open(payment.url, 360);
    await (await visible(payButton(page))).click();

    const number = page.getByLabel('Card number');
    expect(await focusedLabel(page)).toBe('Card number');
    expect(await number.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await number.getAttribute('aria-describedby'))!;
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toBe('Enter your card number.');
    expect(await page.locator('[aria-live="polite"]').textContent()).toContain('Please correct 3 fields');

    await fillCard(page, '4242 4242 4242 4241', '01 / 20', '12');
    await payButton(page).click();
    expect(await focusedLabel(page)).toBe('Card number');
    expect(await page.getByText('This card number is not valid').isVisible()).toBe(true);
    expect(await page.getByText('This card has expired').isVisible()).toBe(true);
    expect(await page.getByText('The CVC is the 3 or 4 digit code').isVisible()).toBe(true);
    await page.screenshot({ path: screenshotPath('checkout-validation-360'), fullPage: true });

    // Fixing a field clears its error as one types; the next submit focuses the next problem.
    await number.fill('4242 4242 4242 4242');
    expect(await number.getAttribute('aria-invalid')).toBeNull();
    await payButton(page).click();
    expect(await focusedLabel(page)).toBe('Expiry date');
    // Nothing was sent to the API.
    expect((await getPayment(payment.id)).status).toBe('requires_payment_method');
  });

  it('can be filled and submitted with the keyboard only (Tab, typing, Enter)', async () => {
    const payment = await createPayment();
    const page = await open(payment.url, 360);
    await visible(payButton(page));

    await page.keyboard.press('Tab');
    expect(await focusedLabel(page)).toBe('Card number');
    await page.keyboard.type('4242424242424242');
    await page.keyboard.press('Tab');
    expect(await focusedLabel(page)).toBe('Expiry date');
    await page.keyboard.type(FUTURE_EXPIRY.replace(/\D/g, ''));
    expect(await page.getByLabel('Expiry date').inputValue()).toBe(FUTURE_EXPIRY);
    await page.keyboard.press('Tab');
    expect(await focusedLabel(page)).toBe('CVC');
    await page.keyboard.type('123');
    await page.keyboard.press('Tab');
    expect(await focusedLabel(page)).toBe('Name on card');
    await page.keyboard.type('Ann Example');
    await page.keyboard.press('Tab');
    expect(await focusedLabel(page)).toBe('Pay €19.99');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await expectPaidAndRedirected(page, payment.id);
  });
});

describe('hosted checkout: links that cannot be paid', () => {
  it('an expired token shows the expiry page with the way back', async () => {
    const payment = await createPayment({ checkoutExpiresInSeconds: 60 });
    const [row] = await t.sql('select checkout_token_id from payments where id = ?', [payment.id]);
    const past = new Date(Date.now() - 2 * 3600_000);
    const tokens = new TokenService((await loadKeys(t.config)).signing, () => past);
    const expired = await tokens.signCheckoutToken(
      { paymentId: payment.id, tenantId, mode: 'sandbox', tokenId: row.checkout_token_id },
      new Date(Date.now() - 3600_000),
    );

    const page = await open(`${t.baseUrl}/pay/${expired}`, 360);
    await visible(page.getByRole('heading', { name: 'This payment link has expired' }));
    expect(await page.getByLabel('Card number').count()).toBe(0);
    const back = page.getByRole('link', { name: /^Return to / });
    expect(await back.getAttribute('href')).toBe(`${site.url}/cart`);
    await page.screenshot({ path: screenshotPath('checkout-expired-360'), fullPage: true });
    releaseReturn(page);
    await back.click();
    await page.waitForURL(`${site.url}/cart`);
  });

  it('a reissued token makes the old URL show the revoked page; the new one works', async () => {
    const payment = await createPayment();
    const res = await t.request('POST', `/v1/payments/${payment.id}/checkout`, { token: sandboxToken, idempotencyKey: randomUUID(), body: {} });
    expect(res.status, res.text).toBe(200);

    const old = await open(payment.url, 360);
    await visible(old.getByRole('heading', { name: 'This payment link is no longer valid' }));
    expect(await old.getByRole('link', { name: /^Return to / }).getAttribute('href')).toBe(`${site.url}/cart`);
    await old.screenshot({ path: screenshotPath('checkout-revoked-360'), fullPage: true });

    const fresh = await open(res.body.checkoutUrl.replace(t.config.publicUrl, t.baseUrl), 360);
    await visible(payButton(fresh));
  });

  it('an unknown or missing token shows "This payment link is not valid"', async () => {
    const bogus = await open(`${t.baseUrl}/pay/not-a-real-checkout-token`, 360);
    await visible(bogus.getByRole('heading', { name: 'This payment link is not valid' }));
    expect(await bogus.getByRole('link').count()).toBe(0);

    const missing = await open(`${t.baseUrl}/pay/`, 360);
    await visible(missing.getByRole('heading', { name: 'This payment link is not valid' }));
  });

  it('a canceled payment shows a clear page', async () => {
    // Whether canceled on expiry (link still current) or by the tenant (link revoked for
    // payment), the customer is told the payment was canceled.
    const payment = await createPayment();
    await t.sql("update payments set status = 'canceled', cancellation_reason = 'expired' where id = ?", [payment.id]);
    const page = await open(payment.url, 360);
    await visible(page.getByRole('heading', { name: 'This payment was canceled' }));
    expect(await page.getByLabel('Card number').count()).toBe(0);
    expect(await page.getByRole('link', { name: `Return to ${MERCHANT}` }).getAttribute('href')).toBe(`${site.url}/cart`);

    const byTenant = await createPayment();
    const cancel = await t.request('POST', `/v1/payments/${byTenant.id}/cancel`, { token: sandboxToken, idempotencyKey: randomUUID() });
    expect(cancel.status, cancel.text).toBe(200);
    const canceledByTenant = await open(byTenant.url, 360);
    await visible(canceledByTenant.getByRole('heading', { name: 'This payment was canceled' }));
    expect(await canceledByTenant.getByLabel('Card number').count()).toBe(0);
  });

  it('live mode never shows the sandbox card form', async () => {
    const payment = await createPayment({ returnUrl: 'https://shop.example.com/done', cancelUrl: 'https://shop.example.com/cart' }, liveToken);
    const page = await open(payment.url, 360);
    await visible(page.getByRole('heading', { name: 'Card payment is not available yet' }));
    expect(await page.getByLabel('Card number').count()).toBe(0);
    expect(await page.getByText('Sandbox — no real money').count()).toBe(0);
    expect(await page.getByRole('link', { name: `Cancel and return to ${MERCHANT}` }).getAttribute('href')).toBe('https://shop.example.com/cart');
    await page.screenshot({ path: screenshotPath('checkout-live-360'), fullPage: true });
  });
});
