import type Stripe from 'stripe';
import type {
  AuthorizeRequest,
  CompleteActionRequest,
  InboundWebhook,
  NextAction,
  PaymentProvider,
  PrepareRequest,
  ProviderAccount,
  ProviderFailure,
  ProviderResult,
  RefundRequest,
  RetrieveRefundRequest,
  RetrieveRequest,
  StripeCredentials,
} from '@platform/core';
import { toStripeAmount, toStripeCurrency } from './amounts.js';
import { createStripeClientCache } from './client.js';
import { toProviderFailure } from './errors.js';
import { paymentErrorCode, paymentErrorMessage, paymentIntentOutcome, refundOutcome } from './outcomes.js';
import { parseStripeWebhook } from './webhook.js';

export interface StripeProviderOptions {
  /** Test-only: point the official SDK at a local server (env `STRIPE_..._BASE_URL`). */
  apiBaseUrl?: string;
  /** Per-request timeout in milliseconds (default 15 000). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;

/** Idempotency key of the confirm call: one confirmation per attempt. */
export const confirmIdempotencyKey = (attemptId: string) => `${attemptId}:confirm`;

/** Search query finding the PaymentIntent `prepare` created for an attempt (Stripe search syntax). */
export const attemptSearchQuery = (attemptId: string) => `metadata['attemptId']:'${attemptId.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * The Stripe adapter: PaymentIntents confirmed server-side with a ConfirmationToken from the
 * Payment Element. Credentials arrive with every call (`request.account`); one SDK client is
 * kept per secret key. Stripe failures are returned as values (errors.ts), never thrown.
 */
export function createStripeProvider(options: StripeProviderOptions): PaymentProvider {
  const clientFor = createStripeClientCache({ apiBaseUrl: options.apiBaseUrl, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS });

  /** Runs `fn` with the account's client; SDK errors become ProviderFailure values. */
  async function withStripe<T>(
    account: ProviderAccount,
    fn: (stripe: Stripe, credentials: StripeCredentials) => Promise<ProviderResult<T>>,
  ): Promise<ProviderResult<T>> {
    if (account.provider !== 'stripe') return notStripe(account);
    try {
      return await fn(clientFor(account.credentials.secretKey), account.credentials);
    } catch (err) {
      return toProviderFailure(err);
    }
  }

  return {
    name: 'stripe',

    prepare: (request: PrepareRequest) =>
      withStripe(request.account, async (stripe, credentials) => {
        const amount = toStripeAmount(request.amount, request.currency);
        if (amount === null) return invalidAmount(request.amount, request.currency);
        const pi = await stripe.paymentIntents.create(
          {
            amount,
            currency: toStripeCurrency(request.currency),
            automatic_payment_methods: { enabled: true },
            ...(request.description ? { description: request.description } : {}),
            metadata: { paymentId: request.paymentId, attemptId: request.attemptId },
          },
          { idempotencyKey: request.attemptId },
        );
        if (!pi.client_secret) return unexpected(`PaymentIntent ${pi.id} came back without a client_secret`);
        return {
          ok: true,
          reference: pi.id,
          client: { type: 'stripe_payment_element', publishableKey: credentials.publishableKey, clientSecret: pi.client_secret },
        };
      }),

    authorize: (request: AuthorizeRequest) =>
      withStripe<{ reference: string; nextAction?: NextAction }>(request.account, async (stripe) => {
        if (!request.reference) return unexpected('authorize needs the PaymentIntent that prepare created (reference)');
        if (!request.confirmationToken) {
          return { ok: false, kind: 'declined', code: 'confirmation_token_required', message: 'No payment details were submitted (ConfirmationToken missing)', retryable: false };
        }
        const pi = await stripe.paymentIntents.confirm(
          request.reference,
          { confirmation_token: request.confirmationToken, ...(request.returnUrl ? { return_url: request.returnUrl } : {}) },
          { idempotencyKey: confirmIdempotencyKey(request.attemptId) },
        );
        if (pi.status === 'requires_action') {
          if (!pi.client_secret) return unexpected(`PaymentIntent ${pi.id} requires an action but has no client_secret`);
          return { ok: true, reference: pi.id, nextAction: { type: 'stripe_handle_next_action', clientSecret: pi.client_secret } };
        }
        if (pi.status === 'requires_payment_method' && pi.last_payment_error) {
          return { ok: false, kind: 'declined', code: paymentErrorCode(pi.last_payment_error), message: paymentErrorMessage(pi.last_payment_error), retryable: false };
        }
        // succeeded / processing / requires_capture: accepted; the outcome comes by webhook.
        return { ok: true, reference: pi.id };
      }),

    // Stripe runs 3-D Secure in the browser (stripe.handleNextAction); the outcome comes by webhook.
    completeAction: (request: CompleteActionRequest) =>
      withStripe(request.account, async () => ({ ok: true, reference: request.reference })),

    retrieve: (request: RetrieveRequest) =>
      withStripe(request.account, async (stripe) => {
        const pi = request.reference
          ? await stripe.paymentIntents.retrieve(request.reference)
          : (await stripe.paymentIntents.search({ query: attemptSearchQuery(request.attemptId), limit: 1 })).data[0];
        if (!pi) {
          // Nothing at Stripe for this attempt: the creating call never took effect. (Search
          // lags writes by up to a minute, but an intent nobody got the client secret of can
          // never be paid, so "failed" is safe either way.)
          return { ok: true, reference: null, outcome: { type: 'failed', code: 'not_found', message: 'Stripe has no PaymentIntent for this attempt' } };
        }
        const owner = pi.metadata?.paymentId;
        if (owner && owner !== request.paymentId) {
          return unexpected(`PaymentIntent ${pi.id} belongs to payment ${owner}, not ${request.paymentId}`);
        }
        return { ok: true, reference: pi.id, outcome: paymentIntentOutcome(pi) };
      }),

    refund: (request: RefundRequest) =>
      withStripe(request.account, async (stripe) => {
        const amount = toStripeAmount(request.amount, request.currency);
        if (amount === null) return invalidAmount(request.amount, request.currency);
        const refund = await stripe.refunds.create(
          { payment_intent: request.paymentReference, amount, metadata: { refundId: request.refundId, paymentId: request.paymentId } },
          { idempotencyKey: request.refundId },
        );
        return { ok: true, reference: refund.id };
      }),

    retrieveRefund: (request: RetrieveRefundRequest) =>
      withStripe(request.account, async (stripe) => {
        const refund = await stripe.refunds.retrieve(request.refundReference);
        const owner = refund.metadata?.['refundId'];
        if (owner && owner !== request.refundId) return unexpected(`Refund ${refund.id} belongs to refund ${owner}, not ${request.refundId}`);
        return { ok: true, outcome: refundOutcome(refund, request.refundId, { type: 'processing' as const }) };
      }),

    parseWebhook: async (request: InboundWebhook, accounts: readonly ProviderAccount[]) => parseStripeWebhook(request, accounts),
  };
}

function notStripe(account: ProviderAccount): ProviderFailure {
  return { ok: false, kind: 'provider_error', code: 'account_provider_mismatch', message: `Account ${account.id} is a ${account.provider} account, not a Stripe account`, retryable: false };
}

function invalidAmount(amount: number, currency: string): ProviderFailure {
  return { ok: false, kind: 'provider_error', code: 'invalid_amount', message: `Stripe cannot charge ${amount} minor units of ${currency}`, retryable: false };
}

function unexpected(message: string): ProviderFailure {
  return { ok: false, kind: 'provider_error', code: 'unexpected_response', message, retryable: false };
}
