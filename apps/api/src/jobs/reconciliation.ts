import type PgBoss from 'pg-boss';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { ProviderEvent } from '@platform/core';
import type { ProviderRegistry } from '@platform/providers';
import { PaymentAttemptSchema, RefundSchema, type Refund } from '../db/entities/index.js';
import type { Logger } from '../logger.js';
import type { ProviderCaller } from '../providers/resilient-call.js';
import type { MutationContext } from '../services/context.js';
import type { ProviderAccountService } from '../services/provider-accounts.js';
import type { ProviderWebhookService } from '../services/provider-webhooks.js';
import { QUEUES } from './boss.js';

export interface ReconcilerOptions {
  /** A payment `processing` for longer than this is checked with its provider. */
  processingAfterMs: number;
  /** An attempt whose call timed out after sending is checked this long after. */
  unknownAfterMs: number;
  /** A refund still not accepted by its provider this long after its last change is sent again. */
  refundUnsentAfterMs: number;
  /** A refund the provider accepted but whose webhook has not settled it this long after is looked up. */
  refundPendingAfterMs: number;
  /** …and looked up again at most this often while the provider says it is still pending. */
  refundRecheckAfterMs: number;
  batchSize: number;
}

export const DEFAULT_RECONCILER_OPTIONS: ReconcilerOptions = {
  processingAfterMs: 10 * 60_000,
  unknownAfterMs: 30_000,
  refundUnsentAfterMs: 15 * 60_000,
  refundPendingAfterMs: 10 * 60_000,
  refundRecheckAfterMs: 60 * 60_000,
  batchSize: 100,
};

const CTX: MutationContext = { actor: { type: 'system', id: 'reconciliation' }, requestId: null, ip: null };

/**
 * Resolves unknown outcomes by asking the provider, never by guessing: attempts whose call
 * timed out after sending, payments stuck in `processing`, and refunds whose webhook never came. The provider's answer goes
 * through the same pipeline as a webhook (inbox dedupe, state machine, events, audit).
 */
export class Reconciler {
  private readonly options: ReconcilerOptions;

  constructor(
    private readonly deps: {
      orm: MikroORM;
      providers: ProviderRegistry;
      accounts: ProviderAccountService;
      caller: ProviderCaller;
      providerWebhooks: ProviderWebhookService;
      logger: Logger;
      /** Resends refunds whose queued provider call gave up (same idempotency key: refunds once). */
      resendRefund?: (refundId: string) => Promise<unknown>;
    },
    options: Partial<ReconcilerOptions> = {},
  ) {
    this.options = { ...DEFAULT_RECONCILER_OPTIONS, ...options };
  }

  async run(now = new Date()): Promise<{ checked: number; resolved: number }> {
    const em = this.deps.orm.em.fork();
    const rows = await em.execute<{ id: string }[]>(
      `select a.id from payment_attempts a
        where a.status = 'unknown' and a.updated_at <= ?
       union
       select (select l.id from payment_attempts l where l.payment_id = p.id order by l.id desc limit 1) as id
         from payments p
        where p.status = 'processing' and p.updated_at <= ?
       limit ?`,
      [new Date(now.getTime() - this.options.unknownAfterMs), new Date(now.getTime() - this.options.processingAfterMs), this.options.batchSize],
    );
    let resolved = 0;
    for (const { id } of rows) {
      if (id && (await this.reconcileAttempt(id, now))) resolved++;
    }
    const resent = await this.resendUnsentRefunds(now);
    const refunds = await this.checkPendingRefunds(now);
    return { checked: rows.length + resent + refunds.checked, resolved: resolved + refunds.resolved };
  }

  /**
   * Refunds the provider accepted (they have its reference) that are still `pending` long after:
   * their webhook never came. The provider is asked (`retrieveRefund`) and a settled answer goes
   * through the webhook pipeline (inbox, refund settle, event, audit). Each is asked at most once
   * per `refundRecheckAfterMs`; a provider without a lookup (Adyen) is logged for operators.
   */
  async checkPendingRefunds(now = new Date()): Promise<{ checked: number; resolved: number }> {
    const em = this.deps.orm.em.fork();
    const refunds = await em.find(
      RefundSchema,
      {
        status: 'pending',
        providerReference: { $ne: null },
        updatedAt: { $lte: new Date(now.getTime() - this.options.refundPendingAfterMs) },
        $or: [{ checkedAt: null }, { checkedAt: { $lte: new Date(now.getTime() - this.options.refundRecheckAfterMs) } }],
      },
      { filters: false, orderBy: { updatedAt: 'asc' }, limit: this.options.batchSize },
    );
    let resolved = 0;
    for (const refund of refunds) {
      await em.nativeUpdate(RefundSchema, { id: refund.id }, { checkedAt: now }, { filters: false });
      if (await this.reconcileRefund(refund, now)) resolved++;
    }
    return { checked: refunds.length, resolved };
  }

