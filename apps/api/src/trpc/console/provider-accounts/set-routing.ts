import { z } from 'zod';
import { adminProcedure } from '../../init.js';
import { inTransaction } from '../../../console/db.js';
import { idSchema, modeSchema } from '../common.js';

export const setRoutingInput = z.object({ tenantId: idSchema, mode: modeSchema, accountIds: z.array(idSchema).max(50) });

/** Sets the order accounts are tried in: `accountIds` lists every account of the tenant + mode once. */
export const setRoutingProcedure = adminProcedure.input(setRoutingInput).mutation(async ({ ctx, input }) => ({
  data: await inTransaction(ctx.platform.orm, (em) => ctx.platform.providerAccounts.setRouting(em, input.tenantId, input.mode, input.accountIds, ctx.actor)),
  nextCursor: null,
}));
