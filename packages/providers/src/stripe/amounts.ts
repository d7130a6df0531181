import type { CurrencyCode } from '@platform/core';

/**
 * Our amounts are in ISO 4217 minor units (packages/core/src/currencies.ts); Stripe's API uses
 * its own unit for a few currencies (https://docs.stripe.com/currencies#special-cases):
 * - ISK: ISO has 0 decimals, Stripe keeps it two-decimal ("100" = 1 króna) → ×100.
 * - MGA: ISO has 2 decimals, Stripe treats it as zero-decimal → ÷100 (whole ariary only).
 * Every other currency we support uses the same exponent at Stripe. Stripe's remaining rules
 * (three-decimal amounts ending in 0, minimum charge amounts) are left to Stripe to reject.
 */
const FACTORS: Partial<Record<CurrencyCode, { multiply?: number; divide?: number }>> = {
  ISK: { multiply: 100 },
  MGA: { divide: 100 },
};

/** Our minor-unit amount as Stripe expects it, or null when Stripe cannot express it. */
export function toStripeAmount(amount: number, currency: CurrencyCode): number | null {
  const factor = FACTORS[currency];
  if (!factor) return amount;
  if (factor.multiply) return amount * factor.multiply;
  const divisor = factor.divide ?? 1;
  return amount % divisor === 0 ? amount / divisor : null;
}

/** Stripe wants currencies in lower case. */
export function toStripeCurrency(currency: CurrencyCode): string {
  return currency.toLowerCase();
}
