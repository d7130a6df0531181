import { expect } from 'vitest';
import type { TestPlatform } from './harness.js';

/** The hosted checkout's tRPC API as the checkout page calls it (authorized by the checkout token in the input). */

const future = new Date().getUTCFullYear() + 2;

/** A card the sandbox provider accepts the form of; the number decides the outcome. */
export const testCard = (number: string, extra: Record<string, unknown> = {}) => ({ number, expMonth: 12, expYear: future, cvc: '123', name: 'Ann', ...extra });

/** A successful `checkout.<procedure>` mutation's `result.data`. */
export async function checkoutMutation(t: TestPlatform, procedure: string, input: unknown) {
  const res = await t.request('POST', `/trpc/checkout.${procedure}`, { body: input });
  expect(res.status, res.text).toBe(200);
  return res.body.result.data;
}

/** Pays with a sandbox test card: the checkout view after `checkout.submit`. */
export function submitCard(t: TestPlatform, checkoutToken: string, number: string) {
  return checkoutMutation(t, 'submit', { token: checkoutToken, card: testCard(number) });
}

/** The Stripe PaymentIntent id in the client secret (`pi_…_secret_…`) that `checkout.prepare` hands out. */
export function paymentIntentIdOf(prepared: { client: { clientSecret?: unknown } }): string {
  return (prepared.client.clientSecret as string).split('_secret_')[0]!;
}
