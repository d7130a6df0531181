import type PgBoss from 'pg-boss';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../logger.js';
import { QUEUES } from './boss.js';

export const EVENT_RETENTION_DAYS = 30;

/**
 * Housekeeping, scheduled by pg-boss (cron, once an hour, one worker at a time): expired
 * idempotency keys, and events older than 30 days together with their delivery records.
 */
export async function scheduleRetention(boss: PgBoss, orm: MikroORM, logger: Logger): Promise<void> {
  await boss.schedule(QUEUES.retention, '17 * * * *', {}, { singletonKey: 'retention' });
  await boss.work(QUEUES.retention, async () => {
    const result = await runRetention(orm, new Date());
    logger.info(result, 'retention done');
  });
}

export async function runRetention(orm: MikroORM, now: Date): Promise<{ idempotencyKeys: number; events: number }> {
  const em = orm.em.fork();
  const cutoff = new Date(now.getTime() - EVENT_RETENTION_DAYS * 24 * 60 * 60 * 1000);
  const keys = await em.execute<{ n: string }[]>('with d as (delete from idempotency_keys where expires_at <= ? returning 1) select count(*) as n from d', [now]);
  const events = await em.transactional(async (tx) => {
    await tx.execute(
      'delete from webhook_attempts where delivery_id in (select d.id from webhook_deliveries d join events e on e.id = d.event_id where e.created_at < ?)',
      [cutoff],
    );
    await tx.execute('delete from webhook_deliveries where event_id in (select id from events where created_at < ?)', [cutoff]);
    return tx.execute<{ n: string }[]>('with d as (delete from events where created_at < ? returning 1) select count(*) as n from d', [cutoff]);
  });
  return { idempotencyKeys: Number(keys[0]?.n ?? 0), events: Number(events[0]?.n ?? 0) };
}
