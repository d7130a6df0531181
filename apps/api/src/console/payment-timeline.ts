import {
  AuditEntrySchema,
  EventSchema,
  PaymentAttemptSchema,
  UserSchema,
  WebhookAttemptSchema,
  WebhookDeliverySchema,
  WebhookEndpointSchema,
  type Payment,
  type Refund,
} from '../db/entities/index.js';
import { formatMoney, isCurrencyCode } from '@platform/core';
import type { CrossTenantReader } from './db.js';

export type TimelineKind = 'attempt' | 'event' | 'delivery' | 'audit' | 'refund';

export interface TimelineEntry {
  /** The row this entry comes from (attempt, event, delivery, webhook attempt, audit entry or refund id). */
  id: string;
  at: string;
  kind: TimelineKind;
  title: string;
  detail: string | null;
}

/** Ties at the same instant read in cause → effect order. */
const ORDER: Record<TimelineKind, number> = { audit: 0, attempt: 1, refund: 2, event: 3, delivery: 4 };

/**
 * What support reads to see what happened to a payment: provider attempts, its events and
 * their webhook deliveries (each try), audit entries about it, and its refunds — by time.
 */
export async function paymentTimeline(db: CrossTenantReader, payment: Payment, refunds: Refund[]): Promise<TimelineEntry[]> {
  const scope = { tenantId: payment.tenantId, mode: payment.mode };
  const objectIds = [payment.id, ...refunds.map((r) => r.id)];
  const [attempts, events, audit] = await Promise.all([
    db.find(PaymentAttemptSchema, { ...scope, paymentId: payment.id }, { orderBy: { id: 'asc' } }),
    db.find(EventSchema, { objectId: { $in: objectIds } }, { orderBy: { id: 'asc' } }),
    db.find(AuditEntrySchema, { targetId: { $in: objectIds } }, { orderBy: { seq: 'asc' } }),
  ]);
  // Console users by e-mail, in one query for the whole timeline; a removed user keeps the id.
  const userIds = [...new Set(audit.filter((a) => a.actorType === 'user').map((a) => a.actorId))];
  const [users, deliveries] = await Promise.all([
    userIds.length ? db.find(UserSchema, { id: { $in: userIds } }) : [],
    events.length ? db.find(WebhookDeliverySchema, { eventId: { $in: events.map((e) => e.id) } }, { orderBy: { id: 'asc' } }) : [],
  ]);
  const userEmail = new Map(users.map((u) => [u.id, u.email]));
  const [tries, endpoints] = deliveries.length
    ? await Promise.all([
        db.find(WebhookAttemptSchema, { deliveryId: { $in: deliveries.map((d) => d.id) } }, { orderBy: { attemptedAt: 'asc' } }),
        db.find(WebhookEndpointSchema, { id: { $in: [...new Set(deliveries.map((d) => d.endpointId))] } }),
      ])
    : [[], []];
  const eventType = new Map(events.map((e) => [e.id, e.type as string]));
  const endpointUrl = new Map(endpoints.map((e) => [e.id, e.url]));
  const deliveryOf = new Map(deliveries.map((d) => [d.id, d]));
  const money = (amount: number, currency: string) => (isCurrencyCode(currency) ? formatMoney(amount, currency) : `${amount} ${currency}`);

  const entries: TimelineEntry[] = [
    ...attempts.map((a) => ({
      id: a.id,
      at: a.createdAt,
      kind: 'attempt' as const,
      title: `Attempt at ${a.provider}: ${a.status}`,
      detail: join([a.providerReference && `reference ${a.providerReference}`, a.errorCode && `${a.errorCode}: ${a.errorMessage ?? ''}`.trim(), a.completedAt && `completed ${a.completedAt.toISOString()}`]),
    })),
    ...events.map((e) => ({ id: e.id, at: e.createdAt, kind: 'event' as const, title: `Event ${e.type}`, detail: e.id })),
    ...deliveries.map((d) => ({
      id: d.id,
      at: d.createdAt,
      kind: 'delivery' as const,
      title: `Webhook ${eventType.get(d.eventId) ?? d.eventId} queued for ${endpointUrl.get(d.endpointId) ?? d.endpointId}`,
      detail: join([`status ${d.status}`, `${d.attemptCount} attempt(s)`, d.lastStatusCode != null && `last HTTP ${d.lastStatusCode}`]),
    })),
    ...tries.map((w) => {
      const d = deliveryOf.get(w.deliveryId)!;
      return {
        id: w.id,
        at: w.attemptedAt,
        kind: 'delivery' as const,
        title: `Webhook ${eventType.get(d.eventId) ?? d.eventId} → ${w.statusCode != null ? `HTTP ${w.statusCode}` : 'no response'} in ${w.latencyMs} ms`,
        detail: join([endpointUrl.get(d.endpointId), w.error]),
      };
    }),
    ...audit.map((a) => ({
      id: a.id,
      at: a.createdAt,
      kind: 'audit' as const,
      title: a.action,
      detail: join([`by ${a.actorType} ${(a.actorType === 'user' && userEmail.get(a.actorId)) || a.actorId}`, noteOf(a.after)]),
    })),
    ...refunds.map((r) => ({
      id: r.id,
      at: r.createdAt,
      kind: 'refund' as const,
      title: `Refund ${money(r.amount, r.currency)}: ${r.status}`,
      detail: join([r.reason && `reason ${r.reason}`, r.failureReason && `failed: ${r.failureReason}`]),
    })),
  ].map((e) => ({ ...e, at: e.at.toISOString() }));
  return entries.sort((a, b) => a.at.localeCompare(b.at) || ORDER[a.kind] - ORDER[b.kind] || a.id.localeCompare(b.id));
}

function join(parts: (string | null | undefined | false)[]): string | null {
  const kept = parts.filter((p): p is string => typeof p === 'string' && p.length > 0);
  return kept.length ? kept.join(' · ') : null;
}

/** Console refunds carry the operator's note in their audit entry. */
function noteOf(after: unknown): string | null {
  const note = (after as { note?: unknown } | null)?.note;
  return typeof note === 'string' ? `note: ${note}` : null;
}
