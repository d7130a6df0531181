import { router } from '../../init.js';
import { createTenantProcedure } from './create.js';
import { getTenantProcedure } from './get.js';
import { listTenantsProcedure } from './list.js';
import { rotateSecretProcedure } from './rotate-secret.js';
import { updateTenantProcedure } from './update.js';

export const tenantsRouter = router({
  list: listTenantsProcedure,
  get: getTenantProcedure,
  create: createTenantProcedure,
  update: updateTenantProcedure,
  rotateSecret: rotateSecretProcedure,
});
