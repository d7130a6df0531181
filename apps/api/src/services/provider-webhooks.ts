import type { MikroORM } from '@mikro-orm/postgresql';
import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { AppError, canTransitionPayment, type PaymentStatus, type ProviderEvent } from '@platform/core';
import type { NormalizedOutcome } from '@platform/core';
import type { ProviderRegistry } from '@platform/providers';
import { PaymentSchema, RefundSchema, TENANT_FILTER, type Payment, type PaymentAttempt } from '../db/entities/index.js';
import type { Logger } from '../logger.js';
import { finishAttempt, latestAttempt } from './attempts.js';
import type { MutationContext } from './context.js';
import type { PaymentService } from './payments.js';
import { SANDBOX_ACCOUNT, type ProviderAccountService } from './provider-accounts.js';
import type { RefundService } from './refunds.js';

type Applied = { result: 'applied' | 'ignored' | 'unknown_payment' | 'unknown_refund' | 'duplicate'; note?: string };

/**
 * The inbound provider webhook pipeline (spec/webhooks.md "In"): signature on the raw body
 * (against the secrets of that provider's accounts), tenant from OUR payment/refund id, the
 * payment's account must be the one whose secret verified the event, provider event id in an
 * inbox (duplicates acknowledged and nothing else), the normalized outcome applied through the
 * state machine with its event and audit entry in one transaction; stale or out-of-order
 * events recorded and ignored. Reconciliation feeds its answers through `applyEvent` too.
 */
export class ProviderWebhookService {
  constructor(
    private readonly deps: {
      orm: MikroORM;
      providers: ProviderRegistry;
      payments: PaymentService;
      refunds: RefundService;
      accounts: ProviderAccountService;
      logger: Logger;
      now?: () => Date;
    },
  ) {}

  async handle(providerName: string, rawBody: Buffer, headers: Record<string, string | undefined>, ctx: Omit<MutationContext, 'actor'>): Promise<Applied[]> {
    const provider = this.deps.providers.get(providerName as never);
    if (!provider) throw new AppError('route_not_found', `No webhook endpoint for provider '${providerName}'`);
    const accounts = provider.name === 'sandbox' ? [SANDBOX_ACCOUNT] : await this.deps.accounts.allOf(this.deps.orm.em.fork(), provider.name);
    const parsed = await provider.parseWebhook({ rawBody, headers }, accounts);
    if (!parsed.ok) {
      this.deps.logger.warn({ provider: providerName, reason: parsed.kind, requestId: ctx.requestId }, 'rejected provider webhook');
      throw new AppError('webhook_signature_invalid', parsed.kind === 'invalid_signature' ? 'Invalid webhook signature' : 'Malformed webhook');
    }
    const results: Applied[] = [];
    for (const event of parsed.events) {
      results.push(await this.applyEvent(providerName, event, { ...ctx, actor: { type: 'provider', id: providerName } }));
    }
    return results;
  }

  /** Applies one verified (or reconciled) provider event in its own transaction. */
  applyEvent(providerName: string, event: ProviderEvent, ctx: MutationContext): Promise<Applied> {
    const o = event.outcome;
    if (o.type === 'refund_succeeded' || o.type === 'refund_failed') return this.applyRefund(providerName, event, o, ctx);
    return this.deps.orm.em.fork().transactional(async (em) => {
      // The payment row lock serializes this event against checkout submits and other events.
      const payment = event.paymentId
        ? await em.findOne(PaymentSchema, { id: event.paymentId }, { filters: false, lockMode: LockMode.PESSIMISTIC_WRITE })
        : null;
      const mismatch = payment !== null && (payment.providerAccountId ?? SANDBOX_ACCOUNT.id) !== event.accountId;
      const entry = mismatch ? foreignEntry(event) : event;
      if (!(await this.inbox(em, providerName, entry, { tenantId: payment?.tenantId ?? null, mode: payment?.mode ?? null }))) return { result: 'duplicate' };
      const outcome: Applied = !payment
        ? { result: 'unknown_payment' }
        : mismatch
          ? { result: 'ignored', note: `account mismatch: the payment is at ${payment.providerAccountId ?? SANDBOX_ACCOUNT.id}, the event was signed by ${event.accountId}` }
          : await this.decide(em, payment, providerName, event, ctx);
      return this.record(em, providerName, entry, outcome);
    });
  }

