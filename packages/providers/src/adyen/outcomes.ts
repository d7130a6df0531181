import type { NormalizedOutcome } from '@platform/core';

/**
 * Checkout session status (GET /sessions/{id}?sessionResult=…) → normalized outcome.
 * `active` (the shopper has not finished) and anything unknown stay `processing`: ask later.
 */
export function sessionOutcome(status: string | undefined): NormalizedOutcome {
  switch (status) {
    case 'completed':
      return { type: 'succeeded' };
    case 'refused':
      return { type: 'failed', code: 'refused', message: 'The payment was refused.' };
    case 'canceled':
      return { type: 'canceled' };
    case 'expired':
      return { type: 'failed', code: 'expired', message: 'The payment session expired before the payment was completed.' };
    case 'paymentPending':
    case 'active':
    default:
      return { type: 'processing' };
  }
}

/**
 * Adyen refusal reasons (the `reason` of a failed AUTHORISATION) with a code of our own; any
 * other reason is `refused`, with Adyen's text as the message.
 */
const REFUSAL_CODES: Readonly<Record<string, string>> = {
  'expired card': 'expired_card',
  'not enough balance': 'insufficient_funds',
  'cvc declined': 'incorrect_cvc',
  '3d not authenticated': 'authentication_failed',
  'invalid card number': 'invalid_card_number',
  'fraud': 'suspected_fraud',
  'fraud-cancelled': 'suspected_fraud',
  'issuer suspected fraud': 'suspected_fraud',
  'shopper cancelled': 'canceled_by_customer',
};

export function refusalCode(reason: string | undefined): string {
  return REFUSAL_CODES[(reason ?? '').trim().toLowerCase()] ?? 'refused';
}

export interface NotificationFields {
  eventCode: string;
  success: string;
  merchantReference: string;
  pspReference: string;
  reason?: string | undefined;
}

/**
 * A standard notification item → normalized outcome:
 * AUTHORISATION true → authorized, false → failed; CANCELLATION true → canceled;
 * REFUND true → refund_succeeded, false → refund_failed; REFUND_FAILED → refund_failed;
 * everything else (CAPTURE, CANCELLATION false, CHARGEBACK…) → not_supported.
 */
export function notificationOutcome(item: NotificationFields): NormalizedOutcome {
  const ok = item.success === 'true';
  const reason = item.reason && item.reason !== 'null' ? item.reason : undefined;
  switch (item.eventCode) {
    case 'AUTHORISATION':
      return ok ? { type: 'authorized' } : { type: 'failed', code: refusalCode(reason), message: reason ?? 'The payment was refused.' };
    case 'CANCELLATION':
      return ok ? { type: 'canceled' } : { type: 'not_supported', providerType: 'CANCELLATION:false' };
    case 'REFUND':
      return ok
        ? { type: 'refund_succeeded', refundId: item.merchantReference, refundReference: item.pspReference }
        : refundFailed(item, reason);
    case 'REFUND_FAILED':
      return refundFailed(item, reason);
    default:
      return { type: 'not_supported', providerType: item.eventCode };
  }
}

function refundFailed(item: NotificationFields, reason: string | undefined): NormalizedOutcome {
  return {
    type: 'refund_failed',
    refundId: item.merchantReference,
    refundReference: item.pspReference,
    code: 'refund_failed',
    message: reason ?? 'Adyen could not process the refund.',
  };
}
