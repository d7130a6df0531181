import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../apps/api/test/harness.js';
import { CONSOLE_CSP } from '../apps/api/src/http/web-apps.js';
import { closePagesExpectingNoProblems, launchBrowser, screenshotPath } from './browser.js';
import { addUser, applyFilters, consoleUrl, navLink, mutateFromPage, openPage, paidPayment, signIn, visible, type ConsoleUser, type OpenedPage } from './console.helpers.js';

/**
 * The admin console (apps/console, built) against the real API + worker: sign-in, tenants and
 * their secrets, finding a payment, refunds by role. Webhook replay: e2e/console-webhooks.test.ts.
 */

let t: TestPlatform;
let browser: Browser;
let admin: ConsoleUser;
let support: ConsoleUser;
let viewer: ConsoleUser;
let sandboxToken: string;
const opened: OpenedPage[] = [];

beforeAll(async () => {
  t = await startTestPlatform();
  browser = await launchBrowser();
  [admin, support, viewer] = await Promise.all([addUser(t, 'admin'), addUser(t, 'support'), addUser(t, 'viewer')]);
  ({ sandboxToken } = await t.tenantWithTokens('console-shop'));
});

// No uncaught errors and no CSP violations on any page a test opened.
afterEach(() => closePagesExpectingNoProblems(opened));

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

const timeline = (page: Page) => page.getByRole('list', { name: 'Payment timeline' });

