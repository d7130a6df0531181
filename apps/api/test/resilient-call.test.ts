import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ProviderFailure, ProviderResult } from '@platform/core';
import { ProviderCaller, type ResilienceOptions } from '../src/providers/resilient-call.js';
import type { RetryPolicy } from '../src/providers/retry-policy.js';

type Result = ProviderResult<{ reference: string }>;

const POLICY: RetryPolicy = { maxTries: 3, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 3_000 };

const ok = (reference = 'ref_1'): Result => ({ ok: true, reference });
const unavailable = (extra: Partial<ProviderFailure> = {}): ProviderFailure => ({
  ok: false, kind: 'provider_error', code: 'provider_error', message: 'HTTP 503', retryable: true, status: 503, ...extra,
});
const timeout: ProviderFailure = { ok: false, kind: 'timeout', code: 'timeout', message: 'no answer', retryable: true };
const decline: ProviderFailure = { ok: false, kind: 'declined', code: 'card_declined', message: 'The card was declined.', retryable: false, status: 402 };

/** A provider call that answers the scripted results in order (the last one repeats). */
function scripted(...results: Result[]) {
  const fn = vi.fn(async (): Promise<Result> => results[Math.min(fn.mock.calls.length - 1, results.length - 1)]!);
  return fn;
}

/** A caller whose sleeps are recorded (and instant) and whose jitter draw is fixed. */
function caller(options: Partial<ResilienceOptions> = {}) {
  const sleeps: number[] = [];
  const instance = new ProviderCaller({
    retry: POLICY,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...options,
  });
  return { caller: instance, sleeps };
}

describe('ProviderCaller: retries', () => {
  it('returns a first-try success with tries = 1 and never sleeps', async () => {
    const { caller: c, sleeps } = caller();
    const call = scripted(ok());
    expect(await c.call('acct_a', call)).toEqual({ ok: true, reference: 'ref_1', tries: 1 });
    expect(call).toHaveBeenCalledTimes(1);
    expect(sleeps).toEqual([]);
  });

  it('retries a retryable failure with the policy delays (full jitter, draw 0.5) and returns the success with its tries', async () => {
    const { caller: c, sleeps } = caller();
    const call = scripted(unavailable(), timeout, ok('ref_third'));
    expect(await c.call('acct_a', call)).toEqual({ ok: true, reference: 'ref_third', tries: 3 });
    expect(call).toHaveBeenCalledTimes(3);
    // ceilings 100, 200 × draw 0.5
    expect(sleeps).toEqual([50, 100]);
  });

  it('uses the injected random draw for every retry', async () => {
    const draws = [0, 0.99];
    const { caller: c, sleeps } = caller({ random: () => draws.shift() ?? 0 });
    await c.call('acct_a', scripted(unavailable(), unavailable(), ok()));
    expect(sleeps).toEqual([0, 198]);
  });

  it('gives up after maxTries and returns the last failure with tries = maxTries', async () => {
    const { caller: c, sleeps } = caller();
    const call = scripted(unavailable(), unavailable(), unavailable({ status: 502, message: 'HTTP 502' }));
    expect(await c.call('acct_a', call)).toEqual({ ...unavailable({ status: 502, message: 'HTTP 502' }), tries: 3 });
    expect(call).toHaveBeenCalledTimes(3);
    expect(sleeps).toEqual([50, 100]);
  });

  it('waits at least the Retry-After the provider sent', async () => {
    const { caller: c, sleeps } = caller();
    const result = await c.call('acct_a', scripted(unavailable({ status: 429, code: 'rate_limited', retryAfterMs: 1_200 }), ok()));
    expect(result).toMatchObject({ ok: true, tries: 2 });
    expect(sleeps).toEqual([1_200]);
  });

  it('does not wait for a Retry-After above maxRetryAfterMs: the failure comes back at once', async () => {
    const { caller: c, sleeps } = caller();
    const limited = unavailable({ status: 429, code: 'rate_limited', retryAfterMs: 60_000 });
    const call = scripted(limited, ok());
    expect(await c.call('acct_a', call)).toEqual({ ...limited, tries: 1 });
    expect(call).toHaveBeenCalledTimes(1);
    expect(sleeps).toEqual([]);
  });

  it('never retries a decline', async () => {
    const { caller: c, sleeps } = caller();
    const call = scripted(decline, ok());
    expect(await c.call('acct_a', call)).toEqual({ ...decline, tries: 1 });
    expect(call).toHaveBeenCalledTimes(1);
    expect(sleeps).toEqual([]);
  });

  it('never retries a non-retryable provider error (a 4xx)', async () => {
    const { caller: c } = caller();
    const badRequest = unavailable({ status: 400, code: 'invalid_request', retryable: false });
    const call = scripted(badRequest, ok());
    expect(await c.call('acct_a', call)).toEqual({ ...badRequest, tries: 1 });
    expect(call).toHaveBeenCalledTimes(1);
  });

  it('lets a thrown (programming) error through without retrying it', async () => {
    const { caller: c } = caller();
    const call = vi.fn(async (): Promise<Result> => {
      throw new TypeError('bug');
    });
    await expect(c.call('acct_a', call)).rejects.toThrow('bug');
    expect(call).toHaveBeenCalledTimes(1);
  });
});

