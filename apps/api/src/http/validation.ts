import { AppError, type ErrorCode } from '@platform/core';
import { z } from 'zod';

/** Parameter → specific error code of spec/rest-api.md; everything else is parameter_invalid. */
const CODE_BY_PARAM: Record<string, ErrorCode> = {
  amount: 'amount_invalid',
  currency: 'currency_invalid',
  returnUrl: 'url_invalid',
  cancelUrl: 'url_invalid',
  metadata: 'metadata_invalid',
};

export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  if (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new AppError('parameter_invalid', 'Request body must be a JSON object');
  }
  return parseInput(schema, value);
}

/** The body of a POST whose parameters are all optional: none sent means `{}`. */
export function parseOptionalBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  return body === undefined ? parseInput(schema, {}) : parseOrThrow(schema, body);
}

const NO_PARAMETERS = z.object({}).strict();

/** A POST that takes no parameters: no body or `{}`. Anything else is refused, never silently ignored. */
export function expectNoParameters(body: unknown): void {
  parseOptionalBody(NO_PARAMETERS, body);
}

export function parseInput<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const param = issue.path.map(String).join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(',') : '');
  const top = String(issue.path[0] ?? '');
  // Judge "missing" by the input itself: schemas with a custom message (amount, currency) don't say "received undefined".
  const missing = issue.code === 'invalid_type' && valueAt(value, issue.path) === undefined;
  const code: ErrorCode = missing ? 'parameter_missing' : (CODE_BY_PARAM[top] ?? 'parameter_invalid');
  const message = missing
    ? `Missing required parameter: ${param}`
    : issue.code === 'unrecognized_keys'
      ? `Unknown parameter: ${issue.keys.join(', ')}`
      : param && !issue.message.includes(param)
        ? `${param}: ${issue.message}`
        : issue.message;
  return throwError(code, message, param || undefined);
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function throwError(code: ErrorCode, message: string, param: string | undefined): never {
  throw new AppError(code, message, param ? { param } : {});
}
