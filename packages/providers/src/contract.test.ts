/**
 * The PaymentProvider contract (packages/core/src/provider.ts), run unchanged against every
 * adapter. Each provider gets a small driver that knows how to make a payment succeed or decline
 * AT THAT PROVIDER (a sandbox test card, a Stripe ConfirmationToken, an Adyen session completed by
 * Drop-in), how that provider builds and signs a webhook, and which account to use; the test
 * bodies below only talk to the port.
 *
 * Stripe and Adyen run against the local fakes in ../test/fakes (the official SDKs pointed at
 * 127.0.0.1); the sandbox runs with its webhooks captured and an in-memory ledger.
 *
 * Where a provider cannot do something through our server (Adyen: payments are submitted by
 * Drop-in in the browser, so there is nothing to `authorize`), the contract is that the port SAYS
 * so: a final (non-retryable) `not_supported` failure, never a silent success.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type {
  AuthorizeRequest,
  ClientConfig,
  InboundWebhook,
  NormalizedOutcome,
  PaymentProvider,
  ProviderAccount,
  ProviderName,
  ProviderResult,
} from '@platform/core';
import {
  STRIPE_FAKE_TOKENS,
  signStripeEvent,
  startStripeFake,
  stripeEvent,
  type StripeFake,
} from '../test/fakes/stripe-fake.js';
import {
  authorisationItem,
  notification,
  signAdyenNotification,
  startAdyenFake,
  type AdyenFake,
} from '../test/fakes/adyen-fake.js';
import { createSandboxProvider, type SandboxLedger } from './sandbox/adapter.js';
import { signSandboxWebhook, type SandboxWebhookBody } from './sandbox/webhook.js';
import { createStripeProvider } from './stripe/adapter.js';
import { createAdyenProvider } from './adyen/adapter.js';

// ---- the driver interface ------------------------------------------------------------------

/** Our ids of one payment attempt. */
interface Attempt {
  attemptId: string;
  paymentId: string;
}

/** What the customer does: pay with something that succeeds, or with something the provider declines. */
type Intent = 'succeeds' | 'declines';

/** Whose secret signs a webhook: the account's own, or one no candidate account holds. */
type Signer = 'account' | 'stranger';

interface Driver {
  readonly name: ProviderName;
  /** The account every call uses. */
  readonly account: ProviderAccount;
  /** The candidate accounts handed to parseWebhook (a decoy of the same provider first, where accounts have their own secrets). */
  readonly webhookAccounts: readonly ProviderAccount[];
  /** The client config `prepare` returns for the hosted page. */
  readonly clientType: ClientConfig['type'];
  /**
   * Whether the customer's payment is submitted from OUR server through `authorize`. When false,
   * the provider's browser component submits it, and `authorize` must answer `not_supported`.
   */
  readonly serverAuthorize: boolean;
  /** The synchronous answer of `authorize` to a declined payment (when serverAuthorize). */
  readonly declineAnswer: 'accepted' | 'declined';
  /** The failure code a decline is normalized to (by retrieve and by webhook). */
  readonly declineCode: string;
  /** What a signed success webhook of this provider normalizes to. */
  readonly webhookSuccess: NormalizedOutcome;
  /** What the provider's browser component reported and we stored (Adyen: sessionResult). */
  readonly clientResult: string | undefined;
  /**
   * Whether `retrieve` can find an attempt without its reference (the creating call timed out)
   * by our attempt id. When false, the port must answer `processing` (ask later; the webhook
   * decides), never a guessed final outcome.
   */
  readonly findsByAttemptId: boolean;

