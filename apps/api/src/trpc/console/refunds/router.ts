import { router } from '../../init.js';
import { createRefundProcedure } from './create.js';

export const refundsRouter = router({
  create: createRefundProcedure,
});
