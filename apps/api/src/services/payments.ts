import { randomUUID } from 'node:crypto';
import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import {
  AppError,
  canTransitionPayment,
  isAllowedRedirectUrl,
  isFinalPaymentStatus,
  type CreatePaymentInput,
  type EventType,
  type PaymentObject,
  type PaymentStatus,
} from '@platform/core';
import { PaymentSchema, ProviderAccountSchema, TenantSchema, type Payment } from '../db/entities/index.js';
import { newId } from '../ids.js';
import { keysetPage } from './keyset-page.js';
import type { TokenService } from '../auth/tokens.js';
import { appendAudit } from './audit.js';
import type { FaultHook, MutationContext, Scope } from './context.js';
import type { EventRecorder } from './events.js';
import { toPaymentObject } from './payment-object.js';

export const DEFAULT_CHECKOUT_EXPIRY_SECONDS = 3600;

export interface PaymentServiceDeps {
  tokens: TokenService;
  events: EventRecorder;
  publicUrl: string;
  now?: () => Date;
  fault?: FaultHook;
}

/** Whole seconds, like the token's `exp`, so `checkoutExpiresAt` and the token agree exactly. */
function checkoutExpiry(now: Date, seconds = DEFAULT_CHECKOUT_EXPIRY_SECONDS): Date {
  return new Date((Math.floor(now.getTime() / 1000) + seconds) * 1000);
}

/**
 * Payment use cases. Every method runs inside the caller's transaction (`em`), whose entity
 * manager carries the tenant filter: a payment of another tenant or mode is simply not found.
 */
export class PaymentService {
  private readonly now: () => Date;

