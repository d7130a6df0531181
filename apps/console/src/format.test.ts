import { describe, expect, it } from 'vitest';
import { formatAmount, localDayBoundary, parseMajorAmount, toMajorString } from './format';

describe('parseMajorAmount: what a person types → minor units, no floats', () => {
  it.each([
    ['7.50', 'EUR', 750],
    ['7,5', 'EUR', 750],
    ['0.1', 'EUR', 10],
    ['1 234.56', 'EUR', 123456],
    ['250000', 'JPY', 250000],
    ['1.005', 'BHD', 1005],
    ['.99', 'USD', 99],
    // 0.1 + 0.2 style traps stay exact.
    ['19.99', 'EUR', 1999],
    ['1000000.07', 'EUR', 100000007],
  ])('%s %s → %i', (input, currency, minor) => {
    expect(parseMajorAmount(input, currency)).toEqual({ ok: true, minor });
  });

  it.each([
    ['1.234', 'EUR', 'EUR has at most 2 decimals'],
    ['10.5', 'JPY', 'JPY has no decimals'],
    ['', 'EUR', 'Enter an amount like 12.50'],
    ['abc', 'EUR', 'Enter an amount like 12.50'],
    ['-5', 'EUR', 'Enter an amount like 12.50'],
    ['0', 'EUR', 'The amount must be more than zero'],
    ['99999999999999999', 'EUR', 'That amount is too large'],
  ])('%s %s is refused: %s', (input, currency, message) => {
    expect(parseMajorAmount(input, currency)).toEqual({ ok: false, message });
  });
});

describe('formatting', () => {
  it('respects the currency exponent', () => {
    expect(formatAmount(1999, 'EUR', 'en-US')).toBe('€19.99');
    expect(formatAmount(250000, 'JPY', 'en-US')).toBe('¥250,000');
    expect(formatAmount(1005, 'BHD', 'en-US')).toBe('BHD\u00a01.005');
    expect(toMajorString(5, 'EUR')).toBe('0.05');
    expect(toMajorString(250000, 'JPY')).toBe('250000');
  });

  it('a date filter covers the whole local day', () => {
    const start = new Date(localDayBoundary('2026-11-25', false)!);
    const end = new Date(localDayBoundary('2026-11-25', true)!);
    expect([start.getDate(), start.getHours(), start.getMinutes()]).toEqual([25, 0, 0]);
    expect([end.getDate(), end.getHours(), end.getMinutes(), end.getMilliseconds()]).toEqual([25, 23, 59, 999]);
    expect(localDayBoundary('not a day', false)).toBeUndefined();
  });
});
