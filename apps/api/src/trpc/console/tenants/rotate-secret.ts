import { z } from 'zod';
import { adminProcedure } from '../../init.js';
import { inTransaction } from '../../../console/db.js';
import { rotateTenantSecret } from '../../../console/tenants.js';
import { idSchema, modeSchema } from '../common.js';

export const rotateSecretInput = z.object({ tenantId: idSchema, mode: modeSchema });

/** A new secret for one mode, in this answer only; the previous one stays valid for 24 h. */
export const rotateSecretProcedure = adminProcedure
  .input(rotateSecretInput)
  .mutation(({ ctx, input }) => inTransaction(ctx.platform.orm, (em) => rotateTenantSecret(em, ctx.platform.tenants, input.tenantId, input.mode, ctx.actor)));
