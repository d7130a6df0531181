import type { MikroORM } from '@mikro-orm/postgresql';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, isFinalPaymentStatus, type CardDetails, type CurrencyCode, type PaymentStatus } from '@platform/core';
import type { ProviderRegistry } from '@platform/providers';
import { TENANT_FILTER, TenantSchema, type Payment } from '../db/entities/index.js';
import type { TokenService } from '../auth/tokens.js';
import { finishAttempt, latestAttempt, startAttempt } from './attempts.js';
import { resolveCheckoutToken } from './checkout-tokens.js';
import type { MutationContext } from './context.js';
import type { PaymentService } from './payments.js';

/** What the hosted page shows: never tenant credentials, never provider secrets. */
export interface CheckoutView {
  paymentId: string;
  status: PaymentStatus;
  amount: number;
  currency: string;
  description: string | null;
  mode: 'sandbox' | 'live';
  merchant: { displayName: string; logoUrl: string | null; brandColor: string | null };
  lastError: { code: string; message: string } | null;
  /** `returnUrl?paymentId=pay_…`: where the customer goes after a final outcome. */
  returnUrl: string | null;
  cancelUrl: string | null;
  nextAction: { type: 'three_d_secure' } | null;
  expiresAt: string | null;
}

/**
 * The hosted checkout's use cases, authorized only by the checkout token. Provider calls
 * happen OUTSIDE our transactions: we commit "processing" (with the attempt) first, then call
 * the provider, then record its synchronous answer; the outcome itself arrives by webhook.
 */
export class CheckoutService {
  constructor(
    private readonly deps: { orm: MikroORM; tokens: TokenService; providers: ProviderRegistry; payments: PaymentService; now?: () => Date },
  ) {}

  async session(token: string): Promise<CheckoutView> {
    const em = this.deps.orm.em.fork();
    const payment = await resolveCheckoutToken(em, this.deps.tokens, token, this.now(), 'read');
    return this.view(em, payment);
  }

  async submit(token: string, card: CardDetails, ctx: MutationContext): Promise<CheckoutView> {
    const claims = await this.resolve(token);
    if (claims.mode === 'live') {
      // Live card data goes from the browser to the provider's own fields, never through us.
      throw new AppError('permission_denied', 'Card details are accepted only in sandbox mode; live payments use the provider’s payment form');
    }
    const { attemptId, provider } = await this.scoped(claims, (em) =>
      em.transactional(async (tx) => {
        const payment = await this.deps.payments.getForUpdate(tx, claims.id);
        this.assertOpen(payment);
        if (payment.status !== 'requires_payment_method') {
          throw new AppError('invalid_state', `This payment is ${payment.status.replace(/_/g, ' ')}; it cannot take a new card now`);
        }
        const providerName = payment.provider ?? 'sandbox';
        const attempt = startAttempt(tx, payment, providerName, this.now());
        await this.deps.payments.changeStatus(tx, payment, 'processing', {
          event: 'payment.processing',
          action: 'payment.submit',
          ctx,
          mutate: (p) => {
            p.lastError = null;
          },
        });
        return { attemptId: attempt.id, provider: providerName };
      }),
    );
    const adapter = this.deps.providers.get(provider as never);
    const result = adapter
      ? await adapter.authorize({ attemptId, paymentId: claims.id, amount: claims.amount, currency: claims.currency as CurrencyCode, mode: claims.mode, card })
      : ({ ok: false, kind: 'provider_error', code: 'provider_unavailable', message: `Provider ${provider} is not available`, retryable: false } as const);
    await this.scoped(claims, (em) =>
      em.transactional(async (tx) => {
        const payment = await this.deps.payments.getForUpdate(tx, claims.id);
        const attempt = await latestAttempt(tx, claims.id, true);
        if (!attempt || attempt.id !== attemptId) return;
        if (result.ok) {
          attempt.providerReference ??= result.reference;
          payment.providerReference ??= result.reference;
          await tx.flush();
          return;
        }
        // The provider refused synchronously: the attempt failed and the customer may try again.
        finishAttempt(attempt, 'failed', this.now(), { code: result.code, message: result.message });
        if (payment.status === 'processing') {
          await this.deps.payments.changeStatus(tx, payment, 'requires_payment_method', {
            event: 'payment.failed',
            action: 'payment.attempt_failed',
            ctx,
            mutate: (p) => {
              p.lastError = { code: result.code, message: result.message };
            },
          });
        } else {
          await tx.flush();
        }
      }),
    );
    return this.session(token);
  }

