import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { api, toFailure, type AdyenClientConfig, type ApiFailure, type CheckoutView, type StripeClientConfig } from './api';
import { useFocusOnMount } from './focus';
import { customerLocale, themeFor } from './format';
import { UNAVAILABLE_PAGES } from './messages';
import type { AdyenDropIn } from './providers/adyen';
import type { StripePaymentForm } from './providers/stripe';
import { DeclineNotice, FormLoading, PaymentUnavailable } from './screens';

/**
 * The providers' own payment forms (Stripe Payment Element, Adyen Drop-in). Their SDKs are
 * loaded on demand with `import()` — separate chunks, never part of the initial bundle — and
 * then load their scripts and iframes from the provider. Whatever of that fails (offline,
 * blocked, timing out), the customer gets the "could not be loaded" state with "Try again".
 */

/** How long the provider's form may take to appear before we say it could not be loaded. */
const LOAD_TIMEOUT_MS = 30_000;

export interface ProviderFormProps {
  token: string;
  view: CheckoutView;
  /** "€19.99": Stripe's button reads "Pay €19.99". */
  amountLabel: string;
  /** Why the previous attempt failed, in customer words (shown above the form, focused on a new step). */
  declineMessage: string | null;
  moveFocus: boolean;
  /** The payment is with the provider now: the server's view (processing, requires_action, a decline…). */
  onSubmitted: (view: CheckoutView) => void;
  /** Maps a failed API call to a message; token errors end the page. */
  onFailure: (failure: ApiFailure) => string;
  /** The payment changed elsewhere (another tab): show it as it is now. */
  onRefresh: () => void;
}

type LoadState = 'loading' | 'ready' | 'failed';

interface LoadEvents {
  /** The provider's form is shown and usable. */
  ready(): void;
  /** It could not load (ignored once it is ready: later errors are the form's own business). */
  fail(): void;
  isReady(): boolean;
}

/**
 * Loads a provider form into a container: `mount` gets the element and reports readiness. Gives
 * up after LOAD_TIMEOUT_MS, on a rejected mount, or when `fail` is called before `ready`.
 */
function useProviderForm<T extends { destroy(): void }>(
  mount: (container: HTMLElement, events: LoadEvents) => Promise<T>,
  deps: readonly unknown[],
) {
  const container = useRef<HTMLDivElement>(null);
  const instance = useRef<T | null>(null);
  const [state, setState] = useState<LoadState>('loading');
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    let active = true;
    let ready = false;
    let mounted: T | null = null;
    const stop = () => {
      active = false;
      clearTimeout(timer);
      mounted?.destroy();
      mounted = null;
      instance.current = null;
    };
    const fail = () => {
      if (!active || ready) return;
      stop();
      setState('failed');
    };
    const timer = setTimeout(fail, LOAD_TIMEOUT_MS);
    mount(element, {
      ready: () => {
        if (!active || ready) return;
        ready = true;
        clearTimeout(timer);
        setState('ready');
      },
      fail,
      isReady: () => ready,
    }).then(
      (result) => {
        if (!active) {
          result.destroy();
          return;
        }
        mounted = result;
        instance.current = result;
      },
      fail,
    );
    return stop;
    // `deps` names what `mount` depends on (the prepared client); `attempt` is "Try again".
  }, [attempt, ...deps]);

  const retry = () => {
    setState('loading');
    setAttempt((n) => n + 1);
  };
  return { container, instance, state, retry, retried: attempt > 0 };
}