  private applyRefund(
    providerName: string,
    event: ProviderEvent,
    o: Extract<NormalizedOutcome, { type: 'refund_succeeded' | 'refund_failed' }>,
    ctx: MutationContext,
  ): Promise<Applied> {
    return this.deps.orm.em.fork().transactional(async (em) => {
      const refund = o.refundId
        ? await em.findOne(RefundSchema, { id: o.refundId }, { filters: false })
        : await em.findOne(RefundSchema, { provider: providerName, providerReference: o.refundReference }, { filters: false });
      const mismatch = refund !== null && (refund.providerAccountId ?? SANDBOX_ACCOUNT.id) !== event.accountId;
      const entry = mismatch ? foreignEntry(event) : event;
      if (!(await this.inbox(em, providerName, entry, { tenantId: refund?.tenantId ?? null, mode: refund?.mode ?? null, refundId: refund?.id ?? null }))) {
        return { result: 'duplicate' };
      }
      let outcome: Applied;
      if (!refund) outcome = { result: 'unknown_refund' };
      else if (mismatch) outcome = { result: 'ignored', note: `account mismatch for refund ${refund.id}` };
      else {
        const settled = await this.deps.refunds.settle(
          em,
          refund.id,
          o.type === 'refund_succeeded' ? 'succeeded' : 'failed',
          { providerReference: o.refundReference, failureReason: o.type === 'refund_failed' ? o.code : null },
          ctx,
        );
        outcome = settled.applied ? { result: 'applied' } : { result: 'ignored', ...(settled.note ? { note: settled.note } : {}) };
      }
      return this.record(em, providerName, entry, outcome);
    });
  }

  /** The inbox: false when this provider event id was seen before (a duplicate delivery). */
  private async inbox(em: EntityManager, providerName: string, event: ProviderEvent, owner: { tenantId: string | null; mode: string | null; refundId?: string | null }): Promise<boolean> {
    const inserted = await em.execute<{ event_id: string }[]>(
      `insert into provider_events (provider, event_id, payment_id, refund_id, account_id, tenant_id, mode, outcome, result, received_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, 'applied', ?) on conflict do nothing returning event_id`,
      [providerName, event.eventId, event.paymentId, owner.refundId ?? null, event.accountId, owner.tenantId, owner.mode, event.outcome.type, this.now()],
    );
    return inserted.length > 0;
  }

  private async record(em: EntityManager, providerName: string, event: ProviderEvent, outcome: Applied): Promise<Applied> {
    if (outcome.result !== 'applied') {
      await em.execute('update provider_events set result = ?, note = ? where provider = ? and event_id = ?', [
        outcome.result,
        outcome.note ?? null,
        providerName,
        event.eventId,
      ]);
      this.deps.logger.info({ provider: providerName, eventId: event.eventId, paymentId: event.paymentId, ...outcome }, 'provider event recorded, not applied');
    }
    return outcome;
  }

