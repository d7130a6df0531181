/**
 * Adyen's Drop-in (Checkout sessions flow). LAZY CHUNK: only `import()`ed for payments whose
 * prepared client is `adyen_drop_in`; @adyen/adyen-web and its stylesheet stay out of the
 * initial bundle (Vite emits the CSS with this chunk and links it when the chunk loads).
 *
 * Drop-in talks to Adyen itself (session setup, payments, 3-D Secure); the page only learns the
 * end of it — `sessionResult`, which our server keeps so reconciliation can ask Adyen.
 *
 * Payment methods: the tree-shaken build registers only what works under the /pay CSP — cards
 * (with 3-D Secure 2), Bancontact card, SEPA Direct Debit and redirect methods. Wallets (PayPal,
 * Google Pay, Apple Pay, Klarna widgets…) load third-party scripts the CSP does not allow.
 */
import { AdyenCheckout, Bancontact, Card, Dropin, Redirect, SepaDirectDebit, type AdyenCheckoutError } from '@adyen/adyen-web';
import '@adyen/adyen-web/styles/adyen.css';

export interface AdyenMountOptions {
  clientKey: string;
  environment: 'test' | 'live';
  sessionId: string;
  sessionData: string;
  /** The customer's locale (`navigator.language`). */
  locale: string;
  /** ISO 3166 country for the payment-method list (the session carries none). */
  countryCode: string;
  /** Returning from a redirect (3-D Secure, bank page): finish it instead of showing Drop-in. */
  redirectResult?: string;
}

export interface AdyenMountCallbacks {
  onReady(): void;
  /** The payment ended at Adyen (any result code); `sessionResult` is what reconciliation needs. */
  onResult(result: { sessionResult: string | null; resultCode: string | null; failed: boolean }): void;
  /** Something went wrong inside Drop-in after it was shown. `cancelled`: the customer closed a window. */
  onError(error: { name: string; message: string; cancelled: boolean }): void;
}

export interface AdyenDropIn {
  destroy(): void;
}

/**
 * Sets the session up with Adyen and mounts Drop-in into `container`. Rejects when Adyen cannot
 * be reached (session setup failed) — the caller shows its "could not be loaded" state.
 */
export async function mountAdyenDropIn(container: HTMLElement, options: AdyenMountOptions, callbacks: AdyenMountCallbacks): Promise<AdyenDropIn> {
  let setupDone = false;
  const result = (failed: boolean) => (data?: { sessionResult?: string; resultCode?: string }) =>
    callbacks.onResult({ sessionResult: data?.sessionResult ?? null, resultCode: data?.resultCode ?? null, failed });

  const checkout = await AdyenCheckout({
    clientKey: options.clientKey,
    environment: options.environment,
    session: options.redirectResult ? { id: options.sessionId } : { id: options.sessionId, sessionData: options.sessionData },
    locale: options.locale,
    countryCode: options.countryCode,
    // No usage analytics beyond what the session itself needs.
    analytics: { enabled: false },
    onPaymentCompleted: result(false),
    onPaymentFailed: result(true),
    onError: (error: AdyenCheckoutError) => {
      // Errors during setup reject AdyenCheckout() below; report only the later ones.
      if (!setupDone) return;
      callbacks.onError({ name: error.name, message: error.message, cancelled: error.name === 'CANCEL' });
    },
  });
  setupDone = true;

  if (options.redirectResult) {
    // Back from a redirect: Adyen finishes the payment and calls onPaymentCompleted/onPaymentFailed.
    checkout.submitDetails({ details: { redirectResult: options.redirectResult } });
    callbacks.onReady();
    return { destroy() {} };
  }

  const dropin = new Dropin(checkout, {
    paymentMethodComponents: [Card, Bancontact, SepaDirectDebit, Redirect],
    // Our page shows the outcome (processing → receipt), not Drop-in's animation.
    disableFinalAnimation: true,
    onReady: () => callbacks.onReady(),
  });
  dropin.mount(container);
  return {
    destroy() {
      dropin.unmount();
    },
  };
}
