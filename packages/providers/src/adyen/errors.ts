import type { ProviderFailure } from '@platform/core';
import { parseRetryAfter } from '../retry-after.js';
import { HttpClientException } from './sdk.js';
import { AdyenTransportError } from './transport.js';

/**
 * Maps what an Adyen SDK call threw to a ProviderFailure value (the port's outcome shape).
 * Anything else (a TypeError, a serializer bug) is a programming error and is rethrown.
 *
 * - 429 → `provider_error`, retryable, with `retryAfterMs` from Retry-After when Adyen sent it.
 * - 5xx → `provider_error`, retryable, with `status`.
 * - other 4xx → `provider_error`, NOT retryable: 401/403 `authentication_failed`, errorType
 *   `validation` → `invalid_request`, anything else `provider_rejected`. The Checkout calls this
 *   adapter makes (sessions, session result, refunds) never answer a card refusal with an HTTP
 *   error, so no HTTP answer is `declined`: refusals arrive by webhook or session status.
 * - no connection made (refused, DNS, connect timeout) → `network`, retryable.
 * - timed out or connection lost after the request was sent → `timeout`, retryable ONLY because
 *   every retry reuses the same idempotency key; the outcome is unknown until then.
 */
export function toAdyenFailure(err: unknown): ProviderFailure {
  if (err instanceof AdyenTransportError) {
    if (!err.sent) return { ok: false, kind: 'network', code: 'network_error', message: err.message, retryable: true };
    return { ok: false, kind: 'timeout', code: err.code === 'timeout' ? 'timeout' : 'connection_lost', message: err.message, retryable: true };
  }
  if (!(err instanceof HttpClientException)) throw err;

  const status = err.statusCode;
  const api = err.apiError;
  const message = api?.message ? `Adyen ${status}${api.errorCode ? ` ${api.errorCode}` : ''}: ${api.message}` : err.message;
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(headerValue(err.responseHeaders?.['retry-after']));
    return { ok: false, kind: 'provider_error', code: 'rate_limited', message, retryable: true, status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  if (status >= 500) return { ok: false, kind: 'provider_error', code: 'provider_error', message, retryable: true, status };
  const code = status === 401 || status === 403 ? 'authentication_failed' : api?.errorType === 'validation' ? 'invalid_request' : 'provider_rejected';
  return { ok: false, kind: 'provider_error', code, message, retryable: false, status };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
