import type PgBoss from 'pg-boss';
import type { MikroORM } from '@mikro-orm/postgresql';
import { PaymentSchema, TENANT_FILTER } from '../db/entities/index.js';
import type { Logger } from '../logger.js';
import type { MutationContext } from '../services/context.js';
import type { PaymentService } from '../services/payments.js';
import { QUEUES } from './boss.js';

/** spec/payments.md: a payment with no successful attempt within 24 h is canceled ("expired"). */
export const PAYMENT_EXPIRY_MS = 24 * 60 * 60 * 1000;

const CTX: MutationContext = { actor: { type: 'system', id: 'expiry' }, requestId: null, ip: null };

/**
 * Cancels open payments (waiting for a payment method or a customer action) older than 24 h,
 * each in its own transaction with its `payment.canceled` event and audit entry. Payments in
 * `processing` are left to reconciliation: the provider may still take the money.
 */
export async function expirePayments(orm: MikroORM, payments: PaymentService, now = new Date(), batchSize = 100): Promise<number> {
  const cutoff = new Date(now.getTime() - PAYMENT_EXPIRY_MS);
  const due = await orm.em
    .fork()
    .find(
      PaymentSchema,
      { status: { $in: ['requires_payment_method', 'requires_action'] }, createdAt: { $lte: cutoff } },
      { filters: false, fields: ['id', 'tenantId', 'mode'], orderBy: { createdAt: 'asc' }, limit: batchSize },
    );
  let expired = 0;
  for (const row of due) {
    const done = await orm.em.fork().transactional(async (em) => {
      em.setFilterParams(TENANT_FILTER, { tenantId: row.tenantId, mode: row.mode });
      const payment = await payments.getForUpdate(em, row.id);
      if (payment.status !== 'requires_payment_method' && payment.status !== 'requires_action') return false;
      await payments.changeStatus(em, payment, 'canceled', {
        event: 'payment.canceled',
        action: 'payment.expire',
        ctx: CTX,
        mutate: (p) => {
          p.cancellationReason = 'expired';
          p.checkoutTokenId = null;
        },
      });
      return true;
    });
    if (done) expired++;
  }
  return expired;
}

/**
 * One run of the job: batch after batch until nothing more is due, so a backlog of any size is
 * worked off (100 per run every 5 minutes would cap expiry at 28,800 payments a day). At most
 * `maxBatches` batches, to keep one run bounded; the next run goes on where it stopped.
 */
export async function expireDuePayments(orm: MikroORM, payments: PaymentService, now = new Date(), options: { batchSize?: number; maxBatches?: number } = {}): Promise<number> {
  const batchSize = options.batchSize ?? 100;
  const maxBatches = options.maxBatches ?? 200;
  let total = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const expired = await expirePayments(orm, payments, now, batchSize);
    total += expired;
    if (expired < batchSize) break;
  }
  return total;
}

export async function scheduleExpiry(boss: PgBoss, orm: MikroORM, payments: PaymentService, logger: Logger): Promise<void> {
  await boss.schedule(QUEUES.expiry, '*/5 * * * *', {}, { singletonKey: 'payment-expiry' });
  await boss.work(QUEUES.expiry, async () => {
    const expired = await expireDuePayments(orm, payments);
    if (expired > 0) logger.info({ expired }, 'expired payments canceled');
  });
}
