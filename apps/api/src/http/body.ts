import express, { type Request, type RequestHandler } from 'express';

export const BODY_LIMIT_BYTES = 64 * 1024;

/** JSON bodies up to 64 KiB, keeping the raw bytes (the idempotency fingerprint hashes them). */
export const jsonBody: RequestHandler = express.json({
  limit: BODY_LIMIT_BYTES,
  strict: true,
  type: ['application/json', 'application/*+json'],
  verify: (req, _res, buf) => {
    (req as Request & { rawBody?: Buffer }).rawBody = Buffer.from(buf);
  },
});

export function rawBodyOf(req: Request): Buffer {
  return (req as Request & { rawBody?: Buffer }).rawBody ?? Buffer.alloc(0);
}
