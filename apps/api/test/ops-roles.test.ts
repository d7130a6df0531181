import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Config } from '../src/config.js';
import type { Platform } from '../src/http/platform.js';
import { startServer, type RunningServer } from '../src/server.js';
import { startTestPlatform, validPayment, type TestPlatform } from './harness.js';

/**
 * ROLE (spec/operations.md, ARCHITECTURE "Processes"): `api` serves HTTP, `worker` runs
 * deliveries, reconciliation and expiry, `all` both. A worker replica still answers its
 * operational endpoints so it can be probed and scraped. Runs the real `startServer` of
 * main.ts on a migrated database, with `startWorker` observed.
 */
let t: TestPlatform;
const running: RunningServer[] = [];

beforeAll(async () => {
  t = await startTestPlatform({ worker: false });
});
afterAll(async () => {
  for (const s of running) await s.close();
  await t?.close();
});

async function serve(role: Config['role'], isMigrated: Platform['isMigrated'] = t.platform.isMigrated) {
  const startWorker = vi.fn(async (_targetBaseUrl: string) => {});
  const platform: Platform = { ...t.platform, config: { ...t.config, role, port: 0, host: '127.0.0.1' }, startWorker, isMigrated };
  const server = await startServer(platform, { migrationPollMs: 50 });
  running.push(server);
  const get = (path: string, init: RequestInit = {}) => fetch(`${server.localUrl}${path}`, init);
  return { server, startWorker, get };
}

describe('ROLE=worker', () => {
  let worker: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    worker = await serve('worker');
  });

  it('runs the workers, with sandbox provider webhooks going to PUBLIC_URL (the API replicas)', () => {
    expect(worker.server.worker).toBe(true);
    expect(worker.startWorker).toHaveBeenCalledTimes(1);
    expect(worker.startWorker).toHaveBeenCalledWith(t.config.publicUrl);
  });

  it('answers /healthz, /readyz and /metrics', async () => {
    const health = await worker.get('/healthz');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await worker.get('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    const metrics = await worker.get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await metrics.text()).toContain('# TYPE http_requests_total counter');
  });

  it.each([
    ['GET', '/v1/payments'],
    ['POST', '/v1/payments'],
    ['POST', '/v1/auth/token'],
    ['GET', '/trpc/checkout.session'],
    ['POST', '/trpc/console.auth.login'],
    ['POST', '/webhooks/sandbox'],
    ['GET', '/pay/some.checkout.token'],
    ['GET', '/console/'],
    ['GET', '/openapi.json'],
    ['GET', '/docs'],
  ])('%s %s → 404 in the error shape', async (method, path) => {
    const res = await worker.get(path, {
      method,
      headers: { authorization: 'Bearer x', 'content-type': 'application/json', 'idempotency-key': 'k' },
      ...(method === 'POST' ? { body: JSON.stringify(validPayment) } : {}),
    });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'route_not_found', requestId: res.headers.get('request-id') });
    expect(res.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
  });
});

describe('ROLE=api', () => {
  it('serves the API and does not run the workers', async () => {
    const api = await serve('api');
    expect(api.server.worker).toBe(false);
    expect(api.startWorker).not.toHaveBeenCalled();
    expect((await api.get('/healthz')).status).toBe(200);
    expect((await api.get('/v1/payments')).status).toBe(401);
    expect((await api.get('/openapi.json')).status).toBe(200);
  });
});

describe('ROLE=all', () => {
  it('serves the API and runs the workers, posting sandbox webhooks to this process', async () => {
    const all = await serve('all');
    expect(all.server.worker).toBe(true);
    expect(all.startWorker).toHaveBeenCalledWith(all.server.localUrl);
    expect((await all.get('/v1/payments')).status).toBe(401);
  });
});

describe('workers on a database with pending migrations', () => {
  it('wait, and start once the migrations have run', async () => {
    let migrated = false;
    const worker = await serve('worker', async () => migrated);
    await new Promise((r) => setTimeout(r, 300));
    expect(worker.startWorker).not.toHaveBeenCalled();
    expect((await worker.get('/healthz')).status).toBe(200);
    migrated = true;
    await vi.waitFor(() => expect(worker.startWorker).toHaveBeenCalledTimes(1), { timeout: 2000 });
    await new Promise((r) => setTimeout(r, 200));
    expect(worker.startWorker).toHaveBeenCalledTimes(1);
  });

  it('a server closed while waiting never starts them', async () => {
    let migrated = false;
    const worker = await serve('all', async () => migrated);
    await worker.server.close();
    migrated = true;
    await new Promise((r) => setTimeout(r, 300));
    expect(worker.startWorker).not.toHaveBeenCalled();
  });
});
