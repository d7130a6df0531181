import Stripe from 'stripe';
import type { InboundWebhook, NormalizedOutcome, ProviderAccount, ProviderEvent, WebhookParseResult } from '@platform/core';
import { paymentErrorCode, paymentErrorMessage, refundOutcome, type RefundObject } from './outcomes.js';

/** Stripe's default and our tolerance for the signed timestamp (spec/webhooks.md "In"). */
export const STRIPE_WEBHOOK_TOLERANCE_SECONDS = 300;

type Metadata = Record<string, string> | null | undefined;

/** The parts of a PaymentIntent we read; typed loosely so older API versions still map. */
interface PaymentIntentObject {
  id: string;
  metadata?: Metadata;
  last_payment_error?: Stripe.PaymentIntent['last_payment_error'];
}

const PAYMENT_OUTCOMES: Record<string, (pi: PaymentIntentObject) => NormalizedOutcome> = {
  'payment_intent.succeeded': () => ({ type: 'succeeded' }),
  'payment_intent.processing': () => ({ type: 'processing' }),
  'payment_intent.requires_action': () => ({ type: 'requires_action' }),
  'payment_intent.amount_capturable_updated': () => ({ type: 'authorized' }),
  'payment_intent.canceled': () => ({ type: 'canceled' }),
  'payment_intent.payment_failed': (pi) => ({
    type: 'failed',
    code: paymentErrorCode(pi.last_payment_error),
    message: paymentErrorMessage(pi.last_payment_error),
  }),
};

/**
 * Events whose `data.object` is a Refund. `charge.refunded` is deliberately NOT mapped: its
 * object is the Charge, which since API 2022-11-15 no longer embeds its refunds, and every
 * refund also produces `refund.created` / `refund.updated` carrying our metadata. Endpoints
 * must therefore subscribe to `refund.*` (or `charge.refund.updated`).
 */
const REFUND_EVENTS = new Set(['refund.created', 'refund.updated', 'refund.failed', 'charge.refund.updated']);

/**
 * Verifies a Stripe webhook on its RAW body with each candidate Stripe account's signing
 * secret (first that verifies wins) and maps it to at most one ProviderEvent.
 */
export function parseStripeWebhook(request: InboundWebhook, accounts: readonly ProviderAccount[]): WebhookParseResult {
  const signature = headerValue(request.headers, 'stripe-signature');
  if (!signature) return { ok: false, kind: 'invalid_signature', message: 'Missing Stripe-Signature header' };

  for (const account of accounts) {
    if (account.provider !== 'stripe' || !account.credentials.webhookSecret?.trim()) continue;
    let event: Stripe.Event;
    try {
      event = Stripe.webhooks.constructEvent(request.rawBody, signature, account.credentials.webhookSecret, STRIPE_WEBHOOK_TOLERANCE_SECONDS);
    } catch (err) {
      if (err instanceof Stripe.errors.StripeSignatureVerificationError) continue;
      // The signature verified but the body is not a (snapshot) event JSON.
      return { ok: false, kind: 'malformed', message: `Stripe webhook body: ${(err as Error).message}` };
    }
    return mapEvent(event, account.id);
  }
  return { ok: false, kind: 'invalid_signature', message: 'No Stripe account secret verifies this Stripe-Signature' };
}

function mapEvent(event: Stripe.Event, accountId: string): WebhookParseResult {
  const object = (event as { data?: { object?: unknown } }).data?.object as { id?: unknown } | undefined;
  if (!event.id || !event.type || typeof event.created !== 'number' || !object || typeof object.id !== 'string') {
    return { ok: false, kind: 'malformed', message: 'Stripe event without id, type, created or data.object.id' };
  }
  const base = { eventId: event.id, accountId, occurredAt: new Date(event.created * 1000) };
  const notSupported: NormalizedOutcome = { type: 'not_supported', providerType: event.type };

  const paymentOutcome = PAYMENT_OUTCOMES[event.type];
  if (paymentOutcome) {
    const pi = object as PaymentIntentObject;
    const paymentId = pi.metadata?.paymentId ?? null;
    const attemptId = pi.metadata?.attemptId;
    return single({
      ...base,
      paymentId,
      ...(attemptId ? { attemptId } : {}),
      reference: pi.id,
      // Not ours (no paymentId): acknowledged and ignored by the host.
      outcome: paymentId ? paymentOutcome(pi) : notSupported,
    });
  }

  if (REFUND_EVENTS.has(event.type)) {
    const refund = object as RefundObject;
    const paymentId = refund.metadata?.paymentId ?? null;
    const refundId = refund.metadata?.refundId ?? null;
    const reference = (typeof refund.payment_intent === 'string' ? refund.payment_intent : refund.payment_intent?.id) ?? refund.id;
    return single({
      ...base,
      paymentId,
      reference,
      outcome: paymentId || refundId ? refundOutcome(refund, refundId, notSupported) : notSupported,
    });
  }

  const metadata = (object as { metadata?: Metadata }).metadata;
  return single({
    ...base,
    paymentId: metadata?.paymentId ?? null,
    ...(metadata?.attemptId ? { attemptId: metadata.attemptId } : {}),
    reference: object.id,
    outcome: notSupported,
  });
}

function single(event: ProviderEvent): WebhookParseResult {
  return { ok: true, events: [event] };
}

function headerValue(headers: Record<string, string | undefined>, name: string): string | undefined {
  const direct = headers[name];
  if (direct !== undefined) return direct;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key ? headers[key] : undefined;
}
