import { describe, expect, it } from 'vitest';
import { behaviourOf, normalizeCardNumber, TEST_CARDS, UNKNOWN_CARD } from './cards.js';

describe('sandbox test cards', () => {
  it('are exactly the eight numbers of spec/payments.md', () => {
    expect(Object.keys(TEST_CARDS).sort()).toEqual(
      [
        '4242424242424242',
        '4000000000000002',
        '4000000000009995',
        '4000000000000069',
        '4000002760003184',
        '4000000000003055',
        '4000000000003063',
        '4000000000000119',
      ].sort(),
    );
  });

  it('0119 is a provider error, not an outcome', () => {
    expect(behaviourOf('4000 0000 0000 0119')).toEqual({ kind: 'provider_error' });
  });

  it('only 3055 and 3063 are delayed', () => {
    const delayed = Object.entries(TEST_CARDS)
      .filter(([, b]) => b.kind === 'outcome' && b.delayMs > 0)
      .map(([n]) => n)
      .sort();
    expect(delayed).toEqual(['4000000000003055', '4000000000003063']);
  });

  it('ignores spaces and dashes; anything else is test_card_required', () => {
    expect(normalizeCardNumber(' 4242 4242-4242 4242 ')).toBe('4242424242424242');
    expect(behaviourOf('4242 4242 4242 4242')).toEqual({ kind: 'outcome', outcome: { type: 'succeeded' }, delayMs: 0 });
    expect(behaviourOf('4000-0000-0000-9995')).toMatchObject({ kind: 'outcome', outcome: { type: 'failed', code: 'insufficient_funds' } });
    expect(behaviourOf('4000 0000 0000 0069')).toMatchObject({ kind: 'outcome', outcome: { type: 'failed', code: 'expired_card' } });
    for (const other of ['4111111111111111', '424242424242424', '', '4242 4242 4242 4242 4']) {
      expect(behaviourOf(other)).toBe(UNKNOWN_CARD);
    }
    expect(UNKNOWN_CARD).toMatchObject({ kind: 'outcome', outcome: { type: 'failed', code: 'test_card_required' }, delayMs: 0 });
  });
});
