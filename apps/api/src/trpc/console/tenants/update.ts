import { z } from 'zod';
import { adminProcedure } from '../../init.js';
import { inTransaction } from '../../../console/db.js';
import { updateTenant } from '../../../console/tenants.js';
import { idSchema } from '../common.js';

export const updateTenantInput = z.object({
  tenantId: idSchema,
  displayName: z.string().trim().min(1).max(200).optional(),
  /** Shown on the hosted checkout page: https only (null removes it). */
  logoUrl: z
    .url({ protocol: /^https$/, error: 'logoUrl must be an https URL' })
    .max(2048)
    .nullable()
    .optional(),
  brandColor: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, { error: 'brandColor must be a hex colour like #1a2b3c' })
    .nullable()
    .optional(),
  allowedOrigins: z.array(z.string().max(2048)).max(50).optional(),
});

/** Branding and allowed redirect origins; fields left out stay as they are. */
export const updateTenantProcedure = adminProcedure
  .input(updateTenantInput)
  .mutation(({ ctx, input }) => {
    const { tenantId, ...patch } = input;
    return inTransaction(ctx.platform.orm, (em) => updateTenant(em, tenantId, patch, ctx.actor));
  });
