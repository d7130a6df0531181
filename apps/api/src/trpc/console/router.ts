import { router } from '../init.js';
import { auditRouter } from './audit/router.js';
import { authRouter } from './auth/router.js';
import { dashboardRouter } from './dashboard/router.js';
import { paymentsRouter } from './payments/router.js';
import { providerAccountsRouter } from './provider-accounts/router.js';
import { refundsRouter } from './refunds/router.js';
import { tenantsRouter } from './tenants/router.js';
import { usersRouter } from './users/router.js';
import { webhooksRouter } from './webhooks/router.js';

/** The admin console (apps/console). Roles are enforced here, per procedure, never in the UI. */
export const consoleRouter = router({
  auth: authRouter,
  dashboard: dashboardRouter,
  users: usersRouter,
  tenants: tenantsRouter,
  payments: paymentsRouter,
  webhooks: webhooksRouter,
  audit: auditRouter,
  refunds: refundsRouter,
  providerAccounts: providerAccountsRouter,
});
