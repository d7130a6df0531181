import { router } from '../../init.js';
import { createUserProcedure } from './create.js';
import { listUsersProcedure } from './list.js';
import { removeUserProcedure } from './remove.js';
import { updateRoleProcedure } from './update-role.js';

export const usersRouter = router({
  list: listUsersProcedure,
  create: createUserProcedure,
  updateRole: updateRoleProcedure,
  remove: removeUserProcedure,
});
