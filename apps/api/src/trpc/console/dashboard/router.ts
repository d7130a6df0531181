import { router } from '../../init.js';
import { summaryProcedure } from './summary.js';

export const dashboardRouter = router({
  summary: summaryProcedure,
});
