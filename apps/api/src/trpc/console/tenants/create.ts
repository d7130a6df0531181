import { z } from 'zod';
import { adminProcedure } from '../../init.js';
import { inTransaction } from '../../../console/db.js';
import { createTenant } from '../../../console/tenants.js';

export const createTenantInput = z.object({
  appName: z.string().min(2).max(63),
  displayName: z.string().min(1).max(200).optional(),
  allowedOrigins: z.array(z.string().max(2048)).max(50).optional(),
});

/** Registers a tenant; `secrets` (sandbox and live) are in this answer only, never again. */
export const createTenantProcedure = adminProcedure
  .input(createTenantInput)
  .mutation(({ ctx, input }) => inTransaction(ctx.platform.orm, (em) => createTenant(em, ctx.platform.tenants, input, ctx.actor)));
