import { describe, expect, it } from 'vitest';
import { AppError, ERROR_MAP, isAppError, toErrorBody, type ErrorCode, type ErrorType, type TrpcCode } from './errors.js';
import { errorResponseSchema } from './schemas.js';

/** Written out from spec/rest-api.md "Errors" — one row per code, not derived from ERROR_MAP. */
const EXPECTED: Record<ErrorCode, { status: number; type: ErrorType; trpc: TrpcCode }> = {
  parameter_invalid: { status: 400, type: 'invalid_request_error', trpc: 'BAD_REQUEST' },
  parameter_missing: { status: 400, type: 'invalid_request_error', trpc: 'BAD_REQUEST' },
  amount_invalid: { status: 400, type: 'invalid_request_error', trpc: 'BAD_REQUEST' },
  currency_invalid: { status: 400, type: 'invalid_request_error', trpc: 'BAD_REQUEST' },
  url_invalid: { status: 400, type: 'invalid_request_error', trpc: 'BAD_REQUEST' },
  metadata_invalid: { status: 400, type: 'invalid_request_error', trpc: 'BAD_REQUEST' },
  json_invalid: { status: 400, type: 'invalid_request_error', trpc: 'BAD_REQUEST' },
  idempotency_key_missing: { status: 400, type: 'invalid_request_error', trpc: 'BAD_REQUEST' },
  authentication_required: { status: 401, type: 'authentication_error', trpc: 'UNAUTHORIZED' },
  invalid_credentials: { status: 401, type: 'authentication_error', trpc: 'UNAUTHORIZED' },
  token_invalid: { status: 401, type: 'authentication_error', trpc: 'UNAUTHORIZED' },
  token_expired: { status: 401, type: 'authentication_error', trpc: 'UNAUTHORIZED' },
  checkout_token_invalid: { status: 401, type: 'authentication_error', trpc: 'UNAUTHORIZED' },
  checkout_token_expired: { status: 401, type: 'authentication_error', trpc: 'UNAUTHORIZED' },
  checkout_token_revoked: { status: 401, type: 'authentication_error', trpc: 'UNAUTHORIZED' },
  webhook_signature_invalid: { status: 400, type: 'invalid_request_error', trpc: 'BAD_REQUEST' },
  card_invalid: { status: 400, type: 'invalid_request_error', trpc: 'BAD_REQUEST' },
  permission_denied: { status: 403, type: 'permission_error', trpc: 'FORBIDDEN' },
  resource_missing: { status: 404, type: 'invalid_request_error', trpc: 'NOT_FOUND' },
  route_not_found: { status: 404, type: 'invalid_request_error', trpc: 'NOT_FOUND' },
  idempotency_in_progress: { status: 409, type: 'invalid_request_error', trpc: 'CONFLICT' },
  invalid_state: { status: 409, type: 'invalid_request_error', trpc: 'CONFLICT' },
  body_too_large: { status: 413, type: 'invalid_request_error', trpc: 'PAYLOAD_TOO_LARGE' },
  idempotency_key_reused: { status: 422, type: 'idempotency_error', trpc: 'UNPROCESSABLE_CONTENT' },
  rate_limited: { status: 429, type: 'rate_limit_error', trpc: 'TOO_MANY_REQUESTS' },
  internal_error: { status: 500, type: 'api_error', trpc: 'INTERNAL_SERVER_ERROR' },
  service_unavailable: { status: 503, type: 'api_error', trpc: 'SERVICE_UNAVAILABLE' },
};

/** The status → type rule of the spec table, checked for every code as a second, independent view. */
function typeForStatus(status: number): ErrorType[] {
  if (status === 401) return ['authentication_error'];
  if (status === 403) return ['permission_error'];
  if (status === 422) return ['idempotency_error'];
  if (status === 429) return ['rate_limit_error'];
  if (status >= 500) return ['api_error'];
  return ['invalid_request_error'];
}

const codes = Object.keys(ERROR_MAP) as ErrorCode[];

describe('ERROR_MAP', () => {
  it('has exactly the expected codes', () => {
    expect([...codes].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(codes)('%s maps to its HTTP status, REST type and tRPC code', (code) => {
    expect(ERROR_MAP[code]).toEqual(EXPECTED[code]);
    const err = new AppError(code, 'message');
    expect(err.status).toBe(EXPECTED[code].status);
    expect(err.type).toBe(EXPECTED[code].type);
    expect(err.trpcCode).toBe(EXPECTED[code].trpc);
    expect(typeForStatus(err.status)).toContain(err.type);
  });

  it('the Error response schema lists every code', () => {
    for (const code of codes) {
      const body = toErrorBody(new AppError(code, 'm'), 'req_1');
      expect(errorResponseSchema.safeParse(body).success).toBe(true);
    }
  });
});

describe('AppError', () => {
  it('is an Error carrying code, param and cause', () => {
    const cause = new Error('db down');
    const err = new AppError('amount_invalid', 'amount must be a positive integer in minor units', { param: 'amount', cause });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('AppError');
    expect(err.code).toBe('amount_invalid');
    expect(err.param).toBe('amount');
    expect(err.cause).toBe(cause);
    expect(isAppError(err)).toBe(true);
  });

  it.each([new Error('x'), { code: 'amount_invalid', status: 400 }, 'amount_invalid', null, undefined])('isAppError(%j) is false', (v) => {
    expect(isAppError(v)).toBe(false);
  });
});

describe('toErrorBody', () => {
  it('has the documented shape with param', () => {
    const body = toErrorBody(new AppError('amount_invalid', 'amount must be a positive integer in minor units', { param: 'amount' }), 'req_abc');
    expect(body).toStrictEqual({
      error: {
        type: 'invalid_request_error',
        code: 'amount_invalid',
        message: 'amount must be a positive integer in minor units',
        param: 'amount',
        requestId: 'req_abc',
      },
    });
  });

  it('omits param entirely when there is none', () => {
    const body = toErrorBody(new AppError('rate_limited', 'Too many requests'), 'req_x');
    expect(body).toStrictEqual({
      error: { type: 'rate_limit_error', code: 'rate_limited', message: 'Too many requests', requestId: 'req_x' },
    });
    expect(Object.hasOwn(body.error, 'param')).toBe(false);
    expect(JSON.stringify(body)).not.toContain('param');
  });

  it('never includes the stack or the cause', () => {
    const err = new AppError('internal_error', 'An internal error occurred', { cause: new Error('select * from payments') });
    const text = JSON.stringify(toErrorBody(err, 'req_1'));
    expect(text).not.toContain('select');
    expect(text).not.toContain('stack');
    expect(text).not.toMatch(/\bat .+:\d+:\d+/);
  });
});
