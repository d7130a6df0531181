import express, { Router } from 'express';
import type { Platform } from '../platform.js';
import { requestIdOf } from '../request-id.js';

/**
 * POST /webhooks/{provider}: public, no tenant token. The raw body is kept for the signature
 * check; we answer 2xx only after the outcome committed, and 5xx (via the error handler) when
 * processing failed so the provider retries.
 */
export function providerWebhookRoutes(platform: Platform): Router {
  const router = Router();
  router.post('/webhooks/:provider', express.raw({ type: () => true, limit: '256kb' }), async (req, res) => {
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]));
    const results = await platform.providerWebhooks.handle(req.params.provider, rawBody, headers, {
      requestId: requestIdOf(res),
      ip: req.ip ?? null,
    });
    // Adyen expects exactly "[accepted]" for a processed notification batch.
    if (req.params.provider === 'adyen') res.status(200).type('text/plain').send('[accepted]');
    else res.status(200).json({ received: true, results: results.map((r) => r.result) });
  });
  return router;
}
