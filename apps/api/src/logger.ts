import pino, { type Logger } from 'pino';

/** Card-like digit runs (13–19 digits, optionally spaced or dashed) are masked in every log line. */
const CARD_LIKE = /\b\d(?:[ -]?\d){12,18}\b/g;

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.appSecret',
  '*.secret',
  '*.password',
  '*.accessToken',
  '*.checkoutToken',
  '*.encryptionKey',
  '*.jwtPrivateKey',
  '*.cardNumber',
  '*.cvc',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      hooks: {
        streamWrite: (line) => line.replace(CARD_LIKE, '[REDACTED_PAN]'),
      },
    },
    destination,
  );
}
export type { Logger };
