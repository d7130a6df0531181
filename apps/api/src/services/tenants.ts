import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, normalizeOrigin, type Mode } from '@platform/core';
import { TenantSchema, TenantSecretSchema, type Tenant } from '../db/entities/index.js';
import { newId } from '../ids.js';
import { burnVerification, generateTenantSecret, hashSecret, secretMode, verifySecret } from '../auth/secrets.js';
import { appendAudit } from './audit.js';
import type { MutationContext } from './context.js';

export const SECRET_ROTATION_GRACE_MS = 24 * 60 * 60 * 1000;
const APP_NAME = /^[a-z0-9][a-z0-9-]{1,62}$/;

export interface CreateTenantInput {
  appName: string;
  displayName?: string;
  allowedOrigins?: string[];
}

/** Tenants and their credentials: creation, rotation with a grace period, and secret checks. */
export class TenantService {
  constructor(private readonly now: () => Date = () => new Date()) {}

  async create(em: EntityManager, input: CreateTenantInput, ctx: MutationContext) {
    if (!APP_NAME.test(input.appName)) {
      throw new AppError('parameter_invalid', 'appName must be 2–63 lower-case letters, digits or dashes', { param: 'appName' });
    }
    const allowedOrigins = (input.allowedOrigins ?? []).map((o) => {
      const origin = normalizeOrigin(o);
      if (!origin) throw new AppError('url_invalid', `Not an http(s) origin: ${o}`, { param: 'allowedOrigins' });
      return origin;
    });
    if (await em.findOne(TenantSchema, { appName: input.appName })) {
      throw new AppError('parameter_invalid', `A tenant named '${input.appName}' already exists`, { param: 'appName' });
    }
    const now = this.now();
    const tenant = em.create(TenantSchema, {
      id: newId('tenant'),
      appName: input.appName,
      displayName: input.displayName ?? input.appName,
      logoUrl: null,
      brandColor: null,
      allowedOrigins,
      createdAt: now,
      updatedAt: now,
    });
    // Plain id columns carry no ORM relation, so flush the parent before its children.
    await em.flush();
    const secrets = { sandbox: generateTenantSecret('sandbox'), live: generateTenantSecret('live') };
    for (const mode of ['sandbox', 'live'] as const) {
      em.create(TenantSecretSchema, {
        id: newId('secret'),
        tenantId: tenant.id,
        mode,
        secretHash: await hashSecret(secrets[mode]),
        createdAt: now,
        validUntil: null,
      });
    }
    await em.flush();
    await appendAudit(em, ctx, {
      action: 'tenant.create',
      targetType: 'tenant',
      targetId: tenant.id,
      tenantId: tenant.id,
      mode: null,
      after: { appName: tenant.appName, displayName: tenant.displayName, allowedOrigins },
    });
    return { tenantId: tenant.id, appName: tenant.appName, secrets };
  }

  async rotateSecret(em: EntityManager, appName: string, mode: Mode, ctx: MutationContext) {
    const tenant = await this.byAppName(em, appName);
    const now = this.now();
    const previousValidUntil = new Date(now.getTime() + SECRET_ROTATION_GRACE_MS);
    const live = await em.find(TenantSecretSchema, { tenantId: tenant.id, mode, $or: [{ validUntil: null }, { validUntil: { $gt: now } }] });
    for (const s of live) {
      // The current secret enters its grace period; one already in grace ends now (at most two valid secrets).
      s.validUntil = s.validUntil === null ? previousValidUntil : now;
    }
    const secret = generateTenantSecret(mode);
    em.create(TenantSecretSchema, {
      id: newId('secret'),
      tenantId: tenant.id,
      mode,
      secretHash: await hashSecret(secret),
      createdAt: now,
      validUntil: null,
    });
    await em.flush();
    await appendAudit(em, ctx, {
      action: 'tenant.rotate_secret',
      targetType: 'tenant',
      targetId: tenant.id,
      tenantId: tenant.id,
      mode,
      after: { previousValidUntil: previousValidUntil.toISOString() },
    });
    return { appName, mode, secret, previousValidUntil: previousValidUntil.toISOString() };
  }

  /** Same error, same cost, whether the app name or the secret is wrong. */
  async authenticate(em: EntityManager, appName: string, appSecret: string): Promise<{ tenant: Tenant; mode: Mode }> {
    const mode = secretMode(appSecret);
    const tenant = mode ? await em.findOne(TenantSchema, { appName }) : null;
    if (!tenant || !mode) {
      await burnVerification(appSecret);
      throw badCredentials();
    }
    const now = this.now();
    const candidates = await em.find(
      TenantSecretSchema,
      { tenantId: tenant.id, mode, $or: [{ validUntil: null }, { validUntil: { $gt: now } }] },
      { orderBy: { createdAt: 'desc' } },
    );
    if (candidates.length === 0) await burnVerification(appSecret);
    for (const candidate of candidates) {
      if (await verifySecret(appSecret, candidate.secretHash)) return { tenant, mode };
    }
    throw badCredentials();
  }

  async byAppName(em: EntityManager, appName: string): Promise<Tenant> {
    const tenant = await em.findOne(TenantSchema, { appName });
    if (!tenant) throw new AppError('resource_missing', `No such tenant: '${appName}'`, { param: 'appName' });
    return tenant;
  }
}

function badCredentials(): AppError {
  return new AppError('invalid_credentials', 'Invalid app name or secret');
}
