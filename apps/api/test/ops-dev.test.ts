import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { devCsp } from '../src/http/dev-web-apps.js';
import { CHECKOUT_CSP } from '../src/http/web-apps.js';

/**
 * `npm run dev` (spec/operations.md "Start"): the same as `npm start` — same URLs — with Vite
 * dev servers for the checkout and the console (no build needed) and reload on change. Runs
 * the package.json script's command on the embedded database.
 */
const root = path.resolve(import.meta.dirname, '../../..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-dev-'));
const { DATABASE_URL: _ignored, NODE_ENV: _env, ...baseEnv } = process.env;
let child: ChildProcess | undefined;

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function devCommand(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const [bin, ...args] = pkg.scripts['dev']!.split(/\s+/);
  expect(bin).toBe('node');
  return args;
}

/** Opens Vite's HMR WebSocket at `path`; resolves with the upgrade response status. */
function hmrUpgrade(port: number, urlPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path: urlPath,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': crypto.randomBytes(16).toString('base64'),
        'Sec-WebSocket-Protocol': 'vite-hmr',
      },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => resolve(res.statusCode ?? 0));
    req.on('error', reject);
    req.end();
  });
}

describe('npm run dev', () => {
  it('prints the URLs of npm start and serves the checkout and the console from Vite with HMR', async () => {
    const port = await freePort();
    child = spawn(process.execPath, devCommand(), { cwd: root, env: { ...baseEnv, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' } });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`dev server did not start:\n${out}`)), 90_000);
      child!.stdout!.on('data', () => {
        if (/Credentials were printed|appSecret=\S+/.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child!.on('exit', (code) => reject(new Error(`dev server exited ${code}:\n${out}`)));
    });

    const base = `http://localhost:${port}`;
    for (const line of [
      `  API            ${base}/v1`,
      `  API docs       ${base}/docs   (OpenAPI: ${base}/openapi.json)`,
      `  Checkout       ${base}/pay/<checkoutToken>`,
      `  Console        ${base}/console/`,
      `  Health         ${base}/healthz  ${base}/readyz  ${base}/metrics`,
    ]) {
      expect(out).toContain(line);
    }

    const url = `http://127.0.0.1:${port}`;
    for (const [page, app] of [
      ['/pay/not.a.valid-token', '/pay/'],
      ['/console/', '/console/'],
      ['/console/payments/pay_123', '/console/'],
    ] as const) {
      const res = await fetch(`${url}${page}`, { headers: { accept: 'text/html' } });
      expect(res.status, page).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await res.text();
      expect(html, page).toContain(`<script type="module" src="${app}@vite/client"></script>`);
      expect(html, page).toContain(`src="${app}src/main.tsx"`);
      // The React Fast Refresh preamble is inline: allowed by its hash, not by 'unsafe-inline'.
      const preamble = /<script type="module">([\s\S]*?)<\/script>/.exec(html)?.[1];
      expect(preamble, page).toContain('injectIntoGlobalHook');
      const csp = res.headers.get('content-security-policy') ?? '';
      const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1] ?? '';
      expect(scriptSrc).toContain(`'sha256-${crypto.createHash('sha256').update(preamble!).digest('base64')}'`);
      expect(scriptSrc).not.toContain('unsafe-inline');
      expect(res.headers.get('strict-transport-security')).toMatch(/^max-age=/);
    }

    // The apps' modules are compiled on request; HMR WebSockets answer on the API's port.
    for (const app of ['/pay/', '/console/']) {
      const main = await fetch(`${url}${app}src/main.tsx`);
      expect(main.status).toBe(200);
      expect(main.headers.get('content-type')).toMatch(/javascript/);
      expect(await hmrUpgrade(port, app)).toBe(101);
    }
    // The API itself is there as with npm start.
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect((await fetch(`${url}/v1/payments`)).status).toBe(401);

    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }, 150_000);
});

describe('devCsp', () => {
  it('adds the hashes of inline scripts and the HMR WebSocket origin, nothing else', () => {
    const html = '<script type="module">a()</script><script type="module" src="/pay/@vite/client"></script><script>b()</script>';
    const csp = devCsp(CHECKOUT_CSP, html, 'localhost:4000');
    const hash = (s: string) => `'sha256-${crypto.createHash('sha256').update(s).digest('base64')}'`;
    expect(/script-src ([^;]*)/.exec(csp)?.[1]).toMatch(new RegExp(`${escape(hash('a()'))} ${escape(hash('b()'))}$`));
    expect(/connect-src ([^;]*)/.exec(csp)?.[1]).toMatch(/ ws:\/\/localhost:4000 wss:\/\/localhost:4000$/);
    expect(csp.replace(/ '[^']*sha256[^']*'| wss?:\/\/localhost:4000/g, '')).toBe(CHECKOUT_CSP);
    expect(devCsp(CHECKOUT_CSP, '', 'evil; script-src *')).toBe(CHECKOUT_CSP);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
