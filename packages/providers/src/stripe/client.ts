import Stripe from 'stripe';

export interface StripeClientOptions {
  apiBaseUrl?: string;
  timeoutMs: number;
}

/**
 * One stripe-node client per account secret key, created on first use. Retries are the host's
 * job (backoff, failover, circuit breaker), so the SDK's own network retries are off.
 */
export function createStripeClientCache(options: StripeClientOptions): (secretKey: string) => Stripe {
  const clients = new Map<string, Stripe>();
  const base = options.apiBaseUrl ? baseAddress(options.apiBaseUrl) : {};
  return (secretKey) => {
    let client = clients.get(secretKey);
    if (!client) {
      client = new Stripe(secretKey, { maxNetworkRetries: 0, timeout: options.timeoutMs, ...base });
      clients.set(secretKey, client);
    }
    return client;
  };
}

/** `http://127.0.0.1:12345` → the SDK's host/port/protocol options (a path in the URL is ignored). */
function baseAddress(apiBaseUrl: string): { host: string; port: number; protocol: 'http' | 'https' } {
  const url = new URL(apiBaseUrl);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  // URL keeps IPv6 literals bracketed ([::1]); Node's http.request wants them bare.
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port ? Number(url.port) : protocol === 'http' ? 80 : 443, protocol };
}
