import { z } from 'zod';
import { adminProcedure } from '../../init.js';
import { inTransaction } from '../../../console/db.js';
import { removeUser } from '../../../console/users.js';
import { idSchema } from '../common.js';

export const removeUserInput = z.object({ userId: idSchema });

/** Deletes a user and signs them out everywhere; not oneself. */
export const removeUserProcedure = adminProcedure
  .input(removeUserInput)
  .mutation(({ ctx, input }) => inTransaction(ctx.platform.orm, (em) => removeUser(em, input.userId, ctx.actor)));
