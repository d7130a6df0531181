import { z } from 'zod';
import { authedProcedure } from '../../init.js';
import { CrossTenantReader } from '../../../console/db.js';
import { listAudit } from '../../../console/audit.js';
import { idSchema, instantSchema, limitSchema } from '../common.js';

export const listAuditInput = z
  .object({
    tenantId: idSchema.optional(),
    actor: z.string().min(1).max(254).optional(),
    action: z.string().min(1).max(100).optional(),
    from: instantSchema.optional(),
    to: instantSchema.optional(),
    cursor: z.string().regex(/^\d{1,19}$/, { error: 'cursor is not one this list returned' }).optional(),
    limit: limitSchema,
  })
  .prefault({});

/** Audit entries, newest first, with the acting user's e-mail where the actor is a console user. */
export const listAuditProcedure = authedProcedure
  .input(listAuditInput)
  .query(({ ctx, input }) => listAudit(CrossTenantReader.of(ctx.platform.orm), input));
