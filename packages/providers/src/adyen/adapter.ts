import type { PaymentProvider } from '@platform/core';

export interface AdyenProviderOptions {
  /** Test-only: point the official SDK at a local server (env `ADYEN_..._BASE_URL`). */
  apiBaseUrl?: string;
  /** Per-request timeout in milliseconds. */
  timeoutMs?: number;
}

/** Placeholder until the adapter lands: every call fails as not configured. */
export function createAdyenProvider(_options: AdyenProviderOptions): PaymentProvider {
  const notReady = async () => ({ ok: false as const, kind: 'provider_error' as const, code: 'provider_unavailable', message: 'Adyen is not available yet', retryable: false });
  return {
    name: 'adyen',
    prepare: notReady,
    authorize: notReady,
    completeAction: notReady,
    retrieve: notReady,
    refund: notReady,
    parseWebhook: async () => ({ ok: false, kind: 'invalid_signature', message: 'Adyen is not available yet' }),
  };
}