/** Stripe: Payment Element → ConfirmationToken → our server confirms → next action (3-D Secure) if any. */
export function StripePayment({ client, token, view, amountLabel, declineMessage, moveFocus, onSubmitted, onFailure, onRefresh }: ProviderFormProps & { client: StripeClientConfig }) {
  const id = useId();
  // Stripe uses colorPrimary for focus rings and the selected tab on white: the readable ink.
  const accent = themeFor(view.merchant.brandColor).accentInk;
  const form = useProviderForm<StripePaymentForm>(
    (container, events) =>
      import('./providers/stripe').then(({ mountStripePaymentElement }) =>
        mountStripePaymentElement(
          container,
          { publishableKey: client.publishableKey, clientSecret: client.clientSecret, locale: customerLocale(), accent },
          { onReady: events.ready, onLoadError: events.fail },
        ),
      ),
    [client.publishableKey, client.clientSecret, accent],
  );
  const [busy, setBusy] = useState<null | 'submitting' | 'authenticating'>(null);
  const [error, setError] = useState<string | null>(null);
  const errorRef = useRef<HTMLDivElement>(null);
  const declineRef = useFocusOnMount<HTMLDivElement>(moveFocus && declineMessage !== null);

  function refused(message: string) {
    setBusy(null);
    setError(message);
    requestAnimationFrame(() => errorRef.current?.focus());
  }

  async function pay(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const stripe = form.instance.current;
    if (busy || !stripe) return;
    setError(null);
    setBusy('submitting');
    let created: Awaited<ReturnType<StripePaymentForm['createConfirmationToken']>>;
    try {
      created = await stripe.createConfirmationToken();
    } catch {
      refused('Your payment details could not be sent to Stripe. Check your connection and try again. No money has been taken.');
      return;
    }
    if ('error' in created) {
      refused(created.error);
      return;
    }
    let view: CheckoutView;
    try {
      view = await api.checkout.confirm.mutate({ token, confirmationToken: created.confirmationToken });
    } catch (e) {
      const failure = toFailure(e);
      if (failure.appCode === 'invalid_state') onRefresh();
      refused(onFailure(failure));
      return;
    }
    if (view.nextAction?.type === 'stripe_handle_next_action') {
      // 3-D Secure in Stripe's modal. Whatever it ends with, the outcome reaches our server by webhook.
      setBusy('authenticating');
      try {
        await stripe.handleNextAction(view.nextAction.clientSecret);
      } catch {
        // The modal failed to open or crashed: the webhook (or reconciliation) still decides.
      }
      try {
        view = await api.checkout.status.query({ token });
      } catch {
        view = { ...view, nextAction: null };
      }
    }
    onSubmitted(view);
  }

  if (form.state === 'failed') {
    return <PaymentUnavailable title={UNAVAILABLE_PAGES.formLoadFailed.title} message={UNAVAILABLE_PAGES.formLoadFailed.body} onRetry={form.retry} alert moveFocus={moveFocus || form.retried} />;
  }
  return (
    <section className="step" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="step-title">
        Payment details
      </h2>
      {declineMessage ? <DeclineNotice ref={declineRef} message={declineMessage} /> : null}
      <form className="provider-form" noValidate onSubmit={pay} aria-busy={busy !== null || form.state === 'loading' || undefined}>
        {form.state === 'loading' ? <FormLoading label="Loading the secure payment form…" /> : null}
        <div ref={form.container} className="provider-fields" />
        {error ? (
          <div ref={errorRef} className="notice notice-error" role="alert" tabIndex={-1}>
            <p>{error}</p>
          </div>
        ) : null}
        {form.state === 'ready' ? (
          <button type="submit" className="pay-button" aria-disabled={busy !== null || undefined}>
            Pay {amountLabel}
          </button>
        ) : null}
        <p className="submitting" role="status">
          {busy === 'submitting' ? 'Sending your payment…' : busy === 'authenticating' ? 'Waiting for your bank’s confirmation… Complete the check in the window that opened.' : ''}
        </p>
      </form>
    </section>
  );
}

