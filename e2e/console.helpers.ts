import { randomUUID } from 'node:crypto';
import type { Browser, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { TEST_CONTEXT, type TestPlatform } from '../apps/api/test/harness.js';
import { createUser } from '../apps/api/src/services/users.js';
import { trackPageProblems, type TrackedPage } from './browser.js';
import { createPayment } from './payments.helpers.js';

/** Shared steps of the console browser tests (e2e/console*.test.ts). */

export type Role = 'admin' | 'support' | 'viewer';

export interface ConsoleUser {
  email: string;
  password: string;
  role: Role;
}

/** A console user, created the way `npm run cli -- user:create` does. */
export async function addUser(t: TestPlatform, role: Role, name: string = role): Promise<ConsoleUser> {
  const email = `${name}-${randomUUID().slice(0, 8)}@example.com`;
  const password = `pw-${randomUUID()}`;
  await t.platform.orm.em.fork().transactional((em) => createUser(em, { email, role, password }, TEST_CONTEXT));
  return { email, password, role };
}

export type OpenedPage = TrackedPage;

/** A fresh browser context per page: its own cookie jar, i.e. its own console session. */
export async function openPage(browser: Browser, url: string, opened: OpenedPage[], width = 1280): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 900 }, locale: 'en-US', timezoneId: 'Europe/Berlin' });
  opened.push({ page, problems: trackPageProblems(page) });
  await page.goto(url);
  return page;
}

export async function visible(locator: Locator, timeout = 10_000): Promise<Locator> {
  await locator.first().waitFor({ state: 'visible', timeout });
  return locator.first();
}

export async function signIn(page: Page, user: ConsoleUser): Promise<void> {
  await visible(page.getByRole('button', { name: 'Sign in' }));
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await visible(page.getByRole('button', { name: 'Sign out' }));
  expect(await page.getByTestId('signed-in-as').textContent()).toBe(user.email);
}

/**
 * Submits a list page's filter form and waits until the list shown is the filtered one: the page
 * remounts on the new URL (only then is "Clear filters" offered) and the new query settles. Without
 * this, the rows of the unfiltered list can satisfy a check just before they are replaced.
 */
export async function applyFilters(page: Page, table: Locator): Promise<void> {
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await visible(page.getByRole('button', { name: 'Clear filters' }));
  await visible(table);
  await expect.poll(() => table.getAttribute('aria-busy'), { timeout: 10_000 }).toBe('false');
}

/** A link of the main navigation ("Payments", "Tenants", …). */
export function navLink(page: Page, name: string): Locator {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
}

/** The console's own address for a hash route ("#/payments/pay_…"). */
export function consoleUrl(t: TestPlatform, route = ''): string {
  return `${t.baseUrl}/console/${route}`;
}

/**
 * A succeeded payment: created through the REST API, then paid on the hosted checkout with the
 * sandbox card 4242 4242 4242 4242 (as e2e/checkout.test.ts does), until the API says succeeded.
 */
export async function paidPayment(t: TestPlatform, browser: Browser, token: string, body: Record<string, unknown>, opened: OpenedPage[]): Promise<string> {
  const payment = await createPayment(t, token, body);
  const page = await openPage(browser, payment.url, opened, 800);
  // The receipt sends the customer back to the shop after a moment; the shop is not under test.
  await page.route('https://shop.example.com/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<title>Shop</title>' }));
  await visible(page.getByRole('button', { name: /^Pay / }));
  await page.getByLabel('Card number').fill('4242 4242 4242 4242');
  await page.getByLabel('Expiry date').fill(`12 / ${String((new Date().getFullYear() + 3) % 100).padStart(2, '0')}`);
  await page.getByLabel('CVC').fill('123');
  await page.getByLabel('Name on card').fill('Ann Example');
  await page.getByRole('button', { name: /^Pay / }).click();
  await visible(page.getByRole('heading', { name: 'Payment successful' }), 15_000);
  await waitFor(async () => (await t.request('GET', `/v1/payments/${payment.id}`, { token })).body.status === 'succeeded', 'payment succeeded');
  return payment.id;
}

export async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Calls a console tRPC mutation from inside the page (with its session cookie), as the app would. */
export async function mutateFromPage(page: Page, path: string, input: unknown): Promise<{ status: number; body: unknown }> {
  return page.evaluate(
    async ({ path, input }) => {
      const res = await fetch(`/trpc/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-console-csrf': '1' },
        body: JSON.stringify(input),
        credentials: 'same-origin',
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON
      }
      return { status: res.status, body };
    },
    { path, input },
  );
}
