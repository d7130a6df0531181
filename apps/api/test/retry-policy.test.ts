import { describe, expect, it } from 'vitest';
import type { ProviderFailure } from '@platform/core';
import { DEFAULT_RETRY_POLICY, nextRetryDelay, type RetryPolicy } from '../src/providers/retry-policy.js';

const POLICY: RetryPolicy = { maxTries: 5, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 3_000 };
/** The largest draw Math.random can return (the draw is in [0, 1)). */
const ALMOST_ONE = 1 - Number.EPSILON;

const failure = (extra: Partial<ProviderFailure> = {}): ProviderFailure => ({
  ok: false,
  kind: 'provider_error',
  code: 'provider_error',
  message: 'HTTP 503',
  retryable: true,
  status: 503,
  ...extra,
});

describe('nextRetryDelay', () => {
  it('never retries a non-retryable failure (a decline, a 4xx), whatever the tries and draw', () => {
    const decline = failure({ kind: 'declined', code: 'card_declined', retryable: false, status: 402 });
    const badRequest = failure({ code: 'invalid_request', retryable: false, status: 400 });
    for (const f of [decline, badRequest]) {
      for (const random of [0, 0.5, ALMOST_ONE]) expect(nextRetryDelay(POLICY, 1, f, random)).toBeNull();
    }
  });

  it('does not let a Retry-After turn a non-retryable failure into a retry', () => {
    expect(nextRetryDelay(POLICY, 1, failure({ retryable: false, status: 400, retryAfterMs: 100 }), 0.5)).toBeNull();
  });

  it('retries until maxTries tries have been made (the first try included), then gives up', () => {
    const delays = [1, 2, 3, 4, 5, 6].map((triesDone) => nextRetryDelay(POLICY, triesDone, failure(), 0.5));
    expect(delays.slice(0, 4).every((d) => d !== null)).toBe(true);
    expect(delays.slice(4)).toEqual([null, null]);
    // The default policy: 3 tries in total → 2 retries.
    expect(nextRetryDelay(DEFAULT_RETRY_POLICY, 2, failure(), 0.5)).not.toBeNull();
    expect(nextRetryDelay(DEFAULT_RETRY_POLICY, 3, failure(), 0.5)).toBeNull();
  });

  it('maxTries 1 means no retries at all', () => {
    expect(nextRetryDelay({ ...POLICY, maxTries: 1 }, 1, failure(), 0.5)).toBeNull();
  });

  describe('exponential backoff with full jitter', () => {
    const big: RetryPolicy = { ...POLICY, maxTries: 10 };

    it('a draw of 0 waits 0 ms on every try (full jitter reaches down to zero)', () => {
      for (let triesDone = 1; triesDone < big.maxTries; triesDone++) expect(nextRetryDelay(big, triesDone, failure(), 0)).toBe(0);
    });

    it('a draw just below 1 waits (just under) the ceiling base·2^(tries-1): 100, 200, 400, 800', () => {
      const ceilings = [100, 200, 400, 800];
      ceilings.forEach((ceiling, i) => {
        const delay = nextRetryDelay(big, i + 1, failure(), ALMOST_ONE)!;
        expect(delay).toBeLessThanOrEqual(ceiling);
        expect(delay).toBeGreaterThanOrEqual(ceiling - 1);
      });
    });

    it('the ceiling is capped at maxDelayMs however many tries were made', () => {
      for (const triesDone of [5, 6, 9]) {
        const delay = nextRetryDelay(big, triesDone, failure(), ALMOST_ONE)!;
        expect(delay).toBeLessThanOrEqual(big.maxDelayMs);
        expect(delay).toBeGreaterThanOrEqual(big.maxDelayMs - 1);
      }
    });

    it('scales linearly with the draw inside [0, ceiling]', () => {
      expect(nextRetryDelay(big, 1, failure(), 0.5)).toBe(50);
      expect(nextRetryDelay(big, 3, failure(), 0.25)).toBe(100);
      expect(nextRetryDelay(big, 7, failure(), 0.5)).toBe(500); // ceiling capped at 1000
    });

    it('every delay is an integer number of milliseconds within [0, ceiling]', () => {
      for (let triesDone = 1; triesDone < big.maxTries; triesDone++) {
        const ceiling = Math.min(big.maxDelayMs, big.baseDelayMs * 2 ** (triesDone - 1));
        for (const random of [0, 0.1, 0.333, 0.5, 0.9, ALMOST_ONE]) {
          const delay = nextRetryDelay(big, triesDone, failure(), random)!;
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(ceiling);
        }
      }
    });

    it('is pure: the same inputs give the same delay', () => {
      expect(nextRetryDelay(big, 3, failure(), 0.42)).toBe(nextRetryDelay(big, 3, failure(), 0.42));
    });
  });

  describe('Retry-After', () => {
    const rateLimited = (retryAfterMs: number) => failure({ code: 'rate_limited', status: 429, retryAfterMs });

    it('is honoured as a minimum: a jittered delay shorter than Retry-After is raised to it', () => {
      expect(nextRetryDelay(POLICY, 1, rateLimited(2_500), 0)).toBe(2_500);
      expect(nextRetryDelay(POLICY, 1, rateLimited(2_500), ALMOST_ONE)).toBe(2_500);
    });

    it('does not shorten a longer jittered delay', () => {
      // tries 4 → ceiling 800; a draw of 0.5 → 400 > Retry-After 150.
      expect(nextRetryDelay(POLICY, 4, rateLimited(150), 0.5)).toBe(400);
    });

    it('Retry-After 0 changes nothing', () => {
      expect(nextRetryDelay(POLICY, 2, rateLimited(0), 0.5)).toBe(100);
    });

    it('exactly maxRetryAfterMs is still waited for', () => {
      expect(nextRetryDelay(POLICY, 1, rateLimited(POLICY.maxRetryAfterMs), 0.5)).toBe(POLICY.maxRetryAfterMs);
    });

    it('above maxRetryAfterMs ends the retries (null) instead of blocking the caller', () => {
      expect(nextRetryDelay(POLICY, 1, rateLimited(POLICY.maxRetryAfterMs + 1), 0.5)).toBeNull();
      expect(nextRetryDelay(POLICY, 1, rateLimited(60_000), 0)).toBeNull();
    });

    it('still gives up after maxTries even when Retry-After is short', () => {
      expect(nextRetryDelay(POLICY, POLICY.maxTries, rateLimited(10), 0.5)).toBeNull();
    });
  });

  describe('failure kinds', () => {
    it('retries a timeout (outcome unknown, but every retry reuses the idempotency key)', () => {
      const timeout = failure({ kind: 'timeout', code: 'timeout', message: 'timed out', retryable: true, status: undefined });
      expect(nextRetryDelay(POLICY, 1, timeout, 0.5)).toBe(50);
      expect(nextRetryDelay(POLICY, POLICY.maxTries, timeout, 0.5)).toBeNull();
    });

    it('retries a network failure (the request never reached the provider)', () => {
      const network = failure({ kind: 'network', code: 'network_error', message: 'ECONNREFUSED', retryable: true, status: undefined });
      expect(nextRetryDelay(POLICY, 2, network, 0.5)).toBe(100);
    });

    it('decides by `retryable`, as the adapter set it: a retryable 409 is retried, a non-retryable 5xx is not', () => {
      expect(nextRetryDelay(POLICY, 1, failure({ status: 409, retryable: true }), 0.5)).toBe(50);
      expect(nextRetryDelay(POLICY, 1, failure({ status: 500, retryable: false }), 0.5)).toBeNull();
    });
  });
});
