import net from 'node:net';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, type EventType } from '@platform/core';
import { EventSchema, WebhookAttemptSchema, WebhookDeliverySchema, WebhookEndpointSchema, type WebhookDelivery, type WebhookEndpoint } from '../db/entities/index.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { newId } from '../ids.js';
import { keysetPage } from './keyset-page.js';
import { isForbiddenAddress } from '../webhooks/ssrf.js';
import { generateWebhookSecret } from '../webhooks/signing.js';
import { appendAudit } from './audit.js';
import type { MutationContext, Scope } from './context.js';
import type { EventRecorder } from './events.js';

export const SECRET_ROTATION_GRACE_MS = 24 * 60 * 60 * 1000;

/** Tenant webhook endpoints: secrets encrypted at rest and shown once; every change audited. */
export class WebhookEndpointService {
  constructor(private readonly deps: { box: SecretBox; events: EventRecorder; allowPrivateTargets?: boolean; now?: () => Date }) {}

  async create(em: EntityManager, scope: Scope, input: { url: string; events?: string[] | undefined }, ctx: MutationContext) {
    this.checkUrl(input.url, scope);
    const now = this.now();
    const secret = generateWebhookSecret();
    const events = eventFilterOf(input.events);
    const endpoint = em.create(WebhookEndpointSchema, {
      id: newId('webhookEndpoint'),
      tenantId: scope.tenantId,
      mode: scope.mode,
      url: input.url,
      events,
      status: 'enabled',
      disabledReason: null,
      secretEncrypted: this.deps.box.seal(secret),
      previousSecretEncrypted: null,
      previousSecretExpiresAt: null,
      failingSince: null,
      deletedAt: null,
      createdAt: now,
      updatedAt: now,
    });
    await em.flush();
    await this.audit(em, ctx, scope, 'webhook_endpoint.create', endpoint, { after: toEndpointObject(endpoint) });
    return { ...toEndpointObject(endpoint), secret };
  }

  async list(em: EntityManager, query: { limit: number; startingAfter?: string | undefined }) {
    const page = await keysetPage(em, WebhookEndpointSchema, { filters: { deletedAt: null }, noun: 'webhook endpoint' }, query);
    return { data: page.data.map(toEndpointObject), hasMore: page.hasMore };
  }

  async get(em: EntityManager, id: string): Promise<WebhookEndpoint> {
    const endpoint = await em.findOne(WebhookEndpointSchema, { id, deletedAt: null });
    if (!endpoint) throw new AppError('resource_missing', `No such webhook endpoint: '${id}'`, { param: 'id' });
    return endpoint;
  }

  async remove(em: EntityManager, scope: Scope, id: string, ctx: MutationContext) {
    const endpoint = await this.get(em, id);
    endpoint.deletedAt = this.now();
    endpoint.status = 'disabled';
    endpoint.disabledReason = 'deleted';
    endpoint.updatedAt = endpoint.deletedAt;
    await em.flush();
    await this.audit(em, ctx, scope, 'webhook_endpoint.delete', endpoint, {});
    return { id, object: 'webhook_endpoint' as const, mode: endpoint.mode, deleted: true as const };
  }

