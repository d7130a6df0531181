import { describe, expect, it } from 'vitest';
import { MAX_AMOUNT, formatMoney, isValidAmount, toDecimalString } from './money.js';

/** Intl puts a no-break space between a currency code and the number; compare with plain spaces. */
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('toDecimalString', () => {
  it.each([
    [1999, 'EUR', '19.99'],
    [5, 'EUR', '0.05'],
    [100, 'EUR', '1.00'],
    [0, 'EUR', '0.00'],
    [1999, 'JPY', '1999'],
    [0, 'JPY', '0'],
    [5, 'BHD', '0.005'],
    [1234567, 'BHD', '1234.567'],
    [1000, 'BHD', '1.000'],
    [-1999, 'EUR', '-19.99'],
    [-5, 'EUR', '-0.05'],
    [-5, 'BHD', '-0.005'],
    [-1999, 'JPY', '-1999'],
    [MAX_AMOUNT, 'EUR', '999999999.99'],
    [MAX_AMOUNT, 'JPY', '99999999999'],
    [MAX_AMOUNT, 'BHD', '99999999.999'],
    // Beyond 2^52 a float division would lose the last digit; string arithmetic does not.
    [Number.MAX_SAFE_INTEGER, 'EUR', '90071992547409.91'],
    [-Number.MAX_SAFE_INTEGER, 'BHD', '-9007199254740.991'],
  ] as const)('%d %s → %s', (amount, currency, expected) => {
    expect(toDecimalString(amount, currency)).toBe(expected);
  });

  it.each([19.99, 0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])('rejects the non-safe-integer %d', (amount) => {
    expect(() => toDecimalString(amount, 'EUR')).toThrow(RangeError);
  });
});

describe('formatMoney', () => {
  it.each([
    [1999, 'EUR', 'en-US', '€19.99'],
    [5, 'EUR', 'en-US', '€0.05'],
    [123456, 'EUR', 'de-DE', '1.234,56 €'],
    [1999, 'JPY', 'en-US', '¥1,999'],
    [1999, 'JPY', 'ja-JP', '￥1,999'],
    [5, 'BHD', 'en-US', 'BHD 0.005'],
    [1234567, 'BHD', 'en-US', 'BHD 1,234.567'],
    [-1999, 'EUR', 'en-US', '-€19.99'],
    [-5, 'BHD', 'en-US', '-BHD 0.005'],
    [MAX_AMOUNT, 'EUR', 'en-US', '€999,999,999.99'],
    [Number.MAX_SAFE_INTEGER, 'EUR', 'en-US', '€90,071,992,547,409.91'],
    [Number.MAX_SAFE_INTEGER, 'JPY', 'en-US', '¥9,007,199,254,740,991'],
  ] as const)('%d %s in %s → %s', (amount, currency, locale, expected) => {
    expect(plain(formatMoney(amount, currency, locale))).toBe(expected);
  });

  it('defaults to en-US', () => {
    expect(formatMoney(1999, 'EUR')).toBe('€19.99');
  });

  it('respects the exponent even where the locale would show other digits', () => {
    // JPY never shows decimals, BHD always shows three.
    expect(formatMoney(1, 'JPY', 'en-US')).toBe('¥1');
    expect(plain(formatMoney(1, 'BHD', 'en-US'))).toBe('BHD 0.001');
  });
});

describe('isValidAmount', () => {
  it.each([1, 1999, MAX_AMOUNT])('accepts %d', (amount) => {
    expect(isValidAmount(amount)).toBe(true);
  });

  it.each<[string, unknown]>([
    ['zero', 0],
    ['negative zero', -0],
    ['negative', -1],
    ['negative large', -1999],
    ['float', 19.99],
    ['float just above an integer', 1.0000001],
    ['numeric string', '1999'],
    ['empty string', ''],
    ['one above MAX_AMOUNT', MAX_AMOUNT + 1],
    ['MAX_SAFE_INTEGER', Number.MAX_SAFE_INTEGER],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['bigint', 1999n],
    ['null', null],
    ['undefined', undefined],
    ['boxed number', Object(1999)],
    ['array', [1999]],
  ])('rejects %s', (_name, amount) => {
    expect(isValidAmount(amount)).toBe(false);
  });

  it('MAX_AMOUNT fits in a safe integer and a Postgres int8', () => {
    expect(Number.isSafeInteger(MAX_AMOUNT)).toBe(true);
    expect(BigInt(MAX_AMOUNT) <= 2n ** 63n - 1n).toBe(true);
  });
});
