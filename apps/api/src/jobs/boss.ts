import PgBoss from 'pg-boss';
import type { Logger } from '../logger.js';
import { SimpleProtocolDb } from './simple-protocol-db.js';

/**
 * The job queue: pg-boss on our own PostgreSQL (or the embedded PGlite), in its own schema.
 * API replicas only send; worker replicas (ROLE=worker, or ROLE=all) also work the queues.
 */
export const QUEUES = {
  sandboxWebhook: 'sandbox-webhook',
  webhookDelivery: 'webhook-delivery',
  retention: 'retention',
  refundSubmit: 'refund-submit',
  reconciliation: 'reconciliation',
  expiry: 'payment-expiry',
} as const;

export interface Boss {
  boss: PgBoss;
  stop(): Promise<void>;
}

export async function startBoss(databaseUrl: string, logger: Logger, options: { supervise: boolean }): Promise<Boss> {
  // One code path on both targets: the simple protocol is required on the embedded database
  // and harmless on PostgreSQL (see simple-protocol-db.ts) — a worker process cannot always
  // tell which one a postgres:// URL points at.
  const simpleDb = new SimpleProtocolDb(databaseUrl);
  // Maintenance (expiring the jobs of a dead worker so they run again) every 120 s, pg-boss's
  // default; PGBOSS_MAINTENANCE_INTERVAL_SECONDS shortens it for tests that kill a worker
  // (apps/api/test/webhooks-crash.test.ts).
  const maintenanceIntervalSeconds = Number(process.env['PGBOSS_MAINTENANCE_INTERVAL_SECONDS']);
  const boss = new PgBoss({
    db: simpleDb,
    schema: 'pgboss',
    max: 4,
    supervise: options.supervise,
    schedule: options.supervise,
    migrate: true,
    ...(Number.isInteger(maintenanceIntervalSeconds) && maintenanceIntervalSeconds >= 1 ? { maintenanceIntervalSeconds } : {}),
  });
  boss.on('error', (err) => logger.error({ err }, 'job queue error'));
  await boss.start();
  for (const name of Object.values(QUEUES)) {
    if (!(await boss.getQueue(name))) await boss.createQueue(name);
  }
  return {
    boss,
    async stop() {
      // Graceful: stop fetching, let in-flight jobs finish (or release them at the timeout).
      // Longer than a webhook delivery's 15 s deadline: an in-flight send finishes instead of being re-sent.
      await boss.stop({ graceful: true, wait: true, timeout: 20_000 });
      await simpleDb.close();
    },
  };
}
