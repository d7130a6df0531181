import { Router } from 'express';
import { z } from 'zod';
import { createPaymentSchema, paymentListQuerySchema } from '@platform/core';
import type { Platform } from '../platform.js';
import { scopeOf, tenantEm } from '../authenticate.js';
import { idempotency } from '../idempotency.js';
import { expectNoParameters, parseInput, parseOptionalBody, parseOrThrow } from '../validation.js';
import { toPaymentObject } from '../../services/payment-object.js';
import { tenantMutationContext } from './mutation-context.js';
import { attemptsOf, toAttemptObject } from '../../services/attempts.js';

export const reissueCheckoutSchema = z
  .object({ checkoutExpiresInSeconds: z.number().int().min(60).max(86_400).optional() })
  .strict()
  .meta({ id: 'ReissueCheckoutRequest' });

export function paymentRoutes(platform: Platform): Router {
  const router = Router();
  const idempotent = idempotency(platform.box);
  const { payments } = platform;

  router.post('/payments', (req, res) =>
    idempotent(req, res, async (em) => {
      const input = parseOrThrow(createPaymentSchema, req.body);
      const payment = await payments.create(em, scopeOf(res), input, tenantMutationContext(req, res));
      return { status: 201, body: payment };
    }),
  );

  router.get('/payments', async (req, res) => {
    const query = parseInput(paymentListQuerySchema, req.query);
    const page = await payments.list(tenantEm(res), query);
    res.json({ object: 'list', data: page.data.map((p) => toPaymentObject(p)), hasMore: page.hasMore });
  });

  router.get('/payments/:id', async (req, res) => {
    res.json(toPaymentObject(await payments.get(tenantEm(res), req.params.id)));
  });

  /** Every try at a provider, oldest first: retries, failover and declines show up here. */
  router.get('/payments/:id/attempts', async (req, res) => {
    const em = tenantEm(res);
    await payments.get(em, req.params.id);
    res.json({ object: 'list', data: (await attemptsOf(em, req.params.id)).map(toAttemptObject), hasMore: false });
  });

  router.post('/payments/:id/cancel', (req, res) =>
    idempotent(req, res, async (em) => {
      expectNoParameters(req.body);
      return { status: 200, body: await payments.cancel(em, scopeOf(res), req.params.id, tenantMutationContext(req, res)) };
    }),
  );

  router.post('/payments/:id/checkout', (req, res) =>
    idempotent(req, res, async (em) => {
      const input = parseOptionalBody(reissueCheckoutSchema, req.body);
      const payment = await payments.reissueCheckout(em, scopeOf(res), req.params.id, input.checkoutExpiresInSeconds, tenantMutationContext(req, res));
      return { status: 200, body: payment };
    }),
  );

  return router;
}
