/**
 * A local fake of Adyen's Checkout API for contract tests: the endpoints the Adyen adapter calls,
 * answered with the example objects of Adyen's own OpenAPI spec (test/fixtures/adyen-checkout-v72-*.json)
 * filled in with the request's values. Pass `fake.url` as the adapter's `apiBaseUrl`
 * (env ADYEN_CHECKOUT_BASE_URL); the SDK appends its version path (`/v72`, any `/vNN` is accepted).
 *
 * Like Adyen it honours `Idempotency-Key` (per API key and route): the same key replays the stored
 * answer, so a retry never creates a second session or refund. Scriptable: `fail` (error answers,
 * nothing stored), `hang` (the object IS stored, the answer comes late: a timeout after sending),
 * `setSessionStatus`. Also exports builders for signed standard notifications.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import adyen from '@adyen/api-library';
import type { Types } from '@adyen/api-library';

export type AdyenFakeRoute = 'sessions' | 'sessionResult' | 'refunds';
export type AdyenSessionStatus = 'active' | 'canceled' | 'completed' | 'expired' | 'paymentPending' | 'refused';

export interface AdyenFakeRequest {
  method: string;
  /** Path without the query string, e.g. `/v72/sessions`. */
  path: string;
  query: Record<string, string>;
  route: AdyenFakeRoute | null;
  /** Node's lower-cased headers: `idempotency-key`, `x-api-key`, … */
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (null for GET or a body that is not JSON). */
  body: unknown;
}

export interface AdyenFakeSession {
  id: string;
  status: AdyenSessionStatus;
  reference: string;
  merchantAccount: string;
  amount: { value: number; currency: string };
  metadata: Record<string, string>;
}

export interface AdyenFake {
  /** The base URL to give the adapter (`http://127.0.0.1:<port>`). */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: AdyenFakeRequest[];
  /** Sessions created so far (one per idempotency key). */
  sessions(): AdyenFakeSession[];
  /** The next `times` (default 1) calls of `route` answer `status` with Adyen's error body; nothing is stored. */
  fail(route: AdyenFakeRoute, options: { status: number; times?: number; retryAfter?: string }): void;
  /** The next `times` (default 1) calls of `route` are processed and stored at once but answered after `ms`. */
  hang(route: AdyenFakeRoute, options: { ms: number; times?: number }): void;
  setSessionStatus(sessionId: string, status: AdyenSessionStatus): void;
  close(): Promise<void>;
}

type Fixture = { request: Record<string, unknown>; responses: Record<string, Record<string, Record<string, unknown>>> };
const fixture = (name: string): Fixture => JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as Fixture;
const SESSIONS = fixture('adyen-checkout-v72-sessions.json');
const REFUNDS = fixture('adyen-checkout-v72-refunds.json');

type Answer = { status: number; body: unknown; headers?: Record<string, string> };

/** Adyen's error body: the spec's example for that status when there is one. */
function errorAnswer(status: number, message?: string, errorCode?: string, retryAfter?: string): Answer {
  const example = REFUNDS.responses[String(status)]?.generic;
  const body = example
    ? { ...example, ...(message ? { message } : {}), ...(errorCode ? { errorCode } : {}) }
    : { status, errorCode: errorCode ?? String(status), message: message ?? `HTTP ${status}`, errorType: status === 429 ? 'throttling' : 'internal' };
  return { status, body, ...(retryAfter ? { headers: { 'retry-after': retryAfter } } : {}) };
}

const pspReference = () => randomBytes(12).toString('base64').replace(/[^A-Za-z0-9]/g, '').toUpperCase().padEnd(16, 'X').slice(0, 16);

type Body = Record<string, unknown>;
const isAmount = (v: unknown): v is { value: number; currency: string } =>
  typeof v === 'object' && v !== null && typeof (v as Body).value === 'number' && typeof (v as Body).currency === 'string';

