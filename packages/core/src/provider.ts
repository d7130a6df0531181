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

  /**
   * Creates the provider-side object the hosted page completes (Stripe PaymentIntent, Adyen
   * Checkout session) and returns what the browser needs (publishable/client key, client
   * secret / session data). Nothing is charged yet. The sandbox needs nothing and returns
   * `{ type: 'card_form' }` with the attempt id as its reference.
   */
  prepare(request: PrepareRequest): Promise<ProviderResult<{ reference: string; client: ClientConfig }>>;

  /**
   * Submits the customer's payment from OUR server (sandbox card; Stripe: confirms the prepared
   * PaymentIntent with a ConfirmationToken from the Payment Element). Success means "accepted
   * for processing", not "paid": the outcome arrives by webhook or reconciliation. A failure of
   * kind `timeout` means the request was sent and its outcome is unknown.
   */
  authorize(request: AuthorizeRequest): Promise<ProviderResult<{ reference: string; nextAction?: NextAction }>>;

  /** Finishes a customer action (3-D Secure) for an attempt; the outcome again arrives by webhook. */
  completeAction(request: CompleteActionRequest): Promise<ProviderResult<{ reference: string }>>;

  /**
   * Asks the provider for the current state of an attempt (reconciliation). `reference` may be
   * null when the creating call timed out; the adapter then looks the object up by our attempt
   * id (Stripe: search by metadata). `{ type: 'processing' }` means "still open, ask later".
   */
  retrieve(request: RetrieveRequest): Promise<ProviderResult<{ reference: string | null; outcome: NormalizedOutcome }>>;

  /**
   * Refunds (part of) a captured payment. Idempotency key: our refund id. Success means
   * "accepted"; the final refund outcome arrives by webhook (`refund_succeeded`/`refund_failed`).
   */
  refund(request: RefundRequest): Promise<ProviderResult<{ reference: string }>>;

  /**
   * Asks the provider for the current state of a refund it accepted (reconciliation, when its
   * webhook never came). `{ type: 'processing' }` means "still pending, ask later". A provider
   * without a refund lookup (Adyen's Checkout API has none) answers a failure with code
   * `not_supported`: its refunds are settled by webhook only.
   */
  retrieveRefund(request: RetrieveRefundRequest): Promise<ProviderResult<{ outcome: RefundLookupOutcome }>>;

  /**
   * Verifies an inbound webhook on its RAW body (before any JSON parsing) against the
   * candidate accounts' secrets and maps it to normalized outcomes. The result names the
   * account whose secret verified it; the host then checks that the payment belongs to that
   * account. A bad signature returns `{ ok: false, kind: 'invalid_signature' }`.
   */
  parseWebhook(request: InboundWebhook, accounts: readonly ProviderAccount[]): Promise<WebhookParseResult>;
}

/** Stripe account credentials (secret key, publishable key, webhook signing secret). */
export interface StripeCredentials {
  secretKey: string;
  publishableKey: string;
  webhookSecret: string;
}

/** Adyen account credentials. `environment` picks Adyen's test or live endpoints. */
export interface AdyenCredentials {
  apiKey: string;
  merchantAccount: string;
  clientKey: string;
  /** Hex-encoded HMAC key of the standard notification webhook. */
  hmacKey: string;
  environment: 'test' | 'live';
  /** Live only: the account's live URL prefix (`[random]-[company name]`). */
  liveEndpointUrlPrefix?: string;
}

/**
 * A tenant's provider account as adapters see it: decrypted credentials, only in memory.
 * The built-in sandbox has the implicit account `sandbox` with no credentials.
 */
export type ProviderAccount =
  | { id: string; provider: 'sandbox'; mode: Mode; credentials: null }
  | { id: string; provider: 'stripe'; mode: Mode; credentials: StripeCredentials }
  | { id: string; provider: 'adyen'; mode: Mode; credentials: AdyenCredentials };

/** What the hosted page needs to show the provider's own payment form. */
export type ClientConfig =
  | { type: 'card_form' }
  | { type: 'stripe_payment_element'; publishableKey: string; clientSecret: string }
  | { type: 'adyen_drop_in'; clientKey: string; environment: 'test' | 'live'; sessionId: string; sessionData: string };

/** A customer action the browser must perform next. */
export type NextAction =
  | { type: 'three_d_secure' }
  | { type: 'stripe_handle_next_action'; clientSecret: string };

export interface AttemptRef {
  account: ProviderAccount;
  /** OUR attempt id: the provider idempotency key of the creating call and its retries. */
  attemptId: string;
  /** OUR payment id, set on the provider object (metadata / merchantReference). */
  paymentId: string;
}

