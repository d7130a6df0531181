import { createHash } from 'node:crypto';
import type { AdyenCredentials, ProviderFailure } from '@platform/core';
import { CheckoutAPI, Client, EnvironmentEnum, type AdyenModificationsApi, type AdyenPaymentsApi } from './sdk.js';
import { createAdyenTransport } from './transport.js';

export interface AdyenCheckout {
  payments: AdyenPaymentsApi;
  modifications: AdyenModificationsApi;
}

export interface CheckoutClientOptions {
  /** Test-only: where Checkout calls go instead of Adyen (see transport.ts). */
  apiBaseUrl?: string;
  /** Deadline of one request (the SDK's `connectionTimeoutMillis`). */
  timeoutMs: number;
}

/**
 * One SDK Client (+ its Checkout services) per Adyen account, cached by API key, environment and
 * live URL prefix (the key is hashed: raw API keys are not used as map keys). A rotated key gets a
 * new client; the old one is dropped only when the process restarts (a few objects per account).
 */
export function createCheckoutClients(options: CheckoutClientOptions): (credentials: AdyenCredentials) => AdyenCheckout | ProviderFailure {
  const transport = createAdyenTransport(options.apiBaseUrl ? { apiBaseUrl: options.apiBaseUrl } : {});
  const cache = new Map<string, AdyenCheckout>();

  return (credentials) => {
    const live = credentials.environment === 'live';
    if (live && !credentials.liveEndpointUrlPrefix) {
      // The SDK throws while building live Checkout URLs without it: a configuration error, not a crash.
      return { ok: false, kind: 'provider_error', code: 'account_misconfigured', message: 'A live Adyen account needs liveEndpointUrlPrefix', retryable: false };
    }
    const key = createHash('sha256')
      .update(`${credentials.environment}\0${credentials.liveEndpointUrlPrefix ?? ''}\0${credentials.apiKey}`)
      .digest('hex');
    let checkout = cache.get(key);
    if (!checkout) {
      const client = new Client(
        {
          apiKey: credentials.apiKey,
          environment: live ? EnvironmentEnum.LIVE : EnvironmentEnum.TEST,
          ...(live ? { liveEndpointUrlPrefix: credentials.liveEndpointUrlPrefix } : {}),
          connectionTimeoutMillis: options.timeoutMs,
          applicationName: 'payment-platform',
        },
        transport,
      );
      const api = new CheckoutAPI(client);
      checkout = { payments: api.PaymentsApi, modifications: api.ModificationsApi };
      cache.set(key, checkout);
    }
    return checkout;
  };
}
