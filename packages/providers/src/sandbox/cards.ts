import type { NormalizedOutcome } from '@platform/core';

/** What a sandbox test card does (spec/payments.md "Test cards"). */
export type CardBehaviour =
  | { kind: 'outcome'; outcome: NormalizedOutcome; delayMs: number }
  | { kind: 'provider_error' };

export const DELAYED_OUTCOME_MS = 3000;

const declined = (code: string, message: string): CardBehaviour => ({
  kind: 'outcome',
  outcome: { type: 'failed', code, message },
  delayMs: 0,
});

export const TEST_CARDS: Readonly<Record<string, CardBehaviour>> = {
  '4242424242424242': { kind: 'outcome', outcome: { type: 'succeeded' }, delayMs: 0 },
  '4000000000000002': declined('card_declined', 'The card was declined.'),
  '4000000000009995': declined('insufficient_funds', 'The card has insufficient funds.'),
  '4000000000000069': declined('expired_card', 'The card has expired.'),
  '4000002760003184': { kind: 'outcome', outcome: { type: 'requires_action' }, delayMs: 0 },
  '4000000000003055': { kind: 'outcome', outcome: { type: 'succeeded' }, delayMs: DELAYED_OUTCOME_MS },
  '4000000000003063': { kind: 'outcome', outcome: { type: 'failed', code: 'card_declined', message: 'The card was declined.' }, delayMs: DELAYED_OUTCOME_MS },
  '4000000000000119': { kind: 'provider_error' },
};

export const UNKNOWN_CARD = declined('test_card_required', 'Sandbox mode accepts only the documented test cards.');

/** Spaces and dashes are allowed when typing a card number. */
export function normalizeCardNumber(number: string): string {
  return number.replace(/[\s-]/g, '');
}

export function behaviourOf(number: string): CardBehaviour {
  return TEST_CARDS[normalizeCardNumber(number)] ?? UNKNOWN_CARD;
}

/** Sandbox refund rule (spec/payments.md): a refund whose amount ends in 99 minor units fails. */
export function refundFails(amount: number): boolean {
  return amount % 100 === 99;
}
