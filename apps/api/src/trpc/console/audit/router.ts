import { router } from '../../init.js';
import { listAuditProcedure } from './list.js';
import { verifyAuditProcedure } from './verify.js';

export const auditRouter = router({
  list: listAuditProcedure,
  verify: verifyAuditProcedure,
});
