import path from 'node:path';
import type { Config } from '../config.js';
import { clearSocket, readRunningSocket, recordSocket, startEmbeddedDatabase } from './embedded.js';

export interface DatabaseHandle {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/**
 * DATABASE_URL when set; otherwise the embedded PGlite in $DATA_DIR/pg. A server records its
 * socket so that a CLI started beside it goes through it (PGlite allows one process per
 * directory); with `share: false` (the CLI) an already running server's socket is reused.
 */
export async function openDatabase(config: Config, role: 'server' | 'cli'): Promise<DatabaseHandle> {
  if (config.databaseUrl) return { url: config.databaseUrl, embedded: false, stop: async () => {} };
  const running = readRunningSocket(config.dataDir);
  if (running) {
    if (role === 'server') {
      throw new Error(`Another platform process already serves the embedded database in ${config.dataDir}`);
    }
    return { url: running, embedded: true, stop: async () => {} };
  }
  const embedded = await startEmbeddedDatabase({ dir: path.join(config.dataDir, 'pg') });
  if (role === 'server') recordSocket(config.dataDir, embedded.url);
  return {
    url: embedded.url,
    embedded: true,
    async stop() {
      if (role === 'server') clearSocket(config.dataDir);
      await embedded.stop();
    },
  };
}
