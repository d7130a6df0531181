import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhenResult, type CircuitBreakerPolicy } from 'cockatiel';
import type { ProviderFailure, ProviderResult } from '@platform/core';
import { DEFAULT_RETRY_POLICY, nextRetryDelay, type RetryPolicy } from './retry-policy.js';

export interface ResilienceOptions {
  retry?: RetryPolicy;
  /** Consecutive retryable failures that open an account's circuit. */
  breakerThreshold?: number;
  /** How long an open circuit refuses calls before one trial call is let through. */
  breakerHalfOpenAfterMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/**
 * The built-in sandbox is not a remote dependency that can be down: its simulated errors
 * (card 0119) belong to one payment, so they are retried but never open a circuit that would
 * pause every tenant's sandbox.
 */
const WITHOUT_BREAKER = new Set(['sandbox']);

export type CallOutcome<T> = ProviderResult<T> & { tries: number };

const isRetryableFailure = (result: unknown) => {
  const r = result as ProviderResult<unknown>;
  return !r.ok && r.retryable;
};

/**
 * Outbound provider calls: retries with backoff and jitter (retry-policy.ts) and one circuit
 * breaker per provider account (cockatiel), kept in this process. An open circuit answers at
 * once with a retryable `circuit_open` failure, so routing moves on to the next account.
 */
export class ProviderCaller {
  private readonly breakers = new Map<string, CircuitBreakerPolicy>();
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly options: ResilienceOptions = {}) {
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
  }

  /** Runs `call` (which must reuse one idempotency key on every try) under the account's breaker. */
  async call<T>(accountId: string, call: () => Promise<ProviderResult<T>>): Promise<CallOutcome<T>> {
    const breaker = WITHOUT_BREAKER.has(accountId) ? null : this.breakerFor(accountId);
    for (let tries = 1; ; tries++) {
      const open: ProviderFailure = { ok: false, kind: 'provider_error', code: 'circuit_open', message: `Calls to provider account ${accountId} are paused after repeated failures`, retryable: true };
      let result: ProviderResult<T>;
      try {
        result = breaker ? await breaker.execute(call) : await call();
      } catch (err) {
        if (!(err instanceof BrokenCircuitError)) throw err;
        return { ...open, tries: tries - 1 };
      }
      if (result.ok) return { ...result, tries };
      const delay = nextRetryDelay(this.retry, tries, result, this.random());
      if (delay === null) return { ...result, tries };
      // This failure opened the circuit: no point waiting for a try that would be refused.
      if (breaker?.state === CircuitState.Open) return { ...open, tries };
      await this.sleep(delay);
    }
  }

  isOpen(accountId: string): boolean {
    return this.breakers.get(accountId)?.state === CircuitState.Open;
  }

  private breakerFor(accountId: string): CircuitBreakerPolicy {
    let breaker = this.breakers.get(accountId);
    if (!breaker) {
      breaker = circuitBreaker(handleWhenResult(isRetryableFailure), {
        halfOpenAfter: this.options.breakerHalfOpenAfterMs ?? 30_000,
        breaker: new ConsecutiveBreaker(this.options.breakerThreshold ?? 5),
      });
      this.breakers.set(accountId, breaker);
    }
    return breaker;
  }
}
