import { formatMoney, isCurrencyCode } from '@platform/core';

/** The customer's locale (the browser's), falling back to en-US when Intl does not know it. */
export function customerLocale(): string {
  return typeof navigator !== 'undefined' && navigator.language ? navigator.language : 'en-US';
}

/** Minor units → "€19.99" in the customer's locale, with the currency's own exponent. */
export function formatAmount(amount: number, currency: string, locale = customerLocale()): string {
  if (!isCurrencyCode(currency)) return `${amount} ${currency}`;
  try {
    return formatMoney(amount, currency, locale);
  } catch {
    return formatMoney(amount, currency, 'en-US');
  }
}

/** Only http(s) URLs are ever used as links or redirects (never `javascript:` and friends). */
export function safeHttpUrl(value: string | null | undefined): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : null;
  } catch {
    return null;
  }
}

/** "shop.example.com" for "Return to shop.example.com" when only a URL is known. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export interface Theme {
  /** Background of the primary button and accents. */
  accent: string;
  /** Text on the accent background (black or white, whichever contrasts more). */
  onAccent: string;
  /** Accent used for text, links and focus rings on white: the brand colour when it is readable there. */
  accentInk: string;
}

const DEFAULT_ACCENT = '#3451d1';
const DEFAULT_INK = '#1f2a5c';

/** Turns the tenant's brand colour (any string) into safe, readable colours. */
export function themeFor(brandColor: string | null | undefined): Theme {
  const rgb = parseHex(brandColor ?? '') ?? parseHex(DEFAULT_ACCENT)!;
  const accent = brandColor && parseHex(brandColor) ? brandColor : DEFAULT_ACCENT;
  const l = luminance(rgb);
  const onAccent = contrast(l, 1) >= contrast(l, 0) ? '#ffffff' : '#111111';
  const accentInk = contrast(l, 1) >= 4.5 ? accent : DEFAULT_INK;
  return { accent, onAccent, accentInk };
}

function parseHex(value: string): [number, number, number] | null {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value.trim());
  if (!m) return null;
  let hex = m[1]!;
  if (hex.length === 3) hex = hex.replace(/./g, (c) => c + c);
  return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}

function luminance([r, g, b]: [number, number, number]): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

function contrast(a: number, b: number): number {
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}
