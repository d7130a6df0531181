import { z } from 'zod';
import { authedProcedure } from '../../init.js';
import { CrossTenantReader } from '../../../console/db.js';
import { dashboardSummary } from '../../../console/dashboard.js';
import { idSchema, modeSchema } from '../common.js';

export const summaryInput = z
  .object({
    days: z.number().int().min(1).max(90).default(14),
    tenantId: idSchema.optional(),
    mode: modeSchema.optional(),
  })
  .prefault({});

/** `{ since, series, failingEndpoints, stuckProcessing }` — see console/dashboard.ts. */
export const summaryProcedure = authedProcedure
  .input(summaryInput)
  .query(({ ctx, input }) => dashboardSummary(CrossTenantReader.of(ctx.platform.orm), input));
