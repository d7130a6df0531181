import type { RequestHandler } from 'express';

/** HSTS: one year, subdomains included. Browsers ignore it over plain http (local development). */
export const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * The security headers of every response, in one place (ARCHITECTURE "Security model"). Pages
 * add their own on top (web-apps.ts): the checkout's and the console's Content-Security-Policy,
 * and the console's `Referrer-Policy: same-origin` in place of the default `no-referrer` — the
 * default keeps token URLs (`/pay/{checkoutToken}`, tRPC calls carrying a token) out of
 * Referer headers.
 */
export const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('Strict-Transport-Security', HSTS);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  next();
};
