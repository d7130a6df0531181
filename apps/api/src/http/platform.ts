import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { TokenService } from '../auth/tokens.js';
import type { PaymentService } from '../services/payments.js';
import type { TenantService } from '../services/tenants.js';
import type { Metrics } from './metrics.js';

/** Everything a request handler may use; built once by `createPlatform`. */
export interface Platform {
  config: Config;
  orm: MikroORM;
  logger: Logger;
  tokens: TokenService;
  payments: PaymentService;
  tenants: TenantService;
  metrics: Metrics;
  /** Database reachable and migrations applied (for /readyz). */
  readiness: () => Promise<{ ready: boolean; reason?: string }>;
  /** Migrations applied; cached once true. */
  isMigrated: () => Promise<boolean>;
}
