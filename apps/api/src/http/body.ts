import express, { type Request, type RequestHandler } from 'express';
import { AppError } from '@platform/core';

export const BODY_LIMIT_BYTES = 64 * 1024;

/** JSON bodies up to 64 KiB, keeping the raw bytes (the idempotency fingerprint hashes them). */
const json: RequestHandler = express.json({
  limit: BODY_LIMIT_BYTES,
  strict: true,
  type: ['application/json', 'application/*+json'],
  verify: (req, _res, buf) => {
    (req as Request & { rawBody?: Buffer }).rawBody = Buffer.from(buf);
  },
});

/** Any other body (another or no Content-Type) is read under the same limit, so an oversized one is a 413 too. */
const other: RequestHandler = express.raw({ type: () => true, limit: BODY_LIMIT_BYTES });

/**
 * The API speaks JSON only. A body sent as anything else is refused instead of being ignored:
 * ignoring it would turn `{"amount":500}` sent as text/plain into a full refund.
 */
const refuseOther: RequestHandler = (req, _res, next) => {
  if (Buffer.isBuffer(req.body)) {
    if (req.body.length > 0) throw new AppError('json_invalid', 'Request body must be JSON, sent with Content-Type: application/json');
    req.body = undefined;
  }
  next();
};

export const jsonBody: RequestHandler[] = [json, other, refuseOther];

export function rawBodyOf(req: Request): Buffer {
  return (req as Request & { rawBody?: Buffer }).rawBody ?? Buffer.alloc(0);
}
