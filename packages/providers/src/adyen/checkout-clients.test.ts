import { describe, expect, it } from 'vitest';
import type { AdyenCredentials } from '@platform/core';
import { createCheckoutClients, type AdyenCheckout } from './checkout-clients.js';

const credentials = (extra: Partial<AdyenCredentials> = {}): AdyenCredentials => ({
  apiKey: 'AQE_key_one_0000000',
  merchantAccount: 'PlatformECOM',
  clientKey: 'test_CLIENTKEY1',
  hmacKey: 'AB'.repeat(32),
  environment: 'test',
  ...extra,
});

describe('createCheckoutClients', () => {
  it('one SDK client per account (API key + environment), with the timeout set on it', () => {
    const checkoutFor = createCheckoutClients({ timeoutMs: 1234 });
    const a = checkoutFor(credentials()) as AdyenCheckout;
    expect(checkoutFor(credentials({ merchantAccount: 'Other' }))).toBe(a);
    expect(checkoutFor(credentials({ apiKey: 'AQE_key_two_0000000' }))).not.toBe(a);
    const live = checkoutFor(credentials({ environment: 'live', liveEndpointUrlPrefix: 'abc-company' })) as AdyenCheckout;
    expect(live).not.toBe(a);
    expect(a.payments.client.config).toMatchObject({ apiKey: 'AQE_key_one_0000000', environment: 'TEST', connectionTimeoutMillis: 1234 });
    expect(live.payments.client.config).toMatchObject({ environment: 'LIVE', liveEndpointUrlPrefix: 'abc-company' });
    expect(a.modifications.client).toBe(a.payments.client);
  });

  it('a live account without liveEndpointUrlPrefix is a configuration failure, not a crash', () => {
    expect(createCheckoutClients({ timeoutMs: 1000 })(credentials({ environment: 'live' }))).toMatchObject({ ok: false, code: 'account_misconfigured', retryable: false });
  });
});
