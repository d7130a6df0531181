import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router, type RequestHandler } from 'express';

const appsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const checkoutHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' https: data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  );
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'no-store');
  next();
};

/** Serves a built single-page app (apps/<name>/dist) under a base path; every deep link gets index.html. */
function spa(name: string, extraHeaders?: RequestHandler): Router {
  const router = Router();
  const dist = path.join(appsDir, name, 'dist');
  if (extraHeaders) router.use(extraHeaders);
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

export function webAppRoutes(): Router {
  const router = Router();
  router.use('/pay', spa('checkout', checkoutHeaders));
  router.use('/console', spa('console'));
  return router;
}
