import { Router } from 'express';
import { createWebhookEndpointSchema, listQuerySchema, replayEventSchema, updateWebhookEndpointSchema } from '@platform/core';
import type { Platform } from '../platform.js';
import { scopeOf, tenantEm } from '../authenticate.js';
import { idempotency } from '../idempotency.js';
import { expectNoParameters, parseInput, parseOptionalBody, parseOrThrow } from '../validation.js';
import { toEndpointObject } from '../../services/webhook-endpoints.js';
import { tenantMutationContext } from './mutation-context.js';

/** /v1/webhook-endpoints (spec/rest-api.md, spec/webhooks.md "Out"). */
export function webhookEndpointRoutes(platform: Platform): Router {
  const router = Router();
  const idempotent = idempotency(platform.box);
  const endpoints = platform.webhookEndpoints;

  router.post('/webhook-endpoints', (req, res) =>
    idempotent(req, res, async (em) => ({
      status: 201,
      body: await endpoints.create(em, scopeOf(res), parseOrThrow(createWebhookEndpointSchema, req.body), tenantMutationContext(req, res)),
    })),
  );

  router.get('/webhook-endpoints', async (req, res) => {
    const page = await endpoints.list(tenantEm(res), parseInput(listQuerySchema, req.query));
    res.json({ object: 'list', ...page });
  });

  router.get('/webhook-endpoints/:id', async (req, res) => {
    res.json(toEndpointObject(await endpoints.get(tenantEm(res), req.params.id)));
  });

  /** Stripe-style update: url, events, status ('enabled' re-enables an endpoint disabled after failures). */
  router.post('/webhook-endpoints/:id', (req, res) =>
    idempotent(req, res, async (em) => ({
      status: 200,
      body: await endpoints.update(em, scopeOf(res), req.params.id, parseOptionalBody(updateWebhookEndpointSchema, req.body), tenantMutationContext(req, res)),
    })),
  );

  router.delete('/webhook-endpoints/:id', async (req, res) => {
    const result = await tenantEm(res).transactional((em) => endpoints.remove(em, scopeOf(res), req.params.id, tenantMutationContext(req, res)));
    res.json(result);
  });

  router.post('/webhook-endpoints/:id/rotate-secret', (req, res) =>
    idempotent(req, res, async (em) => {
      expectNoParameters(req.body);
      return { status: 200, body: await endpoints.rotateSecret(em, scopeOf(res), req.params.id, tenantMutationContext(req, res)) };
    }),
  );

  router.post('/webhook-endpoints/:id/test', (req, res) =>
    idempotent(req, res, async (em) => {
      expectNoParameters(req.body);
      return { status: 201, body: await endpoints.sendTest(em, scopeOf(res), req.params.id, tenantMutationContext(req, res)) };
    }),
  );

  router.post('/webhook-endpoints/:id/replay', (req, res) =>
    idempotent(req, res, async (em) => ({
      status: 201,
      body: await endpoints.replay(em, scopeOf(res), req.params.id, parseOrThrow(replayEventSchema, req.body).eventId, tenantMutationContext(req, res)),
    })),
  );

  router.get('/webhook-endpoints/:id/deliveries', async (req, res) => {
    const page = await endpoints.deliveries(tenantEm(res), req.params.id, parseInput(listQuerySchema, req.query));
    res.json({ object: 'list', ...page });
  });

  return router;
}
