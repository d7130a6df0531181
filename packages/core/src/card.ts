/**
 * Card checks shared by the hosted page (inline validation) and the checkout API (sandbox only).
 * No zod here: the hosted page imports this file and must not bundle zod (see schemas.ts for cardSchema).
 */
/** 12–19 digits, spaces and dashes allowed between them: the shape of a card number. */
export function cardNumberShaped(number: string): boolean {
  return /^\d{12,19}$/.test(number.replace(/[\s-]/g, ''));
}

/** The card checksum: the hosted page refuses a number that fails it before sending anything. */
export function luhnValid(number: string): boolean {
  const digits = number.replace(/[\s-]/g, '');
  if (!cardNumberShaped(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** A card is valid through the last day of its expiry month. */
export function expiryInFuture(month: number, year: number, now: Date): boolean {
  if (!Number.isInteger(month) || month < 1 || month > 12) return false;
  const fullYear = year < 100 ? 2000 + year : year;
  const endOfMonth = Date.UTC(fullYear, month, 1);
  return endOfMonth > now.getTime();
}

export function cvcValid(cvc: string): boolean {
  return /^\d{3,4}$/.test(cvc);
}
