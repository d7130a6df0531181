import { Router } from 'express';
import { createRefundSchema, listQuerySchema } from '@platform/core';
import type { Platform } from '../platform.js';
import { scopeOf, tenantEm } from '../authenticate.js';
import { idempotency } from '../idempotency.js';
import { parseInput, parseOptionalBody } from '../validation.js';
import { toRefundObject } from '../../services/refunds.js';
import { tenantMutationContext } from './mutation-context.js';

/** Refunds (spec/rest-api.md "Refunds"): create is idempotent; reads are tenant + mode scoped. */
export function refundRoutes(platform: Platform): Router {
  const router = Router();
  const idempotent = idempotency(platform.box);
  const { refunds } = platform;

  router.post('/payments/:id/refunds', (req, res) =>
    idempotent(req, res, async (em) => {
      const input = parseOptionalBody(createRefundSchema, req.body);
      const refund = await refunds.create(em, scopeOf(res), req.params.id, input, tenantMutationContext(req, res));
      return { status: 201, body: refund };
    }),
  );

  router.get('/payments/:id/refunds', async (req, res) => {
    const query = parseInput(listQuerySchema, req.query);
    const page = await refunds.listForPayment(tenantEm(res), req.params.id, query);
    res.json({ object: 'list', data: page.data.map(toRefundObject), hasMore: page.hasMore });
  });

  router.get('/refunds/:id', async (req, res) => {
    res.json(toRefundObject(await refunds.get(tenantEm(res), req.params.id)));
  });

  return router;
}
