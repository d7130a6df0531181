import { z } from 'zod';
import { authedProcedure } from '../../init.js';
import { CrossTenantReader } from '../../../console/db.js';
import { getPayment } from '../../../console/payments.js';
import { idSchema } from '../common.js';

export const getPaymentInput = z.object({ paymentId: idSchema });

/** `{ payment, refunds, timeline }`: the timeline merges attempts, events, deliveries, audit and refunds by time. */
export const getPaymentProcedure = authedProcedure
  .input(getPaymentInput)
  .query(({ ctx, input }) => getPayment(CrossTenantReader.of(ctx.platform.orm), input.paymentId));
