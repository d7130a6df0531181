import { z } from 'zod';
import { authedProcedure } from '../../init.js';
import { CrossTenantReader } from '../../../console/db.js';
import { listTenants } from '../../../console/tenants.js';
import { cursorSchema, limitSchema } from '../common.js';

export const listTenantsInput = z.object({ cursor: cursorSchema, limit: limitSchema }).prefault({});

/** Tenants, newest first, with branding and masked secret status. */
export const listTenantsProcedure = authedProcedure
  .input(listTenantsInput)
  .query(({ ctx, input }) => listTenants(CrossTenantReader.of(ctx.platform.orm), input));
