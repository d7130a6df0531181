/**
 * ISO 4217 active currency codes with their minor-unit exponent.
 * Source: the ISO 4217 list (SIX, "List One"); precious metals, testing and supranational
 * units (XAU, XTS, XDR…) are left out; the funds codes CLF, UYI and UYW are in, as Stripe accepts them.
 * Most currencies use 2 decimals, so only the exceptions are spelled out.
 */
const TWO_DECIMALS = [
  'AED', 'AFN', 'ALL', 'AMD', 'ANG', 'AOA', 'ARS', 'AUD', 'AWG', 'AZN', 'BAM', 'BBD', 'BDT',
  'BGN', 'BMD', 'BND', 'BOB', 'BRL', 'BSD', 'BTN', 'BWP', 'BYN', 'BZD', 'CAD', 'CDF', 'CHF',
  'CNY', 'COP', 'CRC', 'CUP', 'CVE', 'CZK', 'DKK', 'DOP', 'DZD', 'EGP', 'ERN', 'ETB', 'EUR',
  'FJD', 'FKP', 'GBP', 'GEL', 'GHS', 'GIP', 'GMD', 'GTQ', 'GYD', 'HKD', 'HNL', 'HTG', 'HUF',
  'IDR', 'ILS', 'INR', 'IRR', 'JMD', 'KES', 'KGS', 'KHR', 'KPW', 'KYD', 'KZT', 'LAK', 'LBP',
  'LKR', 'LRD', 'LSL', 'MAD', 'MDL', 'MGA', 'MKD', 'MMK', 'MNT', 'MOP', 'MRU', 'MUR', 'MVR',
  'MWK', 'MXN', 'MYR', 'MZN', 'NAD', 'NGN', 'NIO', 'NOK', 'NPR', 'NZD', 'PAB', 'PEN', 'PGK',
  'PHP', 'PKR', 'PLN', 'QAR', 'RON', 'RSD', 'RUB', 'SAR', 'SBD', 'SCR', 'SDG', 'SEK', 'SGD',
  'SHP', 'SLE', 'SOS', 'SRD', 'SSP', 'STN', 'SVC', 'SYP', 'SZL', 'THB', 'TJS', 'TMT', 'TOP',
  'TRY', 'TTD', 'TWD', 'TZS', 'UAH', 'USD', 'UYU', 'UZS', 'VES', 'WST', 'XCD', 'XCG', 'YER',
  'ZAR', 'ZMW', 'ZWG',
] as const;
const ZERO_DECIMALS = [
  'BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND',
  'VUV', 'XAF', 'XOF', 'XPF',
] as const;
const THREE_DECIMALS = ['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'] as const;
const FOUR_DECIMALS = ['CLF', 'UYW'] as const;

export type CurrencyCode =
  | (typeof TWO_DECIMALS)[number]
  | (typeof ZERO_DECIMALS)[number]
  | (typeof THREE_DECIMALS)[number]
  | (typeof FOUR_DECIMALS)[number];

export const CURRENCY_EXPONENTS: Readonly<Record<CurrencyCode, number>> = Object.freeze(
  Object.fromEntries([
    ...TWO_DECIMALS.map((c) => [c, 2]),
    ...ZERO_DECIMALS.map((c) => [c, 0]),
    ...THREE_DECIMALS.map((c) => [c, 3]),
    ...FOUR_DECIMALS.map((c) => [c, 4]),
  ]) as Record<CurrencyCode, number>,
);

export const CURRENCY_CODES = Object.keys(CURRENCY_EXPONENTS) as CurrencyCode[];

export function isCurrencyCode(code: string): code is CurrencyCode {
  return Object.hasOwn(CURRENCY_EXPONENTS, code);
}

export function currencyExponent(code: CurrencyCode): number {
  return CURRENCY_EXPONENTS[code];
}