  private async decide(em: EntityManager, payment: Payment, providerName: string, event: ProviderEvent, ctx: MutationContext): Promise<Applied> {
    em.setFilterParams(TENANT_FILTER, { tenantId: payment.tenantId, mode: payment.mode });
    const attempt = await latestAttempt(em, payment.id, true);
    if (!attempt || attempt.provider !== providerName) return { result: 'ignored', note: 'no attempt at this provider' };
    // The latest attempt, named by our attempt id (metadata) or by the provider object it used
    // (a Stripe PaymentIntent is confirmed again by the next attempt after a decline).
    const byId = event.attemptId === attempt.id;
    const byReference = attempt.providerReference !== null && attempt.providerReference === event.reference;
    const plan = planFor(event);
    // A success that can't name its attempt (`attemptUnknown`: an Adyen AUTHORISATION whose
    // metadata was dropped) is still the provider saying it took the money for OUR payment id —
    // merchantReference, covered by the signature — through the account of the latest attempt:
    // applied, never lost. Anything else that names no current attempt is stale or unknown:
    // recorded, never applied on a guess.
    const successOfPayment = event.attemptUnknown === true && plan?.to === 'succeeded' && (attempt.providerAccountId ?? SANDBOX_ACCOUNT.id) === event.accountId;
    if (!byId && !byReference && !successOfPayment) return { result: 'ignored', note: `stale: not the latest attempt (${attempt.id})` };
    if (!plan) return { result: 'ignored', note: `outcome ${event.outcome.type} not applicable to payments` };
    // Matched only by the provider object: an event from before this attempt started belongs to
    // an earlier confirmation of the same PaymentIntent (a decline arriving late).
    if (!byId && plan.to !== 'succeeded' && event.occurredAt.getTime() < attempt.createdAt.getTime() - 1000) {
      return { result: 'ignored', note: `stale: from before attempt ${attempt.id} started` };
    }
    // A success is the provider saying the money was taken: it is applied even over an attempt we
    // had marked failed (a late success after a decline of the same object), never lost.
    if (attempt.status === 'succeeded' || (attempt.status === 'failed' && plan.to !== 'succeeded')) {
      return { result: 'ignored', note: `attempt already ${attempt.status}` };
    }
    if (payment.status === plan.to || !canTransitionPayment(payment.status, plan.to)) {
      return { result: 'ignored', note: `transition ${payment.status} → ${plan.to} not allowed` };
    }
    const now = this.now();
    attempt.providerReference ??= event.reference;
    finishAttempt(attempt, plan.attemptStatus, now, plan.error);
    await this.deps.payments.changeStatus(em, payment, plan.to, {
      event: plan.event,
      action: `payment.provider_${event.outcome.type}`,
      ctx,
      mutate: (p) => {
        p.providerReference = event.reference;
        p.lastError = plan.error ?? (plan.to === 'succeeded' ? null : p.lastError);
      },
    });
    return { result: 'applied' };
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

/**
 * Provider event ids are unique per provider account. An event verified by an account that does
 * not hold the payment/refund is recorded (and ignored) under an inbox key scoped to that
 * account, so it can never take the inbox slot of the genuine event with the same id.
 */
function foreignEntry(event: ProviderEvent): ProviderEvent {
  return { ...event, eventId: `${event.eventId}@${event.accountId}` };
}

interface Plan {
  to: PaymentStatus;
  event: 'payment.processing' | 'payment.requires_action' | 'payment.succeeded' | 'payment.failed' | 'payment.canceled';
  attemptStatus: PaymentAttempt['status'];
  error?: { code: string; message: string };
}

/** Normalized outcome → target status, event and attempt status. */
function planFor(event: ProviderEvent): Plan | null {
  const o = event.outcome;
  switch (o.type) {
    case 'processing':
      return { to: 'processing', event: 'payment.processing', attemptStatus: 'processing' };
    case 'requires_action':
      return { to: 'requires_action', event: 'payment.requires_action', attemptStatus: 'requires_action' };
    case 'authorized':
    case 'succeeded':
      return { to: 'succeeded', event: 'payment.succeeded', attemptStatus: 'succeeded' };
    case 'failed':
      return { to: 'requires_payment_method', event: 'payment.failed', attemptStatus: 'failed', error: { code: o.code, message: o.message } };
    case 'canceled':
      return { to: 'canceled', event: 'payment.canceled', attemptStatus: 'failed', error: { code: 'canceled', message: 'Canceled at the provider' } };
    default:
      return null;
  }
}
