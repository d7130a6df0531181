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

export interface PlatformOptions {
  databaseUrl: string;
  logger?: Logger;
  fault?: FaultHook;
  poolMax?: number;
  /** The database is the embedded PGlite (pg-boss then speaks the simple protocol only). */
  embedded?: boolean;
}

/** Wires configuration, database, keys and services into one Platform object. */
export async function createPlatform(config: Config, options: PlatformOptions): Promise<Platform & { close(): Promise<void> }> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const keys = await loadKeys(config);
  const orm: MikroORM = await openOrm(options.databaseUrl, options.poolMax);
  const tokens = new TokenService(keys.signing);
  const jobs = await startBoss(options.databaseUrl, logger, { supervise: config.role !== 'api', embedded: options.embedded ?? false });
  const boss = jobs.boss;
  const webhookSecret = sandboxWebhookSecret(keys.encryptionKey);
  const providers = createProviderRegistry({ sandbox: { webhookSecret, scheduleWebhook: queueSandboxWebhook(boss) } });
  const payments = new PaymentService({ tokens, publicUrl: config.publicUrl, ...(options.fault ? { fault: options.fault } : {}) });
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
    checkout: new CheckoutService({ orm, tokens, providers, payments }),
    providerWebhooks: new ProviderWebhookService({ orm, providers, payments, logger }),
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
      await jobs.stop();
      await orm.close();
    },
  };
}

/** The worker role: sends queued jobs. `targetBaseUrl` is where this platform's API answers. */
export async function startWorker(platform: Platform, targetBaseUrl: string): Promise<void> {
  await workSandboxWebhooks(platform.boss, { secret: platform.sandboxWebhookSecret, targetBaseUrl, logger: platform.logger });
}
