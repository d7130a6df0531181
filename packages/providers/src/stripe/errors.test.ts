import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { toProviderFailure } from './errors.js';

const E = Stripe.errors;
const connection = (code: string) => new E.StripeConnectionError({ message: 'An error occurred with our connection to Stripe.', detail: Object.assign(new Error(code), { code }) });

describe('toProviderFailure', () => {
  it('maps a card error to a final decline with the issuer decline code', () => {
    const err = new E.StripeCardError({ message: 'Your card has insufficient funds.', code: 'card_declined', decline_code: 'insufficient_funds', statusCode: 402 });
    expect(toProviderFailure(err)).toEqual({ ok: false, kind: 'declined', code: 'insufficient_funds', message: 'Your card has insufficient funds.', retryable: false, status: 402 });
    expect(toProviderFailure(new E.StripeCardError({ code: 'expired_card', statusCode: 402 }))).toMatchObject({ kind: 'declined', code: 'expired_card' });
  });

  it('maps 429 to a retryable provider error with Retry-After in ms', () => {
    const err = new E.StripeRateLimitError({ message: 'Too many requests', code: 'rate_limit', statusCode: 429, headers: { 'retry-after': '3' } });
    expect(toProviderFailure(err)).toEqual({ ok: false, kind: 'provider_error', code: 'rate_limit', message: 'Too many requests', retryable: true, status: 429, retryAfterMs: 3000 });
    expect(toProviderFailure(new E.StripeRateLimitError({ statusCode: 429 }))).not.toHaveProperty('retryAfterMs');
    // Stripe also signals rate limiting as 400 + code rate_limit (the SDK makes it a StripeRateLimitError).
    expect(toProviderFailure(new E.StripeRateLimitError({ statusCode: 400, code: 'rate_limit' }))).toMatchObject({ retryable: true, status: 400 });
  });

  it.each([500, 502, 503])('maps %i to a retryable provider error with its status', (status) => {
    expect(toProviderFailure(new E.StripeAPIError({ message: 'boom', statusCode: status }))).toEqual({
      ok: false, kind: 'provider_error', code: 'stripe_api_error', message: 'boom', retryable: true, status,
    });
  });

  it('maps other 4xx (invalid request, auth, permission, idempotency mismatch) to non-retryable provider errors', () => {
    expect(toProviderFailure(new E.StripeInvalidRequestError({ statusCode: 400, code: 'parameter_missing', message: 'x' }))).toMatchObject({ kind: 'provider_error', code: 'parameter_missing', retryable: false, status: 400 });
    expect(toProviderFailure(new E.StripeAuthenticationError({ statusCode: 401, type: 'invalid_request_error' }))).toMatchObject({ kind: 'provider_error', retryable: false, status: 401 });
    expect(toProviderFailure(new E.StripePermissionError({ statusCode: 403 }))).toMatchObject({ retryable: false, status: 403 });
    expect(toProviderFailure(new E.StripeIdempotencyError({ statusCode: 400, type: 'idempotency_error' }))).toMatchObject({ code: 'idempotency_error', retryable: false });
    expect(toProviderFailure(new E.StripeInvalidRequestError({ statusCode: 404, code: 'resource_missing' }))).toMatchObject({ code: 'resource_missing', retryable: false, status: 404 });
  });

  it('retries a 409 (idempotency key in use / lock timeout) and whatever Stripe-Should-Retry marks retryable', () => {
    expect(toProviderFailure(new E.StripeAPIError({ statusCode: 409, code: 'lock_timeout' }))).toMatchObject({ retryable: true, status: 409 });
    expect(toProviderFailure(new E.StripeInvalidRequestError({ statusCode: 400, headers: { 'stripe-should-retry': 'true' } }))).toMatchObject({ retryable: true });
  });

  it.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH'])('maps %s (never sent) to a retryable network failure', (code) => {
    expect(toProviderFailure(connection(code))).toMatchObject({ ok: false, kind: 'network', retryable: true });
  });

  it("maps the SDK's timeout (detail.code ETIMEDOUT) to kind timeout: sent, outcome unknown", () => {
    const err = new E.StripeConnectionError({ message: 'Request aborted due to timeout being reached (200ms)', detail: Object.assign(new TypeError('ETIMEDOUT'), { code: 'ETIMEDOUT' }) });
    expect(toProviderFailure(err)).toEqual({ ok: false, kind: 'timeout', code: 'timeout', message: 'Request aborted due to timeout being reached (200ms)', retryable: true });
  });

  it.each(['ECONNRESET', 'EPIPE', undefined])('treats a connection lost after sending (%s) as an unknown outcome (timeout)', (code) => {
    const err = code ? connection(code) : new E.StripeConnectionError({ message: 'lost' });
    expect(toProviderFailure(err)).toMatchObject({ kind: 'timeout', code: 'connection_lost', retryable: true });
  });

  it('rethrows anything that is not a Stripe SDK error (a programming error)', () => {
    const bug = new TypeError('undefined is not a function');
    expect(() => toProviderFailure(bug)).toThrow(bug);
  });
});
