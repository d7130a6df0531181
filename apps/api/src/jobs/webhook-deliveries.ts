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
import { DELIVERY_TIMEOUT_MS, postJson, type PostResult } from '../webhooks/http-post.js';
import { DISABLE_AFTER_FAILING_MS, nextRetryDelayMs } from '../webhooks/retry-schedule.js';
import { signWebhook } from '../webhooks/signing.js';
import { QUEUES } from './boss.js';
import { transactionalDb } from './transactional-db.js';

interface DeliveryJob {
  deliveryId: string;
}

/**
 * How long a delivery job may stay active before pg-boss treats its worker as dead and runs it
 * again; pg-boss also fails a handler that runs longer than this. It must comfortably exceed a
 * send — the 15 s POST deadline (webhooks/http-post.ts) plus the reads before it and the record
 * after it — or a job would be re-run while its POST is still in flight: 60 s by default.
 * WEBHOOK_JOB_EXPIRE_SECONDS lowers it for tests that kill a worker mid-delivery
 * (apps/api/test/webhooks-crash.test.ts, whose receiver answers at once).
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
  /** Tests only: the POST deadline; DELIVERY_TIMEOUT_MS (15 s) otherwise. */
  deliveryTimeoutMs?: number;
  /** Tests only: a fixed time a send to a struggling endpoint is put off (see `putOff`). */
  deferMs?: number;
  /**
   * Whether the reply body of a (sandbox) delivery answered from a private or loopback address is
   * kept. Not in production: there the sandbox's private targets are the platform's own network,
   * and a tenant must not read internal services' replies through its delivery log.
   */
  keepPrivateReplies?: boolean;
}

/**
 * An endpoint is struggling while it fails (its last failure within the hour, no success since).
 * This process then sends it one delivery at a time; the others are put off, not attempted: so a
 * dead or hanging endpoint can't fill every worker slot and hold up other tenants' deliveries,
 * and it gets its backlog at full speed again as soon as one delivery succeeds.
 */
export const STRUGGLING_WITHIN_MS = 60 * 60 * 1000;
export const STRUGGLING_MAX_IN_FLIGHT = 1;
const MIN_PUT_OFF_MS = 1000;

/**
 * Failures further apart than this are not one streak: a failing delivery is retried at most
 * 10 h (+10 % jitter) after its previous attempt, and Retry-After is capped at 10 h, so a longer
 * gap means nothing was tried in between (no traffic, or no worker) — not that the endpoint kept
 * failing. The next failure after such a gap starts a new streak towards the 5-day disable.
 */
export const FAILURE_STREAK_GAP_MS = 24 * 60 * 60 * 1000;

function isStruggling(endpoint: WebhookEndpoint, now: Date): boolean {
  return endpoint.failingSince != null && endpoint.lastFailureAt != null && now.getTime() - endpoint.lastFailureAt.getTime() < STRUGGLING_WITHIN_MS;
}

/**
 * Sends one delivery attempt and records it: 2xx → succeeded; 410 → endpoint disabled;
 * anything else → the next attempt is queued on the retry schedule (in the same transaction
 * as the attempt record), or the delivery is failed when the schedule is exhausted.
 */
