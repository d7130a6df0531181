import { describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import { paymentIntentOutcome } from './outcomes.js';

const declined = { type: 'card_error', code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' } as Stripe.PaymentIntent.LastPaymentError;

describe('paymentIntentOutcome', () => {
  it.each([
    ['succeeded', null, { type: 'succeeded' }],
    ['processing', null, { type: 'processing' }],
    ['requires_action', null, { type: 'requires_action' }],
    ['requires_capture', null, { type: 'authorized' }],
    ['canceled', null, { type: 'canceled' }],
    ['requires_payment_method', declined, { type: 'failed', code: 'insufficient_funds', message: 'Your card has insufficient funds.' }],
    ['requires_payment_method', null, { type: 'processing' }],
    ['requires_confirmation', null, { type: 'processing' }],
  ] as const)('%s (error: %o) → %o', (status, error, outcome) => {
    expect(paymentIntentOutcome({ status, last_payment_error: error })).toEqual(outcome);
  });

  it('falls back to the error code, then a generic code', () => {
    const noDecline = { type: 'card_error', code: 'expired_card' } as Stripe.PaymentIntent.LastPaymentError;
    expect(paymentIntentOutcome({ status: 'requires_payment_method', last_payment_error: noDecline })).toMatchObject({ code: 'expired_card', message: expect.any(String) });
    const bare = { type: 'api_error' } as Stripe.PaymentIntent.LastPaymentError;
    expect(paymentIntentOutcome({ status: 'requires_payment_method', last_payment_error: bare })).toMatchObject({ code: 'payment_failed' });
  });
});
