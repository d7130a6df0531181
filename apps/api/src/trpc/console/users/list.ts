import { z } from 'zod';
import { authedProcedure } from '../../init.js';
import { CrossTenantReader } from '../../../console/db.js';
import { listUsers } from '../../../console/users.js';
import { cursorSchema, limitSchema } from '../common.js';

export const listUsersInput = z.object({ cursor: cursorSchema, limit: limitSchema }).prefault({});

/** Console users, newest first. */
export const listUsersProcedure = authedProcedure
  .input(listUsersInput)
  .query(({ ctx, input }) => listUsers(CrossTenantReader.of(ctx.platform.orm), input));