  start(): Promise<PaymentProvider>;
  stop(): Promise<void>;
  /** The server-side submission: an AuthorizeRequest carrying this provider's payment details for `intent`. */
  authorizeRequest(attempt: Attempt, reference: string, intent: Intent): AuthorizeRequest;
  /** What the customer does in the provider's own component, which our server never sees (no-op where `authorize` did it all). */
  customerCompletes(attempt: Attempt, reference: string, intent: Intent): void;
  /** The provider reference of the captured payment, as a refund needs it. */
  paymentReference(attempt: Attempt, reference: string): string;
  /** A webhook as this provider would POST it for the attempt's outcome, and the reference the event must carry. */
  webhook(attempt: Attempt, reference: string, intent: Intent, signer: Signer): { request: InboundWebhook; reference: string };
  /** Whether `retrieveRefund` can look a refund up; when false it must answer `not_supported` (its webhook settles it). */
  readonly looksUpRefunds: boolean;
  /** Idempotency keys sent with refund calls so far; undefined when the provider takes no key (the refund id is then the reference). */
  refundIdempotencyKeys: (() => (string | undefined)[]) | undefined;
}

const AMOUNT = 1999;
const RETURN_URL = 'https://pay.example/return';
const future = new Date().getUTCFullYear() + 2;

const base = (account: ProviderAccount, attempt: Attempt) => ({ account, ...attempt, amount: AMOUNT, currency: 'EUR' as const, mode: 'sandbox' as const });

// ---- sandbox -------------------------------------------------------------------------------

function sandboxDriver(): Driver {
  const secret = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
  const strangerSecret = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
  const account: ProviderAccount = { id: 'sandbox', provider: 'sandbox', mode: 'sandbox', credentials: null };
  const scheduled: SandboxWebhookBody[] = [];
  const records = new Map<string, { outcome: NormalizedOutcome; settlesAt: Date }>();
  const ledger: SandboxLedger = {
    record: async (reference, outcome, settlesAt) => {
      records.set(reference, { outcome, settlesAt });
    },
    lookup: async (reference, now) => {
      const record = records.get(reference);
      return record && record.settlesAt <= now ? record.outcome : null;
    },
  };
  const card = (intent: Intent) => (intent === 'succeeds' ? '4242424242424242' : '4000000000000002');

  return {
    name: 'sandbox',
    account,
    webhookAccounts: [account],
    clientType: 'card_form',
    serverAuthorize: true,
    declineAnswer: 'accepted',
    declineCode: 'card_declined',
    webhookSuccess: { type: 'succeeded' },
    clientResult: undefined,
    findsByAttemptId: true,
    looksUpRefunds: true,
    start: async () =>
      createSandboxProvider({
        webhookSecret: secret,
        ledger,
        scheduleWebhook: async (body) => {
          scheduled.push(body);
        },
      }),
    stop: async () => {},
    authorizeRequest: (attempt, reference, intent) => ({
      ...base(account, attempt),
      reference,
      card: { number: card(intent), expMonth: 12, expYear: future, cvc: '123' },
    }),
    customerCompletes: () => {},
    paymentReference: (_attempt, reference) => reference,
    webhook(attempt, reference, intent, signer) {
      // The sandbox builds its own webhooks (scheduleWebhook); the host signs them at send time.
      const body = scheduled.findLast((b) => b.data.attemptId === attempt.attemptId);
      if (!body) throw new Error(`sandbox driver: no webhook was scheduled for ${attempt.attemptId}`);
      const expected = intent === 'succeeds' ? 'succeeded' : 'failed';
      if (body.data.outcome.type !== expected) throw new Error(`sandbox driver: scheduled ${body.data.outcome.type}, wanted ${expected}`);
      const rawBody = Buffer.from(JSON.stringify(body));
      return { request: { rawBody, headers: signSandboxWebhook(signer === 'account' ? secret : strangerSecret, body) }, reference };
    },
    refundIdempotencyKeys: undefined,
  };
}

// ---- stripe --------------------------------------------------------------------------------