  constructor(private readonly deps: PaymentServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async create(em: EntityManager, scope: Scope, input: CreatePaymentInput, ctx: MutationContext): Promise<PaymentObject> {
    const tenant = await em.findOneOrFail(TenantSchema, { id: scope.tenantId });
    // Sandbox payments go to the built-in sandbox provider unless a provider with a sandbox-mode
    // (test-keys) account is asked for; live never uses the built-in sandbox.
    if (input.provider === 'sandbox' && scope.mode === 'live') {
      throw new AppError('parameter_invalid', `provider '${input.provider}' is not available in ${scope.mode} mode`, { param: 'provider' });
    }
    if ((input.provider === 'stripe' || input.provider === 'adyen') && (await em.count(ProviderAccountSchema, { tenantId: scope.tenantId, mode: scope.mode, provider: input.provider }, { filters: false })) === 0) {
      throw new AppError('parameter_invalid', `No ${input.provider} account is configured for ${scope.mode} mode`, { param: 'provider' });
    }
    this.checkRedirect(input.returnUrl, 'returnUrl', tenant.allowedOrigins, scope);
    if (input.cancelUrl !== undefined) this.checkRedirect(input.cancelUrl, 'cancelUrl', tenant.allowedOrigins, scope);

    const now = this.now();
    const expiresAt = checkoutExpiry(now, input.checkoutExpiresInSeconds);
    const payment = em.create(PaymentSchema, {
      id: newId('payment'),
      tenantId: scope.tenantId,
      mode: scope.mode,
      status: 'requires_payment_method',
      amount: input.amount,
      currency: input.currency,
      amountRefunded: 0,
      description: input.description ?? null,
      customer: input.customer ?? null,
      metadata: input.metadata ?? {},
      provider: input.provider ?? (scope.mode === 'sandbox' ? 'sandbox' : null),
      providerReference: null,
      returnUrl: input.returnUrl,
      cancelUrl: input.cancelUrl ?? null,
      checkoutTokenId: randomUUID(),
      checkoutExpiresAt: expiresAt,
      lastError: null,
      cancellationReason: null,
      createdAt: now,
      updatedAt: now,
    });
    await em.flush();
    await this.deps.fault?.('payment.create:after_insert');

    const object = toPaymentObject(payment);
    await this.deps.events.record(em, scope, 'payment.created', object, now);
    await appendAudit(em, ctx, {
      action: 'payment.create',
      targetType: 'payment',
      targetId: payment.id,
      tenantId: scope.tenantId,
      mode: scope.mode,
      after: object,
    });
    await this.deps.fault?.('payment.create:before_commit');
    return toPaymentObject(payment, await this.checkoutLink(payment, now));
  }

  async get(em: EntityManager, id: string): Promise<Payment> {
    const payment = await em.findOne(PaymentSchema, { id });
    if (!payment) throw new AppError('resource_missing', `No such payment: '${id}'`, { param: 'id' });
    return payment;
  }

  async list(em: EntityManager, query: { limit: number; startingAfter?: string; status?: PaymentStatus }) {
    return keysetPage(em, PaymentSchema, { filters: query.status ? { status: query.status } : {}, noun: 'payment' }, query);
  }

  async cancel(em: EntityManager, _scope: Scope, id: string, ctx: MutationContext): Promise<PaymentObject> {
    const payment = await this.getForUpdate(em, id);
    return this.changeStatus(em, payment, 'canceled', {
      event: 'payment.canceled',
      action: 'payment.cancel',
      ctx,
      mutate: (p) => {
        p.cancellationReason = 'requested_by_tenant';
        p.checkoutTokenId = null;
      },
    });
  }

  /**
   * A status change with everything that must commit with it: the transition check, the
   * event and the audit entry, all in the caller's transaction.
   */
  async changeStatus(
    em: EntityManager,
    payment: Payment,
    to: PaymentStatus,
    change: { event: EventType; action: string; ctx: MutationContext; mutate?: (payment: Payment) => void },
  ): Promise<PaymentObject> {
    const before = toPaymentObject(payment);
    this.transition(payment, to);
    change.mutate?.(payment);
    await em.flush();
    const after = toPaymentObject(payment);
    await this.deps.events.record(em, { tenantId: payment.tenantId, mode: payment.mode }, change.event, after, payment.updatedAt);
    await appendAudit(em, change.ctx, {
      action: change.action,
      targetType: 'payment',
      targetId: payment.id,
      tenantId: payment.tenantId,
      mode: payment.mode,
      before,
      after,
    });
    return after;
  }

  /** Issues a fresh checkout token; the previous one stops working at once. */
  async reissueCheckout(
    em: EntityManager,
    scope: Scope,
    id: string,
    expiresInSeconds: number | undefined,
    ctx: MutationContext,
  ): Promise<PaymentObject> {
    const payment = await this.getForUpdate(em, id);
    if (isFinalPaymentStatus(payment.status)) {
      throw new AppError('invalid_state', `A checkout link cannot be issued for a payment in status '${payment.status}'`);
    }
    const now = this.now();
    payment.checkoutTokenId = randomUUID();
    payment.checkoutExpiresAt = checkoutExpiry(now, expiresInSeconds);
    payment.updatedAt = now;
    await em.flush();
    await appendAudit(em, ctx, {
      action: 'payment.checkout_reissue',
      targetType: 'payment',
      targetId: id,
      tenantId: scope.tenantId,
      mode: scope.mode,
      after: { checkoutExpiresAt: payment.checkoutExpiresAt.toISOString() },
    });
    return toPaymentObject(payment, await this.checkoutLink(payment, now));
  }

  /** The one place a payment changes status: the transition table of packages/core decides. */
  transition(payment: Payment, to: PaymentStatus): void {
    if (!canTransitionPayment(payment.status, to)) {
      throw new AppError('invalid_state', `A payment in status '${payment.status}' cannot become '${to}'`);
    }
    payment.status = to;
    payment.updatedAt = this.now();
  }

  /** Loads a payment of the scope with a row lock held until the transaction ends. */
  async getForUpdate(em: EntityManager, id: string): Promise<Payment> {
    const payment = await em.findOne(PaymentSchema, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!payment) throw new AppError('resource_missing', `No such payment: '${id}'`, { param: 'id' });
    return payment;
  }

  private checkRedirect(url: string, param: string, allowedOrigins: string[], scope: Scope): void {
    if (!isAllowedRedirectUrl(url, allowedOrigins, scope.mode)) {
      throw new AppError(
        'url_invalid',
        `${param} must be an absolute https URL on one of your allowed redirect origins` +
          (scope.mode === 'sandbox' ? ' (or http://localhost in sandbox)' : ''),
        { param },
      );
    }
  }

  /** `issuedAt` is the instant the expiry was computed from, so `exp - iat` is exactly the TTL asked for. */
  private async checkoutLink(payment: Payment, issuedAt: Date): Promise<{ token: string; url: string }> {
    const token = await this.deps.tokens.signCheckoutToken(
      { paymentId: payment.id, tenantId: payment.tenantId, mode: payment.mode, tokenId: payment.checkoutTokenId! },
      payment.checkoutExpiresAt!,
      issuedAt,
    );
    return { token, url: `${this.deps.publicUrl}/pay/${token}` };
  }
}
