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
  patchQueryQueue(server);
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

interface QueuedQuery {
  handlerId: number;
  message: Uint8Array;
  resolve(bytes: number): void;
  reject(err: unknown): void;
  onData(data: Uint8Array): void;
}

interface QueryQueue {
  queue: QueuedQuery[];
  processing: boolean;
  lastHandlerId: number | null;
  db: PGlite;
  processQueue(): Promise<void>;
}

/**
 * pglite-socket 0.2.x's query queue stops for good when one message throws: its loop returns
 * with `processing` still true, so every later query of every connection waits forever (seen
 * as "Timeout acquiring a connection"). This is the same loop with the error handled per
 * message — transaction affinity (only the handler that opened a transaction may run until it
 * ends) is unchanged. Applied only if the internals still look the way this expects.
 */
function patchQueryQueue(server: PGLiteSocketServer): void {
  const queue = (server as unknown as { queryQueue?: QueryQueue }).queryQueue;
  if (!queue || !Array.isArray(queue.queue) || typeof queue.processQueue !== 'function' || !('lastHandlerId' in queue)) return;
  queue.processQueue = async function processQueue(this: QueryQueue): Promise<void> {
    if (this.processing || this.queue.length === 0) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        let item: QueuedQuery | undefined;
        if (this.db.isInTransaction() && this.lastHandlerId !== null) {
          const index = this.queue.findIndex((q) => q.handlerId === this.lastHandlerId);
          item = index === -1 ? undefined : this.queue.splice(index, 1)[0];
        } else {
          item = this.queue.shift();
        }
        if (!item) break;
        const current = item;
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(current.message, {
              onRawData: (data: Uint8Array) => {
                bytes += data.length;
                current.onData(data);
              },
            }),
          );
          this.lastHandlerId = current.handlerId;
          current.resolve(bytes);
        } catch (err) {
          this.lastHandlerId = current.handlerId;
          current.reject(err);
        }
      }
    } finally {
      this.processing = false;
    }
  };
}
