import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '@platform/core';
import { PaymentSchema, TENANT_FILTER, type Payment } from '../db/entities/index.js';
import type { TokenService } from '../auth/tokens.js';

/**
 * A checkout token is valid when its signature, audience and expiry hold AND it is the
 * payment's current token: reissuing replaces `checkoutTokenId`, and cancellation clears it,
 * so an older token is revoked without any deny-list. The payment is loaded within the
 * tenant + mode the token names — the token never grants anything beyond its one payment.
 */
/** How long after its expiry a genuine link still shows the outcome of a payment past the form. */
export const CHECKOUT_READ_GRACE_MS = 24 * 60 * 60 * 1000;

export async function resolveCheckoutToken(
  em: EntityManager,
  tokens: TokenService,
  token: string,
  now = new Date(),
  purpose: 'read' | 'write' = 'write',
): Promise<Payment> {
  let claims;
  try {
    claims = await tokens.verifyCheckoutToken(token, { ignoreExpiry: true });
  } catch {
    throw new AppError('checkout_token_invalid', 'This payment link is not valid');
  }
  const scoped = em.fork();
  scoped.setFilterParams(TENANT_FILTER, { tenantId: claims.tenantId, mode: claims.mode });
  const payment = await scoped.findOne(PaymentSchema, { id: claims.paymentId });
  if (!payment) throw new AppError('checkout_token_invalid', 'This payment link is not valid');
  // Reading a payment that is past the form (processing, paid, canceled) stays possible with a
  // genuine link for a day after it expired, so the customer sees the outcome or receipt rather
  // than "expired" mid-wait; after that the link shows nothing any more. Changing anything
  // always needs the current, unexpired link.
  const pastTheForm = payment.status !== 'requires_payment_method';
  const withinReadGrace = now.getTime() < claims.expiresAt.getTime() + CHECKOUT_READ_GRACE_MS;
  if (purpose === 'read' && pastTheForm && withinReadGrace && (payment.checkoutTokenId === claims.tokenId || payment.status === 'canceled')) {
    return payment;
  }
  const wayBack = payment.cancelUrl ?? payment.returnUrl;
  const details = wayBack ? { returnUrl: wayBack } : undefined;
  if (payment.checkoutTokenId !== claims.tokenId) {
    throw new AppError('checkout_token_revoked', 'This payment link was replaced by a newer one or closed', details ? { details } : {});
  }
  if (claims.expired || (payment.checkoutExpiresAt && payment.checkoutExpiresAt <= now)) {
    throw new AppError('checkout_token_expired', 'This payment link has expired', details ? { details } : {});
  }
  return payment;
}
