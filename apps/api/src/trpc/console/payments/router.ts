import { router } from '../../init.js';
import { getPaymentProcedure } from './get.js';
import { listPaymentsProcedure } from './list.js';

export const paymentsRouter = router({
  list: listPaymentsProcedure,
  get: getPaymentProcedure,
});