export interface PrepareRequest extends AttemptRef {
  amount: number;
  currency: CurrencyCode;
  mode: Mode;
  description?: string | null;
  /** Where the provider sends the customer back after a redirect (3-D Secure): our hosted page. */
  returnUrl: string;
}

export type ProviderName = 'sandbox' | 'stripe' | 'adyen';

export interface CardDetails {
  number: string;
  expMonth: number;
  expYear: number;
  cvc: string;
  name?: string;
}

export interface AuthorizeRequest extends AttemptRef {
  amount: number;
  currency: CurrencyCode;
  mode: Mode;
  /** The reference `prepare` returned, when the provider needs a prepared object (Stripe). */
  reference?: string | null;
  /** Raw card data: only the sandbox accepts it; live card data never reaches the platform. */
  card?: CardDetails;
  /** Stripe: the ConfirmationToken (`ctoken_…`) the Payment Element created in the browser. */
  confirmationToken?: string;
  returnUrl?: string;
}

export interface CompleteActionRequest extends AttemptRef {
  reference: string;
  /** The customer's answer on the (simulated) 3-D Secure page. */
  approve: boolean;
}

export interface RetrieveRequest extends AttemptRef {
  reference: string | null;
  /** What the provider's browser component reported and we stored (Adyen: `sessionResult`). */
  clientResult?: string | null;
}

export interface RefundRequest {
  account: ProviderAccount;
  /** OUR refund id: the provider idempotency key and the refund's reference at the provider. */
  refundId: string;
  paymentId: string;
  /** The provider reference of the captured payment (PaymentIntent id, pspReference, sandbox ref). */
  paymentReference: string;
  amount: number;
  currency: CurrencyCode;
}

export interface RetrieveRefundRequest {
  account: ProviderAccount;
  /** OUR refund id (set on the provider's refund as metadata / idempotency key). */
  refundId: string;
  paymentId: string;
  /** The provider's reference of the refund, as `refund` returned it. */
  refundReference: string;
}

/** What a refund lookup can say: settled either way, or still pending. */
export type RefundLookupOutcome = Extract<NormalizedOutcome, { type: 'processing' | 'refund_succeeded' | 'refund_failed' }>;

/**
 * - `declined`: the provider refused (final for this attempt, not retryable).
 * - `provider_error`: the provider answered with an error (5xx, 429: retryable; 4xx: not).
 * - `network`: the request never reached the provider (connect failure): safe to retry.
 * - `timeout`: the request was sent and no answer came: the outcome is UNKNOWN; retry only
 *   with the same idempotency key, and leave the rest to reconciliation.
 */
export type ProviderFailureKind = 'declined' | 'provider_error' | 'network' | 'timeout';

export type ProviderFailure = {
  ok: false;
  kind: ProviderFailureKind;
  code: string;
  message: string;
  retryable: boolean;
  /** HTTP status of the provider's answer, when there was one. */
  status?: number;
  /** The provider's Retry-After, in milliseconds. */
  retryAfterMs?: number;
};

export type ProviderResult<T> = ({ ok: true } & T) | ProviderFailure;

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
  | { type: 'refund_succeeded'; refundId: string | null; refundReference: string }
  | { type: 'refund_failed'; refundId: string | null; refundReference: string; code: string; message: string }
  | { type: 'not_supported'; providerType: string };

export interface ProviderEvent {
  /** The provider's own event id: the inbox dedupe key. */
  eventId: string;
  /** OUR payment id, as we set it on the provider object (for refund events: the refunded payment's, when known). */
  paymentId: string | null;
  /** The account whose webhook secret verified the event (the sandbox: `sandbox`). */
  accountId: string;
  /** OUR attempt id, when the provider object carries it (metadata). */
  attemptId?: string;
  /**
   * Set when the event names our payment but nothing that identifies the attempt: no attempt id,
   * and a reference that is not the one `prepare`/`authorize` returned (Adyen: a pspReference
   * for a session whose metadata was dropped). The host then still applies a success to the
   * payment (the money was taken), never a failure.
   */
  attemptUnknown?: true;
  /** The provider's reference of the attempt (PaymentIntent id, pspReference, sandbox ref). */
  reference: string;
  outcome: NormalizedOutcome;
  occurredAt: Date;
}

export type WebhookParseResult =
  | { ok: true; events: ProviderEvent[] }
  | { ok: false; kind: 'invalid_signature' | 'malformed'; message: string };
