import type { RequestHandler } from 'express';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '@platform/core';
import type { Config } from '../config.js';
import { scopeOf } from './authenticate.js';

/**
 * Per tenant + mode request budget (requests per second, burst of the same size), with the
 * IETF `RateLimit-*` headers and `Retry-After` on 429. Counters live in this process: with N
 * API replicas the effective limit is up to N× — see docs/operators notes.
 */
export function rateLimit(config: Config): RequestHandler {
  const limiters = {
    live: config.rateLimit.live > 0 ? new RateLimiterMemory({ points: config.rateLimit.live, duration: 1 }) : null,
    sandbox: config.rateLimit.sandbox > 0 ? new RateLimiterMemory({ points: config.rateLimit.sandbox, duration: 1 }) : null,
  };
  return async (_req, res, next) => {
    const scope = scopeOf(res);
    const limiter = limiters[scope.mode];
    if (!limiter) return next();
    const limit = scope.mode === 'live' ? config.rateLimit.live : config.rateLimit.sandbox;
    const setHeaders = (r: RateLimiterRes) => {
      res.setHeader('RateLimit-Limit', String(limit));
      res.setHeader('RateLimit-Remaining', String(Math.max(0, r.remainingPoints)));
      res.setHeader('RateLimit-Reset', String(Math.max(1, Math.ceil(r.msBeforeNext / 1000))));
    };
    try {
      setHeaders(await limiter.consume(`${scope.tenantId}:${scope.mode}`));
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      setHeaders(rejection);
      res.setHeader('Retry-After', String(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000))));
      throw new AppError('rate_limited', `Too many requests: the limit is ${limit} per second for this app and mode`);
    }
    next();
  };
}

const publicLimiters = new WeakMap<Config, RateLimiterMemory>();

/**
 * The public tRPC API (hosted checkout, console sign-in) has no tenant token: its budget is per
 * client IP (`RATE_LIMIT_PUBLIC` per second, burst of the same size; 0 turns it off).
 */
export async function consumePublicBudget(config: Config, ip: string | null): Promise<void> {
  const limit = config.rateLimit.public;
  if (limit <= 0) return;
  let limiter = publicLimiters.get(config);
  if (!limiter) {
    limiter = new RateLimiterMemory({ points: limit, duration: 1 });
    publicLimiters.set(config, limiter);
  }
  try {
    await limiter.consume(ip ?? 'unknown');
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    throw new AppError('rate_limited', `Too many requests from this address; try again in ${retryAfterSeconds} s`, {
      details: { retryAfterSeconds: String(retryAfterSeconds) },
    });
  }
}
