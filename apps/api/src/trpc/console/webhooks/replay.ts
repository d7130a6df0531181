import { z } from 'zod';
import { supportProcedure } from '../../init.js';
import { inTransaction } from '../../../console/db.js';
import { replayDelivery } from '../../../console/deliveries.js';
import { idSchema } from '../common.js';

export const replayInput = z.object({ deliveryId: idSchema });

/** Sends a delivery's event to its endpoint again; returns the new delivery. */
export const replayProcedure = supportProcedure
  .input(replayInput)
  .mutation(({ ctx, input }) => inTransaction(ctx.platform.orm, (em) => replayDelivery(em, ctx.platform.webhookEndpoints, input.deliveryId, ctx.actor)));
