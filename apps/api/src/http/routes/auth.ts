import { Router } from 'express';
import { authTokenRequestSchema } from '@platform/core';
import type { Platform } from '../platform.js';
import { parseOrThrow } from '../validation.js';

/** POST /v1/auth/token: app name + secret → short-lived tenant JWT in the secret's mode. */
export function authRoutes(platform: Platform): Router {
  const router = Router();
  router.post('/auth/token', async (req, res) => {
    const input = parseOrThrow(authTokenRequestSchema, req.body);
    const { tenant, mode } = await platform.tenants.authenticate(platform.orm.em.fork(), input.appName, input.appSecret);
    const { token, expiresIn } = await platform.tokens.signTenantToken({ tenantId: tenant.id, mode });
    res.status(200).json({ accessToken: token, tokenType: 'Bearer', expiresIn, mode });
  });
  return router;
}
