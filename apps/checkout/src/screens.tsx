import { useEffect, useState, type Ref } from 'react';
import type { CheckoutView } from './api';
import { formatAmount, hostOf, safeHttpUrl } from './format';
import { useFocusOnMount } from './focus';
import { TOKEN_ERROR_PAGES } from './messages';

/** After submit (or 3-D Secure): the outcome arrives by webhook, the page polls meanwhile. */
export function Processing({ merchant, slow, moveFocus }: { merchant: string; slow: boolean; moveFocus: boolean }) {
  const heading = useFocusOnMount<HTMLHeadingElement>(moveFocus);
  return (
    <section className="step step-center" aria-busy="true">
      <div className="spinner" aria-hidden="true" />
      <h2 ref={heading} tabIndex={-1} className="step-title">
        Processing your payment…
      </h2>
      <p>This usually takes a few seconds. Please keep this page open.</p>
      <p role="status" className="muted">
        {slow ? `This is taking longer than usual. We keep checking; ${merchant} will also be told the result if you leave.` : ''}
      </p>
    </section>
  );
}

/** The sandbox's simulated 3-D Secure challenge. */
export function ThreeDSecure({ view, onAnswer, moveFocus }: { view: CheckoutView; onAnswer: (approve: boolean) => Promise<string | null>; moveFocus: boolean }) {
  const heading = useFocusOnMount<HTMLHeadingElement>(moveFocus);
  const [pending, setPending] = useState<boolean | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function answer(approve: boolean) {
    if (pending !== null) return;
    setPending(approve);
    setError(null);
    const refused = await onAnswer(approve);
    if (refused !== null) {
      setPending(null);
      setError(refused);
    }
  }

  return (
    <section className="step three-ds" aria-labelledby="three-ds-title" aria-busy={pending !== null || undefined}>
      <p className="three-ds-badge">Simulated bank page</p>
      <h2 id="three-ds-title" ref={heading} tabIndex={-1} className="step-title">
        Confirm it’s you: 3-D Secure
      </h2>
      <p>
        Your bank asks you to approve the payment of <strong>{formatAmount(view.amount, view.currency)}</strong> to{' '}
        <strong>{view.merchant.displayName}</strong>.
      </p>
      <p className="muted">This is a sandbox simulation: choose how the authentication should end.</p>
      {error ? (
        <div className="notice notice-error" role="alert">
          <p>{error}</p>
        </div>
      ) : null}
      <div className="button-row">
        <button type="button" className="pay-button" onClick={() => answer(true)} aria-disabled={pending !== null || undefined}>
          Complete authentication
        </button>
        <button type="button" className="secondary-button" onClick={() => answer(false)} aria-disabled={pending !== null || undefined}>
          Fail authentication
        </button>
      </div>
    </section>
  );
}

/** A paid payment. `redirect`: the payment was completed on this page just now, so we go back to the shop. */
export function Receipt({ view, redirect, moveFocus }: { view: CheckoutView; redirect: boolean; moveFocus: boolean }) {
  const heading = useFocusOnMount<HTMLHeadingElement>(moveFocus);
  const returnUrl = safeHttpUrl(view.returnUrl);
  const merchant = view.merchant.displayName;
  const [seconds, setSeconds] = useState(2);

  useEffect(() => {
    if (!redirect || !returnUrl) return;
    const tick = setInterval(() => setSeconds((s) => Math.max(0, s - 1)), 1000);
    const go = setTimeout(() => window.location.assign(returnUrl), 2000);
    return () => {
      clearInterval(tick);
      clearTimeout(go);
    };
  }, [redirect, returnUrl]);

  return (
    <section className="step receipt" aria-labelledby="receipt-title">
      <div className="check" aria-hidden="true">✓</div>
      <h2 id="receipt-title" ref={heading} tabIndex={-1} className="step-title">
        Payment successful
      </h2>
      <dl className="receipt-details">
        <div>
          <dt>Amount paid</dt>
          <dd>{formatAmount(view.amount, view.currency)}</dd>
        </div>
        <div>
          <dt>Paid to</dt>
          <dd>{merchant}</dd>
        </div>
        {view.description ? (
          <div>
            <dt>For</dt>
            <dd>{view.description}</dd>
          </div>
        ) : null}
        <div>
          <dt>Payment ID</dt>
          <dd>
            <code>{view.paymentId}</code>
          </dd>
        </div>
      </dl>
      {returnUrl ? (
        <>
          {redirect ? (
            <p role="status" className="muted">
              Taking you back to {merchant}
              {seconds > 0 ? ` in ${seconds} second${seconds === 1 ? '' : 's'}` : ''}…
            </p>
          ) : null}
          <a className="link-button" href={returnUrl}>
            Return to {merchant}
          </a>
        </>
      ) : (
        <p>You can close this page.</p>
      )}
    </section>
  );
}

