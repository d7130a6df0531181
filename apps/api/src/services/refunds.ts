import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { AppError, formatMoney, type CurrencyCode, type CreateRefundInput, type RefundObject, type RefundStatus } from '@platform/core';
import { PaymentSchema, RefundSchema, type Payment, type Refund } from '../db/entities/index.js';
import { newId } from '../ids.js';
import { keysetPage } from './keyset-page.js';
import { appendAudit } from './audit.js';
import type { MutationContext, Scope } from './context.js';
import type { EventRecorder } from './events.js';

/** Queues the provider call of a new refund in the caller's transaction (outbox). */
export type EnqueueRefund = (em: EntityManager, refund: Refund) => Promise<void>;

/**
 * Refunds (spec/rest-api.md "Refunds"). The invariant — the sum of refunds that are not
 * `failed` never exceeds the payment's amount, and `amountRefunded` equals that sum — holds
 * under concurrency because every change runs under the payment's row lock. The provider call
 * runs after commit in a job (jobs/refund-submissions.ts) with the refund id as idempotency key.
 */
export class RefundService {
  constructor(private readonly deps: { events: EventRecorder; enqueue: EnqueueRefund; now?: () => Date }) {}

  async create(
    em: EntityManager,
    scope: Scope,
    paymentId: string,
    input: CreateRefundInput,
    ctx: MutationContext,
    audit: { note?: string } = {},
  ): Promise<RefundObject> {
    const payment = await em.findOne(PaymentSchema, { id: paymentId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!payment) throw new AppError('resource_missing', `No such payment: '${paymentId}'`, { param: 'id' });
    if (payment.status !== 'succeeded') {
      throw new AppError('invalid_state', `Only a succeeded payment can be refunded; this one is ${payment.status}`);
    }
    const remaining = payment.amount - payment.amountRefunded;
    if (remaining <= 0) throw new AppError('invalid_state', 'This payment is already fully refunded');
    const amount = input.amount ?? remaining;
    if (amount > remaining) {
      throw new AppError('amount_invalid', `amount exceeds what remains to refund (${formatMoney(remaining, payment.currency as CurrencyCode)})`, { param: 'amount' });
    }
    const now = this.now();
    const refund = em.create(RefundSchema, {
      id: newId('refund'),
      tenantId: payment.tenantId,
      mode: payment.mode,
      paymentId: payment.id,
      amount,
      currency: payment.currency,
      status: 'pending',
      reason: input.reason ?? null,
      failureReason: null,
      provider: payment.provider ?? 'sandbox',
      providerAccountId: payment.providerAccountId,
      providerReference: null,
      createdAt: now,
      updatedAt: now,
    });
    payment.amountRefunded += amount;
    payment.updatedAt = now;
    await em.flush();
    const object = toRefundObject(refund);
    await this.deps.events.record(em, scope, 'refund.created', object, now);
    await appendAudit(em, ctx, {
      action: 'refund.create',
      targetType: 'payment',
      targetId: payment.id,
      tenantId: payment.tenantId,
      mode: payment.mode,
      after: { refund: object, amountRefunded: payment.amountRefunded, ...(audit.note ? { note: audit.note } : {}) },
    });
    await this.deps.enqueue(em, refund);
    return object;
  }

  async get(em: EntityManager, id: string): Promise<Refund> {
    const refund = await em.findOne(RefundSchema, { id });
    if (!refund) throw new AppError('resource_missing', `No such refund: '${id}'`, { param: 'id' });
    return refund;
  }

  async listForPayment(em: EntityManager, paymentId: string, query: { limit: number; startingAfter?: string | undefined }) {
    const payment = await em.findOne(PaymentSchema, { id: paymentId });
    if (!payment) throw new AppError('resource_missing', `No such payment: '${paymentId}'`, { param: 'id' });
    return keysetPage(em, RefundSchema, { parent: { paymentId }, noun: 'refund' }, query);
  }

  /**
   * A final provider outcome for a refund (webhook, or a refusal of the provider call).
   * Locks payment then refund (the same order as `create`); a refund already final is left
   * alone and reported as not applied.
   */
  async settle(
    em: EntityManager,
    refundId: string,
    to: Exclude<RefundStatus, 'pending'>,
    detail: { providerReference?: string | null; failureReason?: string | null },
    ctx: MutationContext,
  ): Promise<{ applied: boolean; note?: string }> {
    const found = await em.findOne(RefundSchema, { id: refundId }, { filters: false });
    if (!found) return { applied: false, note: 'unknown refund' };
    const payment = (await em.findOne(PaymentSchema, { id: found.paymentId }, { filters: false, lockMode: LockMode.PESSIMISTIC_WRITE })) as Payment;
    const refund = (await em.findOne(RefundSchema, { id: refundId }, { filters: false, lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true })) as Refund;
    if (refund.status !== 'pending') return { applied: false, note: `refund already ${refund.status}` };
    const before = toRefundObject(refund);
    const now = this.now();
    refund.status = to;
    refund.updatedAt = now;
    if (detail.providerReference) refund.providerReference ??= detail.providerReference;
    if (to === 'failed') {
      refund.failureReason = detail.failureReason ?? 'refund_failed';
      payment.amountRefunded -= refund.amount;
      payment.updatedAt = now;
    }
    await em.flush();
    const after = toRefundObject(refund);
    await this.deps.events.record(em, { tenantId: refund.tenantId, mode: refund.mode }, to === 'succeeded' ? 'refund.succeeded' : 'refund.failed', after, now);
    await appendAudit(em, ctx, {
      action: `refund.${to}`,
      targetType: 'payment',
      targetId: payment.id,
      tenantId: refund.tenantId,
      mode: refund.mode,
      before: { refund: before },
      after: { refund: after, amountRefunded: payment.amountRefunded },
    });
    return { applied: true };
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

export function toRefundObject(refund: Refund): RefundObject {
  return {
    id: refund.id,
    object: 'refund',
    mode: refund.mode,
    paymentId: refund.paymentId,
    amount: refund.amount,
    currency: refund.currency,
    status: refund.status,
    reason: (refund.reason as RefundObject['reason']) ?? null,
    failureReason: refund.failureReason ?? null,
    createdAt: refund.createdAt.toISOString(),
    updatedAt: refund.updatedAt.toISOString(),
  };
}
