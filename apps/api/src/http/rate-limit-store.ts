import type { MikroORM } from '@mikro-orm/postgresql';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/** One request counted against `limit` requests per second for `key`. */
export interface RateLimitDecision {
  allowed: boolean;
  /** Requests left in the current window. */
  remaining: number;
  /** Until the window ends and the budget is full again. */
  msBeforeNext: number;
}

export interface RateLimitStore {
  consume(key: string, limit: number): Promise<RateLimitDecision>;
}

/**
 * Counters in this process (rate-limiter-flexible): right for one process; with N replicas the
 * effective limit is up to N×.
 */
export function memoryRateLimitStore(): RateLimitStore {
  const limiters = new Map<number, RateLimiterMemory>();
  return {
    async consume(key, limit) {
      let limiter = limiters.get(limit);
      if (!limiter) limiters.set(limit, (limiter = new RateLimiterMemory({ points: limit, duration: 1 })));
      try {
        const res = await limiter.consume(key);
        return { allowed: true, remaining: res.remainingPoints, msBeforeNext: res.msBeforeNext };
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        return { allowed: false, remaining: 0, msBeforeNext: rejection.msBeforeNext };
      }
    },
  };
}

/**
 * Counters in PostgreSQL (`rate_limit_windows`, unlogged), shared by every API replica. The same
 * window as the memory store: it starts with the first request of a key and lasts one second.
 * One atomic upsert per request; the database's clock decides, so replicas' clocks don't matter.
 */
export function databaseRateLimitStore(orm: MikroORM): RateLimitStore {
  return {
    async consume(key, limit) {
      const [row] = await orm.em.fork().execute<{ count: number; ms_before_next: number }[]>(
        `insert into rate_limit_windows as w (key, window_start, count) values (?, now(), 1)
         on conflict (key) do update set
           count = case when now() - w.window_start >= interval '1 second' then 1 else w.count + 1 end,
           window_start = case when now() - w.window_start >= interval '1 second' then now() else w.window_start end
         returning count, extract(epoch from (window_start + interval '1 second' - now())) * 1000 as ms_before_next`,
        [key],
      );
      const count = Number(row!.count);
      const msBeforeNext = Math.max(0, Math.round(Number(row!.ms_before_next)));
      return { allowed: count <= limit, remaining: Math.max(0, limit - count), msBeforeNext };
    },
  };
}
