import { z } from 'zod';
import { adminProcedure } from '../../init.js';
import { CrossTenantReader } from '../../../console/db.js';
import { listUsers } from '../../../console/users.js';
import { cursorSchema, limitSchema } from '../common.js';

export const listUsersInput = z.object({ cursor: cursorSchema, limit: limitSchema }).prefault({});

/** Console users, newest first: only admins, who manage them, see the list of e-mails and roles. */
export const listUsersProcedure = adminProcedure
  .input(listUsersInput)
  .query(({ ctx, input }) => listUsers(CrossTenantReader.of(ctx.platform.orm), input));
