import type { RequestHandler } from 'express';
import { AppError } from '@platform/core';
import type { Config } from '../config.js';
import { memoryRateLimitStore, type RateLimitStore } from './rate-limit-store.js';
import { scopeOf } from './authenticate.js';

/**
 * Per tenant + mode request budget (requests per second, burst of the same size), with the
 * IETF `RateLimit-*` headers and `Retry-After` on 429. The counters live in `store`:
 * PostgreSQL (shared by every replica) or this process (rate-limit-store.ts, `RATE_LIMIT_STORE`).
 */
export function rateLimit(config: Config, store: RateLimitStore): RequestHandler {
  return async (_req, res, next) => {
    const scope = scopeOf(res);
    const limit = scope.mode === 'live' ? config.rateLimit.live : config.rateLimit.sandbox;
    if (limit <= 0) return next();
    const decision = await store.consume(`${scope.tenantId}:${scope.mode}`, limit);
    const seconds = String(Math.max(1, Math.ceil(decision.msBeforeNext / 1000)));
    res.setHeader('RateLimit-Limit', String(limit));
    res.setHeader('RateLimit-Remaining', String(decision.remaining));
    res.setHeader('RateLimit-Reset', seconds);
    if (!decision.allowed) {
      res.setHeader('Retry-After', seconds);
      throw new AppError('rate_limited', `Too many requests: the limit is ${limit} per second for this app and mode`);
    }
    next();
  };
}

const publicStores = new WeakMap<Config, RateLimitStore>();

/**
 * The public tRPC API (hosted checkout, console sign-in) and the token exchange have no tenant
 * token: their budget is per client IP (`RATE_LIMIT_PUBLIC` per second, burst of the same size;
 * 0 turns it off), counted in this process.
 */
export async function consumePublicBudget(config: Config, ip: string | null): Promise<void> {
  const limit = config.rateLimit.public;
  if (limit <= 0) return;
  let store = publicStores.get(config);
  if (!store) publicStores.set(config, (store = memoryRateLimitStore()));
  const decision = await store.consume(ip ?? 'unknown', limit);
  if (decision.allowed) return;
  const retryAfterSeconds = Math.max(1, Math.ceil(decision.msBeforeNext / 1000));
  throw new AppError('rate_limited', `Too many requests from this address; try again in ${retryAfterSeconds} s`, {
    details: { retryAfterSeconds: String(retryAfterSeconds) },
  });
}
