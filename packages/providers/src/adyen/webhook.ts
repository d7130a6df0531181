import type { AdyenCredentials, ProviderAccount, ProviderEvent, WebhookParseResult } from '@platform/core';
import { HmacValidator, type NotificationRequestItem } from './sdk.js';
import { notificationOutcome } from './outcomes.js';

type AdyenAccount = Extract<ProviderAccount, { provider: 'adyen' }>;

const REFUND_EVENTS = new Set(['REFUND', 'REFUND_FAILED']);
/** Events whose pspReference is the modification's; the payment's is `originalReference`. */
const MODIFICATION_EVENTS = new Set(['CANCELLATION']);

/**
 * Adyen standard notifications (`{ live, notificationItems: [{ NotificationRequestItem }] }`).
 * Adyen signs each ITEM (HMAC-SHA256 over pspReference:originalReference:merchantAccountCode:
 * merchantReference:value:currency:eventCode:success, in additionalData.hmacSignature), not the
 * raw body, so the body is parsed first: invalid JSON is `malformed`.
 *
 * An account verifies the notification when EVERY item names its merchant account and carries a
 * valid HMAC for its key (checked with the SDK's HmacValidator); the first account that does is
 * the one reported. No such account → `invalid_signature`.
 *
 * Not covered by Adyen's HMAC: additionalData (so `metadata.attemptId`), eventDate and reason.
 * A replayed item with those fields altered still verifies; the host must treat attemptId as a
 * hint checked against the payment.
 */
export function parseAdyenWebhook(rawBody: Buffer, accounts: readonly ProviderAccount[]): WebhookParseResult {
  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return { ok: false, kind: 'malformed', message: 'Adyen notification body is not JSON' };
  }
  const items = notificationItems(body);
  if (!items) return { ok: false, kind: 'malformed', message: 'Adyen notification without notificationItems[].NotificationRequestItem' };

  const account = accounts.find(
    (a): a is AdyenAccount => a.provider === 'adyen' && items.every((item) => verifies(item, a.credentials)),
  );
  if (!account) return { ok: false, kind: 'invalid_signature', message: 'No Adyen account of this merchant account verified the notification HMAC' };

  const events: ProviderEvent[] = [];
  for (const item of items) {
    const event = toEvent(item, account.id);
    if (!event) return { ok: false, kind: 'malformed', message: 'Adyen notification item without pspReference, eventCode, success, merchantReference or a valid eventDate' };
    events.push(event);
  }
  return { ok: true, events };
}

function notificationItems(body: unknown): Record<string, unknown>[] | null {
  const list = (body as { notificationItems?: unknown } | null)?.notificationItems;
  if (!Array.isArray(list) || list.length === 0) return null;
  const items = list.map((entry) => (entry as { NotificationRequestItem?: unknown } | null)?.NotificationRequestItem);
  return items.every(isObject) ? items : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An HMAC key must be non-empty hex: Buffer.from('', 'hex') would be an empty key anyone can sign with. */
const HEX_KEY = /^(?:[0-9a-fA-F]{2})+$/;

function verifies(item: Record<string, unknown>, credentials: AdyenCredentials): boolean {
  if (item.merchantAccountCode !== credentials.merchantAccount || !HEX_KEY.test(credentials.hmacKey) || !isObject(item.amount)) return false;
  try {
    return new HmacValidator().validateHMAC(item as unknown as NotificationRequestItem, credentials.hmacKey);
  } catch {
    return false; // no additionalData.hmacSignature
  }
}

function toEvent(item: Record<string, unknown>, accountId: string): ProviderEvent | null {
  const { pspReference, eventCode, success, merchantReference, eventDate, originalReference, reason } = item;
  if (![pspReference, eventCode, success, merchantReference, eventDate].every((v) => typeof v === 'string' && v !== '')) return null;
  const fields = { pspReference, eventCode, success, merchantReference } as Record<'pspReference' | 'eventCode' | 'success' | 'merchantReference', string>;
  const occurredAt = new Date(eventDate as string);
  if (Number.isNaN(occurredAt.getTime())) return null;
  const original = typeof originalReference === 'string' && originalReference !== '' ? originalReference : undefined;
  const outcome = notificationOutcome({ ...fields, reason: typeof reason === 'string' ? reason : undefined });
  const eventId = `${fields.pspReference}:${fields.eventCode}:${fields.success}`;

  if (REFUND_EVENTS.has(fields.eventCode)) {
    // merchantReference is OUR refund id; the refunded payment is known by its pspReference only.
    return { eventId, paymentId: null, accountId, reference: original ?? fields.pspReference, outcome, occurredAt };
  }
  const additionalData = isObject(item.additionalData) ? item.additionalData : {};
  const attemptId = additionalData['metadata.attemptId'];
  return {
    eventId,
    paymentId: fields.merchantReference,
    accountId,
    // Without our attempt id nothing names the attempt: the pspReference is not the session id
    // `prepare` returned.
    ...(typeof attemptId === 'string' && attemptId !== '' ? { attemptId } : { attemptUnknown: true as const }),
    reference: MODIFICATION_EVENTS.has(fields.eventCode) && original ? original : fields.pspReference,
    outcome,
    occurredAt,
  };
}
