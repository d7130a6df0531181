import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * The embedded default database: PGlite behind pglite-socket, so MikroORM and pg-boss talk
 * to it over the ordinary Postgres wire protocol. PGlite is one session; the socket server's
 * multiplexer serializes transactions across client connections.
 */
export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedDatabase(options: { dir?: string; host?: string; port?: number } = {}): Promise<EmbeddedDatabase> {
  if (options.dir) fs.mkdirSync(options.dir, { recursive: true });
  const db = await PGlite.create(options.dir ?? 'memory://');
  const host = options.host ?? '127.0.0.1';
  const server = new PGLiteSocketServer({ db, host, port: options.port ?? 0, maxConnections: 100 });
  await server.start();
  const port = Number(server.getServerConn().split(':').pop());
  return {
    url: `postgres://postgres:postgres@${host}:${port}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

/** Where a running server records its embedded database's address, so the CLI can share it. */
export function socketFile(dataDir: string): string {
  return path.join(dataDir, 'db-socket.json');
}

export function recordSocket(dataDir: string, url: string): void {
  fs.writeFileSync(socketFile(dataDir), JSON.stringify({ url, pid: process.pid }) + '\n');
}

export function clearSocket(dataDir: string): void {
  try {
    const recorded = JSON.parse(fs.readFileSync(socketFile(dataDir), 'utf8')) as { pid: number };
    if (recorded.pid === process.pid) fs.rmSync(socketFile(dataDir));
  } catch {
    // nothing recorded
  }
}

/** The running server's database URL, if a live process recorded one. */
export function readRunningSocket(dataDir: string): string | undefined {
  try {
    const recorded = JSON.parse(fs.readFileSync(socketFile(dataDir), 'utf8')) as { url: string; pid: number };
    process.kill(recorded.pid, 0);
    return recorded.url;
  } catch {
    return undefined;
  }
}