/** Adyen: Drop-in pays with Adyen directly; we report its sessionResult and wait for the webhook. */
export function AdyenPayment({
  client,
  token,
  declineMessage,
  moveFocus,
  onSubmitted,
  onFailure,
  onRefresh,
  redirectResult,
}: ProviderFormProps & { client: AdyenClientConfig; redirectResult: string | null }) {
  const id = useId();
  // Back from a redirect, Drop-in is not shown: Adyen finishes the payment and reports the result.
  const [busy, setBusy] = useState(redirectResult !== null);
  const [error, setError] = useState<string | null>(null);
  const errorRef = useRef<HTMLDivElement>(null);
  const declineRef = useFocusOnMount<HTMLDivElement>(moveFocus && declineMessage !== null);
  // The callbacks outlive renders (Drop-in keeps them): read the latest props through a ref.
  const latest = useRef({ onSubmitted, onFailure, onRefresh, token });
  latest.current = { onSubmitted, onFailure, onRefresh, token };

  function showError(message: string) {
    setBusy(false);
    setError(message);
    requestAnimationFrame(() => errorRef.current?.focus());
  }

  async function report(sessionResult: string) {
    setBusy(true);
    setError(null);
    try {
      const { token: current, onSubmitted: done } = latest.current;
      done(await api.checkout.reportResult.mutate({ token: current, sessionResult }));
    } catch (e) {
      const failure = toFailure(e);
      if (failure.appCode === 'invalid_state') latest.current.onRefresh();
      showError(latest.current.onFailure(failure));
    }
  }

  const form = useProviderForm<AdyenDropIn>(
    (container, events) =>
      import('./providers/adyen').then(({ mountAdyenDropIn }) =>
        mountAdyenDropIn(
          container,
          {
            clientKey: client.clientKey,
            environment: client.environment,
            sessionId: client.sessionId,
            sessionData: client.sessionData,
            locale: customerLocale(),
            countryCode: countryOf(customerLocale()),
            ...(redirectResult ? { redirectResult } : {}),
          },
          {
            onReady: events.ready,
            onResult: ({ sessionResult, failed }) => {
              if (sessionResult) void report(sessionResult);
              else if (failed) showError('The payment did not go through. No money was taken. Please try again or choose another way to pay.');
            },
            onError: ({ cancelled }) => {
              if (cancelled) return; // the customer closed a payment window: Drop-in is still there
              // Before Drop-in showed up this is a loading failure; afterwards, a message above it.
              if (!events.isReady()) events.fail();
              else showError('Something went wrong in the payment form. No money was taken. Please try again, or choose another way to pay.');
            },
          },
        ),
      ),
    [client.clientKey, client.environment, client.sessionId, client.sessionData, redirectResult],
  );

  if (form.state === 'failed') {
    return <PaymentUnavailable title={UNAVAILABLE_PAGES.formLoadFailed.title} message={UNAVAILABLE_PAGES.formLoadFailed.body} onRetry={form.retry} alert moveFocus={moveFocus || form.retried} />;
  }
  return (
    <section className="step" aria-labelledby={`${id}-title`} aria-busy={busy || form.state === 'loading' || undefined}>
      <h2 id={`${id}-title`} className="step-title">
        Payment details
      </h2>
      {declineMessage ? <DeclineNotice ref={declineRef} message={declineMessage} /> : null}
      {form.state === 'loading' ? <FormLoading label={redirectResult ? 'Finishing your payment…' : 'Loading the secure payment form…'} /> : null}
      {error ? (
        <div ref={errorRef} className="notice notice-error" role="alert" tabIndex={-1}>
          <p>{error}</p>
        </div>
      ) : null}
      <div ref={form.container} className="provider-fields" />
      <p className="submitting" role="status">
        {busy ? 'Sending your payment…' : ''}
      </p>
    </section>
  );
}

/** The customer's country for Adyen's payment-method list, from their locale ("de-DE" → "DE"). */
function countryOf(locale: string): string {
  try {
    const region = new Intl.Locale(locale).maximize().region;
    if (region && /^[A-Z]{2}$/.test(region)) return region;
  } catch {
    // unknown locale: fall through
  }
  return 'US';
}
