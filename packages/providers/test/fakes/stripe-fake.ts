/**
 * A local fake of the Stripe API for tests: the official `stripe` SDK pointed at it
 * (`createStripeProvider({ apiBaseUrl: fake.url })`) gets answers shaped like Stripe's, built
 * from Stripe's published example objects in ../fixtures. No network beyond 127.0.0.1.
 *
 * Routes: POST /v1/payment_intents, POST /v1/payment_intents/:id/confirm,
 * GET /v1/payment_intents/:id, GET /v1/payment_intents/search (`metadata['k']:'v'` clauses
 * joined by AND), POST /v1/refunds, GET /v1/refunds/:id. Objects are scoped to the API key that created them, like
 * Stripe accounts.
 *
 * Like Stripe, a POST with an `Idempotency-Key` already seen (same API key) replays the saved
 * answer (header `Idempotent-Replayed: true`) without doing anything; different parameters
 * under the same key get a 400 idempotency_error. Scripted `fail()` answers happen before
 * anything is executed and are NOT saved under the key; `hang()` executes and saves first,
 * then delays the answer (a timeout after the request reached "Stripe").
 *
 * Confirm outcomes are picked by the ConfirmationToken (STRIPE_FAKE_TOKENS); any other token
 * succeeds. Example:
 * ```ts
 * const fake = await startStripeFake();
 * const provider = createStripeProvider({ apiBaseUrl: fake.url, timeoutMs: 500 });
 * fake.fail('POST /v1/payment_intents', { status: 500 });        // next create answers 500
 * fake.hang('POST /v1/payment_intents/:id/confirm', { ms: 2000 }); // next confirm times out
 * const body = JSON.stringify(stripeEvent('payment_intent.succeeded', fake.paymentIntents.get(id)!));
 * const header = signStripeEvent(body, 'whsec_…');                // Stripe-Signature value
 * await fake.close();
 * ```
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

export type StripeFakeRoute =
  | 'POST /v1/payment_intents'
  | 'POST /v1/payment_intents/:id/confirm'
  | 'GET /v1/payment_intents/:id'
  | 'GET /v1/payment_intents/search'
  | 'POST /v1/refunds'
  | 'GET /v1/refunds/:id';

export interface StripeFakeRequest {
  method: string;
  /** Path without the query string, e.g. `/v1/payment_intents/pi_…/confirm`. */
  path: string;
  route: StripeFakeRoute | null;
  headers: IncomingHttpHeaders;
  idempotencyKey: string | undefined;
  /** Form body (POST) or query string (GET), brackets expanded: `metadata[paymentId]` → `{ metadata: { paymentId } }`. */
  body: FormObject;
}

export interface StripeFakeFailure {
  /** How many matching requests fail (default 1). */
  times?: number;
  status: number;
  /** Response body; default: a Stripe-shaped `{ error: { type, code, message } }` for the status. */
  body?: unknown;
  /** Retry-After header value (seconds, or an HTTP date). */
  retryAfter?: number | string;
}

export interface StripeFakeHang {
  /** How many matching requests hang (default 1). */
  times?: number;
  /** Delay before answering, after the request has been executed. */
  ms: number;
}

/** The `last_payment_error` to set with `setStatus`. */
export interface StripeFakePaymentError {
  code: string;
  decline_code?: string;
  message?: string;
}

