import type PgBoss from 'pg-boss';
import pg from 'pg';
import { LockMode, type EntityManager, type MikroORM } from '@mikro-orm/postgresql';
import {
  EventSchema,
  WebhookAttemptSchema,
  WebhookDeliverySchema,
  WebhookEndpointSchema,
  type WebhookEndpoint,
} from '../db/entities/index.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { newId } from '../ids.js';
import type { Logger } from '../logger.js';
import { toEventObject, type EnqueueDelivery } from '../services/events.js';
import { postJson, type PostResult } from '../webhooks/http-post.js';
import { DISABLE_AFTER_FAILING_MS, nextRetryDelayMs } from '../webhooks/retry-schedule.js';
import { signWebhook } from '../webhooks/signing.js';
import { QUEUES } from './boss.js';
import { transactionalDb } from './transactional-db.js';

interface DeliveryJob {
  deliveryId: string;
}

/**
 * How long a delivery job may stay active before pg-boss's maintenance treats its worker as
 * dead and re-runs it. Default 60 s (above the 15 s send timeout); WEBHOOK_JOB_EXPIRE_SECONDS
 * lowers it for tests that kill a worker mid-delivery (apps/api/test/webhooks-crash.test.ts).
 */
export function jobExpireSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const configured = Number(env['WEBHOOK_JOB_EXPIRE_SECONDS']);
  return Number.isInteger(configured) && configured >= 1 ? configured : 60;
}

export function enqueueDelivery(boss: PgBoss, onEnqueued: (em: EntityManager) => void): EnqueueDelivery {
  const expireInSeconds = jobExpireSeconds();
  return async (em, deliveryId, delayMs) => {
    await boss.send(QUEUES.webhookDelivery, { deliveryId } satisfies DeliveryJob, {
      db: transactionalDb(em),
      ...(delayMs > 0 ? { startAfter: new Date(Date.now() + delayMs) } : {}),
      // pg-boss retries only when OUR handler crashes (or the worker dies: the job expires);
      // HTTP failures are recorded and rescheduled by the handler on the webhook schedule.
      retryLimit: 10,
      retryDelay: 2,
      retryBackoff: true,
      expireInSeconds,
    });
    // Wakes worker processes LISTENing on this channel; Postgres delivers it only on commit.
    if (delayMs <= 0) await em.execute(`select pg_notify('${WAKE_CHANNEL}', '')`);
    onEnqueued(em);
  };
}

export const WAKE_CHANNEL = 'webhook_delivery';

/**
 * A worker in another process learns about new deliveries from a Postgres NOTIFY sent in the
 * enqueuing transaction, instead of waiting for its next poll. Polling (0.5 s) stays the
 * fallback, e.g. on the embedded database where notifications don't cross connections.
 */
export async function listenForDeliveries(databaseUrl: string, wake: () => void, logger: Logger): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'webhook-wake' });
  client.on('error', (err) => logger.warn({ err }, 'webhook wake-up listener failed; falling back to polling'));
  client.on('notification', wake);
  try {
    await client.connect();
    await client.query(`listen ${WAKE_CHANNEL}`);
  } catch (err) {
    logger.warn({ err }, 'webhook wake-up listener unavailable; polling only');
  }
  return async () => {
    await client.end().catch(() => {});
  };
}

export interface WebhookSenderDeps {
  orm: MikroORM;
  enqueue: EnqueueDelivery;
  box: SecretBox;
  logger: Logger;
  allowPrivateTargets: boolean;
  now?: () => Date;
  random?: () => number;
  /** Tests only: scales the retry delays. */
  retryScale?: number;
}

/**
 * Sends one delivery attempt and records it: 2xx → succeeded; 410 → endpoint disabled;
 * anything else → the next attempt is queued on the retry schedule (in the same transaction
 * as the attempt record), or the delivery is failed when the schedule is exhausted.
 */
export class WebhookSender {
  constructor(private readonly deps: WebhookSenderDeps) {}

  async send(deliveryId: string): Promise<void> {
    const em = this.deps.orm.em.fork();
    const delivery = await em.findOne(WebhookDeliverySchema, { id: deliveryId }, { filters: false });
    if (!delivery || delivery.status !== 'pending') return;
    const [endpoint, event] = await Promise.all([
      em.findOne(WebhookEndpointSchema, { id: delivery.endpointId }, { filters: false }),
      em.findOne(EventSchema, { id: delivery.eventId }, { filters: false }),
    ]);
    if (!endpoint || !event) return;
    if (endpoint.status !== 'enabled' || endpoint.deletedAt) {
      await this.finish(deliveryId, 'failed', null);
      return;
    }
    const now = this.now();
    const body = JSON.stringify(toEventObject(event));
    const headers = signWebhook(this.secretsOf(endpoint, now), event.id, now, body);
    const guard = endpoint.mode === 'live' && !this.deps.allowPrivateTargets;
    const result = await postJson(endpoint.url, headers, body, { guard });
    await this.record(deliveryId, result, now);
  }

  /** Old secret first while it is in its grace period: "two space-separated signatures, old and new". */
  private secretsOf(endpoint: WebhookEndpoint, now: Date): string[] {
    const current = this.deps.box.open(endpoint.secretEncrypted);
    if (endpoint.previousSecretEncrypted && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > now) {
      return [this.deps.box.open(endpoint.previousSecretEncrypted), current];
    }
    return [current];
  }

