import type { EntityManager } from '@mikro-orm/postgresql';
import type { EventObject, EventType } from '@platform/core';
import { EventSchema, TENANT_FILTER, WebhookDeliverySchema, WebhookEndpointSchema, type Event } from '../db/entities/index.js';
import { newId } from '../ids.js';
import type { Scope } from './context.js';

/** Queues one delivery attempt inside the caller's transaction (see jobs/webhook-deliveries.ts). */
export type EnqueueDelivery = (em: EntityManager, deliveryId: string, delayMs: number) => Promise<void>;

/**
 * Records events — and, as a transactional outbox, the webhook deliveries of every matching
 * endpoint with their queue jobs — in the caller's transaction: a state change, its event and
 * its deliveries commit together or not at all.
 */
export class EventRecorder {
  constructor(private readonly enqueue: EnqueueDelivery) {}

  async record(em: EntityManager, scope: Scope, type: EventType | 'webhook.test', object: { id: string } & Record<string, unknown>, now: Date, onlyEndpointId?: string): Promise<Event> {
    const event = em.create(EventSchema, {
      id: newId('event'),
      tenantId: scope.tenantId,
      mode: scope.mode,
      type: type as EventType,
      objectId: object.id,
      data: object,
      createdAt: now,
    });
    const endpoints = await em.find(
      WebhookEndpointSchema,
      { status: 'enabled', deletedAt: null, ...(onlyEndpointId ? { id: onlyEndpointId } : {}) },
      { filters: { [TENANT_FILTER]: scope } },
    );
    const matching = endpoints.filter((e) => onlyEndpointId || !e.events || e.events.includes(type as EventType));
    if (matching.length > 0) {
      await em.flush(); // the event row first: deliveries reference it
      await this.deliver(em, event, matching.map((e) => e.id), now);
    }
    return event;
  }

  /** New deliveries of an existing event (fan-out, replay, test) with their queue jobs. */
  async deliver(em: EntityManager, event: { id: string; tenantId: string; mode: Scope['mode'] }, endpointIds: string[], now: Date): Promise<string[]> {
    const ids = endpointIds.map((endpointId) => {
      const delivery = em.create(WebhookDeliverySchema, {
        id: newId('webhookDelivery'),
        tenantId: event.tenantId,
        mode: event.mode,
        endpointId,
        eventId: event.id,
        status: 'pending',
        attemptCount: 0,
        nextAttemptAt: now,
        lastStatusCode: null,
        createdAt: now,
        updatedAt: now,
      });
      return delivery.id;
    });
    await em.flush();
    for (const id of ids) await this.enqueue(em, id, 0);
    return ids;
  }
}

export function toEventObject(event: Event): EventObject {
  return {
    id: event.id,
    object: 'event',
    type: event.type,
    mode: event.mode,
    createdAt: event.createdAt.toISOString(),
    data: { object: event.data },
  };
}
