import pino, { type Logger } from 'pino';

/** Card-like digit runs (13–19 digits, optionally spaced or dashed) are masked in every log line. */
const CARD_LIKE = /\b\d(?:[ -]?\d){12,18}\b/g;

/**
 * Secret-shaped values wherever they sit (deeply nested, in messages, in URLs): tenant secrets,
 * Stripe secret and restricted keys (test and live), webhook secrets, bearer tokens, JWTs
 * (checkout links).
 */
const SECRET_VALUES = /\b(sk_(?:sandbox|live|test)_|rk_(?:live|test)_|whsec_)[A-Za-z0-9+/_=-]+|(Bearer )[A-Za-z0-9._~+/-]+=*|(eyJ)[\w-]+\.eyJ[\w-]+\.[\w-]+/g;

const SECRET_KEYS = [
  'appSecret',
  'secret',
  'password',
  'accessToken',
  'checkoutToken',
  'encryptionKey',
  'jwtPrivateKey',
  'cardNumber',
  'cvc',
  // Provider account credentials (Stripe, Adyen).
  'credentials',
  'secretKey',
  'webhookSecret',
  'apiKey',
  'hmacKey',
];

/** pino's `*.key` matches one level down only, so each key is listed at the top level too. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((key) => `*.${key}`),
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      // ISO time, not epoch ms: a 13-digit epoch matches CARD_LIKE and would turn "time" into invalid JSON.
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      hooks: {
        streamWrite: (line) =>
          line.replace(CARD_LIKE, '[REDACTED_PAN]').replace(SECRET_VALUES, (_m, prefix?: string, bearer?: string, jwt?: string) => `${prefix ?? bearer ?? jwt}[REDACTED]`),
      },
    },
    destination,
  );
}
export type { Logger };
