import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../apps/api/test/harness.js';
import { closePagesExpectingNoProblems, launchBrowser, screenshotPath } from './browser.js';
import { addUser, consoleUrl, openPage, signIn, visible, waitFor, type ConsoleUser, type OpenedPage } from './console.helpers.js';
import { createPayment } from './payments.helpers.js';

/**
 * Webhook deliveries in the console: a delivery that failed (every retry answered 500) is
 * replayed from the deliveries page and arrives. The retry schedule is scaled down (5 s → 5 µs,
 * 10 h → 36 ms) so the schedule runs out within a second instead of days.
 */

interface Receiver {
  url: string;
  /** Answers 500 while false, 200 once true. */
  healthy: boolean;
  received: { webhookId: string; type: string; status: number }[];
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = { url: '', healthy: false, received: [], close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let type = '';
      try {
        type = JSON.parse(Buffer.concat(chunks).toString('utf8')).type;
      } catch {
        // not JSON
      }
      const status = receiver.healthy ? 200 : 500;
      receiver.received.push({ webhookId: String(req.headers['webhook-id'] ?? ''), type, status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'receiver is down');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

let t: TestPlatform;
let browser: Browser;
let receiver: Receiver;
let admin: ConsoleUser;
let support: ConsoleUser;
let viewer: ConsoleUser;
let sandboxToken: string;
let tenantId: string;
let endpointId: string;
const opened: OpenedPage[] = [];

beforeAll(async () => {
  t = await startTestPlatform({ webhookRetryScale: 0.000001 });
  browser = await launchBrowser();
  receiver = await startReceiver();
  [admin, support, viewer] = await Promise.all([addUser(t, 'admin'), addUser(t, 'support'), addUser(t, 'viewer')]);
  ({ sandboxToken, tenantId } = await t.tenantWithTokens('hooks-shop'));
  const endpoint = await t.request('POST', '/v1/webhook-endpoints', {
    token: sandboxToken,
    idempotencyKey: 'console-hooks-endpoint',
    body: { url: receiver.url, events: ['payment.created'] },
  });
  expect(endpoint.status, endpoint.text).toBe(201);
  endpointId = endpoint.body.id;
});

afterEach(() => closePagesExpectingNoProblems(opened));

afterAll(async () => {
  await browser?.close();
  await receiver?.close();
  await t?.close();
});

describe('console: webhook deliveries', () => {
  it('a failed delivery is listed first with its status codes, "Replay" sends it again and it arrives', async () => {
    const payment = await createPayment(t, sandboxToken, { description: 'Webhook replay' });
    const [event] = await t.sql("select id from events where object_id = ? and type = 'payment.created'", [payment.id]);
    expect(event, 'payment.created event').toBeTruthy();
    // The receiver answers 500 to the first try and every retry until the schedule runs out.
    await waitFor(async () => {
      const [row] = await t.sql('select status from webhook_deliveries where event_id = ? and endpoint_id = ?', [event.id, endpointId]);
      return row?.status === 'failed';
    }, 'the delivery to be failed');
    const failedTries = receiver.received.filter((r) => r.webhookId === event.id);
    expect(failedTries.length).toBeGreaterThan(1);
    expect(failedTries.every((r) => r.status === 500)).toBe(true);

    // A later delivery that succeeded, so "failed first" has something to sort against.
    receiver.healthy = true;
    await createPayment(t, sandboxToken, { description: 'Delivered fine' });
    await waitFor(async () => receiver.received.some((r) => r.status === 200 && r.type === 'payment.created' && r.webhookId !== event.id), 'the second delivery');

    const page = await openPage(browser, consoleUrl(t, '#/webhooks'), opened);
    await signIn(page, support);
    await visible(page.getByRole('heading', { name: 'Webhooks' }));
    const failedRow = await visible(page.locator('[data-delivery-status="failed"]').filter({ hasText: event.id }));
    // Failed first: the first delivery on the page is the failed one, although it is older.
    expect(await page.locator('[data-delivery-status]').first().getAttribute('data-delivery-status')).toBe('failed');
    expect(await failedRow.textContent()).toContain('500');
    expect(await failedRow.textContent()).toContain(receiver.url);
    await page.screenshot({ path: screenshotPath('console-webhooks-failed'), fullPage: true });

    const before = receiver.received.length;
    await failedRow.getByRole('button', { name: 'Replay' }).click();
    await waitFor(async () => receiver.received.slice(before).some((r) => r.webhookId === event.id && r.status === 200), 'the replayed delivery to arrive');
    // The console shows the replay as a new, succeeded delivery of the same event.
    await visible(page.locator('[data-delivery-status="succeeded"]').filter({ hasText: event.id }), 15_000);
    await page.screenshot({ path: screenshotPath('console-webhooks-replayed'), fullPage: true });
  });

  it('"Send test event" reaches the endpoint; a viewer sees neither button', async () => {
    receiver.healthy = true;
    const page = await openPage(browser, consoleUrl(t, '#/webhooks'), opened);
    await signIn(page, support);
    const before = receiver.received.length;
    await (await visible(page.getByRole('button', { name: 'Send test event' }))).click();
    await waitFor(async () => receiver.received.slice(before).some((r) => r.type === 'webhook.test'), 'the test event');

    const viewerPage = await openPage(browser, consoleUrl(t, '#/webhooks'), opened);
    await signIn(viewerPage, viewer);
    await visible(viewerPage.locator('[data-delivery-status]'));
    expect(await viewerPage.getByRole('button', { name: 'Replay' }).count()).toBe(0);
    expect(await viewerPage.getByRole('button', { name: 'Send test event' }).count()).toBe(0);
  });

  it('"Enable" on the tenant page re-enables an endpoint disabled by a 410 (admin only); support and viewer do not see it', async () => {
    await t.sql(`update webhook_endpoints set status = 'disabled', disabled_reason = 'The endpoint answered 410 Gone', failing_since = now() where id = ?`, [endpointId]);
    for (const user of [viewer, support]) {
      const tenantPage = await openPage(browser, consoleUrl(t, `#/tenants/${tenantId}`), opened);
      await signIn(tenantPage, user);
      await visible(tenantPage.getByText('The endpoint answered 410 Gone'));
      expect(await tenantPage.getByRole('button', { name: /^Enable/ }).count(), `${user.role} on the tenant page`).toBe(0);
    }
    // Nor in the Endpoints panel of the Webhooks page, where support still sends test events.
    const supportWebhooks = await openPage(browser, consoleUrl(t, `#/webhooks?tenantId=${tenantId}`), opened);
    await signIn(supportWebhooks, support);
    await visible(supportWebhooks.getByRole('button', { name: 'Send test event' }));
    expect(await supportWebhooks.getByRole('button', { name: /^Enable/ }).count(), 'support on the Webhooks page').toBe(0);
    const [unchanged] = await t.sql('select status from webhook_endpoints where id = ?', [endpointId]);
    expect(unchanged.status).toBe('disabled');

    const page = await openPage(browser, consoleUrl(t, `#/tenants/${tenantId}`), opened);
    await signIn(page, admin);
    await (await visible(page.getByRole('button', { name: `Enable ${receiver.url}` }))).click();
    await visible(page.getByText('is enabled again: new events are delivered to it.'));
    await waitFor(async () => (await page.getByText('The endpoint answered 410 Gone').count()) === 0, 'the reason to disappear');
    expect(await page.getByRole('button', { name: /^Enable/ }).count()).toBe(0);
    await page.screenshot({ path: screenshotPath('console-endpoint-enabled') });
    const [row] = await t.sql('select status, disabled_reason, failing_since from webhook_endpoints where id = ?', [endpointId]);
    expect(row).toEqual({ status: 'enabled', disabled_reason: null, failing_since: null });

    const before = receiver.received.length;
    await createPayment(t, sandboxToken);
    await waitFor(async () => receiver.received.slice(before).some((r) => r.type === 'payment.created'), 'a new event at the re-enabled endpoint');
  });
});
