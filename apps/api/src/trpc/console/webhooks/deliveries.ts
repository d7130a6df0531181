import { z } from 'zod';
import { authedProcedure } from '../../init.js';
import { CrossTenantReader } from '../../../console/db.js';
import { listDeliveries } from '../../../console/deliveries.js';
import { cursorSchema, idSchema, limitSchema } from '../common.js';

export const deliveriesInput = z
  .object({
    tenantId: idSchema.optional(),
    status: z.enum(['pending', 'succeeded', 'failed']).optional(),
    cursor: cursorSchema,
    limit: limitSchema,
  })
  .prefault({});

/** Webhook deliveries across tenants, failed first then newest, each with its attempts. */
export const deliveriesProcedure = authedProcedure
  .input(deliveriesInput)
  .query(({ ctx, input }) => listDeliveries(CrossTenantReader.of(ctx.platform.orm), input));
