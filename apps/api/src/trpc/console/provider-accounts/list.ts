import { z } from 'zod';
import { authedProcedure } from '../../init.js';
import { idSchema, modeSchema } from '../common.js';

export const listProviderAccountsInput = z.object({ tenantId: idSchema, mode: modeSchema });

/** A tenant's provider accounts for one mode, in routing order, credentials masked. */
export const listProviderAccountsProcedure = authedProcedure.input(listProviderAccountsInput).query(async ({ ctx, input }) => ({
  data: await ctx.platform.providerAccounts.list(ctx.platform.orm.em.fork(), input.tenantId, input.mode),
  nextCursor: null,
}));
