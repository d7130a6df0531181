import { z } from 'zod';
import { adminProcedure } from '../../init.js';
import { inTransaction } from '../../../console/db.js';
import { idSchema, modeSchema } from '../common.js';

export const addProviderAccountInput = z.object({
  tenantId: idSchema,
  mode: modeSchema,
  provider: z.enum(['stripe', 'adyen']),
  /** The provider's credentials; validated per provider and mode by ProviderAccountService. */
  config: z.record(z.string(), z.unknown()),
  label: z.string().trim().min(1).max(100).optional(),
});

/** Adds an account at the end of the tenant's routing list; returns it masked. */
export const addProviderAccountProcedure = adminProcedure
  .input(addProviderAccountInput)
  .mutation(({ ctx, input }) => inTransaction(ctx.platform.orm, (em) => ctx.platform.providerAccounts.add(em, input, ctx.actor)));