  /**
   * Changes the url, the event filter and/or the status. The url is checked like at creation.
   * Re-enabling a disabled endpoint clears its reason and the failing-since mark, so the 5-day
   * failure clock (jobs/webhook-deliveries.ts) starts afresh. A request that changes nothing
   * answers the endpoint as it is, and is not audited.
   */
  async update(
    em: EntityManager,
    scope: Scope,
    id: string,
    input: { url?: string | undefined; events?: string[] | undefined; status?: 'enabled' | 'disabled' | undefined },
    ctx: MutationContext,
  ) {
    const endpoint = await this.get(em, id);
    if (input.url !== undefined) this.checkUrl(input.url, scope);
    const before = toEndpointObject(endpoint);
    if (input.url !== undefined) endpoint.url = input.url;
    if (input.events !== undefined) endpoint.events = eventFilterOf(input.events);
    if (input.status === 'enabled' && endpoint.status !== 'enabled') {
      endpoint.status = 'enabled';
      endpoint.disabledReason = null;
      endpoint.failingSince = null;
    } else if (input.status === 'disabled' && endpoint.status !== 'disabled') {
      endpoint.status = 'disabled';
      endpoint.disabledReason = ctx.actor.type === 'user' ? 'Disabled in the console' : 'Disabled through the API';
    }
    const after = toEndpointObject(endpoint);
    const changed = (['url', 'events', 'status', 'disabledReason'] as const).some((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    if (!changed) return after;
    endpoint.updatedAt = this.now();
    await em.flush();
    const result = toEndpointObject(endpoint);
    await this.audit(em, ctx, scope, 'webhook_endpoint.update', endpoint, { before, after: result });
    return result;
  }

  /** New secret; the old one keeps signing too (second signature) for 24 h. */
  async rotateSecret(em: EntityManager, scope: Scope, id: string, ctx: MutationContext) {
    const endpoint = await this.get(em, id);
    const now = this.now();
    const secret = generateWebhookSecret();
    endpoint.previousSecretEncrypted = endpoint.secretEncrypted;
    endpoint.previousSecretExpiresAt = new Date(now.getTime() + SECRET_ROTATION_GRACE_MS);
    endpoint.secretEncrypted = this.deps.box.seal(secret);
    endpoint.updatedAt = now;
    await em.flush();
    await this.audit(em, ctx, scope, 'webhook_endpoint.rotate_secret', endpoint, {
      after: { previousSecretExpiresAt: endpoint.previousSecretExpiresAt.toISOString() },
    });
    return { ...toEndpointObject(endpoint), secret, previousSecretExpiresAt: endpoint.previousSecretExpiresAt.toISOString() };
  }

  /** Sends a `webhook.test` event to this endpoint only. */
  async sendTest(em: EntityManager, scope: Scope, id: string, ctx: MutationContext) {
    const endpoint = await this.get(em, id);
    if (endpoint.status !== 'enabled') throw new AppError('invalid_state', 'The endpoint is disabled');
    const event = await this.deps.events.record(em, scope, 'webhook.test', { id: endpoint.id, object: 'webhook_endpoint', url: endpoint.url }, this.now(), endpoint.id);
    await em.flush();
    await this.audit(em, ctx, scope, 'webhook_endpoint.test', endpoint, { after: { eventId: event.id } });
    return this.deliveryOf(em, event.id, endpoint.id);
  }

  /** Re-sends any event of this tenant + mode to an endpoint (a new delivery, same webhook-id). */
  async replay(em: EntityManager, scope: Scope, id: string, eventId: string, ctx: MutationContext) {
    const endpoint = await this.get(em, id);
    if (endpoint.status !== 'enabled') throw new AppError('invalid_state', 'The endpoint is disabled');
    const event = await em.findOne(EventSchema, { id: eventId });
    if (!event) throw new AppError('resource_missing', `No such event: '${eventId}'`, { param: 'eventId' });
    await this.deps.events.deliver(em, event, [endpoint.id], this.now());
    await this.audit(em, ctx, scope, 'webhook_endpoint.replay', endpoint, { after: { eventId } });
    return this.deliveryOf(em, event.id, endpoint.id);
  }

  async deliveries(em: EntityManager, endpointId: string, query: { limit: number; startingAfter?: string | undefined }) {
    await this.get(em, endpointId);
    const { data: page, hasMore } = await keysetPage(em, WebhookDeliverySchema, { parent: { endpointId }, noun: 'webhook delivery' }, query);
    const attempts = page.length
      ? await em.find(WebhookAttemptSchema, { deliveryId: { $in: page.map((d) => d.id) } }, { orderBy: { attemptedAt: 'asc' } })
      : [];
    return {
      data: page.map((d) => toDeliveryObject(d, attempts.filter((a) => a.deliveryId === d.id))),
      hasMore,
    };
  }

  private async deliveryOf(em: EntityManager, eventId: string, endpointId: string) {
    const delivery = await em.findOneOrFail(WebhookDeliverySchema, { eventId, endpointId }, { orderBy: { id: 'desc' } });
    return toDeliveryObject(delivery, []);
  }

  /** https everywhere; http only in sandbox. Live: an IP-literal host must be public (checked again at send time). */
  private checkUrl(value: string, scope: Scope): void {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new AppError('url_invalid', 'url must be an absolute URL', { param: 'url' });
    }
    if (url.username || url.password) throw new AppError('url_invalid', 'url must not contain credentials', { param: 'url' });
    const allowedProtocols = scope.mode === 'live' ? ['https:'] : ['https:', 'http:'];
    if (!allowedProtocols.includes(url.protocol)) {
      throw new AppError('url_invalid', scope.mode === 'live' ? 'url must be https in live mode' : 'url must be http or https', { param: 'url' });
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (scope.mode === 'live' && !this.deps.allowPrivateTargets && net.isIP(host) !== 0 && isForbiddenAddress(host)) {
      throw new AppError('url_invalid', 'url must not point to a private, loopback or link-local address in live mode', { param: 'url' });
    }
  }

  private async audit(em: EntityManager, ctx: MutationContext, scope: Scope, action: string, endpoint: WebhookEndpoint, change: { before?: unknown; after?: unknown }) {
    await appendAudit(em, ctx, { action, targetType: 'webhook_endpoint', targetId: endpoint.id, tenantId: scope.tenantId, mode: scope.mode, ...change });
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

/** null = every event type ('*' or nothing given). */
function eventFilterOf(events: string[] | undefined): EventType[] | null {
  return !events || events.includes('*') ? null : ([...new Set(events)] as EventType[]);
}

export function toEndpointObject(endpoint: WebhookEndpoint) {
  return {
    id: endpoint.id,
    object: 'webhook_endpoint' as const,
    mode: endpoint.mode,
    url: endpoint.url,
    events: endpoint.events ?? ['*'],
    status: endpoint.status,
    disabledReason: endpoint.disabledReason ?? null,
    createdAt: endpoint.createdAt.toISOString(),
    updatedAt: endpoint.updatedAt.toISOString(),
  };
}

export function toDeliveryObject(delivery: WebhookDelivery, attempts: { attemptedAt: Date; statusCode?: number | null; latencyMs: number; responseExcerpt?: string | null; error?: string | null }[]) {
  return {
    id: delivery.id,
    object: 'webhook_delivery' as const,
    mode: delivery.mode,
    endpointId: delivery.endpointId,
    eventId: delivery.eventId,
    status: delivery.status,
    attemptCount: delivery.attemptCount,
    nextAttemptAt: delivery.nextAttemptAt?.toISOString() ?? null,
    lastStatusCode: delivery.lastStatusCode ?? null,
    attempts: attempts.map((a) => ({
      attemptedAt: a.attemptedAt.toISOString(),
      statusCode: a.statusCode ?? null,
      latencyMs: a.latencyMs,
      responseExcerpt: a.responseExcerpt ?? null,
      error: a.error ?? null,
    })),
    createdAt: delivery.createdAt.toISOString(),
  };
}
