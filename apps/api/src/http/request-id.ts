import crypto from 'node:crypto';
import type { RequestHandler, Response } from 'express';

/** Every response carries `Request-Id`; errors repeat it in the body. */
export const requestId: RequestHandler = (_req, res, next) => {
  const id = `req_${crypto.randomBytes(12).toString('base64url')}`;
  res.locals['requestId'] = id;
  res.setHeader('Request-Id', id);
  next();
};

export function requestIdOf(res: Response): string {
  return String(res.locals['requestId']);
}
