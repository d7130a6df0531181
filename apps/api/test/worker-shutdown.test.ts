import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestPlatform, validPayment } from './harness.js';

/**
 * Graceful shutdown: stopping the platform lets an in-flight delivery finish and record its
 * attempt before the database pool closes, instead of dropping it mid-way.
 */
const servers: http.Server[] = [];
afterAll(() => servers.forEach((s) => s.close()));

describe('worker shutdown', () => {
  it('finishes an in-flight webhook delivery before closing', async () => {
    const t = await startTestPlatform({ keepDatabase: true });
    let received = 0;
    let release!: () => void;
    const inFlight = new Promise<void>((resolve) => (release = resolve));
    const receiver = http.createServer((req, res) => {
      req.resume();
      received++;
      release();
      setTimeout(() => res.writeHead(200).end('ok'), 1500); // slow receiver: still answering when we stop
    });
    servers.push(receiver);
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { sandboxToken } = await t.tenantWithTokens('shutdown-shop');
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const endpoint = await t.request('POST', '/v1/webhook-endpoints', { token: sandboxToken, idempotencyKey: 'ep', body: { url, events: ['payment.created'] } });
    expect(endpoint.status).toBe(201);
    await t.request('POST', '/v1/payments', { token: sandboxToken, idempotencyKey: 'p', body: validPayment });
    await inFlight;
    const dbUrl = t.dbUrl;
    await t.close(); // waits for the active job

    expect(received).toBe(1);
    // Reopen the same database: the attempt was recorded and the delivery is done.
    const again = await startTestPlatform({ existingDatabaseUrl: dbUrl, worker: false });
    try {
      const [delivery] = await again.sql('select status, attempt_count from webhook_deliveries');
      expect(delivery).toMatchObject({ status: 'succeeded', attempt_count: 1 });
      expect(await again.count('webhook_attempts where status_code = 200')).toBe(1);
    } finally {
      await again.close();
    }
  }, 60_000);
});
