import { z } from 'zod';
import { cardSchema } from '@platform/core';
import { publicProcedure, router } from '../init.js';
import type { MutationContext } from '../../services/context.js';
import type { TrpcContext } from '../init.js';

/** Every checkout procedure is authorized only by the checkout token it carries. */
const token = z.string().min(10).max(4096);

function customerContext(ctx: TrpcContext, paymentRef: string): MutationContext {
  return { actor: { type: 'customer', id: paymentRef }, requestId: ctx.requestId, ip: ctx.ip };
}

export const checkoutRouter = router({
  /** What the page shows: merchant branding, amount, status, next action. */
  session: publicProcedure.input(z.object({ token })).query(({ ctx, input }) => ctx.checkout.session(input.token)),

  /** Polled while the payment is processing; same shape as `session`. */
  status: publicProcedure.input(z.object({ token })).query(({ ctx, input }) => ctx.checkout.session(input.token)),

  /** Sandbox card submission (live mode refuses raw card data). */
  submit: publicProcedure
    .input(z.object({ token, card: cardSchema }))
    .mutation(({ ctx, input }) => ctx.checkout.submit(input.token, input.card, customerContext(ctx, 'checkout'))),

  /** The simulated 3-D Secure page's answer. */
  completeAction: publicProcedure
    .input(z.object({ token, approve: z.boolean() }))
    .mutation(({ ctx, input }) => ctx.checkout.completeAction(input.token, input.approve, customerContext(ctx, 'checkout'))),
});
