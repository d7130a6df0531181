import { z } from 'zod';
import { adminProcedure } from '../../init.js';
import { inTransaction } from '../../../console/db.js';
import { addUser } from '../../../console/users.js';
import { USER_ROLES, userEmailSchema } from '../../../services/users.js';

export const createUserInput = z.object({
  email: userEmailSchema,
  role: z.enum(USER_ROLES),
  password: z.string().min(12).max(1024).optional(),
});

/** A new console user; without `password` one is generated and returned here, once. */
export const createUserProcedure = adminProcedure
  .input(createUserInput)
  .mutation(({ ctx, input }) => inTransaction(ctx.platform.orm, (em) => addUser(em, input, ctx.actor)));
