import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, normalizeOrigin, type Mode } from '@platform/core';
import { TenantSchema, TenantSecretSchema, WebhookEndpointSchema, type Tenant, type TenantSecret } from '../db/entities/index.js';
import { appendAudit } from '../services/audit.js';
import type { MutationContext } from '../services/context.js';
import type { TenantService } from '../services/tenants.js';
import { toEndpointObject } from '../services/webhook-endpoints.js';
import { CrossTenantReader } from './db.js';
import { toPage } from './pagination.js';

const MODES: readonly Mode[] = ['sandbox', 'live'];

/**
 * A secret as the console shows it. Only slow hashes are stored, so there is nothing to
 * unmask: the prefix, whether one is set, and when it was issued / when the previous one dies.
 */
export interface SecretStatus {
  masked: string;
  set: boolean;
  rotatedAt: string | null;
  previousValidUntil: string | null;
}

export interface TenantView {
  id: string;
  appName: string;
  displayName: string;
  logoUrl: string | null;
  brandColor: string | null;
  allowedOrigins: string[];
  secrets: Record<Mode, SecretStatus>;
  createdAt: string;
  updatedAt: string;
}

export async function listTenants(db: CrossTenantReader, query: { cursor?: string | undefined; limit: number }) {
  const rows = await db.find(TenantSchema, query.cursor ? { id: { $lt: query.cursor } } : {}, { orderBy: { id: 'desc' }, limit: query.limit + 1 });
  const secrets = await liveSecrets(db, rows.slice(0, query.limit).map((r) => r.id));
  return toPage(rows, query.limit, (r) => r.id, (r) => toTenantView(r, secrets));
}

export async function getTenant(db: CrossTenantReader, tenantId: string) {
  const tenant = await db.findOne(TenantSchema, { id: tenantId });
  if (!tenant) throw new AppError('resource_missing', `No such tenant: '${tenantId}'`, { param: 'tenantId' });
  const secrets = await liveSecrets(db, [tenant.id]);
  const endpoints = await db.find(WebhookEndpointSchema, { tenantId, deletedAt: null }, { orderBy: { id: 'desc' } });
  return {
    ...toTenantView(tenant, secrets),
    webhookEndpoints: endpoints.map((e) => ({ ...toEndpointObject(e), tenantId: e.tenantId, failingSince: e.failingSince?.toISOString() ?? null, lastFailureAt: e.lastFailureAt?.toISOString() ?? null })),
  };
}

/** The service creates, validates and audits; the secrets are in this answer only. */
export async function createTenant(em: EntityManager, tenants: TenantService, input: { appName: string; displayName?: string | undefined; allowedOrigins?: string[] | undefined }, ctx: MutationContext) {
  return tenants.create(
    em,
    { appName: input.appName, ...(input.displayName ? { displayName: input.displayName } : {}), ...(input.allowedOrigins ? { allowedOrigins: input.allowedOrigins } : {}) },
    ctx,
  );
}

export async function rotateTenantSecret(em: EntityManager, tenants: TenantService, tenantId: string, mode: Mode, ctx: MutationContext) {
  const tenant = await tenantById(em, tenantId);
  return { tenantId, ...(await tenants.rotateSecret(em, tenant.appName, mode, ctx)) };
}

export interface TenantPatch {
  displayName?: string | undefined;
  logoUrl?: string | null | undefined;
  brandColor?: string | null | undefined;
  allowedOrigins?: string[] | undefined;
}

/** Branding and redirect origins (TenantService has no update); audited with before and after. */
export async function updateTenant(em: EntityManager, tenantId: string, patch: TenantPatch, ctx: MutationContext) {
  const tenant = await tenantById(em, tenantId);
  const next: Partial<Pick<Tenant, 'displayName' | 'logoUrl' | 'brandColor' | 'allowedOrigins'>> = {};
  if (patch.displayName !== undefined) next.displayName = patch.displayName;
  if (patch.logoUrl !== undefined) next.logoUrl = patch.logoUrl;
  if (patch.brandColor !== undefined) next.brandColor = patch.brandColor;
  if (patch.allowedOrigins !== undefined) {
    next.allowedOrigins = [
      ...new Set(
        patch.allowedOrigins.map((o) => {
          const origin = normalizeOrigin(o);
          if (!origin) throw new AppError('url_invalid', `Not an http(s) origin: ${o}`, { param: 'allowedOrigins' });
          return origin;
        }),
      ),
    ];
  }
  const keys = Object.keys(next) as (keyof typeof next)[];
  if (keys.length === 0) return toTenantView(tenant, await liveSecrets(new CrossTenantReader(em), [tenant.id]));
  const before = Object.fromEntries(keys.map((k) => [k, tenant[k] ?? null]));
  Object.assign(tenant, next, { updatedAt: new Date() });
  await em.flush();
  await appendAudit(em, ctx, { action: 'tenant.update', targetType: 'tenant', targetId: tenant.id, tenantId: tenant.id, mode: null, before, after: next });
  return toTenantView(tenant, await liveSecrets(new CrossTenantReader(em), [tenant.id]));
}

async function tenantById(em: EntityManager, tenantId: string): Promise<Tenant> {
  const tenant = await em.findOne(TenantSchema, { id: tenantId });
  if (!tenant) throw new AppError('resource_missing', `No such tenant: '${tenantId}'`, { param: 'tenantId' });
  return tenant;
}

/** Secrets still accepted (current ones and those in their rotation grace period). */
async function liveSecrets(db: CrossTenantReader, tenantIds: string[]): Promise<TenantSecret[]> {
  if (tenantIds.length === 0) return [];
  return db.find(TenantSecretSchema, { tenantId: { $in: tenantIds }, $or: [{ validUntil: null }, { validUntil: { $gt: new Date() } }] }, { orderBy: { createdAt: 'desc' } });
}

function toTenantView(tenant: Tenant, secrets: TenantSecret[]): TenantView {
  const status = (mode: Mode): SecretStatus => {
    const mine = secrets.filter((s) => s.tenantId === tenant.id && s.mode === mode);
    const current = mine.find((s) => !s.validUntil);
    const previous = mine.find((s) => s.validUntil);
    return {
      masked: `sk_${mode}_••••••••`,
      set: Boolean(current),
      rotatedAt: current?.createdAt.toISOString() ?? null,
      previousValidUntil: previous?.validUntil?.toISOString() ?? null,
    };
  };
  return {
    id: tenant.id,
    appName: tenant.appName,
    displayName: tenant.displayName,
    logoUrl: tenant.logoUrl ?? null,
    brandColor: tenant.brandColor ?? null,
    allowedOrigins: tenant.allowedOrigins,
    secrets: Object.fromEntries(MODES.map((m) => [m, status(m)])) as Record<Mode, SecretStatus>,
    createdAt: tenant.createdAt.toISOString(),
    updatedAt: tenant.updatedAt.toISOString(),
  };
}
