import { z } from 'zod';
import { supportProcedure } from '../../init.js';
import { inTransaction } from '../../../console/db.js';
import { sendTestWebhook } from '../../../console/deliveries.js';
import { idSchema } from '../common.js';

export const sendTestInput = z.object({ endpointId: idSchema });

/** Sends a `webhook.test` event to one endpoint; returns its delivery. */
export const sendTestProcedure = supportProcedure
  .input(sendTestInput)
  .mutation(({ ctx, input }) => inTransaction(ctx.platform.orm, (em) => sendTestWebhook(em, ctx.platform.webhookEndpoints, input.endpointId, ctx.actor)));