  private async reconcileRefund(refund: Refund, now: Date): Promise<boolean> {
    const em = this.deps.orm.em.fork();
    const account = await this.deps.accounts.byId(em, refund.providerAccountId);
    const adapter = this.deps.providers.get(refund.provider as never);
    if (!account || !adapter || !refund.providerReference) return false;
    const refundReference = refund.providerReference;
    const result = await this.deps.caller.call(account.id, () =>
      adapter.retrieveRefund({ account, refundId: refund.id, paymentId: refund.paymentId, refundReference }),
    );
    if (!result.ok) {
      const log = { refundId: refund.id, paymentId: refund.paymentId, provider: refund.provider, code: result.code };
      if (result.code === 'not_supported') this.deps.logger.warn(log, 'refund still pending and its provider has no refund lookup: check it in the provider dashboard');
      else this.deps.logger.warn(log, 'refund reconciliation could not reach the provider; will ask again');
      return false;
    }
    if (result.outcome.type === 'processing') return false;
    const event: ProviderEvent = {
      eventId: `reconcile:${refund.id}:${result.outcome.type}`,
      paymentId: refund.paymentId,
      accountId: account.id,
      reference: refundReference,
      outcome: { ...result.outcome, refundId: refund.id },
      occurredAt: now,
    };
    const applied = await this.deps.providerWebhooks.applyEvent(refund.provider, event, CTX);
    this.deps.logger.info({ refundId: refund.id, paymentId: refund.paymentId, outcome: result.outcome.type, ...applied }, 'refund reconciled with the provider');
    return applied.result === 'applied';
  }

  /**
   * Refunds still `pending` without a provider reference long after creation: their job ran
   * out of retries (provider down for a long time). Sent again with the refund id as the
   * idempotency key, so a refund the provider did take is not made twice.
   */
  async resendUnsentRefunds(now = new Date()): Promise<number> {
    if (!this.deps.resendRefund) return 0;
    const rows = await this.deps.orm.em
      .fork()
      .execute<{ id: string }[]>(`select id from refunds where status = 'pending' and provider_reference is null and updated_at <= ? order by updated_at limit ?`, [
        new Date(now.getTime() - this.options.refundUnsentAfterMs),
        this.options.batchSize,
      ]);
    for (const { id } of rows) {
      try {
        await this.deps.resendRefund(id);
      } catch (err) {
        this.deps.logger.warn({ refundId: id, err }, 'refund still not accepted by its provider; will try again');
      }
    }
    return rows.length;
  }

  /** Asks the provider about one attempt; true when its answer moved the payment. */
  async reconcileAttempt(attemptId: string, now = new Date()): Promise<boolean> {
    const em = this.deps.orm.em.fork();
    const attempt = await em.findOne(PaymentAttemptSchema, { id: attemptId }, { filters: false });
    if (!attempt || attempt.status === 'succeeded' || attempt.status === 'failed') return false;
    const account = await this.deps.accounts.byId(em, attempt.providerAccountId);
    const adapter = this.deps.providers.get(attempt.provider as never);
    if (!account || !adapter) return false;
    const result = await this.deps.caller.call(account.id, () =>
      adapter.retrieve({ account, attemptId: attempt.id, paymentId: attempt.paymentId, reference: attempt.providerReference ?? null, clientResult: attempt.clientResult ?? null }),
    );
    if (!result.ok) {
      this.deps.logger.warn({ attemptId, code: result.code }, 'reconciliation could not reach the provider; will ask again');
      return false;
    }
    if (result.outcome.type === 'processing') {
      if (attempt.status === 'unknown') {
        // The provider has it and is still working on it: no longer unknown.
        await em.nativeUpdate(
          PaymentAttemptSchema,
          { id: attempt.id, status: 'unknown' },
          { status: 'processing', providerReference: attempt.providerReference ?? result.reference, updatedAt: now },
          { filters: false },
        );
      }
      return false;
    }
    const event: ProviderEvent = {
      eventId: `reconcile:${attempt.id}:${result.outcome.type}`,
      paymentId: attempt.paymentId,
      accountId: account.id,
      attemptId: attempt.id,
      reference: result.reference ?? attempt.providerReference ?? '',
      outcome: result.outcome,
      occurredAt: now,
    };
    const applied = await this.deps.providerWebhooks.applyEvent(attempt.provider, event, CTX);
    this.deps.logger.info({ attemptId, paymentId: attempt.paymentId, outcome: result.outcome.type, ...applied }, 'reconciled with the provider');
    return applied.result === 'applied';
  }
}

/** Every minute, one worker at a time (pg-boss cron). */
export async function scheduleReconciliation(boss: PgBoss, reconciler: Reconciler, logger: Logger): Promise<void> {
  await boss.schedule(QUEUES.reconciliation, '* * * * *', {}, { singletonKey: 'reconciliation' });
  await boss.work(QUEUES.reconciliation, async () => {
    const result = await reconciler.run();
    if (result.checked > 0) logger.info(result, 'reconciliation done');
  });
}
