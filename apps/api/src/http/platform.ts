import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { TokenService } from '../auth/tokens.js';
import type { PaymentService } from '../services/payments.js';
import type { TenantService } from '../services/tenants.js';
import type { Metrics } from './metrics.js';
import type PgBoss from 'pg-boss';
import type { ProviderRegistry } from '@platform/providers';
import type { CheckoutService } from '../services/checkout.js';
import type { ProviderWebhookService } from '../services/provider-webhooks.js';
import type { EventRecorder } from '../services/events.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { WebhookSender } from '../jobs/webhook-deliveries.js';
import type { WebhookEndpointService } from '../services/webhook-endpoints.js';
import type { ProviderAccountService } from '../services/provider-accounts.js';
import type { RefundService } from '../services/refunds.js';
import type { ProviderCaller } from '../providers/resilient-call.js';
import type { Reconciler } from '../jobs/reconciliation.js';
import type { RefundSubmitterDeps } from '../jobs/refund-submissions.js';

/** Everything a request handler may use; built once by `createPlatform`. */
export interface Platform {
  config: Config;
  orm: MikroORM;
  logger: Logger;
  tokens: TokenService;
  payments: PaymentService;
  tenants: TenantService;
  metrics: Metrics;
  boss: PgBoss;
  providers: ProviderRegistry;
  checkout: CheckoutService;
  providerWebhooks: ProviderWebhookService;
  events: EventRecorder;
  box: SecretBox;
  webhookSender: WebhookSender;
  webhookEndpoints: WebhookEndpointService;
  providerAccounts: ProviderAccountService;
  refunds: RefundService;
  /** Outbound provider calls: retries with backoff and a circuit breaker per account. */
  providerCaller: ProviderCaller;
  reconciler: Reconciler;
  refundSubmitter: RefundSubmitterDeps;
  /** Starts this process's job workers (sandbox provider webhooks, tenant webhook deliveries). */
  startWorker(targetBaseUrl: string): Promise<void>;
  /** Secret the simulated sandbox provider signs its webhooks with. */
  sandboxWebhookSecret: string;
  /** Database reachable and migrations applied (for /readyz). */
  readiness: () => Promise<{ ready: boolean; reason?: string }>;
  /** Migrations applied; cached once true. */
  isMigrated: () => Promise<boolean>;
}
