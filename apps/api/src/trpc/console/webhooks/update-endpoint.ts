import { z } from 'zod';
import { adminProcedure } from '../../init.js';
import { inTransaction } from '../../../console/db.js';
import { updateWebhookEndpointStatus } from '../../../console/deliveries.js';
import { idSchema } from '../common.js';

export const updateEndpointInput = z.object({ endpointId: idSchema, status: z.enum(['enabled', 'disabled']) }).strict();

/**
 * Enables (e.g. after a 410 or 5 days of failures: the failure clock restarts) or disables an
 * endpoint; returns it. Admins only: it changes a tenant's configuration, which is beyond
 * support's "refunds and replays" (spec/operations.md "Console").
 */
export const updateEndpointProcedure = adminProcedure
  .input(updateEndpointInput)
  .mutation(({ ctx, input }) =>
    inTransaction(ctx.platform.orm, (em) => updateWebhookEndpointStatus(em, ctx.platform.webhookEndpoints, input.endpointId, input.status, ctx.actor)),
  );
