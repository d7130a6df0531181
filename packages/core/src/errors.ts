/**
 * Typed error codes with ONE map to HTTP status, REST error type and tRPC code.
 * Adding a code without a mapping fails the build (`satisfies Record<ErrorCode, …>`).
 */
export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'idempotency_error'
  | 'rate_limit_error'
  | 'api_error';

/** tRPC error codes we use (kept as literals so core imports nothing). */
export type TrpcCode =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNPROCESSABLE_CONTENT'
  | 'TOO_MANY_REQUESTS'
  | 'INTERNAL_SERVER_ERROR'
  | 'SERVICE_UNAVAILABLE';

interface ErrorMapping {
  readonly status: number;
  readonly type: ErrorType;
  readonly trpc: TrpcCode;
}

const badRequest = { status: 400, type: 'invalid_request_error', trpc: 'BAD_REQUEST' } as const;

export const ERROR_MAP = {
  parameter_invalid: badRequest,
  parameter_missing: badRequest,
  amount_invalid: badRequest,
  currency_invalid: badRequest,
  url_invalid: badRequest,
  metadata_invalid: badRequest,
  json_invalid: badRequest,
  idempotency_key_missing: badRequest,
  authentication_required: { status: 401, type: 'authentication_error', trpc: 'UNAUTHORIZED' },
  invalid_credentials: { status: 401, type: 'authentication_error', trpc: 'UNAUTHORIZED' },
  token_invalid: { status: 401, type: 'authentication_error', trpc: 'UNAUTHORIZED' },
  token_expired: { status: 401, type: 'authentication_error', trpc: 'UNAUTHORIZED' },
  checkout_token_invalid: { status: 401, type: 'authentication_error', trpc: 'UNAUTHORIZED' },
  checkout_token_expired: { status: 401, type: 'authentication_error', trpc: 'UNAUTHORIZED' },
  checkout_token_revoked: { status: 401, type: 'authentication_error', trpc: 'UNAUTHORIZED' },
  webhook_signature_invalid: badRequest,
  card_invalid: badRequest,
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
} as const satisfies Record<string, ErrorMapping>;

export type ErrorCode = keyof typeof ERROR_MAP;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly param: string | undefined;
  /** Safe, user-facing extras for the checkout/console clients (e.g. the way back to the shop). */
  readonly details: Readonly<Record<string, string>> | undefined;

  constructor(code: ErrorCode, message: string, options: { param?: string; cause?: unknown; details?: Record<string, string> } = {}) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.param = options.param;
    this.details = options.details;
  }

  get status(): number {
    return ERROR_MAP[this.code].status;
  }

  get type(): ErrorType {
    return ERROR_MAP[this.code].type;
  }

  get trpcCode(): TrpcCode {
    return ERROR_MAP[this.code].trpc;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/** The REST error body of spec/rest-api.md. */
export interface ErrorBody {
  error: { type: ErrorType; code: ErrorCode; message: string; param?: string; requestId: string };
}

export function toErrorBody(err: AppError, requestId: string): ErrorBody {
  return {
    error: {
      type: err.type,
      code: err.code,
      message: err.message,
      ...(err.param ? { param: err.param } : {}),
      requestId,
    },
  };
}
