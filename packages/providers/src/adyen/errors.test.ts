import { describe, expect, it } from 'vitest';
import { toAdyenFailure } from './errors.js';
import { HttpClientException } from './sdk.js';
import { AdyenTransportError } from './transport.js';

const http = (statusCode: number, apiError?: { errorCode?: string; message?: string; errorType?: string }, headers: Record<string, string> = {}) =>
  new HttpClientException({ message: `HTTP Exception: ${statusCode}.`, statusCode, responseHeaders: headers, ...(apiError ? { apiError, errorCode: apiError.errorCode } : {}) });

describe('toAdyenFailure', () => {
  it('5xx → retryable provider_error with the status and Adyen\'s message', () => {
    expect(toAdyenFailure(http(500, { errorCode: '905', message: 'Payment details are not supported', errorType: 'configuration' }))).toEqual({
      ok: false,
      kind: 'provider_error',
      code: 'provider_error',
      message: 'Adyen 500 905: Payment details are not supported',
      retryable: true,
      status: 500,
    });
    expect(toAdyenFailure(http(503))).toMatchObject({ kind: 'provider_error', retryable: true, status: 503 });
  });

  it('429 → retryable rate_limited, with Retry-After when Adyen sent one', () => {
    expect(toAdyenFailure(http(429, undefined, { 'retry-after': '3' }))).toMatchObject({ kind: 'provider_error', code: 'rate_limited', retryable: true, status: 429, retryAfterMs: 3000 });
    expect(toAdyenFailure(http(429))).not.toHaveProperty('retryAfterMs');
  });

  it('other 4xx → provider_error, not retryable, never declined', () => {
    expect(toAdyenFailure(http(422, { errorCode: '14_030', message: 'Return URL is missing.', errorType: 'validation' }))).toEqual({
      ok: false,
      kind: 'provider_error',
      code: 'invalid_request',
      message: 'Adyen 422 14_030: Return URL is missing.',
      retryable: false,
      status: 422,
    });
    expect(toAdyenFailure(http(401, { errorCode: '000', errorType: 'security', message: 'Unauthorized' }))).toMatchObject({ code: 'authentication_failed', retryable: false });
    expect(toAdyenFailure(http(403, { errorCode: '901', errorType: 'security', message: 'Invalid Merchant Account' }))).toMatchObject({ code: 'authentication_failed', retryable: false });
    expect(toAdyenFailure(http(404))).toMatchObject({ kind: 'provider_error', code: 'provider_rejected', retryable: false, status: 404 });
  });

  it('no connection → network; sent then silence or a lost connection → timeout (outcome unknown)', () => {
    expect(toAdyenFailure(new AdyenTransportError('refused', false, 'ECONNREFUSED'))).toMatchObject({ kind: 'network', code: 'network_error', retryable: true });
    expect(toAdyenFailure(new AdyenTransportError('no connect', false, 'connect_timeout'))).toMatchObject({ kind: 'network', retryable: true });
    expect(toAdyenFailure(new AdyenTransportError('slow', true, 'timeout'))).toMatchObject({ kind: 'timeout', code: 'timeout', retryable: true });
    expect(toAdyenFailure(new AdyenTransportError('reset', true, 'ECONNRESET'))).toMatchObject({ kind: 'timeout', code: 'connection_lost', retryable: true });
  });

  it('rethrows programming errors', () => {
    const bug = new TypeError('x is undefined');
    expect(() => toAdyenFailure(bug)).toThrow(bug);
  });
});
