import { z } from 'zod';
import type { AdyenCredentials, StripeCredentials } from './provider.js';
import type { Mode } from './redirect-urls.js';

/**
 * Provider account credentials as operators enter them (CLI `provider:add --config-json`,
 * console). Keys must match the mode: test keys for sandbox, live keys for live.
 */
export const stripeCredentialsSchema = z
  .object({
    secretKey: z.string().regex(/^(sk|rk)_(test|live)_[A-Za-z0-9]{8,}$/, { error: 'secretKey must be a Stripe secret key (sk_test_… / sk_live_…)' }),
    publishableKey: z.string().regex(/^pk_(test|live)_[A-Za-z0-9]{8,}$/, { error: 'publishableKey must be a Stripe publishable key (pk_test_… / pk_live_…)' }),
    webhookSecret: z.string().regex(/^whsec_[A-Za-z0-9+/=_]{8,}$/, { error: 'webhookSecret must be a Stripe webhook signing secret (whsec_…)' }),
  })
  .strict();

export const adyenCredentialsSchema = z
  .object({
    apiKey: z.string().min(16, { error: 'apiKey must be an Adyen API key' }).max(1000),
    merchantAccount: z.string().regex(/^[A-Za-z0-9_.-]{2,100}$/, { error: 'merchantAccount must be an Adyen merchant account code' }),
    clientKey: z.string().regex(/^(test|live)_[A-Z0-9]{8,}$/, { error: 'clientKey must be an Adyen client key (test_… / live_…)' }),
    hmacKey: z.string().regex(/^([0-9A-Fa-f]{2}){16,}$/, { error: 'hmacKey must be the hex HMAC key of the notification webhook' }),
    environment: z.enum(['test', 'live'], { error: 'environment must be test or live' }),
    liveEndpointUrlPrefix: z.string().regex(/^[a-z0-9-]+$/, { error: 'liveEndpointUrlPrefix must be the live URL prefix from the Customer Area' }).optional(),
  })
  .strict();

export type ProviderAccountConfig =
  | { provider: 'stripe'; credentials: StripeCredentials }
  | { provider: 'adyen'; credentials: AdyenCredentials };

export type ParsedAccountConfig = { ok: true; config: ProviderAccountConfig } | { ok: false; message: string; param: string };

/** Validates credentials for a provider and mode; the message names the first wrong field. */
export function parseProviderAccountConfig(provider: string, mode: Mode, raw: unknown): ParsedAccountConfig {
  if (provider !== 'stripe' && provider !== 'adyen') return { ok: false, message: 'provider must be stripe or adyen', param: 'provider' };
  const schema = provider === 'stripe' ? stripeCredentialsSchema : adyenCredentialsSchema;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.');
    return { ok: false, message: field ? `${field}: ${issue.message}` : issue.message, param: field ? `config.${field}` : 'config' };
  }
  const live = mode === 'live';
  if (provider === 'stripe') {
    const c = parsed.data as StripeCredentials;
    const keysLive = c.secretKey.includes('_live_');
    if (keysLive !== live || c.publishableKey.includes('_live_') !== live) {
      return { ok: false, message: `${mode} mode needs Stripe ${live ? 'live' : 'test'} keys`, param: 'config.secretKey' };
    }
    return { ok: true, config: { provider, credentials: c } };
  }
  const c = parsed.data as AdyenCredentials;
  if ((c.environment === 'live') !== live || c.clientKey.startsWith('live_') !== live) {
    return { ok: false, message: `${mode} mode needs Adyen's ${live ? 'live' : 'test'} environment and client key`, param: 'config.environment' };
  }
  if (live && !c.liveEndpointUrlPrefix) {
    return { ok: false, message: 'liveEndpointUrlPrefix is required for a live Adyen account', param: 'config.liveEndpointUrlPrefix' };
  }
  return { ok: true, config: { provider, credentials: c } };
}

const tail = (value: string) => `…${value.slice(-4)}`;

/** The masked view every API returns: public keys in full, secrets as prefix + last 4. */
export function maskCredentials(config: ProviderAccountConfig): Record<string, string> {
  if (config.provider === 'stripe') {
    const c = config.credentials;
    return {
      secretKey: `${c.secretKey.slice(0, c.secretKey.indexOf('_', 3) + 1)}${tail(c.secretKey)}`,
      publishableKey: c.publishableKey,
      webhookSecret: `whsec_${tail(c.webhookSecret)}`,
    };
  }
  const c = config.credentials;
  return {
    apiKey: tail(c.apiKey),
    merchantAccount: c.merchantAccount,
    clientKey: c.clientKey,
    hmacKey: tail(c.hmacKey),
    environment: c.environment,
    ...(c.liveEndpointUrlPrefix ? { liveEndpointUrlPrefix: c.liveEndpointUrlPrefix } : {}),
  };
}
