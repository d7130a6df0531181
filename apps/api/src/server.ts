import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Platform } from './http/platform.js';
import { createApp } from './http/app.js';
import { createDevWebApps } from './http/dev-web-apps.js';

export interface RunningServer {
  server: http.Server;
  /** Where this process answers, e.g. http://127.0.0.1:4000. */
  localUrl: string;
  /** Whether this process runs the job workers (ROLE=all or worker). */
  worker: boolean;
  /** Stops accepting requests and waits for open ones; the platform is closed by the caller. */
  close(): Promise<void>;
}

/**
 * Serves this process's role on PORT/HOST and starts its workers:
 * - `all`: the whole HTTP app and the workers;
 * - `api`: the whole HTTP app, no workers;
 * - `worker`: the workers, and over HTTP only /healthz, /readyz and /metrics.
 * With `dev`, the checkout and the console come from Vite dev servers (`npm run dev`).
 */
export async function startServer(platform: Platform, options: { dev?: boolean; migrationPollMs?: number } = {}): Promise<RunningServer> {
  const { config } = platform;
  const server = http.createServer();
  const dev = options.dev && config.role !== 'worker' ? await createDevWebApps(server, config.publicUrl) : undefined;
  server.on('request', createApp(platform, dev ? { devWebApps: dev } : {}));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await dev?.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new Error(`Cannot listen on ${config.host}:${config.port}: the address is in use (set PORT or HOST)`);
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const localUrl = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  const worker = config.role !== 'api';
  // The worker posts sandbox-provider webhooks to the API: this process in ROLE=all, PUBLIC_URL otherwise.
  const stopWaiting = worker ? await startWorkerWhenMigrated(platform, config.role === 'all' ? localUrl : config.publicUrl, options.migrationPollMs ?? 5000) : () => {};
  return {
    server,
    localUrl,
    worker,
    async close() {
      stopWaiting();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Vite's HMR WebSockets would keep the server open; its dev servers close them.
      if (dev) {
        await dev.close();
        server.closeAllConnections();
      }
      await closed;
    },
  };
}

/**
 * The jobs read and write the platform's tables: on a database with pending migrations the
 * workers wait (checking every `pollMs`) instead of failing job after job, and start once
 * `npm run cli -- migrate` has run. Returns a function that stops the waiting.
 */
async function startWorkerWhenMigrated(platform: Platform, targetBaseUrl: string, pollMs: number): Promise<() => void> {
  if (await platform.isMigrated()) {
    await platform.startWorker(targetBaseUrl);
    return () => {};
  }
  platform.logger.warn('pending database migrations: the workers start once `npm run cli -- migrate` has run');
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const check = async () => {
    try {
      if (await platform.isMigrated()) {
        if (!stopped) await platform.startWorker(targetBaseUrl);
        return;
      }
    } catch (err) {
      platform.logger.warn({ err }, 'could not check for pending migrations; will check again');
    }
    if (!stopped) timer = setTimeout(() => void check(), pollMs);
  };
  timer = setTimeout(() => void check(), pollMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