  /** The customer's answer on the 3-D Secure page; the outcome again arrives by webhook. */
  async completeAction(token: string, approve: boolean, ctx: MutationContext): Promise<CheckoutView> {
    const claims = await this.resolve(token);
    const { attemptId, reference, provider } = await this.scoped(claims, (em) =>
      em.transactional(async (tx) => {
        const payment = await this.deps.payments.getForUpdate(tx, claims.id);
        this.assertOpen(payment);
        const attempt = await latestAttempt(tx, claims.id, true);
        if (payment.status !== 'requires_action' || !attempt?.providerReference) {
          throw new AppError('invalid_state', 'This payment is not waiting for authentication');
        }
        attempt.status = 'processing';
        attempt.updatedAt = this.now();
        await this.deps.payments.changeStatus(tx, payment, 'processing', {
          event: 'payment.processing',
          action: approve ? 'payment.authentication_completed' : 'payment.authentication_failed',
          ctx,
        });
        return { attemptId: attempt.id, reference: attempt.providerReference, provider: attempt.provider };
      }),
    );
    const adapter = this.deps.providers.get(provider as never);
    if (!adapter) throw new AppError('internal_error', `Provider ${provider} is not available`);
    const result = await adapter.completeAction({ attemptId, paymentId: claims.id, reference, approve });
    if (!result.ok) throw new AppError('service_unavailable', 'The provider could not be reached; please try again');
    return this.session(token);
  }

  private async resolve(token: string) {
    const em = this.deps.orm.em.fork();
    const payment = await resolveCheckoutToken(em, this.deps.tokens, token, this.now());
    return { id: payment.id, tenantId: payment.tenantId, mode: payment.mode, amount: payment.amount, currency: payment.currency };
  }

  private scoped<T>(claims: { tenantId: string; mode: 'sandbox' | 'live' }, run: (em: EntityManager) => Promise<T>): Promise<T> {
    const em = this.deps.orm.em.fork();
    em.setFilterParams(TENANT_FILTER, { tenantId: claims.tenantId, mode: claims.mode });
    return run(em);
  }

  private assertOpen(payment: Payment): void {
    if (isFinalPaymentStatus(payment.status)) {
      throw new AppError('invalid_state', payment.status === 'succeeded' ? 'This payment is already paid' : 'This payment was canceled');
    }
  }

  private async view(em: EntityManager, payment: Payment): Promise<CheckoutView> {
    const tenant = await em.findOneOrFail(TenantSchema, { id: payment.tenantId });
    return {
      paymentId: payment.id,
      status: payment.status,
      amount: payment.amount,
      currency: payment.currency,
      description: payment.description ?? null,
      mode: payment.mode,
      merchant: { displayName: tenant.displayName, logoUrl: tenant.logoUrl ?? null, brandColor: tenant.brandColor ?? null },
      lastError: payment.lastError ?? null,
      returnUrl: payment.returnUrl ? withPaymentId(payment.returnUrl, payment.id) : null,
      cancelUrl: payment.cancelUrl ?? null,
      nextAction: payment.status === 'requires_action' ? { type: 'three_d_secure' } : null,
      expiresAt: payment.checkoutExpiresAt?.toISOString() ?? null,
    };
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

/** The redirect carries only the id: the tenant must ask the API for the status. */
export function withPaymentId(returnUrl: string, paymentId: string): string {
  const url = new URL(returnUrl);
  url.searchParams.set('paymentId', paymentId);
  return url.toString();
}
