import { Router } from 'express';
import { AppError, authTokenRequestSchema } from '@platform/core';
import { consumePublicBudget } from '../rate-limit.js';
import type { Platform } from '../platform.js';
import { parseOrThrow } from '../validation.js';

/** POST /v1/auth/token: app name + secret → short-lived tenant JWT in the secret's mode (per-address budget: RATE_LIMIT_PUBLIC). */
export function authRoutes(platform: Platform): Router {
  const router = Router();
  router.post('/auth/token', async (req, res) => {
    // Before the slow hash: a per-address budget (RATE_LIMIT_PUBLIC), as for the public tRPC API.
    try {
      await consumePublicBudget(platform.config, req.ip ?? null);
    } catch (err) {
      if (err instanceof AppError && err.details?.['retryAfterSeconds']) res.setHeader('Retry-After', err.details['retryAfterSeconds']);
      throw err;
    }
    const input = parseOrThrow(authTokenRequestSchema, req.body);
    const { tenant, mode } = await platform.tenants.authenticate(platform.orm.em.fork(), input.appName, input.appSecret);
    const { token, expiresIn } = await platform.tokens.signTenantToken({ tenantId: tenant.id, mode });
    res.status(200).json({ accessToken: token, tokenType: 'Bearer', expiresIn, mode });
  });
  return router;
}
