import { randomUUID } from 'node:crypto';
import type {
  AuthorizeRequest,
  CompleteActionRequest,
  InboundWebhook,
  NormalizedOutcome,
  PaymentProvider,
  ProviderResult,
} from '@platform/core';
import { behaviourOf } from './cards.js';
import { parseSandboxWebhook, type SandboxWebhookBody } from './webhook.js';

/**
 * Hands a webhook to the host for delivery after `delayMs`. The host makes it durable (a job
 * queue) and signs it at send time, the way a real provider's delivery system would.
 */
export type ScheduleWebhook = (body: SandboxWebhookBody, delayMs: number) => Promise<void>;

export interface SandboxProviderOptions {
  /** Standard Webhooks secret (`whsec_…`) shared by the simulated provider and the platform. */
  webhookSecret: string;
  scheduleWebhook: ScheduleWebhook;
  now?: () => Date;
}

/** The built-in sandbox provider: test cards decide outcomes; no money, no network beyond our own webhook endpoint. */
export function createSandboxProvider(options: SandboxProviderOptions): PaymentProvider {
  const now = options.now ?? (() => new Date());
  const report = (request: { attemptId: string; paymentId: string }, reference: string, outcome: NormalizedOutcome, delayMs: number) =>
    options.scheduleWebhook(
      {
        id: `sbxevt_${randomUUID()}`,
        type: 'sandbox.outcome',
        created: new Date(now().getTime() + delayMs).toISOString(),
        data: { paymentId: request.paymentId, attemptId: request.attemptId, reference, outcome },
      },
      delayMs,
    );

  return {
    name: 'sandbox',

    async authorize(request: AuthorizeRequest): Promise<ProviderResult<{ reference: string }>> {
      if (request.mode !== 'sandbox' || !request.card) {
        return { ok: false, kind: 'declined', code: 'card_data_required', message: 'The sandbox provider needs sandbox card data', retryable: false };
      }
      const behaviour = behaviourOf(request.card.number);
      if (behaviour.kind === 'provider_error') {
        return { ok: false, kind: 'provider_error', code: 'provider_error', message: 'The sandbox provider answered HTTP 500', retryable: true };
      }
      // One reference per attempt: the attempt id is our idempotency key at the "provider".
      const reference = `sbx_${request.attemptId}`;
      await report(request, reference, behaviour.outcome, behaviour.delayMs);
      return { ok: true, reference };
    },

    async completeAction(request: CompleteActionRequest): Promise<ProviderResult<{ reference: string }>> {
      const outcome: NormalizedOutcome = request.approve
        ? { type: 'succeeded' }
        : { type: 'failed', code: 'authentication_failed', message: 'The customer failed 3-D Secure authentication.' };
      await report(request, request.reference, outcome, 0);
      return { ok: true, reference: request.reference };
    },

    async parseWebhook(request: InboundWebhook) {
      return parseSandboxWebhook(options.webhookSecret, request.rawBody, request.headers);
    },
  };
}
