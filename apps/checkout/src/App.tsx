import { Fragment, useCallback, useEffect, useRef, useState } from 'react';
import { api, isTokenError, toFailure, type ApiFailure, type CardInput, type CheckoutView, type ClientConfig, type TokenErrorCode } from './api';
import { EMPTY_CARD, type CardFields } from './card-fields';
import { formatAmount, safeHttpUrl } from './format';
import { Shell, Summary } from './Layout';
import { TOKEN_ERROR_PAGES } from './messages';
import { PaymentStep } from './PaymentStep';
import { readProviderReturn } from './provider-return';
import { Canceled, Loading, LoadFailed, Processing, Receipt, ThreeDSecure, TokenErrorPage } from './screens';
import { readTokenFromPath } from './token';

const POLL_INTERVAL_MS = 1000;
const MAX_POLL_BACKOFF_MS = 10_000;
const SLOW_AFTER_MS = 20_000;
const CARD_FORM: ClientConfig = { type: 'card_form' };

type State =
  | { kind: 'loading' }
  | { kind: 'token-error'; code: TokenErrorCode | 'missing'; returnUrl: string | null }
  | { kind: 'load-failed'; message: string }
  | {
      kind: 'ready';
      view: CheckoutView;
      /** The first answer after opening the page (later ones are changes: focus follows them). */
      initial: boolean;
      /** Succeeded while this page was open → redirect to the shop. */
      paidHere: boolean;
      /** Changes when a new step starts (a new status, or the form again after a refused card): remounts it. */
      step: number;
    };

