import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import type { AppRouter, CheckoutView } from '@platform/api';

export type { CheckoutView };

/**
 * The checkout talks to the API's tRPC endpoint on the same origin (CSP: connect-src 'self').
 * Every procedure is authorized by the checkout token only; no cookies are involved.
 */
export const api = createTRPCClient<AppRouter>({
  links: [httpLink({ url: '/trpc' })],
});

/** What `checkout.prepare` says the page needs: the sandbox card form or a provider's own form. */
export type ClientConfig = Awaited<ReturnType<typeof api.checkout.prepare.mutate>>['client'];
export type StripeClientConfig = Extract<ClientConfig, { type: 'stripe_payment_element' }>;
export type AdyenClientConfig = Extract<ClientConfig, { type: 'adyen_drop_in' }>;

export interface CardInput {
  number: string;
  expMonth: number;
  expYear: number;
  cvc: string;
  name?: string;
}

/** A failed call, reduced to what the page needs to decide what to show. */
export interface ApiFailure {
  /** The platform's typed error code (`error.data.appCode`), or null for network/unknown failures. */
  appCode: string | null;
  message: string;
  /** The way back to the shop, when the server knows it (expired/revoked tokens). */
  returnUrl: string | null;
  /** No answer from the server at all (offline, connection refused, …). */
  network: boolean;
  /** `error.data.details.reason`, e.g. `not_configured` / `provider_unavailable` for service_unavailable. */
  reason?: string | null;
}

export const TOKEN_ERROR_CODES = ['checkout_token_invalid', 'checkout_token_expired', 'checkout_token_revoked'] as const;
export type TokenErrorCode = (typeof TOKEN_ERROR_CODES)[number];

export function isTokenError(failure: ApiFailure): failure is ApiFailure & { appCode: TokenErrorCode } {
  return (TOKEN_ERROR_CODES as readonly (string | null)[]).includes(failure.appCode);
}

export function toFailure(error: unknown): ApiFailure {
  if (error instanceof TRPCClientError) {
    const data = (error as TRPCClientError<AppRouter>).data;
    const returnUrl = data?.details?.['returnUrl'];
    const reason = data?.details?.['reason'];
    return {
      appCode: data?.appCode ?? null,
      message: error.message,
      returnUrl: typeof returnUrl === 'string' ? returnUrl : null,
      network: !data,
      reason: typeof reason === 'string' ? reason : null,
    };
  }
  return { appCode: null, message: error instanceof Error ? error.message : String(error), returnUrl: null, network: true };
}
