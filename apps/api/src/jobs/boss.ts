import PgBoss from 'pg-boss';
import type { Logger } from '../logger.js';

/**
 * The job queue: pg-boss on our own PostgreSQL (or the embedded PGlite), in its own schema.
 * API replicas only send; worker replicas (ROLE=worker, or ROLE=all) also work the queues.
 */
export const QUEUES = { sandboxWebhook: 'sandbox-webhook' } as const;

export async function startBoss(databaseUrl: string, logger: Logger, options: { supervise: boolean }): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: databaseUrl,
    schema: 'pgboss',
    max: 4,
    supervise: options.supervise,
    schedule: options.supervise,
    migrate: true,
  });
  boss.on('error', (err) => logger.error({ err }, 'job queue error'));
  await boss.start();
  for (const name of Object.values(QUEUES)) {
    if (!(await boss.getQueue(name))) await boss.createQueue(name);
  }
  return boss;
}
