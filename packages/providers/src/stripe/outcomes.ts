import type Stripe from 'stripe';
import type { NormalizedOutcome } from '@platform/core';

type LastPaymentError = Stripe.PaymentIntent['last_payment_error'];

/** The failure code we report for a Stripe payment error: the issuer's decline code when there is one. */
export function paymentErrorCode(error: LastPaymentError | undefined): string {
  return error?.decline_code || error?.code || 'payment_failed';
}

export function paymentErrorMessage(error: LastPaymentError | undefined): string {
  return error?.message || 'The payment failed.';
}

/**
 * A PaymentIntent's current status as a normalized outcome (reconciliation). Only succeeded,
 * canceled and a failed attempt (requires_payment_method WITH last_payment_error) are final;
 * an intent still waiting to be confirmed is "processing": still open, ask again later.
 */
export function paymentIntentOutcome(pi: Pick<Stripe.PaymentIntent, 'status' | 'last_payment_error'>): NormalizedOutcome {
  switch (pi.status) {
    case 'succeeded':
      return { type: 'succeeded' };
    case 'processing':
      return { type: 'processing' };
    case 'requires_action':
      return { type: 'requires_action' };
    case 'requires_capture':
      return { type: 'authorized' };
    case 'canceled':
      return { type: 'canceled' };
    case 'requires_payment_method':
      return pi.last_payment_error
        ? { type: 'failed', code: paymentErrorCode(pi.last_payment_error), message: paymentErrorMessage(pi.last_payment_error) }
        : { type: 'processing' };
    default:
      // requires_confirmation and any status a newer API version adds: still open.
      return { type: 'processing' };
  }
}

/** The parts of a Refund we read; typed loosely so older API versions still map. */
export interface RefundObject {
  id: string;
  status?: string | null;
  failure_reason?: string | null;
  payment_intent?: string | { id: string } | null;
  metadata?: Record<string, string> | null;
}

/**
 * A Refund's status as a normalized outcome (webhooks and reconciliation): succeeded, or
 * failed/canceled with Stripe's `failure_reason`; pending / requires_action are not final yet
 * (`notFinal`): a later refund.updated, or the next lookup, carries the outcome.
 */
export function refundOutcome<N extends NormalizedOutcome>(refund: RefundObject, refundId: string | null, notFinal: N): N | Extract<NormalizedOutcome, { type: 'refund_succeeded' | 'refund_failed' }> {
  switch (refund.status) {
    case 'succeeded':
      return { type: 'refund_succeeded', refundId, refundReference: refund.id };
    case 'failed':
    case 'canceled': {
      const code = refund.failure_reason ?? (refund.status === 'canceled' ? 'refund_canceled' : 'refund_failed');
      return { type: 'refund_failed', refundId, refundReference: refund.id, code, message: `Stripe refund ${refund.status}: ${code}` };
    }
    default:
      return notFinal;
  }
}
