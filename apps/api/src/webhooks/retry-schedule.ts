/**
 * Delivery retry policy (spec/webhooks.md "Out"): after the first attempt, retries at
 * 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (±10 % jitter), then the delivery is failed.
 * A Retry-After on 429/503 is honoured. Pure: the caller supplies the randomness.
 */
export const RETRY_DELAYS_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000] as const;
export const JITTER = 0.1;
const MAX_DELAY_MS = 36_000_000;

export interface RetryInput {
  /** Attempts made so far, including the one that just failed (1 after the first attempt). */
  attemptsMade: number;
  statusCode: number | null;
  retryAfter: string | null;
  now: Date;
  /** A number in [0, 1). */
  random: number;
}

export function nextRetryDelayMs(input: RetryInput): number | null {
  const scheduled = RETRY_DELAYS_MS[input.attemptsMade - 1];
  if (scheduled === undefined) return null;
  if ((input.statusCode === 429 || input.statusCode === 503) && input.retryAfter) {
    const requested = parseRetryAfter(input.retryAfter, input.now);
    if (requested !== null) return Math.min(Math.max(requested, 1_000), MAX_DELAY_MS);
  }
  return Math.round(scheduled * (1 - JITTER + 2 * JITTER * input.random));
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string, now: Date): number | null {
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now.getTime());
}

/** An endpoint failing for this long without a success is disabled. */
export const DISABLE_AFTER_FAILING_MS = 5 * 24 * 60 * 60 * 1000;
