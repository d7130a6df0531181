import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RequestHandler } from 'express';
import type { ViteDevServer } from 'vite';
import type { DevWebApps } from './web-apps.js';

const appsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface DevWebAppServers extends DevWebApps {
  close(): Promise<void>;
}

/**
 * `npm run dev`: the checkout and the console served by Vite dev servers in middleware mode,
 * mounted where `npm start` serves their builds (/pay/…, /console/…), with hot module
 * replacement over WebSockets on the API's own HTTP server (each app at its base path). No
 * build needed. Vite is a devDependency and imported only here, only in dev mode.
 */
export async function createDevWebApps(httpServer: Server, publicUrl: string): Promise<DevWebAppServers> {
  const { createServer } = await import('vite');
  const servers: ViteDevServer[] = [];
  const handler = async (name: 'checkout' | 'console'): Promise<RequestHandler> => {
    const root = path.join(appsDir, name);
    const vite = await createServer({
      root,
      configFile: path.join(root, 'vite.config.ts'),
      // No temporary bundled config file next to node_modules for `node --watch` to trip over.
      configLoader: 'runner',
      // We serve index.html ourselves (every deep link, like the built app), with a dev CSP.
      appType: 'custom',
      clearScreen: false,
      server: {
        middlewareMode: true,
        ws: { server: httpServer },
        // Vite's DNS-rebinding guard accepts localhost and IP addresses; add PUBLIC_URL's host.
        allowedHosts: [new URL(publicUrl).hostname],
      },
    });
    servers.push(vite);
    const indexFile = path.join(root, 'index.html');
    return (req, res, next) => {
      // Mounted at the app's base path, Express strips it from req.url; Vite expects it.
      const mountedUrl = req.url;
      req.url = req.originalUrl;
      vite.middlewares(req, res, (err?: unknown) => {
        req.url = mountedUrl;
        if (err) return next(err);
        if (req.method !== 'GET' && req.method !== 'HEAD') return next();
        // Not a module or file Vite serves: a page of the app, so index.html (as the built app).
        void (async () => {
          const html = await vite.transformIndexHtml(req.originalUrl, fs.readFileSync(indexFile, 'utf8'));
          const csp = res.getHeader('Content-Security-Policy');
          if (typeof csp === 'string') res.setHeader('Content-Security-Policy', devCsp(csp, html, req.headers.host));
          res.status(200).type('html').send(html);
        })().catch(next);
      });
    };
  };
  const apps = { checkout: await handler('checkout'), console: await handler('console') };
  return {
    ...apps,
    async close() {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}

/**
 * The page's CSP, relaxed only as far as Vite's dev client needs: the inline scripts Vite put
 * into index.html (the React Fast Refresh preamble) by their hashes — still no 'unsafe-inline'
 * — and the HMR WebSocket of this origin.
 */
export function devCsp(csp: string, html: string, host: string | undefined): string {
  const hashes = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)]
    .filter(([, attrs, body]) => !/\bsrc\s*=/i.test(attrs ?? '') && (body ?? '').trim() !== '')
    .map(([, , body]) => `'sha256-${crypto.createHash('sha256').update(body!).digest('base64')}'`);
  const ws = host && /^[\w.:[\]-]+$/.test(host) ? [`ws://${host}`, `wss://${host}`] : [];
  return csp
    .split('; ')
    .map((directive) => {
      const [name] = directive.split(' ');
      if (name === 'script-src') return [directive, ...hashes].join(' ');
      if (name === 'connect-src') return [directive, ...ws].join(' ');
      return directive;
    })
    .join('; ');
}
