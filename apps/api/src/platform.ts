import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { loadKeys } from './keys.js';
import { openOrm, pendingMigrations } from './db/orm.js';
import { TokenService } from './auth/tokens.js';
import { PaymentService } from './services/payments.js';
import { TenantService } from './services/tenants.js';
import { createMetrics } from './http/metrics.js';
import type { Platform } from './http/platform.js';
import type { FaultHook } from './services/context.js';
import { createProviderRegistry } from '@platform/providers';
import { startBoss } from './jobs/boss.js';
import { queueSandboxWebhook, sandboxWebhookSecret, workSandboxWebhooks } from './jobs/sandbox-webhooks.js';
import { CheckoutService } from './services/checkout.js';
import { ProviderWebhookService } from './services/provider-webhooks.js';
import { SecretBox } from './crypto/secret-box.js';
import { EventRecorder } from './services/events.js';
import { enqueueDelivery, listenForDeliveries, WebhookSender, workWebhookDeliveries } from './jobs/webhook-deliveries.js';
import { WebhookEndpointService } from './services/webhook-endpoints.js';
import { scheduleRetention } from './jobs/retention.js';
import { ProviderAccountService } from './services/provider-accounts.js';
import { RefundService } from './services/refunds.js';
import { ProviderCaller, type ResilienceOptions } from './providers/resilient-call.js';
import { Reconciler, scheduleReconciliation } from './jobs/reconciliation.js';
import { enqueueRefund, submitRefund, workRefundSubmissions } from './jobs/refund-submissions.js';
import { scheduleExpiry } from './jobs/payment-expiry.js';
import { sandboxLedger } from './jobs/sandbox-ledger.js';

export interface PlatformOptions {
  databaseUrl: string;
  logger?: Logger;
  fault?: FaultHook;
  poolMax?: number;
  /** Tests only: multiply the webhook retry schedule (e.g. 0.001 turns 5 min into 300 ms). */
  webhookRetryScale?: number;
  /** Tests only: faster provider retries and breaker. */
  resilience?: ResilienceOptions;
}

/** Wires configuration, database, keys and services into one Platform object. */
export async function createPlatform(config: Config, options: PlatformOptions): Promise<Platform & { close(): Promise<void> }> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const keys = await loadKeys(config);
  const orm: MikroORM = await openOrm(options.databaseUrl, options.poolMax);
  const tokens = new TokenService(keys.signing);
  const jobs = await startBoss(options.databaseUrl, logger, { supervise: config.role !== 'api' });
  const boss = jobs.boss;
  const webhookSecret = sandboxWebhookSecret(keys.encryptionKey);
  const providers = createProviderRegistry({
    sandbox: { webhookSecret, scheduleWebhook: queueSandboxWebhook(boss), ledger: sandboxLedger(orm) },
    stripe: { ...(config.providers.stripeApiBaseUrl ? { apiBaseUrl: config.providers.stripeApiBaseUrl } : {}), timeoutMs: config.providers.timeoutMs },
    adyen: { ...(config.providers.adyenCheckoutBaseUrl ? { apiBaseUrl: config.providers.adyenCheckoutBaseUrl } : {}), timeoutMs: config.providers.timeoutMs },
  });
  const box = new SecretBox(keys.encryptionKey);
  const providerAccounts = new ProviderAccountService(box);
  const providerCaller = new ProviderCaller(options.resilience);
  // Wake this process's delivery worker right after a transaction that queued deliveries
  // commits; other worker replicas pick the job up on their next poll (≤ 0.5 s).
  const queuedIn = new WeakSet<object>();
  const wake = { workerId: null as string | null };
  orm.em.getEventManager().registerSubscriber({
    afterTransactionCommit: ({ transaction }) => {
      if (transaction && queuedIn.has(transaction as object) && wake.workerId) boss.notifyWorker(wake.workerId);
    },
  });
  const enqueue = enqueueDelivery(boss, (em) => {
    const trx = em.getTransactionContext();
    if (trx) queuedIn.add(trx as object);
  });
  const events = new EventRecorder(enqueue);
  let stopListening: (() => Promise<void>) | null = null;
  const payments = new PaymentService({ tokens, events, publicUrl: config.publicUrl, ...(options.fault ? { fault: options.fault } : {}) });
  const refunds = new RefundService({ events, enqueue: enqueueRefund(boss) });
  const providerWebhooks = new ProviderWebhookService({ orm, providers, payments, refunds, accounts: providerAccounts, logger });
  const refundSubmitter = { orm, providers, accounts: providerAccounts, caller: providerCaller, refunds, logger };
  const reconciler = new Reconciler(
    { orm, providers, accounts: providerAccounts, caller: providerCaller, providerWebhooks, logger, resendRefund: (id) => submitRefund(refundSubmitter, id) },
    { processingAfterMs: config.reconcileProcessingAfterMs },
  );
  const webhookSender = new WebhookSender({
    orm,
    enqueue,
    box,
    logger,
    allowPrivateTargets: config.webhookAllowPrivateTargets,
    keepPrivateReplies: !config.production,
    ...(options.webhookRetryScale ? { retryScale: options.webhookRetryScale } : {}),
  });
  let migrated = false;
  const isMigrated = async () => {
    if (!migrated) migrated = (await pendingMigrations(orm)).length === 0;
    return migrated;
  };
  return {
    config,
    orm,
    logger,
    tokens,
    payments,
    boss,
    providers,
    sandboxWebhookSecret: webhookSecret,
    checkout: new CheckoutService({ orm, tokens, providers, payments, accounts: providerAccounts, caller: providerCaller, publicUrl: config.publicUrl }),
    providerWebhooks,
    providerAccounts,
    refunds,
    providerCaller,
    reconciler,
    refundSubmitter,
    events,
    box,
    webhookSender,
    webhookEndpoints: new WebhookEndpointService({ box, events, allowPrivateTargets: config.webhookAllowPrivateTargets }),
    async startWorker(targetBaseUrl: string) {
      await workSandboxWebhooks(boss, { secret: webhookSecret, targetBaseUrl, logger });
      wake.workerId = await workWebhookDeliveries(boss, webhookSender, logger);
      const workerId = wake.workerId;
      stopListening = await listenForDeliveries(options.databaseUrl, () => boss.notifyWorker(workerId), logger);
      await scheduleRetention(boss, orm, logger);
      await workRefundSubmissions(boss, refundSubmitter);
      await scheduleReconciliation(boss, reconciler, logger);
      await scheduleExpiry(boss, orm, payments, logger);
    },
    tenants: new TenantService(),
    metrics: createMetrics(),
    isMigrated,
    async readiness() {
      try {
        await orm.em.fork().execute('select 1');
      } catch {
        return { ready: false, reason: 'database unreachable' };
      }
      const pending = await pendingMigrations(orm);
      if (pending.length > 0) return { ready: false, reason: `pending migrations: ${pending.join(', ')}` };
      return { ready: true };
    },
    async close() {
      await stopListening?.();
      await jobs.stop();
      await orm.close();
    },
  };
}

/** The worker role: sends queued jobs. `targetBaseUrl` is where this platform's API answers. */
export async function startWorker(platform: Platform, targetBaseUrl: string): Promise<void> {
  await platform.startWorker(targetBaseUrl);
}
