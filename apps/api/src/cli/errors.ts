import { DriverException } from '@mikro-orm/postgresql';
import { ERROR_MAP, isAppError, type ErrorType } from '@platform/core';
import { ConfigError } from '../config.js';

/**
 * How the CLI fails (docs/operators/console.md "CLI"): with `--json`, one object on stdout with
 * the REST error body's field names, `{ "error": { "type", "code", "message", "param"? } }`;
 * without it, the message on stderr. Never a stack trace, an SQL statement or a secret.
 */

/** Exit codes: 0 done; 1 the command failed (or `audit:verify` found a broken chain); 2 no or unknown command. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** The codes the CLI adds to the REST ones (an `AppError` keeps its own code, type and param). */
export type CliErrorCode =
  | 'command_unknown'
  | 'usage'
  | 'parameter_invalid'
  | 'parameter_missing'
  | 'config_invalid'
  | 'database_unavailable'
  | 'migrations_pending'
  | 'internal_error';

/** Types of the codes that are the CLI's own; the REST ones take theirs from the one error map. */
const CLI_ERROR_TYPES: Record<CliErrorCode, ErrorType> = {
  command_unknown: 'invalid_request_error',
  usage: 'invalid_request_error',
  parameter_invalid: ERROR_MAP.parameter_invalid.type,
  parameter_missing: ERROR_MAP.parameter_missing.type,
  config_invalid: 'invalid_request_error',
  database_unavailable: 'api_error',
  migrations_pending: 'api_error',
  internal_error: ERROR_MAP.internal_error.type,
};

export interface CliErrorBody {
  error: { type: ErrorType; code: string; message: string; param?: string };
}

/** A failure the CLI itself decides on, with its exit code. */
export class CliError extends Error {
  constructor(
    readonly code: CliErrorCode,
    message: string,
    readonly options: { param?: string; exitCode?: number } = {},
  ) {
    super(message);
    this.name = 'CliError';
  }

  get exitCode(): number {
    return this.options.exitCode ?? EXIT_FAILED;
  }
}

/** Network and server-state failures that mean "the database can't be used right now". */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

function isConnectionFailure(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  // 08xxx: connection exceptions; 28xxx: authentication; 3D000: no such database; 57P0x: shutting down / starting up.
  return CONNECTION_CODES.has(code) || /^(08|28)[0-9A-Z]{3}$/.test(code) || code === '3D000' || /^57P0[1-4]$/.test(code);
}

/** First line of a message, without anything that looks like a secret, and not too long. */
function summary(message: string, redact: (text: string) => string): string {
  const first = redact(message.split('\n')[0] ?? '').trim();
  return first.length > 300 ? `${first.slice(0, 297)}...` : first;
}

/**
 * Any error as the body the CLI prints, and its exit code. `phase` tells a failure to connect
 * (before the command ran) from one inside the command.
 */
export function toCliFailure(err: unknown, phase: 'connect' | 'command', redact: (text: string) => string): { body: CliErrorBody; exitCode: number } {
  const body = (code: string, type: ErrorType, message: string, param?: string): CliErrorBody => ({
    error: { type, code, message: redact(message), ...(param ? { param } : {}) },
  });
  if (err instanceof CliError) return { body: body(err.code, CLI_ERROR_TYPES[err.code], err.message, err.options.param), exitCode: err.exitCode };
  // AppError messages are written for clients (the REST API returns them as they are).
  if (isAppError(err)) return { body: body(err.code, err.type, err.message, err.param), exitCode: EXIT_FAILED };
  if (err instanceof ConfigError) return { body: body('config_invalid', CLI_ERROR_TYPES.config_invalid, err.message), exitCode: EXIT_FAILED };
  if (phase === 'connect' || isConnectionFailure(err) || isConnectionFailure((err as { cause?: unknown } | null)?.cause)) {
    const reason = err instanceof DriverException ? (err.sqlMessage ?? err.name) : err instanceof Error ? err.message : String(err);
    return { body: body('database_unavailable', CLI_ERROR_TYPES.database_unavailable, `Cannot use the database: ${summary(reason, redact)}`), exitCode: EXIT_FAILED };
  }
  // A driver error's message starts with the SQL statement and its parameters: only the server's own words are kept.
  const reason =
    err instanceof DriverException
      ? `${err.name}${err.sqlMessage ? `: ${err.sqlMessage}` : ''}`
      : err instanceof Error
        ? `${err.name}: ${err.message}`
        : String(err);
  return { body: body('internal_error', CLI_ERROR_TYPES.internal_error, `Unexpected error: ${summary(reason, redact)}`), exitCode: EXIT_FAILED };
}

const SECRET_PATTERNS: [RegExp, string][] = [
  // user:password@ in connection strings and URLs
  [/(\/\/[^/\s:@]*):[^/\s@]*@/g, '$1:[redacted]@'],
  // tenant secrets and provider keys
  [/\b(?:sk|rk)_(?:live|sandbox|test)_[A-Za-z0-9_-]+/g, '[redacted]'],
  [/\bwhsec_[A-Za-z0-9+/=_-]+/g, '[redacted]'],
];

/**
 * A function that removes the secrets this run knows of (`--password`, `--config-json` and its
 * string values, the database password, the configured keys) and anything shaped like one.
 */
export function redactor(flags: { password?: unknown; configJson?: unknown }, env: NodeJS.ProcessEnv): (text: string) => string {
  const known = new Set<string>();
  const add = (value: unknown) => {
    if (typeof value === 'string' && value.length >= 8) known.add(value);
  };
  add(flags.password);
  add(flags.configJson);
  if (typeof flags.configJson === 'string') {
    try {
      collectStrings(JSON.parse(flags.configJson), add);
    } catch {
      // not JSON: the raw value is redacted as a whole
    }
  }
  add(env['ENCRYPTION_KEY']);
  add(env['JWT_PRIVATE_KEY']);
  const databaseUrl = env['DATABASE_URL'];
  if (databaseUrl) {
    add(databaseUrl);
    try {
      add(decodeURIComponent(new URL(databaseUrl).password));
      add(new URL(databaseUrl).password);
    } catch {
      // not a URL: redacted as a whole
    }
  }
  // Longest first, so a secret that contains another is removed whole.
  const values = [...known].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const value of values) out = out.split(value).join('[redacted]');
    for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
    return out;
  };
}

function collectStrings(value: unknown, add: (s: string) => void): void {
  if (typeof value === 'string') add(value);
  else if (Array.isArray(value)) value.forEach((v) => collectStrings(v, add));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => collectStrings(v, add));
}