export function App() {
  const [token] = useState(() => readTokenFromPath(window.location.pathname, import.meta.env.BASE_URL));
  const [state, setState] = useState<State>(() => (token === null ? { kind: 'token-error', code: 'missing', returnUrl: null } : { kind: 'loading' }));
  const [fields, setFields] = useState<CardFields>(EMPTY_CARD);
  const [attempt, setAttempt] = useState(0);
  // Back from a provider redirect (3-D Secure, bank page): read once, removed from the address bar.
  const [providerReturn] = useState(readProviderReturn);

  /**
   * Every answer of the server goes through here; `paidHere` remembers a success seen live.
   * `newStep`: the answer to a submission always starts a new step, even when the status is the
   * same (a card refused synchronously comes back as requires_payment_method at once).
   */
  const applyView = useCallback((view: CheckoutView, newStep = false) => {
    setState((prev) => {
      if (prev.kind !== 'ready') return { kind: 'ready', view, initial: true, paidHere: false, step: 0 };
      return {
        kind: 'ready',
        view,
        initial: false,
        paidHere: view.status === 'succeeded' && (prev.paidHere || prev.view.status !== 'succeeded'),
        step: newStep || view.status !== prev.view.status ? prev.step + 1 : prev.step,
      };
    });
  }, []);

  /** Token problems end the page; anything else becomes a message for the current step. */
  const handleFailure = useCallback((failure: ApiFailure): string => {
    if (isTokenError(failure)) {
      setState({ kind: 'token-error', code: failure.appCode, returnUrl: failure.returnUrl });
    }
    return failureMessage(failure);
  }, []);

  // Load the payment.
  useEffect(() => {
    if (token === null) return;
    let cancelled = false;
    api.checkout.session
      .query({ token })
      .then((view) => {
        if (!cancelled) applyView(view);
      })
      .catch((error: unknown) => {
        if (cancelled) return;
        const failure = toFailure(error);
        if (isTokenError(failure)) handleFailure(failure);
        else setState({ kind: 'load-failed', message: failureMessage(failure) });
      });
    return () => {
      cancelled = true;
    };
  }, [token, attempt, applyView, handleFailure]);

  // While the outcome is pending (processing, or a provider's authentication that only its
  // webhook will end), ask again every second until the status changes (backing off on errors).
  const status = state.kind === 'ready' ? state.view.status : null;
  const waiting = state.kind === 'ready' && isWaiting(state.view);
  const [slow, setSlow] = useState(false);
  useEffect(() => {
    if (!waiting || token === null) return;
    let cancelled = false;
    let failures = 0;
    let timer: ReturnType<typeof setTimeout>;
    const slowTimer = setTimeout(() => setSlow(true), SLOW_AFTER_MS);
    const poll = async () => {
      try {
        const view = await api.checkout.status.query({ token });
        if (cancelled) return;
        failures = 0;
        applyView(view);
        if (isWaiting(view)) timer = setTimeout(poll, POLL_INTERVAL_MS);
      } catch (error) {
        if (cancelled) return;
        const failure = toFailure(error);
        if (isTokenError(failure)) {
          handleFailure(failure);
          return;
        }
        failures++;
        timer = setTimeout(poll, Math.min(POLL_INTERVAL_MS * 2 ** failures, MAX_POLL_BACKOFF_MS));
      }
    };
    timer = setTimeout(poll, POLL_INTERVAL_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
      clearTimeout(slowTimer);
      setSlow(false);
    };
  }, [waiting, status, token, applyView, handleFailure]);

  /**
   * `checkout.prepare` once per payment step: a re-render (or React's double effects in
   * development) gets the same answer. The sandbox card form needs no provider object, so once
   * seen it is reused without asking; a provider form is prepared again after a failed attempt.
   */
  const step = state.kind === 'ready' ? state.step : -1;
  const preparedRef = useRef<{ step: number; promise: Promise<ClientConfig> } | null>(null);
  const [cardFormKnown, setCardFormKnown] = useState(false);
  const prepare = useCallback(
    (fresh: boolean): Promise<ClientConfig> => {
      if (token === null) return Promise.reject(new Error('No checkout token'));
      const cached = preparedRef.current;
      if (!fresh && cached?.step === step) return cached.promise;
      const promise = api.checkout.prepare.mutate({ token }).then(({ client }) => {
        if (client.type === 'card_form') setCardFormKnown(true);
        return client;
      });
      preparedRef.current = { step, promise };
      promise.catch(() => {
        if (preparedRef.current?.promise === promise) preparedRef.current = null;
      });
      return promise;
    },
    [token, step],
  );

  const refresh = useCallback(() => {
    if (token === null) return;
    api.checkout.session.query({ token }).then(applyView, () => undefined);
  }, [token, applyView]);

  /** A provider form handed the payment over (Stripe confirm, Adyen result): a new step starts. */
  const submitted = useCallback((view: CheckoutView) => applyView(view, true), [applyView]);

  const submit = useCallback(
    async (card: CardInput): Promise<string | null> => {
      if (token === null) return null;
      try {
        applyView(await api.checkout.submit.mutate({ token, card }), true);
        return null;
      } catch (error) {
        const failure = toFailure(error);
        // "already processing/paid" (e.g. paid in another tab): show the payment as it is now.
        if (failure.appCode === 'invalid_state') {
          api.checkout.session.query({ token }).then(applyView, () => undefined);
        }
        return handleFailure(failure);
      }
    },
    [token, applyView, handleFailure],
  );

  const completeAction = useCallback(
    async (approve: boolean): Promise<string | null> => {
      if (token === null) return null;
      try {
        applyView(await api.checkout.completeAction.mutate({ token, approve }), true);
        return null;
      } catch (error) {
        return handleFailure(toFailure(error));
      }
    },
    [token, applyView, handleFailure],
  );

  useEffect(() => {
    document.title = titleFor(state);
  }, [state]);

  if (state.kind === 'loading') {
    return (
      <Shell>
        <Loading />
      </Shell>
    );
  }
  if (state.kind === 'token-error') {
    return (
      <Shell>
        <TokenErrorPage kind={state.code} returnUrl={state.returnUrl} />
      </Shell>
    );
  }
  if (state.kind === 'load-failed') {
    return (
      <Shell>
        <LoadFailed
          message={state.message}
          onRetry={() => {
            setState({ kind: 'loading' });
            setAttempt((n) => n + 1);
          }}
        />
      </Shell>
    );
  }

  const { view, paidHere } = state;
  const moveFocus = !state.initial;
  const sandbox = view.mode === 'sandbox';
  const merchant = view.merchant.displayName;
  const cancelUrl = safeHttpUrl(view.cancelUrl);
  const open = view.status === 'requires_payment_method' || view.status === 'requires_action';

  let content;
  switch (view.status) {
    case 'requires_payment_method':
      content = (
        <PaymentStep
          token={token!}
          view={view}
          prepare={prepare}
          knownClient={cardFormKnown ? CARD_FORM : null}
          fields={fields}
          onFieldsChange={setFields}
          onSubmitCard={submit}
          onSubmitted={submitted}
          onFailure={handleFailure}
          onRefresh={refresh}
          moveFocus={moveFocus}
          adyenReturn={providerReturn.adyen}
        />
      );
      break;
    case 'processing':
      content = <Processing merchant={merchant} slow={slow} moveFocus={moveFocus} />;
      break;
    case 'requires_action':
      // The sandbox's simulated 3-D Secure page; a provider's authentication runs in its own
      // window (Stripe's modal, Adyen's Drop-in) and ends by webhook, so we wait for it.
      content =
        view.nextAction?.type === 'three_d_secure' ? (
          <ThreeDSecure view={view} onAnswer={completeAction} moveFocus={moveFocus} />
        ) : (
          <Processing merchant={merchant} slow={slow} moveFocus={moveFocus} />
        );
      break;
    case 'succeeded':
      content = <Receipt view={view} redirect={paidHere} moveFocus={moveFocus} />;
      break;
    case 'canceled':
      content = <Canceled view={view} moveFocus={moveFocus} />;
      break;
  }

  return (
    <Shell brandColor={view.merchant.brandColor} sandbox={sandbox}>
      <Summary view={view} />
      <Fragment key={state.step}>{content}</Fragment>
      {open && cancelUrl ? (
        <p className="cancel">
          <a href={cancelUrl}>Cancel and return to {merchant}</a>
        </p>
      ) : null}
    </Shell>
  );
}

/** The outcome is on its way: processing, or authentication with a provider (not the sandbox's own page). */
function isWaiting(view: CheckoutView): boolean {
  return view.status === 'processing' || (view.status === 'requires_action' && view.nextAction?.type !== 'three_d_secure');
}

function failureMessage(failure: ApiFailure): string {
  if (failure.network) return 'We could not reach the payment service. Check your internet connection and try again.';
  switch (failure.appCode) {
    case 'checkout_token_expired':
    case 'checkout_token_revoked':
    case 'checkout_token_invalid':
    case 'invalid_state':
    case 'parameter_invalid':
    case 'card_invalid':
    case 'permission_denied':
      return failure.message;
    case 'rate_limited':
      return 'Too many attempts in a short time. Please wait a moment and try again.';
    default:
      return 'Something went wrong on our side. No money was taken. Please try again.';
  }
}

function titleFor(state: State): string {
  switch (state.kind) {
    case 'loading':
      return 'Payment';
    case 'token-error':
      return TOKEN_ERROR_PAGES[state.code].title;
    case 'load-failed':
      return 'Payment unavailable';
    case 'ready': {
      const { view } = state;
      const amount = formatAmount(view.amount, view.currency);
      if (view.status === 'succeeded') return `Paid ${amount} — ${view.merchant.displayName}`;
      return `Pay ${amount} — ${view.merchant.displayName}`;
    }
  }
}