export interface StripeFake {
  /** Base URL for `apiBaseUrl`, e.g. `http://127.0.0.1:54321`. */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: StripeFakeRequest[];
  /** Stored objects by id, as the API returns them (live: later changes show). */
  readonly paymentIntents: ReadonlyMap<string, Stripe.PaymentIntent>;
  readonly refunds: ReadonlyMap<string, Stripe.Refund>;
  /** The next `times` requests to `route` answer `status` without executing anything. */
  fail(route: StripeFakeRoute, failure: StripeFakeFailure): void;
  /** The next `times` requests to `route` are executed, then answered only after `ms`. */
  hang(route: StripeFakeRoute, hang: StripeFakeHang): void;
  /** Moves a PaymentIntent (e.g. after 3-D Secure, or an async failure). Throws for an unknown id. */
  setStatus(piId: string, status: Stripe.PaymentIntent.Status, lastPaymentError?: StripeFakePaymentError): void;
  /** Moves a Refund (new refunds are `succeeded`; e.g. `pending`, or `failed` with a failure reason). Throws for an unknown id. */
  setRefundStatus(refundId: string, status: 'pending' | 'succeeded' | 'failed' | 'canceled', failureReason?: string): void;
  close(): Promise<void>;
}

/** ConfirmationTokens the fake's confirm understands; any other token succeeds. */
export const STRIPE_FAKE_TOKENS = {
  succeeds: 'ctoken_fake_succeeds',
  processing: 'ctoken_fake_processing',
  requiresAction: 'ctoken_fake_requires_action',
  cardDeclined: 'ctoken_fake_card_declined',
  insufficientFunds: 'ctoken_fake_insufficient_funds',
} as const;

type FormObject = { [key: string]: string | FormObject };
type Answer = { status: number; body: unknown; headers?: Record<string, string> };

const fixture = <T>(name: string): T => JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as T;
const PI_FIXTURE = fixture<Stripe.PaymentIntent>('stripe-payment_intent.json');
const REFUND_FIXTURE = fixture<Stripe.Refund>('stripe-refund.json');
const EVENT_FIXTURE = fixture<Stripe.Event>('stripe-event.json');

const rid = (prefix: string) => `${prefix}_fake${randomBytes(9).toString('hex')}`;
const nowSeconds = () => Math.floor(Date.now() / 1000);
const stripeError = (status: number, error: Record<string, unknown>): Answer => ({ status, body: { error } });
const missing = (kind: string, id: string) => stripeError(404, { type: 'invalid_request_error', code: 'resource_missing', message: `No such ${kind}: '${id}'` });

