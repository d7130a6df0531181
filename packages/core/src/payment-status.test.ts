import { describe, expect, it } from 'vitest';
import {
  FINAL_PAYMENT_STATUSES,
  PAYMENT_STATUSES,
  PAYMENT_TRANSITIONS,
  REFUND_STATUSES,
  REFUND_TRANSITIONS,
  canTransitionPayment,
  canTransitionRefund,
  isFinalPaymentStatus,
  type PaymentStatus,
  type RefundStatus,
} from './payment-status.js';

/** Copied by hand from /shared/spec/payments.md "Allowed transitions" — NOT derived from the code under test. */
const EXPECTED_PAYMENT: Record<PaymentStatus, PaymentStatus[]> = {
  requires_payment_method: ['processing', 'requires_action', 'succeeded', 'canceled'],
  requires_action: ['processing', 'succeeded', 'requires_payment_method', 'canceled'],
  processing: ['succeeded', 'requires_payment_method', 'requires_action'],
  succeeded: [],
  canceled: [],
};

/** spec: "Refund: pending → succeeded | failed." */
const EXPECTED_REFUND: Record<RefundStatus, RefundStatus[]> = {
  pending: ['succeeded', 'failed'],
  succeeded: [],
  failed: [],
};

function reachable<S extends string>(start: S, table: Record<S, readonly S[]>): Set<S> {
  const seen = new Set<S>([start]);
  const queue: S[] = [start];
  while (queue.length > 0) {
    for (const next of table[queue.shift()!]) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen;
}

const pairs = <S extends string>(statuses: readonly S[]) => statuses.flatMap((from) => statuses.map((to) => [from, to] as [S, S]));

describe('payment status transitions', () => {
  it('the statuses are exactly those of the spec', () => {
    expect([...PAYMENT_STATUSES].sort()).toEqual(Object.keys(EXPECTED_PAYMENT).sort());
    expect(Object.keys(PAYMENT_TRANSITIONS).sort()).toEqual([...PAYMENT_STATUSES].sort());
  });

  it.each(pairs(PAYMENT_STATUSES))('%s → %s is allowed exactly when the spec table says so', (from, to) => {
    expect(canTransitionPayment(from, to)).toBe(EXPECTED_PAYMENT[from].includes(to));
  });

  it('checks all 25 pairs', () => {
    expect(pairs(PAYMENT_STATUSES)).toHaveLength(25);
  });

  it('no status transitions to itself', () => {
    for (const s of PAYMENT_STATUSES) expect(canTransitionPayment(s, s)).toBe(false);
  });

  it('every status is reachable from requires_payment_method', () => {
    expect([...reachable('requires_payment_method', PAYMENT_TRANSITIONS)].sort()).toEqual([...PAYMENT_STATUSES].sort());
  });

  it('final statuses are succeeded and canceled, and they have no exits', () => {
    expect([...FINAL_PAYMENT_STATUSES].sort()).toEqual(['canceled', 'succeeded']);
    for (const s of PAYMENT_STATUSES) {
      expect(isFinalPaymentStatus(s)).toBe(EXPECTED_PAYMENT[s].length === 0);
    }
    for (const final of FINAL_PAYMENT_STATUSES) {
      for (const to of PAYMENT_STATUSES) expect(canTransitionPayment(final, to)).toBe(false);
    }
  });

  it('every non-final status can still reach a final one (no dead ends)', () => {
    for (const s of PAYMENT_STATUSES) {
      const r = reachable(s, PAYMENT_TRANSITIONS);
      expect(FINAL_PAYMENT_STATUSES.some((f) => r.has(f))).toBe(true);
    }
  });
});

describe('refund status transitions', () => {
  it('the statuses are exactly those of the spec', () => {
    expect([...REFUND_STATUSES].sort()).toEqual(Object.keys(EXPECTED_REFUND).sort());
    expect(Object.keys(REFUND_TRANSITIONS).sort()).toEqual([...REFUND_STATUSES].sort());
  });

  it.each(pairs(REFUND_STATUSES))('%s → %s is allowed exactly when the spec says so', (from, to) => {
    expect(canTransitionRefund(from, to)).toBe(EXPECTED_REFUND[from].includes(to));
  });

  it('every refund status is reachable from pending', () => {
    expect([...reachable('pending', REFUND_TRANSITIONS)].sort()).toEqual([...REFUND_STATUSES].sort());
  });

  it('succeeded and failed are final: no exits', () => {
    for (const final of ['succeeded', 'failed'] as const) {
      expect(REFUND_TRANSITIONS[final]).toHaveLength(0);
      for (const to of REFUND_STATUSES) expect(canTransitionRefund(final, to)).toBe(false);
    }
  });
});
