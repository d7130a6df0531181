import type { PaymentProvider } from '@platform/core';

export interface StripeProviderOptions {
  /** Test-only: point the official SDK at a local server (env `STRIPE_..._BASE_URL`). */
  apiBaseUrl?: string;
  /** Per-request timeout in milliseconds. */
  timeoutMs?: number;
}

/** Placeholder until the adapter lands: every call fails as not configured. */
export function createStripeProvider(_options: StripeProviderOptions): PaymentProvider {
  const notReady = async () => ({ ok: false as const, kind: 'provider_error' as const, code: 'provider_unavailable', message: 'Stripe is not available yet', retryable: false });
  return {
    name: 'stripe',
    prepare: notReady,
    authorize: notReady,
    completeAction: notReady,
    retrieve: notReady,
    refund: notReady,
    parseWebhook: async () => ({ ok: false, kind: 'invalid_signature', message: 'Stripe is not available yet' }),
  };
}
