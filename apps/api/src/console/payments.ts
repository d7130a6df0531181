import { raw, type FilterQuery } from '@mikro-orm/postgresql';
import { encodeTime } from 'ulid';
import { AppError, ID_PREFIXES, type Mode, type PaymentObject, type PaymentStatus } from '@platform/core';
import { PaymentSchema, RefundSchema, type Payment } from '../db/entities/index.js';
import { toPaymentObject } from '../services/payment-object.js';
import { toRefundObject } from '../services/refunds.js';
import type { CrossTenantReader } from './db.js';
import { toPage } from './pagination.js';
import { paymentTimeline } from './payment-timeline.js';

export interface PaymentQuery {
  tenantId?: string | undefined;
  mode?: Mode | undefined;
  status?: PaymentStatus | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** Only payments in this currency (so amountMin/amountMax compare within it). */
  currency?: string | undefined;
  amountMin?: number | undefined;
  amountMax?: number | undefined;
  email?: string | undefined;
  id?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

export type ConsolePayment = PaymentObject & { tenantId: string };

/**
 * The same expression as the index `payments_customer_email` (migration …040000_console):
 * the planner only uses an expression index for the identical expression.
 */
const CUSTOMER_EMAIL = `lower(customer->>'email')`;

/**
 * Payments whose `created_at` is more than ID_TIME_SLACK_MS away from their id's time (or whose id
 * is not `pay_` + ULID): the predicate of the partial index `payments_id_time_mismatch`
 * (migration …050000_console_perf), written exactly as there so that the planner uses the index.
 */
const ID_TIME_MISMATCH = 'payment_id_time_mismatch(id, created_at)';
/** The function's tolerance (`interval '1 hour'` in the migration). */
const ID_TIME_SLACK_MS = 60 * 60 * 1000;
const MAX_ULID_TIME = 2 ** 48 - 1;

/** The smallest payment id minted at `ms`: ids are `pay_` + a ULID whose first 10 characters encode the time. */
function paymentIdAt(ms: number): string {
  return `${ID_PREFIXES.payment}_${encodeTime(Math.min(MAX_ULID_TIME, Math.max(0, ms)), 10).toLowerCase()}`;
}

/**
 * Payments across tenants, newest first (ids are time-ordered, so `id < cursor` is the keyset).
 * Indexed shapes: no filter (primary key), tenant, tenant + status, status, customer e-mail.
 * Currency and amount have no index of their own: they are checked on the rows one of those
 * (or the id range below) yields, newest first, until the page is full.
 *
 * A date filter is on `created_at`, but the rows come in id order, and the planner does not know
 * that ids follow `created_at`: for a window in the past it walked the primary key down from the
 * newest payment through every newer one. So with `from`/`to` the list is read in two parts:
 * - the id range of the window ± ID_TIME_SLACK_MS, which holds every payment whose `created_at`
 *   is within that slack of its id's time (all payments the platform creates): a range scan that
 *   starts at the window, on the primary key or an `…, id desc` index;
 * - the payments that are not (backdated or imported rows), from the partial index
 *   `payments_id_time_mismatch`, normally empty.
 * Both keep every filter, so the union is exact; its first `limit + 1` by id make the page.
 */
export async function listPayments(db: CrossTenantReader, q: PaymentQuery) {
  const where: FilterQuery<Payment>[] = [];
  if (q.tenantId) where.push({ tenantId: q.tenantId });
  if (q.mode) where.push({ mode: q.mode });
  if (q.status) where.push({ status: q.status });
  if (q.from) where.push({ createdAt: { $gte: q.from } });
  if (q.to) where.push({ createdAt: { $lt: q.to } });
  if (q.currency) where.push({ currency: q.currency });
  if (q.amountMin !== undefined) where.push({ amount: { $gte: q.amountMin } });
  if (q.amountMax !== undefined) where.push({ amount: { $lte: q.amountMax } });
  if (q.email) where.push({ [raw(CUSTOMER_EMAIL)]: q.email.trim().toLowerCase() });
  if (q.id) where.push({ id: q.id });
  if (q.cursor) where.push({ id: { $lt: q.cursor } });
  const options = { orderBy: { id: 'desc' }, limit: q.limit + 1 } as const;
  const find = (conditions: FilterQuery<Payment>[]) => db.find(PaymentSchema, conditions.length ? { $and: conditions } : {}, options);

  const fromMs = q.from?.getTime();
  const toMs = q.to?.getTime();
  const idRange: FilterQuery<Payment>[] = [];
  if (fromMs !== undefined && Number.isFinite(fromMs)) idRange.push({ id: { $gte: paymentIdAt(fromMs - ID_TIME_SLACK_MS) } });
  if (toMs !== undefined && Number.isFinite(toMs)) idRange.push({ id: { $lt: paymentIdAt(toMs + ID_TIME_SLACK_MS) } });
  if (idRange.length === 0) return toPage(await find(where), q.limit, (p) => p.id, toConsolePayment);

  const inRange = await find([...where, ...idRange]);
  const mismatched = await find([...where, { [raw(ID_TIME_MISMATCH)]: true }]);
  const byId = new Map([...inRange, ...mismatched].map((p) => [p.id, p]));
  const rows = [...byId.values()].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).slice(0, q.limit + 1);
  return toPage(rows, q.limit, (p) => p.id, toConsolePayment);
}

/** One payment with its refunds and everything that happened to it, oldest first. */
export async function getPayment(db: CrossTenantReader, paymentId: string) {
  const payment = await db.findOne(PaymentSchema, { id: paymentId });
  if (!payment) throw new AppError('resource_missing', `No such payment: '${paymentId}'`, { param: 'paymentId' });
  const refunds = await db.find(RefundSchema, { tenantId: payment.tenantId, mode: payment.mode, paymentId: payment.id }, { orderBy: { id: 'asc' } });
  return {
    payment: toConsolePayment(payment),
    refunds: refunds.map(toRefundObject),
    timeline: await paymentTimeline(db, payment, refunds),
  };
}

function toConsolePayment(payment: Payment): ConsolePayment {
  return { ...toPaymentObject(payment), tenantId: payment.tenantId };
}
