import { z } from 'zod';
import { authedProcedure } from '../../init.js';
import { CrossTenantReader } from '../../../console/db.js';
import { getTenant } from '../../../console/tenants.js';
import { idSchema } from '../common.js';

export const getTenantInput = z.object({ tenantId: idSchema });

/** One tenant with its webhook endpoints (both modes); secrets masked. */
export const getTenantProcedure = authedProcedure
  .input(getTenantInput)
  .query(({ ctx, input }) => getTenant(CrossTenantReader.of(ctx.platform.orm), input.tenantId));
