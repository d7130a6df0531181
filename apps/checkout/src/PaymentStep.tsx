import { useEffect, useState } from 'react';
import { isTokenError, toFailure, type ApiFailure, type CardInput, type CheckoutView, type ClientConfig } from './api';
import type { CardFields } from './card-fields';
import { CardForm } from './CardForm';
import { formatAmount } from './format';
import { declineMessage as declineText, UNAVAILABLE_PAGES } from './messages';
import { AdyenPayment, StripePayment } from './ProviderForms';
import { FormLoading, PaymentUnavailable } from './screens';

export interface PaymentStepProps {
  token: string;
  view: CheckoutView;
  /** `checkout.prepare`, at most once per step (the caller caches it); `fresh` after "Try again". */
  prepare: (fresh: boolean) => Promise<ClientConfig>;
  /** Known without asking (the sandbox card form, once seen): shown at once, no loading flash. */
  knownClient: ClientConfig | null;
  fields: CardFields;
  onFieldsChange: (fields: CardFields) => void;
  /** Sandbox card submission: resolves with a message when refused, null when it went through. */
  onSubmitCard: (card: CardInput) => Promise<string | null>;
  /** The payment went to a provider (Stripe confirm, Adyen result): the server's view now. */
  onSubmitted: (view: CheckoutView) => void;
  onFailure: (failure: ApiFailure) => string;
  onRefresh: () => void;
  moveFocus: boolean;
  /** Adyen's `redirectResult` when the customer came back from a redirect for this session. */
  adyenReturn: { sessionId: string; redirectResult: string } | null;
}

type Prepared =
  | { kind: 'preparing' }
  | { kind: 'ready'; client: ClientConfig }
  | { kind: 'unavailable'; title: string; message: string; alert: boolean };

/**
 * `requires_payment_method`: asks the API once which form takes the payment (`checkout.prepare`,
 * which also creates the provider object) and shows it — the sandbox card form, Stripe's
 * Payment Element or Adyen's Drop-in. If none can be shown, says so with "Try again".
 */
export function PaymentStep(props: PaymentStepProps) {
  const { token, view, prepare, knownClient, moveFocus, onFailure, onRefresh } = props;
  const [prepared, setPrepared] = useState<Prepared>(() => (knownClient ? { kind: 'ready', client: knownClient } : { kind: 'preparing' }));
  const [attempt, setAttempt] = useState(0);
  const merchant = view.merchant.displayName;

  useEffect(() => {
    if (knownClient) return;
    let cancelled = false;
    prepare(attempt > 0).then(
      (client) => {
        if (!cancelled) setPrepared({ kind: 'ready', client });
      },
      (error: unknown) => {
        if (cancelled) return;
        const failure = toFailure(error);
        if (isTokenError(failure)) {
          onFailure(failure); // the whole page becomes the token error page
          return;
        }
        // "already processing/paid" (e.g. paid in another tab): show the payment as it is now.
        if (failure.appCode === 'invalid_state') onRefresh();
        setPrepared(unavailable(failure, merchant, onFailure));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [attempt, knownClient, prepare, merchant, onFailure, onRefresh]);

  const retry = () => {
    setPrepared({ kind: 'preparing' });
    setAttempt((n) => n + 1);
  };

  if (prepared.kind === 'preparing') return <FormLoading label="Preparing the payment form…" />;
  if (prepared.kind === 'unavailable') {
    return <PaymentUnavailable title={prepared.title} message={prepared.message} onRetry={retry} alert={prepared.alert} moveFocus={moveFocus || attempt > 0} />;
  }

  const amountLabel = formatAmount(view.amount, view.currency);
  const decline = view.lastError ? declineText(view.lastError.code) : null;
  const { client } = prepared;
  const common = { token, view, amountLabel, declineMessage: decline, moveFocus, onSubmitted: props.onSubmitted, onFailure, onRefresh };
  switch (client.type) {
    case 'card_form':
      // Live payments never take card numbers on our page (the API refuses them too).
      if (view.mode === 'live') {
        return <PaymentUnavailable {...notConfigured(merchant)} onRetry={retry} moveFocus={moveFocus} />;
      }
      return (
        <CardForm
          fields={props.fields}
          onFieldsChange={props.onFieldsChange}
          amountLabel={amountLabel}
          declineMessage={decline}
          onSubmit={props.onSubmitCard}
          sandbox
          moveFocus={moveFocus}
        />
      );
    case 'stripe_payment_element':
      return <StripePayment {...common} client={client} />;
    case 'adyen_drop_in': {
      const back = props.adyenReturn?.sessionId === client.sessionId ? props.adyenReturn.redirectResult : null;
      return <AdyenPayment {...common} client={client} redirectResult={back} />;
    }
  }
}

function notConfigured(merchant: string) {
  return { title: UNAVAILABLE_PAGES.notConfigured.title, message: UNAVAILABLE_PAGES.notConfigured.body(merchant), alert: false };
}

function unavailable(failure: ApiFailure, merchant: string, describe: (failure: ApiFailure) => string): Prepared {
  if (failure.appCode === 'service_unavailable') {
    if (failure.reason === 'not_configured') return { kind: 'unavailable', ...notConfigured(merchant) };
    return { kind: 'unavailable', title: UNAVAILABLE_PAGES.providerUnavailable.title, message: UNAVAILABLE_PAGES.providerUnavailable.body, alert: true };
  }
  return { kind: 'unavailable', title: UNAVAILABLE_PAGES.prepareFailed.title, message: describe(failure), alert: true };
}