export async function startAdyenFake(): Promise<AdyenFake> {
  const requests: AdyenFakeRequest[] = [];
  const sessions = new Map<string, AdyenFakeSession>();
  const idempotent = new Map<string, Answer>();
  const failures: Record<AdyenFakeRoute, { status: number; retryAfter?: string }[]> = { sessions: [], sessionResult: [], refunds: [] };
  const hangs: Record<AdyenFakeRoute, number[]> = { sessions: [], sessionResult: [], refunds: [] };
  const timers = new Set<NodeJS.Timeout>();

  function createSession(body: Body): Answer {
    const missing = (['merchantAccount', 'reference', 'returnUrl'] as const).find((f) => typeof body[f] !== 'string' || body[f] === '');
    if (missing === 'returnUrl') return errorAnswer(422, 'Return URL is missing.', '14_030');
    if (missing) return errorAnswer(422, `Required field '${missing}' is not provided.`, '14_0');
    if (!isAmount(body.amount)) return errorAnswer(422, "Required field 'amount' is not provided.", '14_0');
    const example = SESSIONS.responses['201']!['00.success']!;
    const id = `CS${randomBytes(7).toString('hex').toUpperCase()}`;
    const session: AdyenFakeSession = {
      id,
      status: 'active',
      reference: body.reference as string,
      merchantAccount: body.merchantAccount as string,
      amount: body.amount,
      metadata: (body.metadata as Record<string, string> | undefined) ?? {},
    };
    sessions.set(id, session);
    const { countryCode: _exampleCountry, ...base } = example;
    return {
      status: 201,
      body: {
        ...base,
        id,
        amount: body.amount,
        merchantAccount: body.merchantAccount,
        reference: body.reference,
        returnUrl: body.returnUrl,
        ...(body.countryCode ? { countryCode: body.countryCode } : {}),
        ...(body.metadata ? { metadata: body.metadata } : {}),
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        sessionData: `Ab02b4c0!${randomBytes(24).toString('base64')}`,
      },
    };
  }

  function sessionResult(id: string, query: Record<string, string>): Answer {
    if (!query.sessionResult) return errorAnswer(422, "Required parameter 'sessionResult' is missing.", '14_0');
    const session = sessions.get(id);
    if (!session) return errorAnswer(422, 'Invalid sessionId.', '14_0');
    return { status: 200, body: { id, status: session.status, reference: session.reference } };
  }

  function createRefund(paymentPspReference: string, body: Body): Answer {
    if (typeof body.merchantAccount !== 'string' || !isAmount(body.amount)) return errorAnswer(422, "Required field 'amount' or 'merchantAccount' is not provided.", '14_0');
    const example = REFUNDS.responses['201']!.refund!;
    return {
      status: 201,
      body: { ...example, merchantAccount: body.merchantAccount, paymentPspReference, reference: body.reference, pspReference: pspReference(), status: 'received', amount: body.amount },
    };
  }

  function route(method: string, path: string): { route: AdyenFakeRoute; param?: string } | null {
    const m = /^\/v\d+(\/.*)$/.exec(path);
    if (!m) return null;
    const rest = m[1]!;
    if (method === 'POST' && rest === '/sessions') return { route: 'sessions' };
    const result = /^\/sessions\/([^/]+)$/.exec(rest);
    if (method === 'GET' && result) return { route: 'sessionResult', param: decodeURIComponent(result[1]!) };
    const refund = /^\/payments\/([^/]+)\/refunds$/.exec(rest);
    if (method === 'POST' && refund) return { route: 'refunds', param: decodeURIComponent(refund[1]!) };
    return null;
  }

  function handle(recorded: AdyenFakeRequest, param: string | undefined): Answer {
    const { route: name, headers, body } = recorded;
    if (!headers['x-api-key']) return errorAnswer(401);
    const failure = failures[name!].shift();
    if (failure) return errorAnswer(failure.status, undefined, undefined, failure.retryAfter);
    const key = headers['idempotency-key'];
    const storeKey = typeof key === 'string' ? `${String(headers['x-api-key'])}\0${name}\0${key}` : null;
    const stored = storeKey ? idempotent.get(storeKey) : undefined;
    if (stored) return stored;
    const fields = (body ?? {}) as Body;
    const answer = name === 'sessions' ? createSession(fields) : name === 'refunds' ? createRefund(param!, fields) : sessionResult(param!, recorded.query);
    if (storeKey && answer.status < 500) idempotent.set(storeKey, answer);
    return answer;
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const method = req.method ?? 'GET';
      const matched = route(method, url.pathname);
      let body: unknown = null;
      try {
        body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : null;
      } catch {
        body = null;
      }
      const recorded: AdyenFakeRequest = { method, path: url.pathname, query: Object.fromEntries(url.searchParams), route: matched?.route ?? null, headers: req.headers, body };
      requests.push(recorded);
      const answer = matched ? handle(recorded, matched.param) : errorAnswer(404, `No route ${method} ${url.pathname}`, '404');
      const respond = () => {
        if (res.destroyed) return;
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(JSON.stringify(answer.body));
      };
      const delay = matched ? hangs[matched.route].shift() : undefined;
      if (delay === undefined) return respond();
      const timer = setTimeout(() => {
        timers.delete(timer);
        respond();
      }, delay);
      timers.add(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    sessions: () => [...sessions.values()],
    fail(name, { status, times = 1, retryAfter }) {
      for (let i = 0; i < times; i++) failures[name].push({ status, ...(retryAfter ? { retryAfter } : {}) });
    },
    hang(name, { ms, times = 1 }) {
      for (let i = 0; i < times; i++) hangs[name].push(ms);
    },
    setSessionStatus(sessionId, status) {
      const session = sessions.get(sessionId);
      if (!session) throw new Error(`Unknown session ${sessionId}`);
      session.status = status;
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

// ---- standard notifications (webhooks) ------------------------------------------------------

export interface AdyenNotificationItem {
  pspReference: string;
  originalReference?: string;
  merchantAccountCode: string;
  merchantReference: string;
  amount: { value: number; currency: string };
  eventCode: string;
  eventDate: string;
  success: 'true' | 'false';
  reason?: string;
  paymentMethod?: string;
  operations?: string[];
  additionalData?: Record<string, string>;
}

export interface AdyenNotification {
  live: 'true' | 'false';
  notificationItems: { NotificationRequestItem: AdyenNotificationItem }[];
}

const exampleItem = (name: string): AdyenNotificationItem =>
  (JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as AdyenNotification).notificationItems[0]!.NotificationRequestItem;

/** The spec's AUTHORISATION example (success "true"), with overrides. */
export function authorisationItem(overrides: Partial<AdyenNotificationItem> = {}): AdyenNotificationItem {
  return { ...exampleItem('adyen-notification-authorisation.json'), ...overrides };
}

/** The spec's REFUND example (success "false"), with overrides. */
export function refundItem(overrides: Partial<AdyenNotificationItem> = {}): AdyenNotificationItem {
  return { ...exampleItem('adyen-notification-refund.json'), ...overrides };
}

/** The item with `additionalData.hmacSignature` computed by the SDK's HmacValidator (hex key). */
export function signAdyenNotification(item: AdyenNotificationItem, hmacKeyHex: string): AdyenNotificationItem {
  const hmacSignature = new adyen.hmacValidator().calculateHmac(item as unknown as Types.notification.NotificationRequestItem, hmacKeyHex);
  return { ...item, additionalData: { ...item.additionalData, hmacSignature } };
}

/** The notification body Adyen POSTs: `{ live, notificationItems: [{ NotificationRequestItem }] }`. */
export function notification(items: AdyenNotificationItem[], live = false): AdyenNotification {
  return { live: live ? 'true' : 'false', notificationItems: items.map((NotificationRequestItem) => ({ NotificationRequestItem })) };
}
