/**
 * Stripe's Payment Element. LAZY CHUNK: only `import()`ed for payments whose prepared client is
 * `stripe_payment_element`, so neither this module nor @stripe/stripe-js (which injects
 * https://js.stripe.com/… as soon as it is imported) is part of the initial bundle.
 *
 * Card data goes from the customer straight into Stripe's iframes; all we ever get back is a
 * ConfirmationToken id (`ctoken_…`) that our server uses to confirm the PaymentIntent.
 */
import { loadStripe, type Stripe, type StripeElementLocale, type StripeElements, type StripePaymentElement } from '@stripe/stripe-js';

export interface StripeMountOptions {
  publishableKey: string;
  clientSecret: string;
  /** The customer's locale (`navigator.language`); Stripe falls back to `auto` for ones it does not know. */
  locale: string;
  /** The tenant's accent colour, already checked for contrast by the page. */
  accent: string;
}

export interface StripeMountCallbacks {
  /** The Payment Element rendered and can be typed into. */
  onReady(): void;
  /** The Payment Element could not load (its iframe, or Stripe's API behind it). */
  onLoadError(message: string): void;
}

/** An error to show the customer (Stripe's messages are written for them and localized). */
export interface StripeFailure {
  error: string;
}

export interface StripePaymentForm {
  /** Validates the fields (elements.submit) and turns them into a ConfirmationToken. */
  createConfirmationToken(): Promise<{ confirmationToken: string } | StripeFailure>;
  /** Runs the next action (3-D Secure in Stripe's own modal) for a PaymentIntent our server confirmed. */
  handleNextAction(clientSecret: string): Promise<{ ok: true } | StripeFailure>;
  destroy(): void;
}

/**
 * Loads Stripe.js (rejects when https://js.stripe.com cannot be reached) and mounts the Payment
 * Element into `container`. Loading failures reject; a later failure of the element itself
 * arrives through `onLoadError`.
 */
export async function mountStripePaymentElement(container: HTMLElement, options: StripeMountOptions, callbacks: StripeMountCallbacks): Promise<StripePaymentForm> {
  const stripe: Stripe | null = await loadStripe(options.publishableKey);
  if (!stripe) throw new Error('Stripe.js is not available');
  const elements: StripeElements = stripe.elements({
    clientSecret: options.clientSecret,
    locale: stripeLocale(options.locale),
    appearance: {
      theme: 'stripe',
      variables: { colorPrimary: options.accent, borderRadius: '8px', fontSizeBase: '17px' },
    },
  });
  const element: StripePaymentElement = elements.create('payment', { layout: 'tabs' });
  element.on('ready', () => callbacks.onReady());
  element.on('loaderror', (event) => callbacks.onLoadError(event.error.message ?? 'The Payment Element could not be loaded'));
  element.mount(container);

  return {
    async createConfirmationToken() {
      const submitted = await elements.submit();
      if (submitted.error) return { error: submitted.error.message ?? 'Please check your payment details.' };
      const result = await stripe.createConfirmationToken({ elements });
      if (result.error) return { error: result.error.message ?? 'Your payment details could not be sent to Stripe. Please try again.' };
      return { confirmationToken: result.confirmationToken.id };
    },
    async handleNextAction(clientSecret) {
      const result = await stripe.handleNextAction({ clientSecret });
      if (result.error) return { error: result.error.message ?? 'The payment could not be authenticated.' };
      return { ok: true };
    },
    destroy() {
      element.destroy();
    },
  };
}

/** Stripe's own locale list; anything else lets Stripe pick from the browser (`auto`). */
const STRIPE_LOCALES = new Set<string>([
  'ar', 'bg', 'cs', 'da', 'de', 'el', 'en', 'en-AU', 'en-CA', 'en-NZ', 'en-GB', 'es', 'es-ES', 'es-419', 'et', 'fi', 'fil', 'fr',
  'fr-CA', 'fr-FR', 'he', 'hu', 'hr', 'id', 'it', 'it-IT', 'ja', 'ko', 'lt', 'lv', 'ms', 'mt', 'nb', 'nl', 'no', 'pl', 'pt', 'pt-BR',
  'ro', 'ru', 'sk', 'sl', 'sv', 'th', 'tr', 'vi', 'zh', 'zh-HK', 'zh-TW',
]);

function stripeLocale(locale: string): StripeElementLocale {
  if (STRIPE_LOCALES.has(locale)) return locale as StripeElementLocale;
  const language = locale.split('-')[0] ?? '';
  return (STRIPE_LOCALES.has(language) ? language : 'auto') as StripeElementLocale;
}
