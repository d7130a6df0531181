import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router, type RequestHandler } from 'express';
import type { ProviderName } from '@platform/core';

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

/**
 * The CSP of one hosted page: our own code, plus exactly the hosts of the providers whose form
 * this payment may show (sandbox only: nothing else at all).
 *
 * Adyen pages also allow frames and form posts to any https origin: Drop-in runs 3-D Secure 2
 * challenges in an iframe of the card issuer's Access Control Server, and posts the 3-DS method
 * and redirect forms there — thousands of issuer domains no list can name (Adyen's own advice
 * is to allow them all). Scripts stay restricted either way, and such a page is still never
 * framed itself. Stripe wraps 3-D Secure in its own hooks.stripe.com frames.
 */
export function checkoutCsp(providers: readonly ProviderName[]): string {
  const stripe = providers.includes('stripe');
  const adyen = providers.includes('adyen');
  const list = (head: string, ...hosts: (string[] | false)[]) => [head, ...hosts.flatMap((h) => h || [])].join(' ');
  const frames = [...(stripe ? STRIPE.frame : []), ...(adyen ? ['https:'] : [])];
  return [
    "default-src 'self'",
    list("script-src 'self'", stripe && STRIPE.script, adyen && ADYEN.script),
    // 'unsafe-inline' styles: React style attributes (brand colour) and the providers' SDKs.
    list("style-src 'self' 'unsafe-inline'", adyen && ADYEN.style),
    "img-src 'self' https: data:",
    list("connect-src 'self'", stripe && STRIPE.connect, adyen && ADYEN.connect),
    frames.length ? `frame-src ${frames.join(' ')}` : "frame-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    list("form-action 'self'", adyen && ['https:']),
  ].join('; ');
}

/** The strictest checkout CSP: the sandbox card form, a link that can't be used, every asset. */
export const CHECKOUT_CSP = checkoutCsp(['sandbox']);

/** The providers whose forms the page of a checkout link may show (none for an unusable link). */
export type ProvidersForPage = (checkoutToken: string) => Promise<ProviderName[]>;

/** A page under /pay/ is `/{token}`; anything with a dot or a slash in it is an asset. */
const PAGE_TOKEN = /^\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\/?$/;

// On top of the headers every response carries (security-headers.ts: HSTS, nosniff,
// X-Frame-Options, Referrer-Policy: no-referrer — the checkout URL carries its token).
function checkoutHeaders(providersForPage?: ProvidersForPage): RequestHandler {
  return async (req, res, next) => {
    const token = PAGE_TOKEN.exec(req.path)?.[1];
    const providers = token && providersForPage ? await providersForPage(token) : [];
    res.setHeader('Content-Security-Policy', checkoutCsp(providers));
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
}

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

export function webAppRoutes(dev?: DevWebApps, providersForPage?: ProvidersForPage): Router {
  const router = Router();
  router.use('/pay', checkoutHeaders(providersForPage), dev?.checkout ?? spa('checkout'));
  router.use('/console', consoleHeaders, dev?.console ?? spa('console'));
  return router;
}
