import type { PaymentObject } from '@platform/core';
import type { Payment } from '../db/entities/index.js';

/** The Payment as the API returns it (GET never includes the checkout token). */
export function toPaymentObject(payment: Payment, checkout?: { token: string; url: string }): PaymentObject {
  return {
    id: payment.id,
    object: 'payment',
    mode: payment.mode,
    status: payment.status,
    amount: payment.amount,
    currency: payment.currency,
    amountRefunded: payment.amountRefunded,
    description: payment.description ?? null,
    customer: payment.customer ?? null,
    metadata: payment.metadata,
    provider: payment.provider ?? null,
    providerReference: payment.providerReference ?? null,
    returnUrl: payment.returnUrl ?? null,
    cancelUrl: payment.cancelUrl ?? null,
    ...(checkout ? { checkoutToken: checkout.token, checkoutUrl: checkout.url } : {}),
    checkoutExpiresAt: payment.checkoutExpiresAt?.toISOString() ?? null,
    lastError: payment.lastError ?? null,
    cancellationReason: payment.cancellationReason ?? null,
    createdAt: payment.createdAt.toISOString(),
    updatedAt: payment.updatedAt.toISOString(),
  };
}
