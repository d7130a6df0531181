import { currencyExponent, type CurrencyCode } from './currencies.js';

/** Largest amount we accept in minor units: within int8 and below 2^53, like Stripe's 99999999 cap but per-currency agnostic. */
export const MAX_AMOUNT = 99_999_999_999;

export function isValidAmount(amount: unknown): amount is number {
  return typeof amount === 'number' && Number.isSafeInteger(amount) && amount > 0 && amount <= MAX_AMOUNT;
}

/**
 * Minor units → exact decimal string ("1999", EUR → "19.99"; 5, BHD → "0.005").
 * Built with string arithmetic so money never passes through a float.
 */
export function toDecimalString(amount: number, currency: CurrencyCode): string {
  if (!Number.isSafeInteger(amount)) throw new RangeError('amount must be an integer in minor units');
  const exponent = currencyExponent(currency);
  const negative = amount < 0;
  const digits = String(Math.abs(amount));
  if (exponent === 0) return (negative ? '-' : '') + digits;
  const padded = digits.padStart(exponent + 1, '0');
  const whole = padded.slice(0, -exponent);
  const fraction = padded.slice(-exponent);
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

/** Formats minor units for display, respecting the currency's exponent (Intl accepts exact decimal strings). */
export function formatMoney(amount: number, currency: CurrencyCode, locale = 'en-US'): string {
  const exponent = currencyExponent(currency);
  const formatter = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  });
  // Intl.NumberFormat v3 formats a decimal string exactly; the cast is for older lib typings.
  return formatter.format(toDecimalString(amount, currency) as unknown as number);
}
