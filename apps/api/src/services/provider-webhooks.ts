import type { MikroORM } from '@mikro-orm/postgresql';
import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { AppError, canTransitionPayment, type PaymentStatus, type ProviderEvent } from '@platform/core';
import type { ProviderRegistry } from '@platform/providers';
import { PaymentSchema, TENANT_FILTER, type Payment, type PaymentAttempt } from '../db/entities/index.js';
import type { Logger } from '../logger.js';
import { finishAttempt, latestAttempt } from './attempts.js';
import type { MutationContext } from './context.js';
import type { PaymentService } from './payments.js';

type Applied = { result: 'applied' | 'ignored' | 'unknown_payment' | 'duplicate'; note?: string };

/**
 * The inbound provider webhook pipeline (spec/webhooks.md "In"): signature on the raw body,
 * tenant from OUR payment id, provider event id in an inbox (duplicates acknowledged and
 * nothing else), the normalized outcome applied through the state machine with its event and
 * audit entry in one transaction; stale or out-of-order events recorded and ignored.
 */
export class ProviderWebhookService {
  constructor(
    private readonly deps: { orm: MikroORM; providers: ProviderRegistry; payments: PaymentService; logger: Logger; now?: () => Date },
  ) {}

  async handle(providerName: string, rawBody: Buffer, headers: Record<string, string | undefined>, ctx: Omit<MutationContext, 'actor'>): Promise<Applied[]> {
    const provider = this.deps.providers.get(providerName as never);
    if (!provider) throw new AppError('route_not_found', `No webhook endpoint for provider '${providerName}'`);
    const parsed = await provider.parseWebhook({ rawBody, headers });
    if (!parsed.ok) {
      this.deps.logger.warn({ provider: providerName, reason: parsed.kind, requestId: ctx.requestId }, 'rejected provider webhook');
      throw new AppError('webhook_signature_invalid', parsed.kind === 'invalid_signature' ? 'Invalid webhook signature' : 'Malformed webhook');
    }
    const results: Applied[] = [];
    for (const event of parsed.events) {
      results.push(await this.apply(providerName, event, { ...ctx, actor: { type: 'provider', id: providerName } }));
    }
    return results;
  }

  private apply(providerName: string, event: ProviderEvent, ctx: MutationContext): Promise<Applied> {
    return this.deps.orm.em.fork().transactional(async (em) => {
      // The payment row lock serializes this event against checkout submits and other events.
      const payment = await em.findOne(PaymentSchema, { id: event.paymentId }, { filters: false, lockMode: LockMode.PESSIMISTIC_WRITE });
      const inserted = await em.execute<{ event_id: string }[]>(
        `insert into provider_events (provider, event_id, payment_id, tenant_id, mode, outcome, result, received_at)
         values (?, ?, ?, ?, ?, ?, 'applied', ?) on conflict do nothing returning event_id`,
        [providerName, event.eventId, event.paymentId, payment?.tenantId ?? null, payment?.mode ?? null, event.outcome.type, this.now()],
      );
      if (inserted.length === 0) return { result: 'duplicate' };
      const outcome = payment ? await this.decide(em, payment, providerName, event, ctx) : ({ result: 'unknown_payment' } as Applied);
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
    });
  }

  private async decide(em: EntityManager, payment: Payment, providerName: string, event: ProviderEvent, ctx: MutationContext): Promise<Applied> {
    em.setFilterParams(TENANT_FILTER, { tenantId: payment.tenantId, mode: payment.mode });
    const attempt = await latestAttempt(em, payment.id, true);
    if (!attempt || attempt.provider !== providerName) return { result: 'ignored', note: 'no attempt at this provider' };
    const sameAttempt = event.attemptId ? attempt.id === event.attemptId : attempt.providerReference === event.reference;
    if (!sameAttempt) return { result: 'ignored', note: `stale: not the latest attempt (${attempt.id})` };
    if (attempt.status === 'succeeded' || attempt.status === 'failed') {
      return { result: 'ignored', note: `attempt already ${attempt.status}` };
    }
    const plan = planFor(event);
    if (!plan) return { result: 'ignored', note: `outcome ${event.outcome.type} not applicable to payments` };
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
