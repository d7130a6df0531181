import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, type CreateRefundInput } from '@platform/core';
import { PaymentSchema } from '../db/entities/index.js';
import type { MutationContext } from '../services/context.js';
import type { RefundService } from '../services/refunds.js';
import { CrossTenantReader, scopeTo } from './db.js';

export interface ConsoleRefundInput {
  paymentId: string;
  amount?: number | undefined;
  reason: NonNullable<CreateRefundInput['reason']>;
  /** Why, in the operator's words: stored in the audit entry. */
  note: string;
}

/** A refund issued from the console: the RefundService does the work; the note goes into its audit entry. */
export async function refundPayment(em: EntityManager, refunds: RefundService, input: ConsoleRefundInput, ctx: MutationContext) {
  const payment = await new CrossTenantReader(em).findOne(PaymentSchema, { id: input.paymentId });
  if (!payment) throw new AppError('resource_missing', `No such payment: '${input.paymentId}'`, { param: 'paymentId' });
  const scope = scopeTo(em, { tenantId: payment.tenantId, mode: payment.mode });
  const refund = await refunds.create(
    em,
    scope,
    payment.id,
    { reason: input.reason, ...(input.amount !== undefined ? { amount: input.amount } : {}) },
    ctx,
    { note: input.note },
  );
  return { ...refund, tenantId: payment.tenantId };
}
