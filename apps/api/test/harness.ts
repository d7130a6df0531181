import type { ResilienceOptions } from '../src/providers/resilient-call.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { loadConfig } from '../src/config.js';
import { migrate } from '../src/db/orm.js';
import { createPlatform, startWorker } from '../src/platform.js';
import { createApp } from '../src/http/app.js';
import { createLogger } from '../src/logger.js';
import type { FaultHook, MutationContext } from '../src/services/context.js';
import { createTestDatabase } from './test-database.js';

export const TEST_CONTEXT: MutationContext = { actor: { type: 'system', id: 'test' }, requestId: null, ip: null };

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  rawBody?: string;
  idempotencyKey?: string;
  headers?: Record<string, string>;
}

export type TestPlatform = Awaited<ReturnType<typeof startTestPlatform>>;

/** Boots the whole API on a fresh database and an ephemeral port, like `npm start` but silent. */
export async function startTestPlatform(options: {
    env?: Record<string, string>;
    fault?: FaultHook;
    migrate?: boolean;
    worker?: boolean;
    webhookRetryScale?: number;
    /** Provider call retries / circuit breaker (tests use short delays). */
    resilience?: ResilienceOptions;
    /** Leave the database in place on close (to reopen it with `existingDatabaseUrl`). */
    keepDatabase?: boolean;
    existingDatabaseUrl?: string;
  } = {}) {
  const db = options.existingDatabaseUrl
    ? { url: options.existingDatabaseUrl, embedded: false, drop: async () => {} }
    : await createTestDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-test-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_LIVE: '0',
    RATE_LIMIT_SANDBOX: '0',
    RATE_LIMIT_PUBLIC: '0',
    ...options.env,
  });
  const platform = await createPlatform(config, {
    databaseUrl: db.url,
    logger: createLogger('silent'),
    ...(options.fault ? { fault: options.fault } : {}),
    poolMax: 10,
    ...(options.webhookRetryScale ? { webhookRetryScale: options.webhookRetryScale } : {}),
    resilience: options.resilience ?? { retry: { maxTries: 3, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 1_000 } },
  });
  if (options.migrate !== false) await migrate(platform.orm);
  const server: Server = await new Promise((resolve) => {
    const s = createApp(platform).listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  if (options.worker !== false && options.migrate !== false) await startWorker(platform, baseUrl);

  async function request<T = any>(method: string, urlPath: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
    if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
    let body: string | undefined = opts.rawBody;
    if (opts.body !== undefined) body = JSON.stringify(opts.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(`${baseUrl}${urlPath}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  async function createTenant(appName: string, allowedOrigins: string[] = ['https://shop.example.com']) {
    return platform.orm.em.fork().transactional((em) => platform.tenants.create(em, { appName, allowedOrigins }, TEST_CONTEXT));
  }

  async function login(appName: string, appSecret: string): Promise<string> {
    const res = await request('POST', '/v1/auth/token', { body: { appName, appSecret } });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
    return res.body.accessToken as string;
  }

  /** A tenant with both modes logged in. */
  async function tenantWithTokens(appName: string) {
    const tenant = await createTenant(appName);
    return {
      ...tenant,
      sandboxToken: await login(appName, tenant.secrets.sandbox),
      liveToken: await login(appName, tenant.secrets.live),
    };
  }

  /** Raw SQL straight to the database, bypassing the API and the tenant filter. */
  async function sql(query: string, params: unknown[] = []): Promise<any[]> {
    return platform.orm.em.fork().execute(query, params);
  }

  /** Counts rows in a table directly, bypassing the API (and the tenant filter). */
  async function count(table: string): Promise<number> {
    const [row] = await platform.orm.em.fork().execute<{ n: string }[]>(`select count(*) as n from ${table}`);
    return Number(row!.n);
  }

  return {
    platform,
    config,
    dbUrl: db.url,
    dataDir,
    baseUrl,
    request,
    createTenant,
    login,
    tenantWithTokens,
    count,
    sql,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await platform.close();
      if (!options.keepDatabase) await db.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const validPayment = {
  amount: 1999,
  currency: 'EUR',
  description: 'Order #1001',
  customer: { email: 'ann@example.com', name: 'Ann' },
  metadata: { orderId: '1001' },
  returnUrl: 'https://shop.example.com/checkout/done',
  cancelUrl: 'https://shop.example.com/cart',
};
