import type {
  AdyenCredentials,
  ClientConfig,
  NormalizedOutcome,
  PaymentProvider,
  ProviderAccount,
  ProviderFailure,
  ProviderResult,
} from '@platform/core';
import { createCheckoutClients, type AdyenCheckout } from './checkout-clients.js';
import { toAdyenFailure } from './errors.js';
import { sessionOutcome } from './outcomes.js';
import { parseAdyenWebhook } from './webhook.js';

export interface AdyenProviderOptions {
  /** Test-only: point the official SDK at a local server (env `ADYEN_CHECKOUT_BASE_URL`), e.g. `http://127.0.0.1:12345`. */
  apiBaseUrl?: string;
  /** Per-request timeout in milliseconds (default 15 000). The SDK never retries: the host does. */
  timeoutMs?: number;
}

export const ADYEN_DEFAULT_TIMEOUT_MS = 15_000;

/**
 * Adyen through the official `@adyen/api-library`: Checkout sessions + Drop-in (`@adyen/adyen-web`).
 * `prepare` creates the session; the browser's Drop-in submits the payment to Adyen directly, so
 * `authorize`/`completeAction` have nothing to do on our server. The outcome arrives by the
 * AUTHORISATION notification (`parseWebhook`), or by `retrieve` with the browser's sessionResult.
 */
export function createAdyenProvider(options: AdyenProviderOptions): PaymentProvider {
  const checkoutFor = createCheckoutClients({
    timeoutMs: options.timeoutMs ?? ADYEN_DEFAULT_TIMEOUT_MS,
    ...(options.apiBaseUrl ? { apiBaseUrl: options.apiBaseUrl } : {}),
  });

  /** Runs one SDK call with the account's Checkout services; provider failures become values. */
  async function call<T>(account: ProviderAccount, run: (checkout: AdyenCheckout, credentials: AdyenCredentials) => Promise<ProviderResult<T>>): Promise<ProviderResult<T>> {
    const credentials = adyenCredentials(account);
    const checkout = checkoutFor(credentials);
    if ('ok' in checkout) return checkout;
    try {
      return await run(checkout, credentials);
    } catch (err) {
      return toAdyenFailure(err);
    }
  }

  return {
    name: 'adyen',

    prepare(request) {
      return call(request.account, async ({ payments }, credentials) => {
        const session = await payments.sessions(
          {
            amount: { value: request.amount, currency: request.currency },
            merchantAccount: credentials.merchantAccount,
            reference: request.paymentId,
            returnUrl: request.returnUrl,
            // Comes back on the AUTHORISATION notification as additionalData['metadata.attemptId'].
            metadata: { attemptId: request.attemptId },
          },
          { idempotencyKey: request.attemptId },
        );
        if (!session.id || !session.sessionData) return invalidResponse('The Adyen session has no id or sessionData');
        const client: ClientConfig = {
          type: 'adyen_drop_in',
          clientKey: credentials.clientKey,
          environment: credentials.environment,
          sessionId: session.id,
          sessionData: session.sessionData,
        };
        return { ok: true, reference: session.id, client };
      });
    },

    async authorize() {
      return {
        ok: false,
        kind: 'provider_error',
        code: 'not_supported',
        message: 'Adyen payments are submitted by Drop-in in the browser (Checkout sessions flow); there is nothing to authorize from the server',
        retryable: false,
      };
    },

    /** 3-D Secure and redirects are handled by Drop-in within the session: nothing to do here. */
    async completeAction(request) {
      return { ok: true, reference: request.reference };
    },

    /**
     * Asks Adyen for the session result. Adyen answers only with the `sessionResult` the Drop-in
     * reported to the browser, and sessions cannot be searched by our reference, so without a
     * session id and that value there is nothing to ask: `processing`, and the AUTHORISATION
     * notification decides.
     */
    retrieve(request) {
      const { reference, clientResult } = request;
      if (!reference || !clientResult) {
        adyenCredentials(request.account);
        return Promise.resolve({ ok: true, reference, outcome: { type: 'processing' } });
      }
      return call(request.account, async ({ payments }) => {
        const result = await payments.getResultOfPaymentSession(reference, clientResult);
        const outcome: NormalizedOutcome = sessionOutcome(result.status);
        // The payment's own pspReference (what refunds need), when the session produced one.
        const paymentPsp = result.payments?.find((p) => p.pspReference)?.pspReference;
        return { ok: true, reference: paymentPsp ?? reference, outcome };
      });
    },

    /** Success = Adyen accepted the refund (`status: received`); REFUND / REFUND_FAILED notifications finish it. */
    refund(request) {
      return call(request.account, async ({ modifications }, credentials) => {
        const refund = await modifications.refundCapturedPayment(
          request.paymentReference,
          { amount: { value: request.amount, currency: request.currency }, merchantAccount: credentials.merchantAccount, reference: request.refundId },
          { idempotencyKey: request.refundId },
        );
        if (!refund.pspReference) return invalidResponse('The Adyen refund has no pspReference');
        return { ok: true, reference: refund.pspReference };
      });
    },

    /**
     * Adyen's Checkout API has no refund lookup: a refund is settled only by its REFUND or
     * REFUND_FAILED notification (Customer Area → Transactions shows it meanwhile).
     */
    async retrieveRefund(request) {
      adyenCredentials(request.account);
      return {
        ok: false,
        kind: 'provider_error',
        code: 'not_supported',
        message: 'Adyen has no refund lookup: the REFUND / REFUND_FAILED notification settles the refund',
        retryable: false,
      };
    },

    async parseWebhook(request, accounts) {
      return parseAdyenWebhook(request.rawBody, accounts);
    },
  };
}

/** Calling the Adyen adapter with another provider's account is a programming error. */
function adyenCredentials(account: ProviderAccount): AdyenCredentials {
  if (account.provider !== 'adyen') throw new Error(`The Adyen adapter got a ${account.provider} account (${account.id})`);
  return account.credentials;
}

function invalidResponse(message: string): ProviderFailure {
  return { ok: false, kind: 'provider_error', code: 'invalid_response', message, retryable: false };
}