export class WebhookSender {
  /** Start times (performance.now) of the sends in flight per endpoint, in this process. */
  private readonly inFlight = new Map<string, number[]>();

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
    const running = this.inFlight.get(endpoint.id) ?? [];
    if (running.length >= STRUGGLING_MAX_IN_FLIGHT && isStruggling(endpoint, now)) {
      await this.putOff(deliveryId, performance.now() - Math.min(...running));
      return;
    }
    const started = performance.now();
    this.inFlight.set(endpoint.id, [...running, started]);
    try {
      const body = JSON.stringify(toEventObject(event));
      const headers = signWebhook(this.secretsOf(endpoint, now), event.id, now, body);
      const guard = endpoint.mode === 'live' && !this.deps.allowPrivateTargets;
      const result = await postJson(endpoint.url, headers, body, { guard, timeoutMs: this.deps.deliveryTimeoutMs ?? DELIVERY_TIMEOUT_MS });
      await this.record(deliveryId, result, now);
    } finally {
      const left = [...(this.inFlight.get(endpoint.id) ?? [])];
      left.splice(left.indexOf(started), 1);
      if (left.length > 0) this.inFlight.set(endpoint.id, left);
      else this.inFlight.delete(endpoint.id);
    }
  }

  /**
   * Queues the delivery again for later (no attempt made, none recorded). How much later follows
   * how long the send in flight has been running: about a second behind a receiver that fails
   * fast, up to the POST deadline behind one that hangs (so a large backlog isn't fetched and put
   * off over and over), with jitter.
   */
  private async putOff(deliveryId: string, runningForMs: number): Promise<void> {
    const deadline = this.deps.deliveryTimeoutMs ?? DELIVERY_TIMEOUT_MS;
    const base = this.deps.deferMs ?? Math.min(deadline, Math.max(MIN_PUT_OFF_MS, runningForMs));
    const delay = Math.round(base * (1 + 0.5 * (this.deps.random?.() ?? Math.random())));
    await this.deps.orm.em.fork().transactional((em) => this.deps.enqueue(em, deliveryId, delay));
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
        responseExcerpt: (result.privateTarget && this.deps.keepPrivateReplies === false ? '' : result.excerpt) || null,
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
        const failingSince = await this.recordFailure(em, endpoint.id, now);
        let delay = nextRetryDelayMs({
          attemptsMade: delivery.attemptCount,
          statusCode: result.statusCode,
          retryAfter: result.headers['retry-after'] ?? null,
          now,
          random: this.deps.random?.() ?? Math.random(),
        });
        let disabled = false;
        if (failingSince && now.getTime() - failingSince.getTime() >= DISABLE_AFTER_FAILING_MS) {
          // Checked again on the row itself: a re-enable committed since cleared failing_since.
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

  /**
   * Marks a failed attempt on the endpoint (`last_failure_at`) and returns when its current
   * failure streak began (`failing_since`). The streak starts afresh at this failure when there
   * is none (never failed, a success since, or re-enabled: both clear failing_since) or when the
   * previous failure is more than FAILURE_STREAK_GAP_MS old. One UPDATE computed from the row as
   * it is now, so concurrent attempts and a concurrent re-enable are not overwritten with what
   * this transaction read earlier; null if the endpoint row is gone.
   */
  private async recordFailure(em: EntityManager, id: string, now: Date): Promise<Date | null> {
    const rows = await em.execute<{ failing_since: Date | string }[]>(
      `update webhook_endpoints
          set failing_since = case when failing_since is null or last_failure_at is null or last_failure_at < ? then ? else failing_since end,
              last_failure_at = greatest(last_failure_at, ?)
        where id = ?
        returning failing_since`,
      [new Date(now.getTime() - FAILURE_STREAK_GAP_MS), now, now, id],
      'all',
    );
    const since = rows[0]?.failing_since;
    return since === undefined ? null : new Date(since);
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

/**
 * Deliveries one worker process sends at the same time. Each is its own pg-boss polling loop
 * (`boss.work` called once per slot, as pg-boss 10 recommends instead of v9's teamSize, see
 * https://github.com/timgit/pg-boss/issues/483) fetching one job at a time, so a slow endpoint
 * holds only the slot sending to it — for at most the 15 s POST deadline — while the other loops
 * keep fetching. (One loop with a batch of 8 fetched again only when the slowest of the 8 was
 * done, stalling every other tenant's deliveries behind one slow endpoint.)
 */
export const DELIVERY_SLOTS = 8;

/**
 * The worker side: pg-boss hands us jobs; a crash mid-send means the job expires and is retried
 * (at least once). Returns the id of the loop to wake (`boss.notifyWorker`) when a delivery is
 * queued; whichever loop fetches a job wakes an idle sibling, so a burst is picked up by several
 * loops at once, and a loop stuck on a slow send is covered by the others' 0.5 s polling.
 */
export async function workWebhookDeliveries(boss: PgBoss, sender: WebhookSender, logger: Logger, slots = DELIVERY_SLOTS): Promise<string> {
  const loops: string[] = [];
  const busy = new Set<string>();
  const deliver = async (job: PgBoss.Job<DeliveryJob>) => {
    try {
      await sender.send(job.data.deliveryId);
    } catch (err) {
      logger.error({ err, deliveryId: job.data.deliveryId }, 'webhook delivery crashed; pg-boss will retry');
      await boss.fail(QUEUES.webhookDelivery, job.id, { message: (err as Error).message });
    }
  };
  for (let i = 0; i < slots; i++) {
    const loop = { id: '' };
    loop.id = await boss.work<DeliveryJob>(QUEUES.webhookDelivery, { pollingIntervalSeconds: 0.5, batchSize: 1 }, async (jobs) => {
      busy.add(loop.id);
      try {
        // More jobs may be waiting: have an idle loop fetch at once instead of at its next poll,
        // or, when all are busy, this one as soon as it is done.
        const idle = loops.find((id) => !busy.has(id));
        setImmediate(() => boss.notifyWorker(idle ?? loop.id));
        await Promise.all(jobs.map(deliver));
      } finally {
        busy.delete(loop.id);
      }
    });
    loops.push(loop.id);
  }
  return loops[0]!;
}
