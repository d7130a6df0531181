/**
 * Providers send the customer back to `/pay/<token>` after a redirect (3-D Secure, a bank's
 * page) with query parameters: Stripe `payment_intent`, `payment_intent_client_secret`,
 * `redirect_status`; Adyen `sessionId`, `redirectResult`. They are read once and removed from the
 * address bar (no client secret lingering in history or a bookmark). Stripe needs nothing more
 * (its outcome reaches our server by webhook); Adyen's `redirectResult` must be submitted by
 * Drop-in for its session.
 */
export interface ProviderReturn {
  adyen: { sessionId: string; redirectResult: string } | null;
}

const PROVIDER_PARAMS = ['payment_intent', 'payment_intent_client_secret', 'redirect_status', 'setup_intent', 'setup_intent_client_secret', 'sessionId', 'redirectResult'];

let read: ProviderReturn | null = null;

/** Idempotent: the first call reads (and cleans) the address bar, later ones get the same answer. */
export function readProviderReturn(): ProviderReturn {
  if (read) return read;
  const url = new URL(window.location.href);
  const sessionId = url.searchParams.get('sessionId');
  const redirectResult = url.searchParams.get('redirectResult');
  const present = PROVIDER_PARAMS.filter((name) => url.searchParams.has(name));
  if (present.length > 0) {
    for (const name of present) url.searchParams.delete(name);
    window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
  }
  read = { adyen: sessionId && redirectResult ? { sessionId, redirectResult } : null };
  return read;
}
