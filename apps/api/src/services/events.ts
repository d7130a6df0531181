import type { EntityManager } from '@mikro-orm/postgresql';
import type { EventObject, EventType } from '@platform/core';
import { EventSchema, type Event } from '../db/entities/index.js';
import { newId } from '../ids.js';
import type { Scope } from './context.js';

/** Records an event in the caller's transaction, so a state change and its event commit together. */
export function recordEvent(
  em: EntityManager,
  scope: Scope,
  type: EventType,
  object: { id: string } & Record<string, unknown>,
  now: Date,
): Event {
  return em.create(EventSchema, {
    id: newId('event'),
    tenantId: scope.tenantId,
    mode: scope.mode,
    type,
    objectId: object.id,
    data: object,
    createdAt: now,
  });
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
