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
export async function resolveCheckoutToken(em: EntityManager, tokens: TokenService, token: string, now = new Date()): Promise<Payment> {
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
