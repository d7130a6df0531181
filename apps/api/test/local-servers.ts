import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Local HTTP servers for a test file (webhook receivers and the like) on 127.0.0.1, each on a
 * free port; `closeAll()` (in afterAll) drops their connections and closes them.
 */
export function localServers() {
  const servers: http.Server[] = [];
  return {
    /** Starts a server with `handler`; its URL, `http://127.0.0.1:<port>/hooks`. */
    async listen(handler: http.RequestListener): Promise<string> {
      const server = http.createServer(handler);
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
    },
    async closeAll(): Promise<void> {
      for (const server of servers.splice(0)) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}
