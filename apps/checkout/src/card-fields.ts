import { cvcValid, expiryInFuture, luhnValid } from '@platform/core';
import type { CardInput } from './api';

/** What the customer typed, as typed (formatted for display). */
export interface CardFields {
  number: string;
  expiry: string;
  cvc: string;
  name: string;
}

export type FieldName = keyof CardFields;
export type FieldErrors = Partial<Record<FieldName, string>>;

export const EMPTY_CARD: CardFields = { number: '', expiry: '', cvc: '', name: '' };

/** Order of the fields on the page: the first invalid one gets the focus. */
export const FIELD_ORDER: readonly FieldName[] = ['number', 'expiry', 'cvc', 'name'];

const MAX_CARD_DIGITS = 19;

export function digitsOf(value: string): string {
  return value.replace(/\D/g, '');
}

/** "4242424242424242" → "4242 4242 4242 4242" (groups of four, as printed on most cards). */
export function formatCardNumber(value: string): string {
  const digits = digitsOf(value).slice(0, MAX_CARD_DIGITS);
  return digits.replace(/(\d{4})(?=\d)/g, '$1 ');
}

/**
 * Expiry as "MM / YY". The separator appears only once the year starts, so Backspace never
 * gets stuck on it; "1/" becomes "01"; autofill's "12/2034" is kept as "12 / 2034".
 */
export function formatExpiry(value: string): string {
  const singleDigitMonth = /^\s*(\d)\s*[/\-.]/.exec(value);
  let digits = digitsOf(value);
  if (singleDigitMonth) digits = `0${digits}`;
  digits = digits.slice(0, 6);
  if (digits.length <= 2) return digits;
  return `${digits.slice(0, 2)} / ${digits.slice(2)}`;
}

export function formatCvc(value: string): string {
  return digitsOf(value).slice(0, 4);
}

/** Parses "MM / YY" or "MM / YYYY" into a month and a four-digit year. */
export function parseExpiry(value: string): { month: number; year: number } | null {
  const m = /^(\d{2}) \/ (\d{2}|\d{4})$/.exec(formatExpiry(value));
  if (!m) return null;
  const month = Number(m[1]);
  const yearPart = m[2]!;
  const year = yearPart.length === 2 ? 2000 + Number(yearPart) : Number(yearPart);
  if (month < 1 || month > 12) return null;
  return { month, year };
}

export function validateField(field: FieldName, fields: CardFields, now = new Date()): string | undefined {
  switch (field) {
    case 'number': {
      const digits = digitsOf(fields.number);
      if (digits === '') return 'Enter your card number.';
      if (digits.length < 12 || !luhnValid(digits)) return 'This card number is not valid. Check it and try again.';
      return undefined;
    }
    case 'expiry': {
      if (fields.expiry.trim() === '') return 'Enter the expiry date.';
      const parsed = parseExpiry(fields.expiry);
      if (!parsed) return 'Enter the expiry date as MM / YY, for example 08 / 29.';
      if (!expiryInFuture(parsed.month, parsed.year, now)) return 'This card has expired. Use a card with an expiry date in the future.';
      return undefined;
    }
    case 'cvc':
      if (fields.cvc === '') return 'Enter the CVC.';
      if (!cvcValid(fields.cvc)) return 'The CVC is the 3 or 4 digit code on your card.';
      return undefined;
    case 'name':
      return fields.name.length > 200 ? 'The name is too long (200 characters at most).' : undefined;
  }
}

export function validateCard(fields: CardFields, now = new Date()): FieldErrors {
  const errors: FieldErrors = {};
  for (const field of FIELD_ORDER) {
    const message = validateField(field, fields, now);
    if (message) errors[field] = message;
  }
  return errors;
}

/** The card as checkout.submit takes it; call only after validateCard found nothing. */
export function toCardInput(fields: CardFields): CardInput {
  const expiry = parseExpiry(fields.expiry)!;
  const name = fields.name.trim();
  return {
    number: digitsOf(fields.number),
    expMonth: expiry.month,
    expYear: expiry.year,
    cvc: fields.cvc,
    ...(name ? { name } : {}),
  };
}