describe('ProviderCaller: circuit breaker per account', () => {
  const HALF_OPEN_AFTER = 1_000;
  /** No retries, so every call is exactly one try and one breaker observation. */
  const breakerCaller = (threshold = 3) =>
    caller({ retry: { ...POLICY, maxTries: 1 }, breakerThreshold: threshold, breakerHalfOpenAfterMs: HALF_OPEN_AFTER });

  beforeEach(() => {
    // cockatiel measures the open period with Date.now(): fake only the clock.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  async function open(c: ProviderCaller, accountId: string, threshold: number) {
    for (let i = 0; i < threshold; i++) await c.call(accountId, scripted(unavailable()));
    expect(c.isOpen(accountId)).toBe(true);
  }

  it('opens after N consecutive retryable failures, then answers circuit_open without calling the provider', async () => {
    const { caller: c } = breakerCaller(3);
    await c.call('acct_a', scripted(unavailable()));
    await c.call('acct_a', scripted(timeout));
    expect(c.isOpen('acct_a')).toBe(false);
    await c.call('acct_a', scripted(unavailable()));
    expect(c.isOpen('acct_a')).toBe(true);

    const call = scripted(ok());
    const result = await c.call('acct_a', call);
    expect(result).toMatchObject({ ok: false, kind: 'provider_error', code: 'circuit_open', retryable: true, tries: 0 });
    expect(call).not.toHaveBeenCalled();
  });

  it('counts every failed try, retries included', async () => {
    const { caller: c } = caller({ retry: { ...POLICY, maxTries: 3 }, breakerThreshold: 3, breakerHalfOpenAfterMs: HALF_OPEN_AFTER });
    const call = scripted(unavailable());
    const result = await c.call('acct_a', call);
    expect(call).toHaveBeenCalledTimes(3);
    expect(result).toMatchObject({ ok: false, tries: 3 });
    expect(c.isOpen('acct_a')).toBe(true);
  });

  it('stops retrying as soon as the circuit opens mid-call and answers circuit_open', async () => {
    const { caller: c } = caller({ retry: { ...POLICY, maxTries: 5 }, breakerThreshold: 2, breakerHalfOpenAfterMs: HALF_OPEN_AFTER });
    const call = scripted(unavailable());
    const result = await c.call('acct_a', call);
    expect(call).toHaveBeenCalledTimes(2);
    expect(result).toMatchObject({ ok: false, code: 'circuit_open', retryable: true, tries: 2 });
  });

  it('only consecutive failures count: a success or a decline (the provider answered) resets the count', async () => {
    const { caller: c } = breakerCaller(3);
    await c.call('acct_a', scripted(unavailable()));
    await c.call('acct_a', scripted(unavailable()));
    await c.call('acct_a', scripted(ok()));
    await c.call('acct_a', scripted(unavailable()));
    await c.call('acct_a', scripted(unavailable()));
    await c.call('acct_a', scripted(decline));
    await c.call('acct_a', scripted(unavailable()));
    await c.call('acct_a', scripted(unavailable()));
    expect(c.isOpen('acct_a')).toBe(false);
    const call = scripted(ok());
    expect(await c.call('acct_a', call)).toMatchObject({ ok: true, tries: 1 });
  });

  it('keeps one breaker per account: another account is unaffected', async () => {
    const { caller: c } = breakerCaller(2);
    await open(c, 'acct_a', 2);
    const other = scripted(ok('ref_b'));
    expect(await c.call('acct_b', other)).toEqual({ ok: true, reference: 'ref_b', tries: 1 });
    expect(other).toHaveBeenCalledTimes(1);
    expect(c.isOpen('acct_b')).toBe(false);
    expect(await c.call('acct_a', scripted(ok()))).toMatchObject({ ok: false, code: 'circuit_open' });
  });

  it('half-opens after breakerHalfOpenAfterMs: one trial goes through and, when it succeeds, the circuit closes', async () => {
    const { caller: c } = breakerCaller(2);
    await open(c, 'acct_a', 2);

    vi.advanceTimersByTime(HALF_OPEN_AFTER - 1);
    const early = scripted(ok());
    expect(await c.call('acct_a', early)).toMatchObject({ ok: false, code: 'circuit_open', tries: 0 });
    expect(early).not.toHaveBeenCalled();

    vi.advanceTimersByTime(1);
    const trial = scripted(ok('ref_trial'));
    expect(await c.call('acct_a', trial)).toEqual({ ok: true, reference: 'ref_trial', tries: 1 });
    expect(trial).toHaveBeenCalledTimes(1);
    expect(c.isOpen('acct_a')).toBe(false);

    const after = scripted(ok('ref_after'));
    expect(await c.call('acct_a', after)).toEqual({ ok: true, reference: 'ref_after', tries: 1 });
  });

  it('a failed trial opens the circuit again for another breakerHalfOpenAfterMs', async () => {
    const { caller: c } = breakerCaller(2);
    await open(c, 'acct_a', 2);
    vi.advanceTimersByTime(HALF_OPEN_AFTER);

    const trial = scripted(unavailable());
    expect(await c.call('acct_a', trial)).toMatchObject({ ok: false, code: 'provider_error', tries: 1 });
    expect(trial).toHaveBeenCalledTimes(1);
    expect(c.isOpen('acct_a')).toBe(true);

    const blocked = scripted(ok());
    expect(await c.call('acct_a', blocked)).toMatchObject({ ok: false, code: 'circuit_open', tries: 0 });
    expect(blocked).not.toHaveBeenCalled();

    vi.advanceTimersByTime(HALF_OPEN_AFTER);
    const second = scripted(ok());
    expect(await c.call('acct_a', second)).toMatchObject({ ok: true, tries: 1 });
  });

  it('lets only ONE trial through while half-open: a concurrent call waits for it and is refused when it fails', async () => {
    const { caller: c } = breakerCaller(2);
    await open(c, 'acct_a', 2);
    vi.advanceTimersByTime(HALF_OPEN_AFTER);

    let finishTrial!: (r: Result) => void;
    const trial = vi.fn(() => new Promise<Result>((resolve) => (finishTrial = resolve)));
    const concurrent = scripted(ok());
    const trialCall = c.call('acct_a', trial);
    const concurrentCall = c.call('acct_a', concurrent);
    await vi.waitFor(() => expect(trial).toHaveBeenCalledTimes(1));
    expect(concurrent).not.toHaveBeenCalled();

    finishTrial(unavailable());
    expect(await trialCall).toMatchObject({ ok: false, code: 'provider_error', tries: 1 });
    expect(await concurrentCall).toMatchObject({ ok: false, code: 'circuit_open', tries: 0 });
    expect(concurrent).not.toHaveBeenCalled();
  });

  it('with the real clock: a short breakerHalfOpenAfterMs really elapses', async () => {
    vi.useRealTimers();
    const c = new ProviderCaller({ retry: { ...POLICY, maxTries: 1 }, breakerThreshold: 1, breakerHalfOpenAfterMs: 30, sleep: async () => {}, random: () => 0 });
    await c.call('acct_a', scripted(unavailable()));
    expect(await c.call('acct_a', scripted(ok()))).toMatchObject({ code: 'circuit_open' });
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(await c.call('acct_a', scripted(ok()))).toMatchObject({ ok: true, tries: 1 });
  });
});

describe('ProviderCaller: the built-in sandbox', () => {
  it('has no circuit breaker: simulated provider errors never pause later sandbox calls', async () => {
    const { caller: c } = caller({ breakerThreshold: 2 });
    for (let i = 0; i < 5; i++) {
      const failing = scripted(unavailable());
      expect(await c.call('sandbox', failing)).toMatchObject({ ok: false, code: 'provider_error', tries: 3 });
      expect(failing).toHaveBeenCalledTimes(3);
    }
    const next = scripted(ok('sbx_ref'));
    expect(await c.call('sandbox', next)).toMatchObject({ ok: true, reference: 'sbx_ref', tries: 1 });
    expect(c.isOpen('sandbox')).toBe(false);
    // a real account with the same history is paused
    await c.call('pa_real', scripted(unavailable()));
    expect(await c.call('pa_real', scripted(ok()))).toMatchObject({ ok: false, code: 'circuit_open' });
  });
});
