import { z } from 'zod';
import { amountSchema, REFUND_REASONS } from '@platform/core';
import { supportProcedure } from '../../init.js';
import { inTransaction } from '../../../console/db.js';
import { refundPayment } from '../../../console/refunds.js';
import { idSchema } from '../common.js';

export const createRefundInput = z.object({
  paymentId: idSchema,
  /** Minor units; omitted = everything not yet refunded. */
  amount: amountSchema.optional(),
  reason: z.enum(REFUND_REASONS),
  note: z.string().trim().min(3, { error: 'note must say why (at least 3 characters)' }).max(1000),
});

/** Refunds (part of) a succeeded payment of any tenant; returns the refund (pending until the provider answers). */
export const createRefundProcedure = supportProcedure
  .input(createRefundInput)
  .mutation(({ ctx, input }) => inTransaction(ctx.platform.orm, (em) => refundPayment(em, ctx.platform.refunds, input, ctx.actor)));
