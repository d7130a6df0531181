import type { ProviderFailure } from '@platform/core';

/** How often and how patiently one provider call is retried (per account, before failover). */
export interface RetryPolicy {
  /** Tries in total, the first included. */
  maxTries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the call fails (and routing fails over). */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxTries: 3, baseDelayMs: 200, maxDelayMs: 2_000, maxRetryAfterMs: 5_000 };

/**
 * The delay before the next try, or null when the failure must not be retried. Pure: the same
 * inputs (and random draw) give the same answer.
 *
 * - Only retryable failures are retried (network, timeout, 429, 5xx — the adapter decides
 *   `retryable`); a decline or a 4xx is final. Every retry reuses the provider idempotency
 *   key, so a retried timeout can never charge twice.
 * - Exponential backoff with full jitter: a random delay in [0, min(max, base · 2^(tries-1))).
 * - The provider's Retry-After is honoured as a minimum; one longer than `maxRetryAfterMs` ends
 *   the retries instead of blocking the caller.
 *
 * @param triesDone how many tries have been made so far (≥ 1)
 * @param random a draw in [0, 1)
 */
export function nextRetryDelay(policy: RetryPolicy, triesDone: number, failure: ProviderFailure, random: number): number | null {
  if (!failure.retryable || triesDone >= policy.maxTries) return null;
  if (failure.retryAfterMs !== undefined && failure.retryAfterMs > policy.maxRetryAfterMs) return null;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (triesDone - 1));
  const jittered = Math.floor(random * ceiling);
  return Math.max(jittered, failure.retryAfterMs ?? 0);
}
