import { describe, expect, it } from 'vitest';
import { toStripeAmount, toStripeCurrency } from './amounts.js';

describe('toStripeAmount', () => {
  it('passes ISO minor units through where Stripe uses the same exponent', () => {
    expect(toStripeAmount(1999, 'EUR')).toBe(1999);
    expect(toStripeAmount(500, 'JPY')).toBe(500);
    expect(toStripeAmount(5120, 'KWD')).toBe(5120);
  });

  it("converts Stripe's special cases: ISK is two-decimal at Stripe, MGA zero-decimal", () => {
    expect(toStripeAmount(500, 'ISK')).toBe(50_000);
    expect(toStripeAmount(12_300, 'MGA')).toBe(123);
    expect(toStripeAmount(12_345, 'MGA')).toBeNull();
  });

  it('lower-cases currencies', () => {
    expect(toStripeCurrency('EUR')).toBe('eur');
  });
});
