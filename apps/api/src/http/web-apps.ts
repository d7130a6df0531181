import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router, type RequestHandler } from 'express';

const appsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The hosted checkout's Content-Security-Policy. Our own code is 'self' only and never inline;
 * the rest is exactly what the providers' browser SDKs load for their payment forms:
 *
 * - Stripe.js + Payment Element (docs.stripe.com/security/guide, "Content Security Policy"):
 *   scripts and frames from js.stripe.com and *.js.stripe.com, frames from hooks.stripe.com
 *   (3-D Secure and redirects), API calls to api.stripe.com. Stripe also lists
 *   maps.googleapis.com, needed only by the Address Element's autocomplete, which we do not use.
 * - Adyen Web v6 Drop-in (docs.adyen.com, "Manage script security"; hosts as in
 *   @adyen/adyen-web's own environment table): checkoutshopper-{test,live}.adyen.com for
 *   scripts, styles, frames (secured card fields, 3-D Secure 2) and API calls (session setup,
 *   payments); its CDN checkoutshopper-{test,live}.cdn.adyen.com for translations (images are
 *   covered by img-src https:); checkoutanalytics-{test,live}.adyen.com, which Drop-in calls for
 *   its checkout attempt id even with analytics disabled.
 */
const STRIPE = {
  script: ['https://js.stripe.com', 'https://*.js.stripe.com'],
  frame: ['https://js.stripe.com', 'https://*.js.stripe.com', 'https://hooks.stripe.com'],
  connect: ['https://api.stripe.com'],
};
const ADYEN_SHOPPER = ['https://checkoutshopper-test.adyen.com', 'https://checkoutshopper-live.adyen.com'];
const ADYEN = {
  script: ADYEN_SHOPPER,
  style: ADYEN_SHOPPER,
  frame: ADYEN_SHOPPER,
  connect: [
    ...ADYEN_SHOPPER,
    'https://checkoutshopper-test.cdn.adyen.com',
    'https://checkoutshopper-live.cdn.adyen.com',
    'https://checkoutanalytics-test.adyen.com',
    'https://checkoutanalytics-live.adyen.com',
  ],
};

export const CHECKOUT_CSP = [
  "default-src 'self'",
  ["script-src 'self'", ...STRIPE.script, ...ADYEN.script].join(' '),
  // 'unsafe-inline' styles: React style attributes (brand colour) and the providers' SDKs.
  ["style-src 'self' 'unsafe-inline'", ...ADYEN.style].join(' '),
  "img-src 'self' https: data:",
  ["connect-src 'self'", ...STRIPE.connect, ...ADYEN.connect].join(' '),
  ['frame-src', ...STRIPE.frame, ...ADYEN.frame].join(' '),
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

// On top of the headers every response carries (security-headers.ts: HSTS, nosniff,
// X-Frame-Options, Referrer-Policy: no-referrer — the checkout URL carries its token).
const checkoutHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', CHECKOUT_CSP);
  res.setHeader('Cache-Control', 'no-store');
  next();
};

/**
 * The console's Content-Security-Policy: everything from our own origin, no inline scripts;
 * inline styles because Mantine injects <style> tags; never framed.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' https: data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const consoleHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', CONSOLE_CSP);
  res.setHeader('Referrer-Policy', 'same-origin');
  res.setHeader('Cache-Control', 'no-store');
  next();
};

/** Serves a built single-page app (apps/<name>/dist) under a base path; every deep link gets index.html. */
function spa(name: string): Router {
  const router = Router();
  const dist = path.join(appsDir, name, 'dist');
  router.use(express.static(dist, { index: false }));
  router.use((_req, res) => {
    const index = path.join(dist, 'index.html');
    if (!fs.existsSync(index)) {
      res.status(503).type('text').send(`The ${name} app is not built; run: npx nx build ${name}`);
      return;
    }
    res.sendFile(index);
  });
  return router;
}

/** `npm run dev`: each app served by its Vite dev server (dev-web-apps.ts) instead of its build. */
export interface DevWebApps {
  checkout: RequestHandler;
  console: RequestHandler;
}

export function webAppRoutes(dev?: DevWebApps): Router {
  const router = Router();
  router.use('/pay', checkoutHeaders, dev?.checkout ?? spa('checkout'));
  router.use('/console', consoleHeaders, dev?.console ?? spa('console'));
  return router;
}
