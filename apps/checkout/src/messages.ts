import type { TokenErrorCode } from './api';

/** Why an attempt failed (view.lastError.code) in words a customer understands. */
const DECLINE_MESSAGES: Record<string, string> = {
  card_declined: 'Your card was declined. Please try another card or contact your bank.',
  insufficient_funds: 'Your card has insufficient funds. Please try another card.',
  expired_card: 'Your card has expired. Please use a different card.',
  test_card_required: 'This is a sandbox payment: use one of the test cards, for example 4242 4242 4242 4242.',
  authentication_failed: 'The card could not be authenticated (3-D Secure), so the payment did not go through. Please try again or use another card.',
  provider_error: 'The payment provider had a problem and the payment did not go through. No money was taken. Please try again.',
  provider_unavailable: 'The payment provider is not available at the moment. No money was taken. Please try again later.',
  card_data_required: 'The card details did not reach the payment provider. Please try again.',
};

const GENERIC_DECLINE = 'The payment did not go through. No money was taken. Please try again or use another card.';

export function declineMessage(code: string | null | undefined): string {
  return (code && DECLINE_MESSAGES[code]) || GENERIC_DECLINE;
}

export const TOKEN_ERROR_PAGES: Record<TokenErrorCode | 'missing', { title: string; body: string }> = {
  checkout_token_expired: {
    title: 'This payment link has expired',
    body: 'Payment links are only valid for a limited time. Go back to the shop to start the payment again.',
  },
  checkout_token_revoked: {
    title: 'This payment link is no longer valid',
    body: 'It was replaced by a newer link or closed by the shop. Use the latest link you received, or go back to the shop.',
  },
  checkout_token_invalid: {
    title: 'This payment link is not valid',
    body: 'Please check that you opened the complete link you were given, or go back to the shop.',
  },
  missing: {
    title: 'This payment link is not valid',
    body: 'The link is incomplete. Please check that you opened the complete link you were given.',
  },
};

/** What the page says when it cannot show a payment form (title + text, always with "Try again"). */
export const UNAVAILABLE_PAGES = {
  /** The provider's own form (Stripe.js / Adyen Web, their iframes) did not load. */
  formLoadFailed: {
    title: 'The payment form is not available',
    body: 'The payment form could not be loaded. Please try again later. No money has been taken.',
  },
  /** `service_unavailable` from prepare: no provider account could be reached. */
  providerUnavailable: {
    title: 'Card payment is not available right now',
    body: DECLINE_MESSAGES['provider_unavailable']!,
  },
  /** `service_unavailable` because the merchant has no provider account for this mode yet. */
  notConfigured: {
    title: 'Card payment is not available yet',
    body: (merchant: string) =>
      `${merchant} cannot take payments on this page yet. No money has been taken. Please return to ${merchant} to choose another way to pay, or try again later.`,
  },
  /** Any other failure of prepare (network, server error). */
  prepareFailed: {
    title: 'The payment form is not available',
  },
} as const;

