import { z } from 'zod';
import { authedProcedure } from '../../init.js';
import { verifyAuditLog, type VerifyResult } from '../../../services/audit-verify.js';
import { idSchema } from '../common.js';

export const verifyAuditInput = z.object({ tenantId: idSchema.optional() }).prefault({});

/** Recomputes the hash chains (all, or one tenant's): `{ ok, entries }` or `{ ok: false, brokenAt }`. */
export const verifyAuditProcedure = authedProcedure
  .input(verifyAuditInput)
  .query(({ ctx, input }): Promise<VerifyResult> => verifyAuditLog(ctx.platform.orm.em.fork(), input.tenantId));