  /** `sentAt`: when the request left; an endpoint changed since (re-enabled, new url) is not disabled by its answer. */
  private async record(deliveryId: string, result: PostResult, sentAt: Date): Promise<void> {
    const now = this.now();
    await this.deps.orm.em.fork().transactional(async (em) => {
      const delivery = await em.findOne(WebhookDeliverySchema, { id: deliveryId }, { filters: false, lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!delivery || delivery.status !== 'pending') return;
      // The endpoint row is NOT locked FOR UPDATE: every in-flight event insert holds a key-share
      // lock on it (deliveries reference it), and waiting for those stalled the whole worker.
      // Endpoint changes below are single-row UPDATEs that don't conflict with key-share locks.
      const endpoint = await em.findOneOrFail(WebhookEndpointSchema, { id: delivery.endpointId }, { filters: false });
      em.create(WebhookAttemptSchema, {
        id: newId('webhookAttempt'),
        deliveryId,
        tenantId: delivery.tenantId,
        mode: delivery.mode,
        attemptedAt: now,
        statusCode: result.statusCode,
        latencyMs: result.latencyMs,
        responseExcerpt: result.excerpt || null,
        error: result.error,
      });
      delivery.attemptCount += 1;
      delivery.lastStatusCode = result.statusCode;
      delivery.updatedAt = now;
      const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
      if (ok) {
        delivery.status = 'succeeded';
        delivery.nextAttemptAt = null;
        if (endpoint.failingSince) await this.updateEndpoint(em, endpoint.id, { failing_since: null });
      } else if (result.statusCode === 410) {
        delivery.status = 'failed';
        delivery.nextAttemptAt = null;
        // Not if the endpoint changed while the request was in flight (re-enabled, url edited):
        // this 410 was the answer of the endpoint as it was.
        await this.disable(em, endpoint, 'The endpoint answered 410 Gone', now, ['updated_at <= ?', sentAt]);
      } else {
        const failingSince = endpoint.failingSince ?? now;
        if (!endpoint.failingSince) await this.updateEndpoint(em, endpoint.id, { failing_since: now }, 'failing_since is null');
        let delay = nextRetryDelayMs({
          attemptsMade: delivery.attemptCount,
          statusCode: result.statusCode,
          retryAfter: result.headers['retry-after'] ?? null,
          now,
          random: this.deps.random?.() ?? Math.random(),
        });
        let disabled = false;
        if (now.getTime() - failingSince.getTime() >= DISABLE_AFTER_FAILING_MS) {
          // Checked again on the row itself: a re-enable committed since we read it cleared failing_since.
          disabled = await this.disable(em, endpoint, 'The endpoint failed for 5 days', now, ['failing_since <= ?', new Date(now.getTime() - DISABLE_AFTER_FAILING_MS)]);
        }
        if (delay !== null && this.deps.retryScale) delay = Math.round(delay * this.deps.retryScale);
        if (delay === null || disabled) {
          delivery.status = 'failed';
          delivery.nextAttemptAt = null;
        } else {
          delivery.nextAttemptAt = new Date(now.getTime() + delay);
        }
      }
      await em.flush();
      if (delivery.status === 'pending' && delivery.nextAttemptAt) {
        await this.deps.enqueue(em, deliveryId, delivery.nextAttemptAt.getTime() - now.getTime());
      }
    });
  }

  /** A single-row UPDATE, only where `condition` (SQL with its `?` parameters) holds on the row as it is now; true when it changed the row. */
  private async updateEndpoint(em: EntityManager, id: string, set: Record<string, unknown>, condition?: string, params: unknown[] = []): Promise<boolean> {
    const columns = Object.keys(set);
    const result = await em.execute(
      `update webhook_endpoints set ${columns.map((c) => `${c} = ?`).join(', ')} where id = ?${condition ? ` and ${condition}` : ''}`,
      [...columns.map((c) => set[c]), id, ...params],
      'run',
    );
    return (result as { affectedRows?: number }).affectedRows !== 0;
  }

  /** Disables an endpoint that is still enabled and still meets `[condition, param]`; true when it did. */
  private async disable(em: EntityManager, endpoint: WebhookEndpoint, reason: string, now: Date, [condition, param]: [string, unknown]): Promise<boolean> {
    const disabled = await this.updateEndpoint(em, endpoint.id, { status: 'disabled', disabled_reason: reason, updated_at: now }, `status = 'enabled' and ${condition}`, [param]);
    if (disabled) this.deps.logger.warn({ endpointId: endpoint.id, reason }, 'webhook endpoint disabled');
    return disabled;
  }

  private async finish(deliveryId: string, status: 'failed', statusCode: number | null): Promise<void> {
    await this.deps.orm.em
      .fork()
      .nativeUpdate(WebhookDeliverySchema, { id: deliveryId, status: 'pending' }, { status, lastStatusCode: statusCode, nextAttemptAt: null, updatedAt: this.now() }, { filters: false });
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

/** The worker side: pg-boss hands us jobs; a crash mid-send means the job expires and is retried (at least once). */
const BATCH_SIZE = 8;

export async function workWebhookDeliveries(boss: PgBoss, sender: WebhookSender, logger: Logger): Promise<string> {
  let workerId = '';
  workerId = await boss.work<DeliveryJob>(QUEUES.webhookDelivery, { pollingIntervalSeconds: 0.5, batchSize: BATCH_SIZE }, async (jobs) => {
    // A full batch means more are probably waiting: fetch again at once instead of sleeping out the poll interval.
    if (jobs.length === BATCH_SIZE) setImmediate(() => boss.notifyWorker(workerId));
    // Jobs of a batch succeed or fail one by one: a crash in one must not resend the others.
    await Promise.all(
      jobs.map(async (job) => {
        try {
          await sender.send(job.data.deliveryId);
        } catch (err) {
          logger.error({ err, deliveryId: job.data.deliveryId }, 'webhook delivery crashed; pg-boss will retry');
          await boss.fail(QUEUES.webhookDelivery, job.id, { message: (err as Error).message });
        }
      }),
    );
  });
  return workerId;
}
