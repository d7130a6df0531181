import type { CurrencyCode } from './currencies.js';
import type { Mode } from './redirect-urls.js';

/**
 * The PaymentProvider port: the one interface every provider adapter (sandbox, stripe, adyen)
 * implements. Adapters live in packages/providers/src/<name>/ and are registered in
 * packages/providers/src/registry.ts — adding a provider is one folder plus one line there.
 *
 * Rules for adapter authors:
 * - Outcomes are values. A decline, a provider 5xx or a network failure is returned as
 *   `{ ok: false, … }`, never thrown; throw only for programming errors.
 * - Only explicit success or failure is final. The payment's final status is set by the
 *   provider's webhook (or by reconciliation asking the provider), never by the browser and
 *   never by guessing from a synchronous answer.
 * - Every call that creates something at the provider carries an idempotency key derived
 *   from our attempt id, so a retry can never charge twice.
 * - Our payment id travels in the provider object (metadata / merchantReference) so inbound
 *   webhooks are mapped to a tenant by OUR reference, never by what the caller asserts.
 *
 * @example
 * ```ts
 * const result = await provider.authorize({ attemptId: 'att_…', paymentId: 'pay_…', amount: 1999,
 *   currency: 'EUR', mode: 'sandbox', card: { number: '4242424242424242', … } });
 * if (!result.ok) showError(result.code); // e.g. provider_error — the attempt failed, nothing final
 * else waitForWebhook(result.reference);   // the outcome arrives at POST /webhooks/<provider>
 * ```
 */
export interface PaymentProvider {
  readonly name: ProviderName;

  /** Starts a payment attempt at the provider. Success means "accepted for processing", not "paid". */
  authorize(request: AuthorizeRequest): Promise<ProviderResult<{ reference: string }>>;

  /** Finishes a customer action (3-D Secure) for an attempt; the outcome again arrives by webhook. */
  completeAction(request: CompleteActionRequest): Promise<ProviderResult<{ reference: string }>>;

  /**
   * Verifies an inbound webhook on its RAW body (before any JSON parsing) and maps it to
   * normalized outcomes. A bad signature returns `{ ok: false, kind: 'invalid_signature' }`.
   */
  parseWebhook(request: InboundWebhook): Promise<WebhookParseResult>;
}

export type ProviderName = 'sandbox' | 'stripe' | 'adyen';

export interface CardDetails {
  number: string;
  expMonth: number;
  expYear: number;
  cvc: string;
  name?: string;
}

export interface AuthorizeRequest {
  attemptId: string;
  paymentId: string;
  amount: number;
  currency: CurrencyCode;
  mode: Mode;
  /** Raw card data: only the sandbox accepts it; live card data never reaches the platform. */
  card?: CardDetails;
}

export interface CompleteActionRequest {
  attemptId: string;
  paymentId: string;
  reference: string;
  /** The customer's answer on the (simulated) 3-D Secure page. */
  approve: boolean;
}

export type ProviderFailureKind = 'declined' | 'provider_error' | 'network';

export type ProviderResult<T> =
  | ({ ok: true } & T)
  | { ok: false; kind: ProviderFailureKind; code: string; message: string; retryable: boolean };

export interface InboundWebhook {
  rawBody: Buffer;
  headers: Record<string, string | undefined>;
}

/** Normalized outcomes (spec/webhooks.md "In", step 4). */
export type NormalizedOutcome =
  | { type: 'processing' }
  | { type: 'requires_action' }
  | { type: 'authorized' }
  | { type: 'succeeded' }
  | { type: 'failed'; code: string; message: string }
  | { type: 'canceled' }
  | { type: 'refund_succeeded'; refundReference: string }
  | { type: 'refund_failed'; refundReference: string; code: string; message: string }
  | { type: 'not_supported'; providerType: string };

export interface ProviderEvent {
  /** The provider's own event id: the inbox dedupe key. */
  eventId: string;
  /** OUR payment id, as we set it on the provider object. */
  paymentId: string;
  /** OUR attempt id, when the provider object carries it (metadata). */
  attemptId?: string;
  /** The provider's reference of the attempt (PaymentIntent id, pspReference, sandbox ref). */
  reference: string;
  outcome: NormalizedOutcome;
  occurredAt: Date;
}

export type WebhookParseResult =
  | { ok: true; events: ProviderEvent[] }
  | { ok: false; kind: 'invalid_signature' | 'malformed'; message: string };