function stripeDriver(): Driver {
  const stripeAccount = (id: string): ProviderAccount => ({
    id,
    provider: 'stripe',
    mode: 'sandbox',
    credentials: { secretKey: `sk_test_${id}`, publishableKey: `pk_test_${id}`, webhookSecret: `whsec_${id}` },
  });
  const account = stripeAccount('acct_stripe_contract');
  const decoy = stripeAccount('acct_stripe_decoy');
  let fake: StripeFake | undefined;
  const theFake = () => {
    if (!fake) throw new Error('stripe driver: not started');
    return fake;
  };

  return {
    name: 'stripe',
    account,
    webhookAccounts: [decoy, account],
    clientType: 'stripe_payment_element',
    serverAuthorize: true,
    declineAnswer: 'declined',
    declineCode: 'generic_decline',
    webhookSuccess: { type: 'succeeded' },
    clientResult: undefined,
    findsByAttemptId: true,
    looksUpRefunds: true,
    async start() {
      fake = await startStripeFake();
      return createStripeProvider({ apiBaseUrl: fake.url, timeoutMs: 5000 });
    },
    stop: async () => fake?.close(),
    authorizeRequest: (attempt, reference, intent) => ({
      ...base(account, attempt),
      reference,
      // The ConfirmationToken the Payment Element created in the browser.
      confirmationToken: intent === 'succeeds' ? STRIPE_FAKE_TOKENS.succeeds : STRIPE_FAKE_TOKENS.cardDeclined,
      returnUrl: RETURN_URL,
    }),
    customerCompletes: () => {},
    paymentReference: (_attempt, reference) => reference,
    webhook(_attempt, reference, intent, signer) {
      const pi = theFake().paymentIntents.get(reference);
      if (!pi) throw new Error(`stripe driver: no PaymentIntent ${reference}`);
      const payload = JSON.stringify(stripeEvent(intent === 'succeeds' ? 'payment_intent.succeeded' : 'payment_intent.payment_failed', pi));
      const secret = signer === 'account' ? 'whsec_acct_stripe_contract' : 'whsec_somebody_else';
      return { request: { rawBody: Buffer.from(payload), headers: { 'content-type': 'application/json', 'stripe-signature': signStripeEvent(payload, secret) } }, reference };
    },
    refundIdempotencyKeys: () => theFake().requests.filter((r) => r.route === 'POST /v1/refunds').map((r) => r.idempotencyKey),
  };
}

// ---- adyen ---------------------------------------------------------------------------------

