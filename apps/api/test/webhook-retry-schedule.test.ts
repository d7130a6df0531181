import { describe, expect, it } from 'vitest';
import { nextRetryDelayMs, parseRetryAfter } from '../src/webhooks/retry-schedule.js';

/** spec/webhooks.md "Out": retries after the first attempt at 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (jitter), then failed. */
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const SCHEDULE = [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR];
const NOW = new Date('2026-03-01T12:00:00.000Z');

const delay = (attemptsMade: number, extra: Partial<Parameters<typeof nextRetryDelayMs>[0]> = {}) =>
  nextRetryDelayMs({ attemptsMade, statusCode: 500, retryAfter: null, now: NOW, random: 0.5, ...extra });

describe('nextRetryDelayMs', () => {
  it('follows the published schedule (random 0.5 = no jitter)', () => {
    expect(SCHEDULE.map((_, i) => delay(i + 1))).toEqual(SCHEDULE);
  });

  it('jitters each step by ±10 %: random 0 → −10 %, random 0.999 → +10 %', () => {
    SCHEDULE.forEach((base, i) => {
      const low = delay(i + 1, { random: 0 })!;
      const high = delay(i + 1, { random: 0.999 })!;
      expect(low, `step ${i + 1}`).toBe(Math.round(base * 0.9));
      expect(high, `step ${i + 1}`).toBeGreaterThan(base * 1.099);
      expect(high, `step ${i + 1}`).toBeLessThanOrEqual(base * 1.1);
      for (const random of [0.1, 0.25, 0.5, 0.75, 0.9]) {
        const d = delay(i + 1, { random })!;
        expect(d).toBeGreaterThanOrEqual(base * 0.9);
        expect(d).toBeLessThanOrEqual(base * 1.1);
      }
    });
  });

  it('gives up (null) once the seven retries are used up', () => {
    expect(delay(7)).not.toBeNull();
    expect(delay(8)).toBeNull();
    expect(delay(9)).toBeNull();
    // even a Retry-After does not extend the schedule
    expect(delay(8, { statusCode: 503, retryAfter: '10' })).toBeNull();
  });

  it('no status (network error, timeout) retries on the same schedule', () => {
    expect(delay(1, { statusCode: null })).toBe(5 * SECOND);
    expect(delay(2, { statusCode: null })).toBe(5 * MINUTE);
  });

  it('honours Retry-After in seconds on 429 and 503', () => {
    expect(delay(1, { statusCode: 429, retryAfter: '120' })).toBe(120 * SECOND);
    expect(delay(1, { statusCode: 503, retryAfter: '120' })).toBe(120 * SECOND);
    // later in the schedule, a shorter Retry-After wins over the scheduled step
    expect(delay(4, { statusCode: 429, retryAfter: '30' })).toBe(30 * SECOND);
  });

  it('honours Retry-After as an HTTP date on 429 and 503', () => {
    const at = new Date(NOW.getTime() + 10 * MINUTE).toUTCString();
    expect(delay(1, { statusCode: 503, retryAfter: at })).toBe(10 * MINUTE);
    expect(delay(1, { statusCode: 429, retryAfter: at })).toBe(10 * MINUTE);
  });

  it('ignores Retry-After on other statuses (500)', () => {
    expect(delay(1, { statusCode: 500, retryAfter: '120' })).toBe(5 * SECOND);
    expect(delay(1, { statusCode: 500, retryAfter: new Date(NOW.getTime() + HOUR).toUTCString() })).toBe(5 * SECOND);
    expect(delay(1, { statusCode: 404, retryAfter: '120' })).toBe(5 * SECOND);
  });

  it('falls back to the schedule when Retry-After is unparseable, and bounds what it honours', () => {
    expect(delay(1, { statusCode: 429, retryAfter: 'soon' })).toBe(5 * SECOND);
    // "retry now" still waits a little; an absurd request is capped at the longest step
    expect(delay(1, { statusCode: 429, retryAfter: '0' })).toBeGreaterThan(0);
    expect(delay(1, { statusCode: 429, retryAfter: String(30 * 24 * 3600) })).toBeLessThanOrEqual(10 * HOUR);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
    expect(parseRetryAfter(' 7 ', NOW)).toBe(7_000);
  });

  it('reads an HTTP date relative to now, never negative', () => {
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:05:00 GMT', NOW)).toBe(5 * MINUTE);
    expect(parseRetryAfter(new Date(NOW.getTime() + 90 * SECOND).toUTCString(), NOW)).toBe(90 * SECOND);
    expect(parseRetryAfter('Sun, 01 Mar 2026 11:00:00 GMT', NOW)).toBe(0);
  });

  it('returns null for garbage', () => {
    expect(parseRetryAfter('soon', NOW)).toBeNull();
    expect(parseRetryAfter('', NOW)).toBeNull();
  });
});
