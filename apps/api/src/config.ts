import crypto from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';

/** Configuration from the environment (spec/operations.md), validated once at start-up. */
const booleanString = z.enum(['true', 'false']).transform((v) => v === 'true');
const nonNegativeInt = z.coerce.number().int().min(0);

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection string').optional(),
  DATA_DIR: z.string().min(1).default('./.data'),
  ENCRYPTION_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded')
    .optional(),
  JWT_PRIVATE_KEY: z
    .string()
    .refine((v) => parseSigningKey(v) !== null, 'must be an Ed25519 or P-256 private key (JWK JSON or PEM)')
    .optional(),
  ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WEBHOOK_ALLOW_PRIVATE_TARGETS: booleanString.default(false),
  RATE_LIMIT_LIVE: nonNegativeInt.default(100),
  RATE_LIMIT_SANDBOX: nonNegativeInt.default(25),
  /** Requests per second per client IP on the public tRPC API (hosted checkout, console sign-in). */
  RATE_LIMIT_PUBLIC: nonNegativeInt.default(50),
  /** Where the per-tenant REST counters live: `database` (shared by every replica) or `memory` (this process). */
  RATE_LIMIT_STORE: z.enum(['database', 'memory']).optional(),
  NODE_ENV: z.string().optional(),
  /**
   * Which proxies' X-Forwarded-For to believe for the client address (per-IP limits, console
   * lockout, audit IPs): Express's `trust proxy` — `loopback` (default), `false`, a hop count, or
   * addresses/CIDRs separated by commas.
   */
  TRUST_PROXY: z
    .string()
    .trim()
    .default('loopback')
    .refine((v) => v !== '' && (/^\d+$/.test(v) || v === 'true' || v === 'false' || v.split(',').every((part) => /^[\w.:/-]+$/.test(part.trim()))), 'must be loopback, false, a hop count, or addresses/CIDRs separated by commas'),
  /** Test only: send Stripe / Adyen Checkout API calls to a local server instead of the providers. */
  STRIPE_API_BASE_URL: z.url().optional(),
  ADYEN_CHECKOUT_BASE_URL: z.url().optional(),
  PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
  RECONCILE_PROCESSING_AFTER_SECONDS: z.coerce.number().int().min(1).default(600),
});

export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  databaseUrl: string | undefined;
  dataDir: string;
  encryptionKey: string | undefined;
  jwtPrivateKey: string | undefined;
  role: 'all' | 'api' | 'worker';
  logLevel: string;
  webhookAllowPrivateTargets: boolean;
  rateLimit: { live: number; sandbox: number; public: number; store: 'database' | 'memory' };
  /** Express `trust proxy`: which proxies' X-Forwarded-For decides the client address. */
  trustProxy: boolean | number | string;
  production: boolean;
  providers: { stripeApiBaseUrl: string | undefined; adyenCheckoutBaseUrl: string | undefined; timeoutMs: number };
  reconcileProcessingAfterMs: number;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`Invalid configuration: ${issue.path.join('.')} ${issue.message}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  // Replicas on a shared database must share their keys: a key generated into each replica's
  // own DATA_DIR would make data encrypted, or tokens signed, by one replica unusable on another.
  if (production && e.DATABASE_URL) {
    for (const name of ['ENCRYPTION_KEY', 'JWT_PRIVATE_KEY'] as const) {
      if (!e[name]) throw new ConfigError(`Invalid configuration: ${name} is required with DATABASE_URL when NODE_ENV=production`);
    }
  }
  // Test-only overrides would send every tenant's live provider keys to another address.
  if (production) {
    for (const name of ['STRIPE_API_BASE_URL', 'ADYEN_CHECKOUT_BASE_URL'] as const) {
      if (e[name]) throw new ConfigError(`Invalid configuration: ${name} is for tests only and must not be set when NODE_ENV=production`);
    }
  }
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.DATA_DIR),
    encryptionKey: e.ENCRYPTION_KEY,
    jwtPrivateKey: e.JWT_PRIVATE_KEY,
    role: e.ROLE,
    logLevel: e.LOG_LEVEL,
    webhookAllowPrivateTargets: e.WEBHOOK_ALLOW_PRIVATE_TARGETS,
    trustProxy: e.TRUST_PROXY === 'true' ? true : e.TRUST_PROXY === 'false' ? false : /^\d+$/.test(e.TRUST_PROXY) ? Number(e.TRUST_PROXY) : e.TRUST_PROXY,
    rateLimit: {
      live: e.RATE_LIMIT_LIVE,
      sandbox: e.RATE_LIMIT_SANDBOX,
      public: e.RATE_LIMIT_PUBLIC,
      // Replicas share PostgreSQL; the embedded database only ever has one process.
      store: e.RATE_LIMIT_STORE ?? (e.DATABASE_URL ? 'database' : 'memory'),
    },
    production,
    providers: { stripeApiBaseUrl: e.STRIPE_API_BASE_URL, adyenCheckoutBaseUrl: e.ADYEN_CHECKOUT_BASE_URL, timeoutMs: e.PROVIDER_TIMEOUT_MS },
    reconcileProcessingAfterMs: e.RECONCILE_PROCESSING_AFTER_SECONDS * 1000,
  };
}

/**
 * The token signing key of JWT_PRIVATE_KEY: an Ed25519 or P-256 private key as a JWK (JSON) or
 * PEM (PKCS#8, or SEC1 for P-256). Null when the value is not such a key.
 */
export function parseSigningKey(value: string): crypto.KeyObject | null {
  const trimmed = value.trim();
  let key: crypto.KeyObject;
  try {
    key = trimmed.startsWith('{')
      ? crypto.createPrivateKey({ key: JSON.parse(trimmed) as crypto.JsonWebKey, format: 'jwk' })
      : crypto.createPrivateKey(trimmed.replace(/\\n/g, '\n'));
  } catch {
    return null;
  }
  if (key.asymmetricKeyType === 'ed25519') return key;
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return key;
  return null;
}
