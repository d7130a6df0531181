import { defineEntity, type InferEntity } from '@mikro-orm/core';
import type { EventType, Mode } from '@platform/core';
import { tenantFilter } from './tenant-scope.js';

export const EventSchema = defineEntity({
  name: 'Event',
  tableName: 'events',
  filters: tenantFilter,
  properties: (p) => ({
    id: p.string().primary(),
    tenantId: p.string(),
    mode: p.string().$type<Mode>(),
    type: p.string().$type<EventType>(),
    objectId: p.string(),
    data: p.json<Record<string, unknown>>(),
    createdAt: p.datetime(),
  }),
});
export type Event = InferEntity<typeof EventSchema>;
