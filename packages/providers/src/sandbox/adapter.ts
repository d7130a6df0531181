import { randomUUID } from 'node:crypto';
import type {
  AuthorizeRequest,
  CompleteActionRequest,
  InboundWebhook,
  NormalizedOutcome,
  PaymentProvider,
  PrepareRequest,
  ProviderAccount,
  ProviderResult,
  RefundLookupOutcome,
  RefundRequest,
  RetrieveRefundRequest,
  RetrieveRequest,
} from '@platform/core';
import { behaviourOf, refundFails } from './cards.js';
import { parseSandboxWebhook, type SandboxWebhookBody } from './webhook.js';

/**
 * Hands a webhook to the host for delivery after `delayMs`. The host makes it durable (a job
 * queue) and signs it at send time, the way a real provider's delivery system would.
 */
export type ScheduleWebhook = (body: SandboxWebhookBody, delayMs: number) => Promise<void>;

/**
 * The simulated provider's own records: what it decided for each reference and from when that
 * is visible. Reconciliation asks it (`retrieve`) exactly as it would ask Stripe or Adyen.
 */
export interface SandboxLedger {
  record(reference: string, outcome: NormalizedOutcome, settlesAt: Date): Promise<void>;
  lookup(reference: string, now: Date): Promise<NormalizedOutcome | null>;
}

export interface SandboxProviderOptions {
  /** Standard Webhooks secret (`whsec_…`) shared by the simulated provider and the platform. */
  webhookSecret: string;
  scheduleWebhook: ScheduleWebhook;
  ledger?: SandboxLedger;
  now?: () => Date;
}

/** The implicit account of the built-in sandbox provider (it has no credentials). */
export const SANDBOX_ACCOUNT_ID = 'sandbox';

/** The built-in sandbox provider: test cards decide outcomes; no money, no network beyond our own webhook endpoint. */
export function createSandboxProvider(options: SandboxProviderOptions): PaymentProvider {
  const now = options.now ?? (() => new Date());
  const report = async (
    data: { paymentId: string | null; attemptId?: string; refundId?: string },
    reference: string,
    outcome: NormalizedOutcome,
    delayMs: number,
  ) => {
    const settlesAt = new Date(now().getTime() + delayMs);
    await options.ledger?.record(reference, outcome, settlesAt);
    // Only our ids travel in the webhook: never card data or anything else from the request.
    const ids = {
      paymentId: data.paymentId,
      ...(data.attemptId ? { attemptId: data.attemptId } : {}),
      ...(data.refundId ? { refundId: data.refundId } : {}),
    };
    await options.scheduleWebhook(
      { id: `sbxevt_${randomUUID()}`, type: 'sandbox.outcome', created: settlesAt.toISOString(), data: { ...ids, reference, outcome } },
      delayMs,
    );
  };

  return {
    name: 'sandbox',

    async prepare(request: PrepareRequest) {
      // Nothing to create up front: the hosted page shows the sandbox card form.
      return { ok: true, reference: `sbx_${request.attemptId}`, client: { type: 'card_form' } };
    },

    async authorize(request: AuthorizeRequest): Promise<ProviderResult<{ reference: string }>> {
      if (request.mode !== 'sandbox' || !request.card) {
        return { ok: false, kind: 'declined', code: 'card_data_required', message: 'The sandbox provider needs sandbox card data', retryable: false };
      }
      const behaviour = behaviourOf(request.card.number);
      if (behaviour.kind === 'provider_error') {
        return { ok: false, kind: 'provider_error', code: 'provider_error', message: 'The sandbox provider answered HTTP 500', retryable: true, status: 500 };
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

    async retrieve(request: RetrieveRequest) {
      const reference = request.reference ?? `sbx_${request.attemptId}`;
      const outcome = (await options.ledger?.lookup(reference, now())) ?? null;
      if (!outcome) {
        // The simulated provider never received this attempt (or it has not settled yet).
        return { ok: true, reference, outcome: request.reference ? { type: 'processing' } : { type: 'failed', code: 'not_found', message: 'The sandbox provider has no record of this attempt' } };
      }
      return { ok: true, reference, outcome };
    },

    async refund(request: RefundRequest): Promise<ProviderResult<{ reference: string }>> {
      const reference = `sbxre_${request.refundId}`;
      const outcome: NormalizedOutcome = refundFails(request.amount)
        ? { type: 'refund_failed', refundId: request.refundId, refundReference: reference, code: 'refund_failed', message: 'The sandbox provider failed this refund (amount ends in 99)' }
        : { type: 'refund_succeeded', refundId: request.refundId, refundReference: reference };
      await report({ paymentId: request.paymentId, refundId: request.refundId }, reference, outcome, 0);
      return { ok: true, reference };
    },

    async retrieveRefund(request: RetrieveRefundRequest): Promise<ProviderResult<{ outcome: RefundLookupOutcome }>> {
      const outcome = (await options.ledger?.lookup(request.refundReference, now())) ?? null;
      if (outcome?.type === 'refund_succeeded' || outcome?.type === 'refund_failed') return { ok: true, outcome: { ...outcome, refundId: request.refundId } };
      // Not settled yet (or not recorded): still pending.
      return { ok: true, outcome: { type: 'processing' } };
    },

    async parseWebhook(request: InboundWebhook, _accounts: readonly ProviderAccount[]) {
      return parseSandboxWebhook(options.webhookSecret, request.rawBody, request.headers);
    },
  };
}
