import { defineEntity, type InferEntity } from '@mikro-orm/core';
import type { EventType, Mode } from '@platform/core';
import { tenantFilter } from './tenant-scope.js';

export const WebhookEndpointSchema = defineEntity({
  name: 'WebhookEndpoint',
  tableName: 'webhook_endpoints',
  filters: tenantFilter,
  properties: (p) => ({
    id: p.string().primary(),
    tenantId: p.string(),
    mode: p.string().$type<Mode>(),
    url: p.text(),
    /** null = every event type. */
    events: p.json<EventType[]>().nullable(),
    status: p.string().$type<'enabled' | 'disabled'>(),
    disabledReason: p.string().nullable(),
    /** AES-256-GCM; see crypto/secret-box.ts. */
    secretEncrypted: p.text(),
    previousSecretEncrypted: p.text().nullable(),
    previousSecretExpiresAt: p.datetime().nullable(),
    /** Start of the current failure streak (jobs/webhook-deliveries.ts); cleared by a success or a re-enable. */
    failingSince: p.datetime().nullable(),
    /** The last failed delivery attempt: a failure more than 24 h after it starts a new streak. */
    lastFailureAt: p.datetime().nullable(),
    deletedAt: p.datetime().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  }),
});
export type WebhookEndpoint = InferEntity<typeof WebhookEndpointSchema>;

export const WebhookDeliverySchema = defineEntity({
  name: 'WebhookDelivery',
  tableName: 'webhook_deliveries',
  filters: tenantFilter,
  properties: (p) => ({
    id: p.string().primary(),
    tenantId: p.string(),
    mode: p.string().$type<Mode>(),
    endpointId: p.string(),
    eventId: p.string(),
    status: p.string().$type<'pending' | 'succeeded' | 'failed'>(),
    attemptCount: p.integer(),
    nextAttemptAt: p.datetime().nullable(),
    lastStatusCode: p.integer().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  }),
});
export type WebhookDelivery = InferEntity<typeof WebhookDeliverySchema>;

export const WebhookAttemptSchema = defineEntity({
  name: 'WebhookAttempt',
  tableName: 'webhook_attempts',
  filters: tenantFilter,
  properties: (p) => ({
    id: p.string().primary(),
    deliveryId: p.string(),
    tenantId: p.string(),
    mode: p.string().$type<Mode>(),
    attemptedAt: p.datetime(),
    statusCode: p.integer().nullable(),
    latencyMs: p.integer(),
    responseExcerpt: p.text().nullable(),
    error: p.text().nullable(),
  }),
});
export type WebhookAttempt = InferEntity<typeof WebhookAttemptSchema>;
