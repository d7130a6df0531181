import { Router } from 'express';
import type { Platform } from '../platform.js';

/** /healthz (process up), /readyz (database reachable, migrations applied), /metrics. */
export function opsRoutes(platform: Platform): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const state = await platform.readiness();
    res.status(state.ready ? 200 : 503).json(state.ready ? { status: 'ready' } : { status: 'not_ready', reason: state.reason });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(platform.metrics.registry.contentType).send(await platform.metrics.registry.metrics());
  });
  return router;
}