export function Canceled({ view, moveFocus }: { view: CheckoutView; moveFocus: boolean }) {
  const heading = useFocusOnMount<HTMLHeadingElement>(moveFocus);
  const back = safeHttpUrl(view.cancelUrl ?? view.returnUrl);
  return (
    <section className="step" aria-labelledby="canceled-title">
      <h2 id="canceled-title" ref={heading} tabIndex={-1} className="step-title">
        This payment was canceled
      </h2>
      <p>It can no longer be paid and no money was taken. If you still want to buy, please start again at {view.merchant.displayName}.</p>
      {back ? (
        <a className="link-button" href={back}>
          Return to {view.merchant.displayName}
        </a>
      ) : null}
    </section>
  );
}

/**
 * The payment form cannot be shown: the provider's form did not load, no provider could be
 * reached, the merchant has none configured, or the API could not be asked. Always says that no
 * money was taken and offers to try again — never a blank page.
 */
export function PaymentUnavailable({
  title,
  message,
  onRetry,
  alert,
  moveFocus,
}: {
  title: string;
  message: string;
  onRetry: () => void;
  /** Announce at once (role=alert): something failed. Off for a steady state ("not set up yet"). */
  alert: boolean;
  moveFocus: boolean;
}) {
  const heading = useFocusOnMount<HTMLHeadingElement>(moveFocus);
  return (
    <section className="step" aria-labelledby="unavailable-title">
      <h2 id="unavailable-title" ref={heading} tabIndex={-1} className="step-title">
        {title}
      </h2>
      <div className={alert ? 'notice notice-error' : 'notice'} role={alert ? 'alert' : undefined}>
        <p>{message}</p>
      </div>
      <button type="button" className="secondary-button" onClick={onRetry}>
        Try again
      </button>
    </section>
  );
}

/** While the page asks the API which payment form to show, or a provider's form loads. */
/** Why the last attempt failed, above the form; the parent focuses it (`ref`) after a decline. */
export function DeclineNotice({ message, ref }: { message: string; ref: Ref<HTMLDivElement> }) {
  return (
    <div ref={ref} className="notice notice-error" role="alert" tabIndex={-1}>
      <p className="notice-title">The payment did not go through</p>
      <p>{message}</p>
    </div>
  );
}

export function FormLoading({ label }: { label: string }) {
  return (
    <div className="form-loading">
      <div className="spinner spinner-small" aria-hidden="true" />
      <p role="status">{label}</p>
    </div>
  );
}

/** Expired, revoked or unknown links: say so, and offer the way back when the server knows it. */
export function TokenErrorPage({ kind, returnUrl }: { kind: keyof typeof TOKEN_ERROR_PAGES; returnUrl: string | null }) {
  const page = TOKEN_ERROR_PAGES[kind];
  const back = safeHttpUrl(returnUrl);
  return (
    <section className="step error-page" aria-labelledby="error-title">
      <h1 id="error-title" className="step-title">
        {page.title}
      </h1>
      <p>{page.body}</p>
      {back ? (
        <a className="link-button" href={back}>
          Return to {hostOf(back)}
        </a>
      ) : null}
    </section>
  );
}

export function LoadFailed({ message, onRetry }: { message: string; onRetry: () => void }) {
  return (
    <section className="step error-page" aria-labelledby="load-failed-title">
      <h1 id="load-failed-title" className="step-title">
        We could not load this payment
      </h1>
      <p role="alert">{message}</p>
      <button type="button" className="pay-button" onClick={onRetry}>
        Try again
      </button>
    </section>
  );
}

export function Loading() {
  return (
    <section className="step step-center" aria-busy="true">
      <div className="spinner" aria-hidden="true" />
      <p role="status">Loading payment…</p>
    </section>
  );
}
