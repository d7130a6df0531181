import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { AppError, isAppError, toErrorBody } from '@platform/core';
import type { Logger } from '../logger.js';
import { requestIdOf } from './request-id.js';

export function sendError(res: Response, err: AppError): void {
  res.status(err.status).type('application/json').send(JSON.stringify(toErrorBody(err, requestIdOf(res))));
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new AppError('route_not_found', `Unrecognized request URL (${req.method} ${req.path})`));
};

/** The one place errors become responses. Internals (stack, SQL, secrets) never leave the process. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, _req, res, _next) => {
    const appError = toAppError(err);
    if (appError.status >= 500) logger.error({ err, requestId: requestIdOf(res) }, 'request failed');
    if (res.headersSent) return;
    sendError(res, appError);
  };
}

function toAppError(err: unknown): AppError {
  if (isAppError(err)) return err;
  const e = err as { type?: string; status?: number };
  // body-parser errors
  if (e?.type === 'entity.too.large') return new AppError('body_too_large', 'Request body exceeds 64 KiB');
  if (e?.type === 'entity.parse.failed') return new AppError('json_invalid', 'Request body is not valid JSON');
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
    return new AppError('parameter_invalid', 'Unsupported request body encoding');
  }
  return new AppError('internal_error', 'An internal error occurred; retry with the same Idempotency-Key');
}
