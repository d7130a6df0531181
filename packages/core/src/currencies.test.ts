import { describe, expect, it } from 'vitest';
import { CURRENCY_CODES, CURRENCY_EXPONENTS, currencyExponent, isCurrencyCode, type CurrencyCode } from './currencies.js';
import { currencySchema } from './schemas.js';

describe('currency exponents', () => {
  it.each<[CurrencyCode, number]>([
    ['EUR', 2],
    ['USD', 2],
    ['GBP', 2],
    ['CHF', 2],
    ['JPY', 0],
    ['KRW', 0],
    ['CLP', 0],
    ['VND', 0],
    ['BHD', 3],
    ['KWD', 3],
    ['JOD', 3],
    ['OMR', 3],
    ['TND', 3],
    ['CLF', 4],
  ])('%s has %d decimals', (code, exponent) => {
    expect(currencyExponent(code)).toBe(exponent);
    expect(CURRENCY_EXPONENTS[code]).toBe(exponent);
  });

  it.each<CurrencyCode>(['EUR', 'USD', 'GBP', 'JPY', 'KRW', 'BHD', 'KWD', 'JOD', 'OMR', 'TND', 'CLF'])(
    '%s agrees with the ICU data behind Intl.NumberFormat',
    (code) => {
      const digits = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits;
      expect(currencyExponent(code)).toBe(digits);
    },
  );

  it('every code is three upper-case letters, listed once, with an exponent of 0, 2, 3 or 4', () => {
    expect(new Set(CURRENCY_CODES).size).toBe(CURRENCY_CODES.length);
    expect(CURRENCY_CODES.length).toBeGreaterThan(150);
    for (const code of CURRENCY_CODES) {
      expect(code).toMatch(/^[A-Z]{3}$/);
      expect([0, 2, 3, 4]).toContain(CURRENCY_EXPONENTS[code]);
    }
  });

  it('the table cannot be changed at run time', () => {
    expect(Object.isFrozen(CURRENCY_EXPONENTS)).toBe(true);
  });
});

describe('isCurrencyCode', () => {
  it.each(['EUR', 'JPY', 'BHD', 'USD'])('accepts %s', (code) => {
    expect(isCurrencyCode(code)).toBe(true);
  });

  it.each([
    'XXX', // ISO "no currency"
    'XAU', // precious metal
    'XTS', // testing code
    'ABC',
    'eur',
    'Eur',
    'jpy',
    'EURO',
    'EU',
    '',
    ' EUR',
    'EUR ',
    // inherited object keys must not count as currencies
    'toString',
    '__proto__',
    'constructor',
  ])('rejects %j', (code) => {
    expect(isCurrencyCode(code)).toBe(false);
  });

  it('the shared request schema rejects unknown and lower-case codes too', () => {
    expect(currencySchema.safeParse('EUR').success).toBe(true);
    expect(currencySchema.safeParse('XXX').success).toBe(false);
    expect(currencySchema.safeParse('eur').success).toBe(false);
    expect(currencySchema.safeParse(978).success).toBe(false);
  });
});
