import Stripe from 'stripe';
import type { ProviderFailure } from '@platform/core';
import { parseRetryAfter } from '../retry-after.js';

type StripeSdkError = InstanceType<typeof Stripe.errors.StripeError>;

/**
 * Connection error codes that mean the request never left this machine (no connection was
 * made), so Stripe cannot have acted on it. Anything else (ETIMEDOUT, ECONNRESET, EPIPE, a
 * response cut off mid-body…) may have happened after Stripe received the request.
 */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/**
 * The SDK's timeout marker (`HttpClient.TIMEOUT_ERROR_CODE`): on timeout stripe-node destroys
 * the request with an error whose `code` is 'ETIMEDOUT' and wraps it in a StripeConnectionError
 * whose `detail` is that error (see RequestSender._generateConnectionError).
 */
const SDK_TIMEOUT_CODE = 'ETIMEDOUT';

export function isStripeError(err: unknown): err is StripeSdkError {
  return err instanceof Stripe.errors.StripeError;
}

/**
 * Maps an error thrown by the stripe SDK to a ProviderFailure value (the port's outcome shape).
 * Anything that is not a Stripe SDK error is a programming error and is rethrown.
 *
 * - card_error (402) → `declined`, code = decline_code ?? code, not retryable.
 * - 429 / rate_limit → `provider_error`, retryable, with `retryAfterMs` from Retry-After.
 * - 5xx → `provider_error`, retryable, with `status`. (Stripe replays a saved 5xx for the same
 *   idempotency key, so a host retry may see the same answer; reconciliation settles it.)
 * - 409 (concurrent use of an idempotency key, lock_timeout) or `Stripe-Should-Retry: true`
 *   → `provider_error`, retryable.
 * - other 4xx (invalid request, authentication, permission, idempotency mismatch) →
 *   `provider_error`, not retryable.
 * - connection refused / DNS failure → `network`, retryable: the request was never sent.
 * - timeout or a connection lost after sending → `timeout`, retryable ONLY because every call
 *   reuses the same idempotency key; the outcome is unknown until retried or reconciled.
 */
export function toProviderFailure(err: unknown): ProviderFailure {
  if (!isStripeError(err)) throw err;
  if (err instanceof Stripe.errors.StripeConnectionError) return connectionFailure(err);

  const status = err.statusCode;
  const message = err.message || 'Stripe returned an error';
  if (err instanceof Stripe.errors.StripeCardError) {
    // StripeCardError defaults decline_code to '' (not undefined) when Stripe sent none.
    return { ok: false, kind: 'declined', code: err.decline_code || err.code || 'card_declined', message, retryable: false, ...(status ? { status } : {}) };
  }
  if (err instanceof Stripe.errors.StripeRateLimitError || status === 429) {
    const retryAfterMs = parseRetryAfter(header(err, 'retry-after'));
    return {
      ok: false, kind: 'provider_error', code: err.code ?? 'rate_limited', message, retryable: true,
      status: status ?? 429, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  }
  if (status === undefined || status >= 500) {
    // No status: the answer could not be understood (e.g. invalid JSON): treat like a 5xx.
    return { ok: false, kind: 'provider_error', code: err.code ?? 'stripe_api_error', message, retryable: true, ...(status ? { status } : {}) };
  }
  const retryable = status === 409 || header(err, 'stripe-should-retry') === 'true';
  return { ok: false, kind: 'provider_error', code: err.code ?? err.rawType ?? 'stripe_error', message, retryable, status };
}

function connectionFailure(err: StripeSdkError): ProviderFailure {
  const code = causeCode(err.detail);
  if (code && NOT_SENT_CODES.has(code)) {
    return { ok: false, kind: 'network', code: 'network_error', message: `Could not connect to Stripe (${code})`, retryable: true };
  }
  const timedOut = code === SDK_TIMEOUT_CODE;
  return {
    ok: false,
    kind: 'timeout',
    code: timedOut ? 'timeout' : 'connection_lost',
    message: timedOut ? err.message : `The connection to Stripe was lost after sending (${code ?? 'unknown'}); outcome unknown`,
    retryable: true,
  };
}

/** The Node error code behind a StripeConnectionError (`detail` is the raw error, or a body-read error carrying the code). */
function causeCode(detail: unknown): string | undefined {
  if (detail && typeof detail === 'object' && 'code' in detail && typeof detail.code === 'string') return detail.code;
  return undefined;
}

function header(err: StripeSdkError, name: string): string | undefined {
  const value = err.headers?.[name];
  return typeof value === 'string' ? value : undefined;
}
