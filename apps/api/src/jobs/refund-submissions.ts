import type PgBoss from 'pg-boss';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { CurrencyCode } from '@platform/core';
import type { ProviderRegistry } from '@platform/providers';
import { PaymentSchema, RefundSchema } from '../db/entities/index.js';
import type { Logger } from '../logger.js';
import type { ProviderCaller } from '../providers/resilient-call.js';
import type { ProviderAccountService } from '../services/provider-accounts.js';
import type { EnqueueRefund, RefundService } from '../services/refunds.js';
import { QUEUES } from './boss.js';
import { transactionalDb } from './transactional-db.js';

interface RefundJob {
  refundId: string;
}

/** The refund's provider call is queued in the refund's own transaction: a crash after commit still sends it. */
export function enqueueRefund(boss: PgBoss): EnqueueRefund {
  return async (em, refund) => {
    await boss.send(QUEUES.refundSubmit, { refundId: refund.id } satisfies RefundJob, {
      db: transactionalDb(em),
      retryLimit: 8,
      retryDelay: 5,
      retryBackoff: true,
      expireInSeconds: 120,
    });
  };
}

export interface RefundSubmitterDeps {
  orm: MikroORM;
  providers: ProviderRegistry;
  accounts: ProviderAccountService;
  caller: ProviderCaller;
  refunds: RefundService;
  logger: Logger;
}

/**
 * Sends one pending refund to its provider (idempotency key: the refund id, so a re-run after
 * a crash or a retry refunds once). A refusal settles the refund as failed; a retryable failure
 * throws so pg-boss retries the job with backoff; success waits for the provider's webhook.
 */
export async function submitRefund(deps: RefundSubmitterDeps, refundId: string): Promise<'sent' | 'failed' | 'skipped'> {
  const em = deps.orm.em.fork();
  const refund = await em.findOne(RefundSchema, { id: refundId }, { filters: false });
  if (!refund || refund.status !== 'pending' || refund.providerReference) return 'skipped';
  const payment = await em.findOne(PaymentSchema, { id: refund.paymentId }, { filters: false });
  const account = await deps.accounts.byId(em, refund.providerAccountId);
  const adapter = deps.providers.get(refund.provider as never);
  const ctx = { actor: { type: 'system' as const, id: 'refund-submitter' }, requestId: null, ip: null };
  if (!payment?.providerReference || !account || !adapter) {
    await em.transactional((tx) => deps.refunds.settle(tx, refundId, 'failed', { failureReason: 'provider_unavailable' }, ctx));
    return 'failed';
  }
  const result = await deps.caller.call(account.id, () =>
    adapter.refund({
      account,
      refundId: refund.id,
      paymentId: refund.paymentId,
      paymentReference: payment.providerReference!,
      amount: refund.amount,
      currency: refund.currency as CurrencyCode,
    }),
  );
  if (result.ok) {
    await em.nativeUpdate(RefundSchema, { id: refund.id, providerReference: null }, { providerReference: result.reference }, { filters: false });
    return 'sent';
  }
  if (result.retryable) {
    deps.logger.warn({ refundId, code: result.code, tries: result.tries }, 'refund not accepted by the provider yet; the job will retry');
    throw new Error(`refund ${refundId}: ${result.code}`);
  }
  await em.transactional((tx) => deps.refunds.settle(tx, refundId, 'failed', { failureReason: result.code }, ctx));
  return 'failed';
}

export async function workRefundSubmissions(boss: PgBoss, deps: RefundSubmitterDeps): Promise<void> {
  await boss.work<RefundJob>(QUEUES.refundSubmit, { pollingIntervalSeconds: 0.5, batchSize: 5 }, async (jobs) => {
    for (const job of jobs) await submitRefund(deps, job.data.refundId);
  });
}
