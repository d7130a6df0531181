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

  /**
   * What the page needs to take the payment: `card_form` (built-in sandbox), Stripe's Payment
   * Element (publishable key + client secret) or Adyen's Drop-in (client key + session). The
   * provider object is created here, with failover across the tenant's accounts.
   */
  prepare: publicProcedure
    .input(z.object({ token }))
    .mutation(({ ctx, input }) => ctx.checkout.prepare(input.token)),

  /** Stripe: the Payment Element's ConfirmationToken; our server confirms the PaymentIntent. */
  confirm: publicProcedure
    .input(z.object({ token, confirmationToken: z.string().regex(/^ctoken_[A-Za-z0-9_]+$/, 'confirmationToken must be a Stripe ConfirmationToken id') }))
    .mutation(({ ctx, input }) => ctx.checkout.confirm(input.token, input.confirmationToken, customerContext(ctx, 'checkout'))),

  /** Adyen: Drop-in finished; its sessionResult lets reconciliation ask Adyen. */
  reportResult: publicProcedure
    .input(z.object({ token, sessionResult: z.string().min(1).max(4096) }))
    .mutation(({ ctx, input }) => ctx.checkout.reportResult(input.token, input.sessionResult, customerContext(ctx, 'checkout'))),

  /** Sandbox card submission (live mode refuses raw card data). */
  submit: publicProcedure
    .input(z.object({ token, card: cardSchema }))
    .mutation(({ ctx, input }) => ctx.checkout.submit(input.token, input.card, customerContext(ctx, 'checkout'))),

  /** The simulated 3-D Secure page's answer. */
  completeAction: publicProcedure
    .input(z.object({ token, approve: z.boolean() }))
    .mutation(({ ctx, input }) => ctx.checkout.completeAction(input.token, input.approve, customerContext(ctx, 'checkout'))),
});
