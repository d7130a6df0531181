import { z } from 'zod';
import { adminProcedure } from '../../init.js';
import { inTransaction } from '../../../console/db.js';
import { updateRole } from '../../../console/users.js';
import { USER_ROLES } from '../../../services/users.js';
import { idSchema } from '../common.js';

export const updateRoleInput = z.object({ userId: idSchema, role: z.enum(USER_ROLES) });

/** Changes a user's role (effective on their next request); not one's own. */
export const updateRoleProcedure = adminProcedure
  .input(updateRoleInput)
  .mutation(({ ctx, input }) => inTransaction(ctx.platform.orm, (em) => updateRole(em, input.userId, input.role, ctx.actor)));