describe('console: sign-in and session', () => {
  it('is served with a strict CSP: scripts only from our origin, never framed', async () => {
    const res = await fetch(consoleUrl(t));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).toContain("script-src 'self';");
    expect(CONSOLE_CSP).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  it('wrong password is refused with a message; a lost session (401) returns to the sign-in form', async () => {
    const page = await openPage(browser, consoleUrl(t), opened);
    await visible(page.getByRole('heading', { name: 'Payment platform console' }));
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await visible(page.getByRole('alert').filter({ hasText: 'Wrong e-mail or password' }));
    await page.screenshot({ path: screenshotPath('console-sign-in-error'), fullPage: true });

    await signIn(page, admin);
    // The session cookie disappears (expired, revoked): the next call answers 401.
    await page.context().clearCookies();
    await navLink(page, 'Payments').click();
    await visible(page.getByText('Your session has ended'));
    expect(await page.getByRole('button', { name: 'Sign in' }).isVisible()).toBe(true);

    // Keyboard only: the e-mail field has the focus, Tab to the password, Enter submits.
    await page.getByLabel('Email').focus();
    await page.keyboard.type(admin.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(admin.password);
    await page.keyboard.press('Enter');
    await visible(page.getByRole('button', { name: 'Sign out' }));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await visible(page.getByRole('button', { name: 'Sign in' }));
    await page.reload();
    await visible(page.getByRole('button', { name: 'Sign in' }));
  });
});

describe('console: tenants', () => {
  it('an admin creates a tenant and sees its secrets once; reopening the tenant shows them masked', async () => {
    const appName = `acme-${randomUUID().slice(0, 6)}`;
    const page = await openPage(browser, consoleUrl(t, '#/tenants'), opened);
    await signIn(page, admin);
    await visible(page.getByRole('heading', { name: 'Tenants' }));
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await page.getByLabel('App name').fill(appName);
    await page.getByLabel('Display name').fill('Acme Coffee');
    await page.getByLabel('Allowed redirect origins').fill('https://acme.example.com\nhttps://shop.acme.example.com');
    await page.getByRole('button', { name: 'Create', exact: true }).click();

    const reveal = await visible(page.locator('.secret-reveal'));
    expect(await reveal.textContent()).toContain("you won't see them again");
    const sandbox = (await page.locator('[data-secret-label="Sandbox secret"]').textContent())!;
    const live = (await page.locator('[data-secret-label="Live secret"]').textContent())!;
    expect(sandbox).toMatch(/^sk_sandbox_/);
    expect(live).toMatch(/^sk_live_/);
    expect(await page.getByRole('button', { name: 'Copy sandbox secret' }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Copy live secret' }).isVisible()).toBe(true);
    await page.screenshot({ path: screenshotPath('console-tenant-secrets-once'), fullPage: true });

    // The secrets are real: the tenant can sign in to the REST API with them.
    const login = await t.request('POST', '/v1/auth/token', { body: { appName, appSecret: sandbox } });
    expect(login.status, login.text).toBe(200);

    await page.getByRole('button', { name: /I have saved them/ }).click();
    await visible(page.getByRole('heading', { name: 'Acme Coffee' }));
    expect(await page.content()).not.toContain(sandbox);
    expect(await page.content()).not.toContain(live);

    // Reopen from the list: masked, never the real value.
    await navLink(page, 'Tenants').click();
    await page.getByRole('link', { name: 'Acme Coffee' }).click();
    const secrets = await visible(page.getByRole('region', { name: 'API secrets' }));
    const masked = (await secrets.textContent())!;
    expect(masked).toContain('sk_sandbox_••••');
    expect(masked).toContain('sk_live_••••');
    expect(await page.content()).not.toContain(sandbox);
    expect(await page.content()).not.toContain(live);
    expect(await page.getByLabel('Allowed redirect origins').inputValue()).toContain('https://acme.example.com');
    await page.screenshot({ path: screenshotPath('console-tenant-detail'), fullPage: true });
  });

  it('an admin adds provider accounts (credentials masked) and changes the routing order with Move up', async () => {
    const appName = `route-${randomUUID().slice(0, 6)}`;
    const created = await t.createTenant(appName);
    const page = await openPage(browser, consoleUrl(t, `#/tenants/${created.tenantId}`), opened);
    await signIn(page, admin);
    const section = await visible(page.getByRole('region', { name: 'Provider accounts and routing' }));
    await visible(section.getByText('No sandbox provider accounts'));
    for (const label of ['Stripe EU', 'Stripe US']) {
      await section.getByRole('button', { name: 'Add sandbox account' }).click();
      const form = section.getByRole('form', { name: 'Add sandbox provider account' });
      await form.getByLabel('Provider').selectOption('stripe');
      await form.getByLabel('Label').fill(label);
      await form.getByLabel('Secret key').fill(`sk_test_${label.replace(' ', '')}SecretKey1234`);
      await form.getByLabel('Publishable key').fill('pk_test_PublishableKey1234');
      await form.getByLabel('Webhook signing secret').fill('whsec_SigningSecret1234');
      await form.getByRole('button', { name: 'Add account' }).click();
      await visible(section.getByRole('row').filter({ hasText: label }));
    }
    const rows = section.getByRole('table', { name: 'sandbox provider accounts' }).locator('tbody tr');
    expect(await rows.nth(0).textContent()).toContain('Stripe EU');
    // Masked: prefix and last four only.
    expect(await rows.nth(0).textContent()).toContain('sk_test_…1234');
    expect(await page.content()).not.toContain('StripeEUSecretKey1234');
    await section.getByRole('button', { name: 'Move Stripe US (stripe) up' }).click();
    await expect.poll(() => rows.nth(0).textContent()).toContain('Stripe US');
    // The keyboard focus stays with the moved account (its "Move up" is now disabled).
    expect(await page.locator(':focus').getAttribute('aria-label')).toBe('Move Stripe US (stripe) down');
    expect(await rows.nth(1).textContent()).toContain('Stripe EU');
    const api = (await t.sql('select label, priority from provider_accounts where tenant_id = ? order by priority', [created.tenantId])).map((r) => r.label);
    expect(api).toEqual(['Stripe US', 'Stripe EU']);
    await page.screenshot({ path: screenshotPath('console-provider-routing'), fullPage: true });
  });
});

describe('console: payments and refunds', () => {
  let paymentId: string;
  let customerEmail: string;

  beforeAll(async () => {
    customerEmail = `ann-${randomUUID().slice(0, 8)}@example.com`;
    paymentId = await paidPayment(t, browser, sandboxToken, { amount: 2500, currency: 'EUR', customer: { email: customerEmail, name: 'Ann' } }, opened);
    await Promise.all(opened.splice(0).map((p) => p.page.close()));
  });

  it('support finds a succeeded payment by customer e-mail, refunds part of it with a reason, and sees the refund and its audit entry in the timeline', async () => {
    const page = await openPage(browser, consoleUrl(t), opened);
    await signIn(page, support);
    await navLink(page, 'Payments').click();
    await visible(page.getByRole('heading', { name: 'Payments' }));
    await page.getByLabel('Customer e-mail').fill(customerEmail);
    // The amount range is read in the chosen currency and compared within it.
    await page.getByLabel('Currency').selectOption('EUR');
    await page.getByLabel('Min amount').fill('25.00');
    await page.getByLabel('Max amount').fill('25');
    await applyFilters(page, page.getByRole('table', { name: 'Payments' }));
    const rows = page.getByRole('table', { name: 'Payments' }).locator('tbody tr');
    await visible(rows.filter({ hasText: paymentId }));
    expect(await rows.count()).toBe(1);
    expect(page.url()).toContain('currency=EUR');
    expect(page.url()).toContain('amountMin=25.00');
    expect(await rows.first().textContent()).toContain('€25.00');
    await page.screenshot({ path: screenshotPath('console-payments-filtered'), fullPage: true });

    await page.getByRole('link', { name: paymentId }).click();
    await visible(timeline(page));
    await (await visible(page.getByRole('button', { name: 'Refund' }))).click();
    const form = await visible(page.getByRole('dialog', { name: 'Refund payment' }));
    // Empty amount = everything left, said in the payment's currency.
    expect(await form.textContent()).toContain('€25.00');
    await page.getByLabel('Amount').fill('7.50');
    await page.getByLabel('Reason').selectOption('requested_by_customer');
    // The note is required.
    await page.getByRole('button', { name: 'Issue refund' }).click();
    await visible(form.getByText('Write a note'));
    await page.getByLabel('Note').fill('Customer returned one of three bags');
    await page.screenshot({ path: screenshotPath('console-refund-form'), fullPage: true });
    await page.getByRole('button', { name: 'Issue refund' }).click();

    await visible(page.getByRole('status').filter({ hasText: 'Refund of €7.50 issued' }), 15_000);
    const refundItem = await visible(timeline(page).locator('[data-kind="refund"]'), 15_000);
    expect(await refundItem.textContent()).toContain('€7.50');
    // The audit entry of the refund carries the operator's note.
    const auditItem = await visible(timeline(page).locator('[data-kind="audit"]').filter({ hasText: /refund/i }));
    expect(await auditItem.textContent()).toContain('Customer returned one of three bags');
    await page.screenshot({ path: screenshotPath('console-payment-refunded'), fullPage: true });

    const api = await t.request('GET', `/v1/payments/${paymentId}`, { token: sandboxToken });
    expect(api.body.amountRefunded).toBe(750);
  });

  it('a viewer sees no Refund button, and the server refuses the refund call (403)', async () => {
    // On a phone-sized screen, to see the console works there too.
    const page = await openPage(browser, consoleUrl(t, `#/payments/${paymentId}`), opened, 390);
    await signIn(page, viewer);
    // Deep link kept across sign-in.
    await visible(timeline(page));
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('€25.00');
    expect(await page.getByRole('button', { name: 'Refund' }).count()).toBe(0);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.screenshot({ path: screenshotPath('console-payment-viewer-390'), fullPage: true });

    const refused = await mutateFromPage(page, 'console.refunds.create', { paymentId, amount: 100, reason: 'duplicate', note: 'viewer tries anyway' });
    expect(refused.status, JSON.stringify(refused.body)).toBe(403);
    const api = await t.request('GET', `/v1/payments/${paymentId}`, { token: sandboxToken });
    expect(api.body.amountRefunded).toBe(750);
  });
});

describe('console: dashboard, users, audit log', () => {
  it('the dashboard charts volume and success rate and lists what needs attention', async () => {
    const page = await openPage(browser, consoleUrl(t), opened);
    await signIn(page, admin);
    await visible(page.getByRole('heading', { name: 'Dashboard' }));
    await visible(page.getByRole('heading', { name: 'Succeeded volume (EUR)' }), 15_000);
    await visible(page.getByRole('heading', { name: 'Success rate' }));
    await visible(page.locator('.recharts-surface'));
    expect(await page.getByRole('heading', { name: 'Failing webhook endpoints' }).isVisible()).toBe(true);
    expect(await page.getByRole('heading', { name: 'Payments stuck in processing' }).isVisible()).toBe(true);
    // The numbers behind the charts, as a table (keyboard: a native <details>).
    await page.getByText('Show the chart data as a table').click();
    const today = new Date().toISOString().slice(0, 10);
    expect(await page.getByRole('table', { name: 'Daily payments' }).locator('tr', { hasText: today }).textContent()).toContain('€25.00');
    await page.screenshot({ path: screenshotPath('console-dashboard'), fullPage: true });
  });

  it('an admin adds a user (password shown once) and changes the role; others see no Users page', async () => {
    const page = await openPage(browser, consoleUrl(t, '#/users'), opened);
    await signIn(page, admin);
    const email = `new-${randomUUID().slice(0, 8)}@example.com`;
    const form = page.getByRole('form', { name: 'Add user' });
    await form.getByLabel('Email').fill(email);
    await form.getByLabel('Role').selectOption('viewer');
    await form.getByRole('button', { name: 'Add user' }).click();
    const password = (await visible(page.locator('[data-secret-label="Password"]'))).textContent();
    expect((await password)!.length).toBeGreaterThanOrEqual(12);
    await page.getByRole('button', { name: 'Done' }).click();
    const row = page.getByRole('table', { name: 'Users' }).locator('tr', { hasText: email });
    await row.getByLabel(`Role of ${email}`).selectOption('support');
    await row.getByRole('button', { name: 'Save role' }).click();
    await visible(row.locator('.mantine-Badge-root', { hasText: 'support' }));
    await page.screenshot({ path: screenshotPath('console-users'), fullPage: true });

    const viewerPage = await openPage(browser, consoleUrl(t, '#/users'), opened);
    await signIn(viewerPage, viewer);
    expect(await navLink(viewerPage, 'Users').count()).toBe(0);
    await visible(viewerPage.getByText('Only admins manage users'));
  });

  it('the audit log filters by action and actor, and "Verify chain" reports the chain intact', async () => {
    const page = await openPage(browser, consoleUrl(t, '#/audit'), opened);
    await signIn(page, support);
    await page.getByLabel('Action').fill('refund.create');
    await page.getByLabel('Actor').fill(support.email);
    await applyFilters(page, page.getByRole('table', { name: 'Audit entries' }));
    const rows = page.getByRole('table', { name: 'Audit entries' }).locator('tbody tr');
    await visible(rows.filter({ hasText: 'refund.create' }));
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain(support.email);
    await page.getByRole('button', { name: 'Verify chain' }).click();
    const result = await visible(page.getByRole('status').filter({ hasText: 'Chain intact' }), 15_000);
    expect(await result.textContent()).toMatch(/\d+ entries verified/);
    await page.screenshot({ path: screenshotPath('console-audit'), fullPage: true });
  });
});
