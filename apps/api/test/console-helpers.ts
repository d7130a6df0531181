import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { createUser, type UserRole } from '../src/services/users.js';
import { submitCard } from './checkout-client.js';
import { TEST_CONTEXT, type TestPlatform } from './harness.js';

/** Shared by the console-*.test.ts files: a tRPC-over-HTTP client with a cookie jar, like a browser. */

export interface TrpcResponse<T = any> {
  status: number;
  headers: Headers;
  body: any;
  /** `result.data` of a successful call. */
  data: T;
  setCookies: string[];
}

export class ConsoleClient {
  session: string | null = null;

  constructor(
    private readonly baseUrl: string,
    private readonly options: { ip?: string; userAgent?: string } = {},
  ) {}

  query<T = any>(path: string, input?: unknown): Promise<TrpcResponse<T>> {
    const qs = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
    return this.send('GET', `/trpc/console.${path}${qs}`, undefined, {});
  }

  mutate<T = any>(path: string, input?: unknown, options: { csrf?: boolean } = {}): Promise<TrpcResponse<T>> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.csrf !== false) headers['x-console-csrf'] = '1';
    return this.send('POST', `/trpc/console.${path}`, input === undefined ? undefined : JSON.stringify(input), headers);
  }

  private async send(method: string, path: string, body: string | undefined, extra: Record<string, string>): Promise<TrpcResponse> {
    const headers: Record<string, string> = { ...extra };
    if (this.session) headers['cookie'] = `console_session=${this.session}`;
    if (this.options.ip) headers['x-forwarded-for'] = this.options.ip;
    if (this.options.userAgent) headers['user-agent'] = this.options.userAgent;
    const res = await fetch(`${this.baseUrl}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    const setCookies = res.headers.getSetCookie();
    for (const c of setCookies) {
      const match = /^console_session=([^;]*)/.exec(c);
      if (!match) continue;
      const cleared = match[1] === '' || /expires=Thu, 01 Jan 1970/i.test(c) || /max-age=0(;|$)/i.test(c);
      this.session = cleared ? null : decodeURIComponent(match[1]!);
    }
    return { status: res.status, headers: res.headers, body: parsed, data: parsed?.result?.data, setCookies };
  }
}

/** A successful call's data. */
export function ok<T = any>(res: TrpcResponse<T>): T {
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.data;
}

/** A tRPC error with its HTTP status and typed app code. */
export function expectError(res: TrpcResponse, status: number, appCode?: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error.data.httpStatus).toBe(status);
  if (appCode) expect(res.body.error.data.appCode).toBe(appCode);
  return res.body.error;
}

let userN = 0;

/** A console user created directly (like `npm run cli -- user:create`). */
export async function createConsoleUser(t: TestPlatform, role: UserRole, email = `${role}-${++userN}-${Date.now()}@example.com`) {
  const password = `pw-${role}-correct-horse-${userN}`;
  await t.platform.orm.em.fork().transactional((em) => createUser(em, { email, role, password }, TEST_CONTEXT));
  const [row] = await t.sql('select id from users where email = ?', [email]);
  return { id: row.id as string, email, password, role };
}

/** A user of `role`, signed in: the client carries the session cookie. */
export async function signedIn(t: TestPlatform, role: UserRole, options: { ip?: string } = {}) {
  const user = await createConsoleUser(t, role);
  const client = new ConsoleClient(t.baseUrl, options);
  ok(await client.mutate('auth.login', { email: user.email, password: user.password }));
  return { user, client };
}

/** Audit rows written for a target, oldest first. */
export async function auditOf(t: TestPlatform, where: string, params: unknown[]) {
  return t.sql(`select * from audit_log where ${where} order by seq`, params);
}

// ---------------------------------------------------------------------------------------------
// Payments and webhooks, the real way (REST, hosted checkout, worker)
// ---------------------------------------------------------------------------------------------

let keyN = 0;

export async function createPayment(t: TestPlatform, token: string, body: Record<string, unknown>) {
  const res = await t.request('POST', '/v1/payments', { token, idempotencyKey: `console-${++keyN}-${Date.now()}`, body });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; checkoutToken: string; [k: string]: any };
}

/** Pays with a sandbox test card through the hosted checkout's tRPC API. */
export async function payWithCard(t: TestPlatform, checkoutToken: string, number = '4242424242424242') {
  await submitCard(t, checkoutToken, number);
}

export async function waitFor<T>(what: string, check: () => Promise<T>, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A local webhook receiver answering `status` (changeable). */
export async function startReceiver(status = 200) {
  const state = { status, received: 0 };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      state.received++;
      res.writeHead(state.status).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function createEndpoint(t: TestPlatform, token: string, url: string) {
  const res = await t.request('POST', '/v1/webhook-endpoints', { token, idempotencyKey: `we-${++keyN}-${Date.now()}`, body: { url } });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; secret: string };
}
