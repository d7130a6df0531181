import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '@platform/core';
import { EventSchema, WebhookAttemptSchema, WebhookDeliverySchema, WebhookEndpointSchema, type WebhookDelivery } from '../db/entities/index.js';
import type { MutationContext } from '../services/context.js';
import type { WebhookEndpointService } from '../services/webhook-endpoints.js';
import { CrossTenantReader, scopeTo } from './db.js';
import { toPage } from './pagination.js';

export type DeliveryStatus = WebhookDelivery['status'];

export interface DeliveryQuery {
  tenantId?: string | undefined;
  status?: DeliveryStatus | undefined;
  cursor?: string | undefined;
  limit: number;
}

/** `f:` while still reading failed deliveries, `r:` for the rest. */
type Phase = 'f' | 'r';

function parseCursor(cursor: string | undefined): { phase: Phase; id: string } | null {
  const match = cursor ? /^([fr]):(.+)$/.exec(cursor) : null;
  if (cursor && !match) throw new AppError('parameter_invalid', 'cursor is not one this list returned', { param: 'cursor' });
  return match ? { phase: match[1] as Phase, id: match[2]! } : null;
}

/**
 * Webhook deliveries across tenants: failed first, then the rest, each newest first. The two
 * phases are read separately (each uses an index on (status, id)); the cursor says which one
 * the page ended in. With a status filter there is just one phase.
 */
export async function listDeliveries(db: CrossTenantReader, q: DeliveryQuery) {
  const cursor = parseCursor(q.cursor);
  const read = (status: DeliveryStatus | { $ne: DeliveryStatus }, before: string | null, limit: number) =>
    db.find(
      WebhookDeliverySchema,
      { ...(q.tenantId ? { tenantId: q.tenantId } : {}), status, ...(before ? { id: { $lt: before } } : {}) },
      { orderBy: { id: 'desc' }, limit },
    );
  const rows: { phase: Phase; delivery: WebhookDelivery }[] = [];
  if (q.status) {
    rows.push(...(await read(q.status, cursor?.id ?? null, q.limit + 1)).map((delivery) => ({ phase: 'r' as const, delivery })));
  } else {
    if (!cursor || cursor.phase === 'f') {
      rows.push(...(await read('failed', cursor?.id ?? null, q.limit + 1)).map((delivery) => ({ phase: 'f' as const, delivery })));
    }
    if (rows.length <= q.limit) {
      const rest = await read({ $ne: 'failed' }, cursor?.phase === 'r' ? cursor.id : null, q.limit + 1 - rows.length);
      rows.push(...rest.map((delivery) => ({ phase: 'r' as const, delivery })));
    }
  }
  const page = rows.slice(0, q.limit).map((r) => r.delivery);
  const details = await deliveryDetails(db, page);
  return toPage(rows, q.limit, (r) => `${r.phase}:${r.delivery.id}`, (r) => details(r.delivery));
}

/** Endpoint URL, event type and every attempt (status code, latency, time) of each delivery. */
async function deliveryDetails(db: CrossTenantReader, deliveries: WebhookDelivery[]) {
  const ids = deliveries.map((d) => d.id);
  const [attempts, endpoints, events] = ids.length
    ? await Promise.all([
        db.find(WebhookAttemptSchema, { deliveryId: { $in: ids } }, { orderBy: { attemptedAt: 'asc' } }),
        db.find(WebhookEndpointSchema, { id: { $in: [...new Set(deliveries.map((d) => d.endpointId))] } }),
        db.find(EventSchema, { id: { $in: [...new Set(deliveries.map((d) => d.eventId))] } }),
      ])
    : [[], [], []];
  const urls = new Map(endpoints.map((e) => [e.id, e.url]));
  const types = new Map(events.map((e) => [e.id, e.type as string]));
  return (d: WebhookDelivery) => ({
    id: d.id,
    tenantId: d.tenantId,
    mode: d.mode,
    endpointId: d.endpointId,
    endpointUrl: urls.get(d.endpointId) ?? null,
    eventId: d.eventId,
    eventType: types.get(d.eventId) ?? null,
    status: d.status,
    attemptCount: d.attemptCount,
    nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
    lastStatusCode: d.lastStatusCode ?? null,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
    attempts: attempts
      .filter((a) => a.deliveryId === d.id)
      .map((a) => ({ id: a.id, at: a.attemptedAt.toISOString(), statusCode: a.statusCode ?? null, latencyMs: a.latencyMs, error: a.error ?? null })),
  });
}

/** Sends the delivery's event to its endpoint again (a new delivery) through the endpoint service, which audits it. */
export async function replayDelivery(em: EntityManager, endpoints: WebhookEndpointService, deliveryId: string, ctx: MutationContext) {
  const delivery = await new CrossTenantReader(em).findOne(WebhookDeliverySchema, { id: deliveryId });
  if (!delivery) throw new AppError('resource_missing', `No such webhook delivery: '${deliveryId}'`, { param: 'deliveryId' });
  const scope = scopeTo(em, { tenantId: delivery.tenantId, mode: delivery.mode });
  return { ...(await endpoints.replay(em, scope, delivery.endpointId, delivery.eventId, ctx)), tenantId: delivery.tenantId };
}

/** A `webhook.test` event to one endpoint, through the endpoint service (audited there). */
export async function sendTestWebhook(em: EntityManager, endpoints: WebhookEndpointService, endpointId: string, ctx: MutationContext) {
  const endpoint = await new CrossTenantReader(em).findOne(WebhookEndpointSchema, { id: endpointId, deletedAt: null });
  if (!endpoint) throw new AppError('resource_missing', `No such webhook endpoint: '${endpointId}'`, { param: 'endpointId' });
  const scope = scopeTo(em, { tenantId: endpoint.tenantId, mode: endpoint.mode });
  return { ...(await endpoints.sendTest(em, scope, endpoint.id, ctx)), tenantId: endpoint.tenantId };
}

/** Enables or disables one endpoint of any tenant, through the endpoint service (audited there). */
export async function updateWebhookEndpointStatus(em: EntityManager, endpoints: WebhookEndpointService, endpointId: string, status: 'enabled' | 'disabled', ctx: MutationContext) {
  const endpoint = await new CrossTenantReader(em).findOne(WebhookEndpointSchema, { id: endpointId, deletedAt: null });
  if (!endpoint) throw new AppError('resource_missing', `No such webhook endpoint: '${endpointId}'`, { param: 'endpointId' });
  const scope = scopeTo(em, { tenantId: endpoint.tenantId, mode: endpoint.mode });
  return { ...(await endpoints.update(em, scope, endpoint.id, { status }, ctx)), tenantId: endpoint.tenantId };
}
