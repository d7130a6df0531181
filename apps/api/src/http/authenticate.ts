import type { RequestHandler, Response } from 'express';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '@platform/core';
import { TENANT_FILTER } from '../db/entities/index.js';
import type { Scope } from '../services/context.js';
import type { Platform } from './platform.js';

/**
 * Bearer tenant token → tenant scope, and an entity manager bound to it. Handlers only ever
 * get this entity manager, so every tenant-owned query is filtered by tenant + mode.
 */
export function authenticate(platform: Platform): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers.authorization ?? '';
    // The scheme name is case-insensitive (RFC 9110 §11.1).
    const match = /^Bearer +([A-Za-z0-9._~+/-]+=*)$/i.exec(header);
    if (!match) throw new AppError('authentication_required', 'Provide an access token: Authorization: Bearer <accessToken>');
    const claims = await platform.tokens.verifyTenantToken(match[1]!);
    const scope: Scope = { tenantId: claims.tenantId, mode: claims.mode };
    const em = platform.orm.em.fork();
    em.setFilterParams(TENANT_FILTER, scope);
    res.locals['scope'] = scope;
    res.locals['em'] = em;
    next();
  };
}

export function scopeOf(res: Response): Scope {
  return res.locals['scope'] as Scope;
}

export function tenantEm(res: Response): EntityManager {
  return res.locals['em'] as EntityManager;
}
