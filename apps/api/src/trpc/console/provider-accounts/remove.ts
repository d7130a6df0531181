import { z } from 'zod';
import { adminProcedure } from '../../init.js';
import { inTransaction } from '../../../console/db.js';
import { idSchema } from '../common.js';

export const removeProviderAccountInput = z.object({ accountId: idSchema });

/** Deletes an account that has never been used (a used one can only move down the routing list). */
export const removeProviderAccountProcedure = adminProcedure.input(removeProviderAccountInput).mutation(({ ctx, input }) =>
  inTransaction(ctx.platform.orm, async (em) => {
    await ctx.platform.providerAccounts.remove(em, input.accountId, ctx.actor);
    return { id: input.accountId, deleted: true as const };
  }),
);