const DECLINES: Record<string, StripeFakePaymentError> = {
  [STRIPE_FAKE_TOKENS.cardDeclined]: { code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' },
  [STRIPE_FAKE_TOKENS.insufficientFunds]: { code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' },
};

export async function startStripeFake(): Promise<StripeFake> {
  const requests: StripeFakeRequest[] = [];
  const paymentIntents = new Map<string, Stripe.PaymentIntent>();
  const refunds = new Map<string, Stripe.Refund>();
  const owners = new Map<string, string>();
  const saved = new Map<string, { params: string; answer: Answer }>();
  const failures = new Map<StripeFakeRoute, (StripeFakeFailure & { left: number })[]>();
  const hangs = new Map<StripeFakeRoute, (StripeFakeHang & { left: number })[]>();
  const timers = new Set<NodeJS.Timeout>();

  const owned = <T>(map: Map<string, T>, id: string, owner: string) => (owners.get(id) === owner ? map.get(id) : undefined);

  function applyStatus(pi: Stripe.PaymentIntent, status: Stripe.PaymentIntent.Status, error?: StripeFakePaymentError): void {
    pi.status = status;
    pi.last_payment_error = error ? ({ type: 'card_error', message: 'The payment failed.', ...error } as Stripe.PaymentIntent.LastPaymentError) : null;
    pi.next_action = status === 'requires_action' ? { type: 'use_stripe_sdk', use_stripe_sdk: { type: 'three_d_secure_redirect' } as Stripe.PaymentIntent.NextAction.UseStripeSdk } : null;
    if (status === 'succeeded') {
      pi.amount_received = pi.amount;
      pi.latest_charge ??= rid('ch');
    }
    if (status === 'canceled') pi.canceled_at = nowSeconds();
  }

  const handlers: Record<StripeFakeRoute, (owner: string, body: FormObject, id: string) => Answer> = {
    'POST /v1/payment_intents': (owner, body) => {
      const amount = Number(body.amount);
      if (!Number.isInteger(amount) || amount <= 0 || typeof body.currency !== 'string') {
        return stripeError(400, { type: 'invalid_request_error', code: 'parameter_missing', message: 'amount and currency are required' });
      }
      const id = rid('pi');
      const pi: Stripe.PaymentIntent = {
        ...structuredClone(PI_FIXTURE),
        id,
        amount,
        currency: body.currency,
        metadata: (typeof body.metadata === 'object' ? body.metadata : {}) as Stripe.Metadata,
        description: typeof body.description === 'string' ? body.description : null,
        client_secret: `${id}_secret_${randomBytes(12).toString('hex')}`,
        created: nowSeconds(),
        canceled_at: null,
        latest_charge: null,
        amount_received: 0,
        automatic_payment_methods: { enabled: typeof body.automatic_payment_methods === 'object' && body.automatic_payment_methods.enabled === 'true' },
      };
      applyStatus(pi, 'requires_payment_method');
      paymentIntents.set(id, pi);
      owners.set(id, owner);
      return { status: 200, body: pi };
    },

    'POST /v1/payment_intents/:id/confirm': (owner, body, id) => {
      const pi = owned(paymentIntents, id, owner);
      if (!pi) return missing('payment_intent', id);
      if (pi.status !== 'requires_payment_method' && pi.status !== 'requires_confirmation') {
        return stripeError(400, { type: 'invalid_request_error', code: 'payment_intent_unexpected_state', message: `This PaymentIntent's status is ${pi.status}.`, payment_intent: pi });
      }
      const token = typeof body.confirmation_token === 'string' ? body.confirmation_token : undefined;
      if (!token) return stripeError(400, { type: 'invalid_request_error', code: 'parameter_missing', message: 'Missing confirmation_token' });
      const decline = DECLINES[token];
      if (decline) {
        applyStatus(pi, 'requires_payment_method', decline);
        return stripeError(402, { type: 'card_error', ...decline, payment_intent: pi });
      }
      const next = token === STRIPE_FAKE_TOKENS.processing ? 'processing' : token === STRIPE_FAKE_TOKENS.requiresAction ? 'requires_action' : 'succeeded';
      applyStatus(pi, next);
      return { status: 200, body: pi };
    },

    'GET /v1/payment_intents/:id': (owner, _body, id) => {
      const pi = owned(paymentIntents, id, owner);
      return pi ? { status: 200, body: pi } : missing('payment_intent', id);
    },

    'GET /v1/payment_intents/search': (owner, body) => {
      const clauses = parseSearch(typeof body.query === 'string' ? body.query : '');
      if (!clauses) return stripeError(400, { type: 'invalid_request_error', code: 'parameter_invalid_string', message: `The fake cannot parse query '${String(body.query)}'` });
      const data = [...paymentIntents.values()]
        .filter((pi) => owners.get(pi.id) === owner && clauses.every(([k, v]) => pi.metadata?.[k] === v))
        .sort((a, b) => b.created - a.created)
        .slice(0, Number(body.limit ?? 10));
      return { status: 200, body: { object: 'search_result', data, has_more: false, next_page: null, url: '/v1/payment_intents/search' } };
    },

    'GET /v1/refunds/:id': (owner, _body, id) => {
      const refund = owned(refunds, id, owner);
      return refund ? { status: 200, body: refund } : missing('refund', id);
    },

    'POST /v1/refunds': (owner, body) => {
      const piId = typeof body.payment_intent === 'string' ? body.payment_intent : '';
      const pi = owned(paymentIntents, piId, owner);
      if (!pi) return stripeError(400, { type: 'invalid_request_error', code: 'resource_missing', param: 'payment_intent', message: `No such payment_intent: '${piId}'` });
      if (pi.status !== 'succeeded') {
        return stripeError(400, { type: 'invalid_request_error', code: 'charge_not_refundable', message: `This PaymentIntent (${pi.id}) does not have a successful charge to refund.` });
      }
      const id = rid('re');
      const refund: Stripe.Refund = {
        ...structuredClone(REFUND_FIXTURE),
        id,
        amount: body.amount === undefined ? pi.amount : Number(body.amount),
        currency: pi.currency,
        metadata: (typeof body.metadata === 'object' ? body.metadata : {}) as Stripe.Metadata,
        payment_intent: pi.id,
        charge: typeof pi.latest_charge === 'string' ? pi.latest_charge : null,
        status: 'succeeded',
        created: nowSeconds(),
      };
      refunds.set(id, refund);
      owners.set(id, owner);
      return { status: 200, body: refund };
    },
  };

  function take<T extends { left: number }>(scripts: Map<StripeFakeRoute, T[]>, route: StripeFakeRoute | null): T | undefined {
    const script = route ? scripts.get(route)?.find((s) => s.left > 0) : undefined;
    if (script) script.left -= 1;
    return script;
  }

  function answer(req: IncomingMessage, res: ServerResponse, text: string): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const matched = matchRoute(req.method ?? 'GET', url.pathname);
    const route = matched?.route ?? null;
    const body = parseForm(req.method === 'GET' ? url.search.slice(1) : text);
    const idempotencyKey = header(req.headers['idempotency-key']);
    requests.push({ method: req.method ?? 'GET', path: url.pathname, route, headers: req.headers, idempotencyKey, body });

    const send = (a: Answer) => {
      if (res.destroyed || res.socket?.destroyed !== false) return; // the client gave up (timeout): nothing to answer
      res.writeHead(a.status, { 'content-type': 'application/json', 'request-id': rid('req'), ...a.headers });
      res.end(JSON.stringify(a.body));
    };
    const owner = header(req.headers.authorization)?.replace(/^Bearer\s+/i, '');
    if (!owner) return send(stripeError(401, { type: 'invalid_request_error', message: 'You did not provide an API key.' }));
    if (!matched) return send(stripeError(404, { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${url.pathname}).` }));

    const failure = take(failures, route);
    if (failure) return send(scriptedFailure(failure));

    let result: Answer;
    const key = req.method === 'POST' && idempotencyKey ? `${owner}\n${idempotencyKey}` : undefined;
    const params = `${route} ${matched.id} ${text}`;
    const previous = key ? saved.get(key) : undefined;
    if (previous) {
      result = previous.params === params
        ? { ...previous.answer, headers: { ...previous.answer.headers, 'idempotent-replayed': 'true' } }
        : stripeError(400, { type: 'idempotency_error', message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.` });
    } else {
      // Serialize now: later changes to the stored object must not alter the saved answer.
      const fresh = handlers[matched.route](owner, body, matched.id);
      result = { ...fresh, body: JSON.parse(JSON.stringify(fresh.body)) };
      if (key) saved.set(key, { params, answer: result });
    }

    const hang = take(hangs, route);
    if (!hang) return send(result);
    const timer = setTimeout(() => {
      timers.delete(timer);
      send(result);
    }, hang.ms);
    timers.add(timer);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => answer(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const script = <T>(map: Map<StripeFakeRoute, (T & { left: number })[]>, route: StripeFakeRoute, entry: T & { times?: number }) => {
    map.set(route, [...(map.get(route) ?? []), { ...entry, left: entry.times ?? 1 }]);
  };

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    paymentIntents,
    refunds,
    fail: (route, failure) => script(failures, route, failure),
    hang: (route, hang) => script(hangs, route, hang),
    setStatus(piId, status, lastPaymentError) {
      const pi = paymentIntents.get(piId);
      if (!pi) throw new Error(`stripe fake: no PaymentIntent ${piId}`);
      applyStatus(pi, status, lastPaymentError);
    },
    setRefundStatus(refundId, status, failureReason) {
      const refund = refunds.get(refundId);
      if (!refund) throw new Error(`stripe fake: no Refund ${refundId}`);
      refund.status = status;
      refund.failure_reason = (failureReason ?? null) as Stripe.Refund['failure_reason'];
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** A Stripe snapshot event (envelope of fixtures/stripe-event.json) carrying `object`. */
export function stripeEvent(type: string, object: unknown, overrides: { id?: string; created?: number } = {}): Stripe.Event {
  return {
    ...structuredClone(EVENT_FIXTURE),
    id: overrides.id ?? rid('evt'),
    type,
    created: overrides.created ?? nowSeconds(),
    data: { object: structuredClone(object) },
  } as Stripe.Event;
}

/** The `Stripe-Signature` header value for `payload` (the exact body string sent), signed now or at `timestamp` (unix seconds). */
export function signStripeEvent(payload: string, secret: string, timestamp?: number): string {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret, ...(timestamp !== undefined ? { timestamp } : {}) });
}

function scriptedFailure(failure: StripeFakeFailure): Answer {
  const { status } = failure;
  const error =
    status === 429 ? { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests hit the API too quickly.' }
    : status === 402 ? { type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' }
    : status >= 500 ? { type: 'api_error', message: 'An unknown error occurred (stripe fake).' }
    : { type: 'invalid_request_error', message: `Scripted ${status} (stripe fake).` };
  return {
    status,
    body: failure.body ?? { error },
    ...(failure.retryAfter !== undefined ? { headers: { 'retry-after': String(failure.retryAfter) } } : {}),
  };
}

function matchRoute(method: string, path: string): { route: StripeFakeRoute; id: string } | null {
  if (method === 'POST' && path === '/v1/payment_intents') return { route: 'POST /v1/payment_intents', id: '' };
  if (method === 'POST' && path === '/v1/refunds') return { route: 'POST /v1/refunds', id: '' };
  if (method === 'GET' && path === '/v1/payment_intents/search') return { route: 'GET /v1/payment_intents/search', id: '' };
  const confirm = /^\/v1\/payment_intents\/([^/]+)\/confirm$/.exec(path);
  if (method === 'POST' && confirm) return { route: 'POST /v1/payment_intents/:id/confirm', id: decodeURIComponent(confirm[1]!) };
  const refund = /^\/v1\/refunds\/([^/]+)$/.exec(path);
  if (method === 'GET' && refund) return { route: 'GET /v1/refunds/:id', id: decodeURIComponent(refund[1]!) };
  const one = /^\/v1\/payment_intents\/([^/]+)$/.exec(path);
  if (method === 'GET' && one) return { route: 'GET /v1/payment_intents/:id', id: decodeURIComponent(one[1]!) };
  return null;
}

/** `a=1&metadata[paymentId]=pay_1` → `{ a: '1', metadata: { paymentId: 'pay_1' } }` (arrays stay objects keyed '0', '1', …). */
function parseForm(text: string): FormObject {
  const result: FormObject = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const path = key.replace(/\]/g, '').split('[');
    let node = result;
    for (const part of path.slice(0, -1)) {
      const child = node[part];
      node = typeof child === 'object' ? child : (node[part] = {});
    }
    node[path[path.length - 1]!] = value;
  }
  return result;
}

/** `metadata['a']:'x' AND metadata['b']:'y'` → [['a','x'],['b','y']]; null when unsupported. */
function parseSearch(query: string): [string, string][] | null {
  const clauses = query.split(/\s+AND\s+/);
  const parsed = clauses.map((c) => /^metadata\['([^']+)'\]:'((?:[^'\\]|\\.)*)'$/.exec(c.trim()));
  if (parsed.some((m) => !m)) return null;
  return parsed.map((m) => [m![1]!, m![2]!.replace(/\\(.)/g, '$1')]);
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
