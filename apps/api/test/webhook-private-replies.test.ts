import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localServers } from './local-servers.js';
import { startTestPlatform, validPayment, type TestPlatform } from './harness.js';
import { testSender } from './webhook-sender.js';

/**
 * Sandbox deliveries may go to private and loopback addresses (spec/webhooks.md "Out"), but in
 * production those are the platform's own network: the reply body of such a delivery is not
 * kept there (`keepPrivateReplies: false`, wired from NODE_ENV=production in platform.ts), so a
 * tenant can't read an internal service's answer through its delivery log. Status code and
 * latency are still recorded.
 */
let t: TestPlatform;
const servers = localServers();
let url: string;

beforeAll(async () => {
  t = await startTestPlatform({ worker: false });
  url = await servers.listen((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end('INTERNAL-ONLY: db_password=hunter2'));
  });
});
afterAll(async () => {
  await servers.closeAll();
  await t?.close();
});

async function deliveredWith(keepPrivateReplies: boolean, name: string) {
  const token = (await t.tenantWithTokens(name)).sandboxToken;
  const endpoint = await t.request('POST', '/v1/webhook-endpoints', { token, idempotencyKey: `${name}-ep`, body: { url, events: ['payment.created'] } });
  expect(endpoint.status, endpoint.text).toBe(201);
  expect((await t.request('POST', '/v1/payments', { token, idempotencyKey: `${name}-p`, body: validPayment })).status).toBe(201);
  const [delivery] = await t.sql('select id from webhook_deliveries where endpoint_id = ?', [endpoint.body.id]);
  const { sender } = testSender(t, { keepPrivateReplies });
  await sender.send(delivery.id);
  const res = await t.request('GET', `/v1/webhook-endpoints/${endpoint.body.id}/deliveries`, { token });
  expect(res.status, res.text).toBe(200);
  return res.body.data[0].attempts[0];
}

describe('the reply of a sandbox delivery to a private address', () => {
  it('is not kept in production: status and latency only', async () => {
    const attempt = await deliveredWith(false, 'private-reply-prod');
    expect(attempt).toMatchObject({ statusCode: 200, responseExcerpt: null });
    expect(JSON.stringify(attempt)).not.toContain('hunter2');
  });

  it('is kept elsewhere (local development, tests)', async () => {
    const attempt = await deliveredWith(true, 'private-reply-dev');
    expect(attempt).toMatchObject({ statusCode: 200, responseExcerpt: 'INTERNAL-ONLY: db_password=hunter2' });
  });
});