function adyenDriver(): Driver {
  const KEY = 'A'.repeat(64);
  const DECOY_KEY = '0123456789abcdef'.repeat(4);
  const STRANGER_KEY = 'fedcba9876543210'.repeat(4);
  const adyenAccount = (id: string, hmacKey: string): ProviderAccount => ({
    id,
    provider: 'adyen',
    mode: 'sandbox',
    credentials: { apiKey: `AQE_${id}_key_0001`, merchantAccount: 'PlatformECOM', clientKey: 'test_CLIENTKEY123', hmacKey, environment: 'test' },
  });
  const account = adyenAccount('acct_adyen_contract', KEY);
  const decoy = adyenAccount('acct_adyen_decoy', DECOY_KEY);
  let fake: AdyenFake | undefined;
  const theFake = () => {
    if (!fake) throw new Error('adyen driver: not started');
    return fake;
  };
  /**
   * Adyen's pspReference of the payment made in an attempt's session. It arrives with the
   * AUTHORISATION notification (the host stores it as the payment's reference); the session id
   * that prepare/retrieve report is not a payment reference Adyen can refund.
   */
  const pspReference = (attempt: Attempt) => `PSP${attempt.attemptId.replace(/[^A-Za-z0-9]/g, '').toUpperCase()}`.padEnd(16, 'X').slice(0, 16);

  return {
    name: 'adyen',
    account,
    webhookAccounts: [decoy, account],
    clientType: 'adyen_drop_in',
    // Checkout sessions flow: Drop-in submits the payment to Adyen from the browser.
    serverAuthorize: false,
    declineAnswer: 'accepted',
    declineCode: 'refused',
    webhookSuccess: { type: 'authorized' },
    clientResult: 'X3XtfGC9!H4sIAAAAAAAAA',
    // Adyen sessions cannot be searched by our reference.
    findsByAttemptId: false,
    // Adyen's Checkout API has no refund lookup: REFUND / REFUND_FAILED notifications settle refunds.
    looksUpRefunds: false,
    async start() {
      fake = await startAdyenFake();
      return createAdyenProvider({ apiBaseUrl: fake.url, timeoutMs: 5000 });
    },
    stop: async () => fake?.close(),
    // There are no payment details a server could send: Drop-in holds them.
    authorizeRequest: (attempt, reference) => ({ ...base(account, attempt), reference, returnUrl: RETURN_URL }),
    // The shopper finishes (or is refused) in Drop-in; Adyen's session records it.
    customerCompletes: (_attempt, reference, intent) => theFake().setSessionStatus(reference, intent === 'succeeds' ? 'completed' : 'refused'),
    paymentReference: (attempt) => pspReference(attempt),
    webhook(attempt, _reference, intent, signer) {
      const psp = pspReference(attempt);
      const item = authorisationItem({
        pspReference: psp,
        merchantAccountCode: 'PlatformECOM',
        merchantReference: attempt.paymentId,
        amount: { value: AMOUNT, currency: 'EUR' },
        eventDate: new Date().toISOString(),
        success: intent === 'succeeds' ? 'true' : 'false',
        reason: intent === 'succeeds' ? 'null' : 'Refused',
        // Adyen echoes the session's metadata on the AUTHORISATION notification.
        additionalData: { 'metadata.attemptId': attempt.attemptId },
      });
      const signed = signAdyenNotification(item, signer === 'account' ? KEY : STRANGER_KEY);
      return { request: { rawBody: Buffer.from(JSON.stringify(notification([signed]))), headers: { 'content-type': 'application/json' } }, reference: psp };
    },
    refundIdempotencyKeys: () =>
      theFake()
        .requests.filter((r) => r.route === 'refunds')
        .map((r) => {
          const key = r.headers['idempotency-key'];
          return Array.isArray(key) ? key[0] : key;
        }),
  };
}

// ---- the contract --------------------------------------------------------------------------

function expectOk<T>(result: ProviderResult<T>): asserts result is { ok: true } & T {
  if (!result.ok) throw new Error(`expected ok, got ${result.kind} ${result.code}: ${result.message}`);
}

