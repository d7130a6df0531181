import { currencyExponent, formatMoney, isCurrencyCode } from '@platform/core';

export function userLocale(): string {
  return typeof navigator !== 'undefined' && navigator.language ? navigator.language : 'en-US';
}

/** Minor units → "€19.99" in the user's locale, with the currency's own exponent (¥250,000; BD 1.005). */
export function formatAmount(amount: number, currency: string, locale = userLocale()): string {
  const code = currency.toUpperCase();
  if (!isCurrencyCode(code)) return `${amount} ${currency} (minor units)`;
  try {
    return formatMoney(amount, code, locale);
  } catch {
    return formatMoney(amount, code, 'en-US');
  }
}

export function exponentOf(currency: string): number {
  const code = currency.toUpperCase();
  return isCurrencyCode(code) ? currencyExponent(code) : 2;
}

export type ParsedAmount = { ok: true; minor: number } | { ok: false; message: string };

/**
 * "12.5" EUR → 1250; "250000" JPY → 250000. String arithmetic only: money never passes
 * through a float. Accepts "." or "," as the decimal separator and spaces/apostrophes/_ as
 * digit grouping; more decimals than the currency has is an error, not a rounding.
 */
export function parseMajorAmount(input: string, currency: string): ParsedAmount {
  const exponent = exponentOf(currency);
  const cleaned = input.trim().replace(/[\s'_\u00a0\u202f]/g, '');
  const match = /^(\d*)(?:[.,](\d*))?$/.exec(cleaned);
  if (!cleaned || !match || (match[1] === '' && !match[2])) return { ok: false, message: 'Enter an amount like 12.50' };
  const whole = match[1] || '0';
  const fraction = match[2] ?? '';
  if (fraction.length > exponent) {
    return { ok: false, message: exponent === 0 ? `${currency.toUpperCase()} has no decimals` : `${currency.toUpperCase()} has at most ${exponent} decimals` };
  }
  const minor = Number(whole + fraction.padEnd(exponent, '0'));
  if (!Number.isSafeInteger(minor)) return { ok: false, message: 'That amount is too large' };
  if (minor <= 0) return { ok: false, message: 'The amount must be more than zero' };
  return { ok: true, minor };
}

/** Minor units → the plain decimal a person would type ("19.99"), for placeholders. */
export function toMajorString(amount: number, currency: string): string {
  const exponent = exponentOf(currency);
  if (exponent === 0) return String(amount);
  const digits = String(amount).padStart(exponent + 1, '0');
  return `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

const localFormat = () => new Intl.DateTimeFormat(userLocale(), { dateStyle: 'medium', timeStyle: 'medium' });

export function formatLocalTime(iso: string | Date): string {
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  return Number.isNaN(date.getTime()) ? String(iso) : localFormat().format(date);
}

/** "2026-11-25 19:11:03 UTC" — unambiguous, for the hover title. */
export function formatUtcTime(iso: string | Date): string {
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  if (Number.isNaN(date.getTime())) return String(iso);
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A date input's "2026-11-25" as the start (or end) of that day in the user's time zone, in ISO. */
export function localDayBoundary(day: string, end: boolean): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  const date = end ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1, 0, 0, 0, 0) : new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (end) date.setMilliseconds(-1);
  return date.toISOString();
}

export function percent(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  return new Intl.NumberFormat(userLocale(), { style: 'percent', maximumFractionDigits: 1 }).format(value);
}