describe.each<Driver>([sandboxDriver(), stripeDriver(), adyenDriver()])('PaymentProvider contract: $name', (driver) => {
  let provider: PaymentProvider;
  let seq = 0;
  let attempt: Attempt;

  beforeAll(async () => {
    provider = await driver.start();
  });
  afterAll(() => driver.stop());
  beforeEach(() => {
    seq += 1;
    attempt = { attemptId: `att_${driver.name}_${seq}`, paymentId: `pay_${driver.name}_${seq}` };
  });

  const prepare = () => provider.prepare({ ...base(driver.account, attempt), description: 'Order 42', returnUrl: RETURN_URL });

  async function prepared(): Promise<string> {
    const result = await prepare();
    expectOk(result);
    return result.reference;
  }

  /** The customer pays: the server-side submission (authorize) and whatever happens in the provider's own component. */
  async function pay(reference: string, intent: Intent) {
    const answer = await provider.authorize(driver.authorizeRequest(attempt, reference, intent));
    driver.customerCompletes(attempt, reference, intent);
    return answer;
  }

  const retrieve = (reference: string | null) =>
    provider.retrieve({ account: driver.account, ...attempt, reference, ...(driver.clientResult ? { clientResult: driver.clientResult } : {}) });

  const refund = (paymentReference: string, refundId: string) =>
    provider.refund({ account: driver.account, refundId, paymentId: attempt.paymentId, paymentReference, amount: 500, currency: 'EUR' });

  it('is registered under its own name', () => {
    expect(provider.name).toBe(driver.name);
  });

  describe('prepare', () => {
    it('returns a provider reference and the client config of this provider', async () => {
      const result = await prepare();
      expectOk(result);
      expect(result.reference).toEqual(expect.any(String));
      expect(result.reference).not.toBe('');
      expect(result.client.type).toBe(driver.clientType);
    });

    it('is idempotent per attempt: preparing the same attempt again yields the same reference', async () => {
      const first = await prepare();
      const second = await prepare();
      expectOk(first);
      expect(second).toEqual(first);
    });

    it('a prepared attempt nobody has paid yet is still open: retrieve says processing', async () => {
      const reference = await prepared();
      expect(await retrieve(reference)).toEqual({ ok: true, reference, outcome: { type: 'processing' } });
    });
  });

  describe('confirm / authorize', () => {
    it('a succeeding payment is accepted (or the port says it is submitted elsewhere) and the provider then reports it succeeded', async () => {
      const reference = await prepared();
      const answer = await pay(reference, 'succeeds');
      if (driver.serverAuthorize) {
        // Accepted for processing: the reference of the prepared object, never a final status.
        expect(answer).toEqual({ ok: true, reference });
      } else {
        expect(answer).toMatchObject({ ok: false, kind: 'provider_error', code: 'not_supported', retryable: false });
      }
      expect(await retrieve(reference)).toEqual({ ok: true, reference, outcome: { type: 'succeeded' } });
    });

    it('a declined payment is never a retryable failure, and the provider reports it failed', async () => {
      const reference = await prepared();
      const answer = await pay(reference, 'declines');
      if (!driver.serverAuthorize) {
        expect(answer).toMatchObject({ ok: false, kind: 'provider_error', code: 'not_supported', retryable: false });
      } else if (driver.declineAnswer === 'declined') {
        expect(answer).toMatchObject({ ok: false, kind: 'declined', code: driver.declineCode, retryable: false });
      } else {
        expect(answer).toEqual({ ok: true, reference });
      }
      expect(await retrieve(reference)).toEqual({
        ok: true,
        reference,
        outcome: { type: 'failed', code: driver.declineCode, message: expect.any(String) },
      });
    });

    it('completeAction answers with the attempt reference (the outcome still arrives by webhook)', async () => {
      const reference = await prepared();
      const result = await provider.completeAction({ account: driver.account, ...attempt, reference, approve: true });
      expect(result).toEqual({ ok: true, reference });
    });
  });

  describe('retrieve without a reference (the creating call timed out)', () => {
    it('finds a paid attempt by our attempt id, or says processing where the provider cannot search', async () => {
      const reference = await prepared();
      await pay(reference, 'succeeds');
      const result = await retrieve(null);
      if (driver.findsByAttemptId) expect(result).toEqual({ ok: true, reference, outcome: { type: 'succeeded' } });
      else expect(result).toEqual({ ok: true, reference: null, outcome: { type: 'processing' } });
    });

    it('an attempt the provider never received is failed (not_found) where it can search; otherwise processing', async () => {
      const result = await retrieve(null);
      if (driver.findsByAttemptId) {
        expect(result).toMatchObject({ ok: true, outcome: { type: 'failed', code: 'not_found' } });
      } else {
        expect(result).toEqual({ ok: true, reference: null, outcome: { type: 'processing' } });
      }
    });
  });

  describe('refund', () => {
    it('refunds a captured payment: ok with a refund reference, keyed by our refund id', async () => {
      const reference = await prepared();
      await pay(reference, 'succeeds');
      const refundId = `ref_${attempt.attemptId}`;
      const result = await refund(driver.paymentReference(attempt, reference), refundId);
      expectOk(result);
      expect(result.reference).toEqual(expect.any(String));
      expect(result.reference).not.toBe('');
      if (driver.refundIdempotencyKeys) expect(driver.refundIdempotencyKeys().at(-1)).toBe(refundId);
      else expect(result.reference).toContain(refundId); // no key to send: the refund id IS the reference
    });

    it('is idempotent per refund id: the same refund twice is one refund; another refund id is another', async () => {
      const reference = await prepared();
      await pay(reference, 'succeeds');
      const paymentReference = driver.paymentReference(attempt, reference);
      const first = await refund(paymentReference, `ref_${attempt.attemptId}_a`);
      const again = await refund(paymentReference, `ref_${attempt.attemptId}_a`);
      const other = await refund(paymentReference, `ref_${attempt.attemptId}_b`);
      expectOk(first);
      expectOk(other);
      expect(again).toEqual(first);
      expect(other.reference).not.toBe(first.reference);
    });

    it('retrieveRefund reports an accepted refund settled, under our refund id (or not_supported where the provider has no lookup)', async () => {
      const reference = await prepared();
      await pay(reference, 'succeeds');
      const refundId = `ref_${attempt.attemptId}_lookup`;
      const accepted = await refund(driver.paymentReference(attempt, reference), refundId);
      expectOk(accepted);
      const result = await provider.retrieveRefund({ account: driver.account, refundId, paymentId: attempt.paymentId, refundReference: accepted.reference });
      if (driver.looksUpRefunds) {
        expect(result).toEqual({ ok: true, outcome: { type: 'refund_succeeded', refundId, refundReference: accepted.reference } });
      } else {
        expect(result).toMatchObject({ ok: false, kind: 'provider_error', code: 'not_supported', retryable: false });
      }
    });
  });

  describe('parseWebhook', () => {
    it('a signed success event → one ProviderEvent with our payment id, the verifying account and the normalized outcome', async () => {
      const reference = await prepared();
      await pay(reference, 'succeeds');
      const webhook = driver.webhook(attempt, reference, 'succeeds', 'account');
      const parsed = await provider.parseWebhook(webhook.request, driver.webhookAccounts);
      expect(parsed).toEqual({
        ok: true,
        events: [
          {
            eventId: expect.any(String),
            paymentId: attempt.paymentId,
            accountId: driver.account.id,
            attemptId: attempt.attemptId,
            reference: webhook.reference,
            outcome: driver.webhookSuccess,
            occurredAt: expect.any(Date),
          },
        ],
      });
      if (!parsed.ok) return;
      expect(parsed.events[0]!.eventId).not.toBe('');
      expect(Number.isNaN(parsed.events[0]!.occurredAt.getTime())).toBe(false);
    });

    it('a signed decline event → failed with the normalized decline code', async () => {
      const reference = await prepared();
      await pay(reference, 'declines');
      const webhook = driver.webhook(attempt, reference, 'declines', 'account');
      const parsed = await provider.parseWebhook(webhook.request, driver.webhookAccounts);
      expect(parsed).toMatchObject({
        ok: true,
        events: [{ paymentId: attempt.paymentId, accountId: driver.account.id, reference: webhook.reference, outcome: { type: 'failed', code: driver.declineCode } }],
      });
    });

    it('an event signed with a secret no candidate account holds → invalid_signature', async () => {
      const reference = await prepared();
      await pay(reference, 'succeeds');
      const webhook = driver.webhook(attempt, reference, 'succeeds', 'stranger');
      expect(await provider.parseWebhook(webhook.request, driver.webhookAccounts)).toMatchObject({ ok: false, kind: 'invalid_signature' });
    });

    it('a correctly signed event whose body was altered afterwards → invalid_signature', async () => {
      const reference = await prepared();
      await pay(reference, 'succeeds');
      const { request } = driver.webhook(attempt, reference, 'succeeds', 'account');
      // Change one signed value, keeping the body valid JSON of the same shape.
      const altered = request.rawBody.toString('utf8').replace(`"${attempt.paymentId}"`, `"${attempt.paymentId}x"`);
      expect(altered).not.toBe(request.rawBody.toString('utf8'));
      const parsed = await provider.parseWebhook({ rawBody: Buffer.from(altered), headers: request.headers }, driver.webhookAccounts);
      expect(parsed).toMatchObject({ ok: false, kind: 'invalid_signature' });
    });
  });
});
