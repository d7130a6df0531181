import http from 'node:http';
import net from 'node:net';
import https from 'node:https';
import { ForbiddenTargetError, guardedLookup, isForbiddenAddress } from './ssrf.js';

export interface PostResult {
  /** null when there was no usable answer: refused, unreachable, or cut at the deadline. */
  statusCode: number | null;
  headers: Record<string, string | undefined>;
  /** The first 1 KiB of the reply. */
  excerpt: string;
  latencyMs: number;
  error: string | null;
  forbidden: boolean;
  /** The answer came from a private, loopback, link-local or otherwise reserved address. */
  privateTarget?: boolean;
}

/** "Success = any 2xx within 15 s" (spec/webhooks.md "Out"). */
export const DELIVERY_TIMEOUT_MS = 15_000;
const EXCERPT_BYTES = 1024;

/**
 * One webhook POST, redirects NOT followed (a 3xx is a failure), and — when `guard` is set — the
 * connection may only go to a public address (checked on the resolved IP inside the socket's
 * lookup).
 *
 * `timeoutMs` (default 15 s) is ONE deadline from the start: lookup, connect, sending, the status
 * line and reading the reply up to its end or its first 1 KiB, whichever comes first (the rest is
 * not read). Past it the request is aborted and the result is a failure with `statusCode: null`,
 * even if a 2xx status line had already arrived. A socket idle timeout would not do: it restarts
 * whenever a byte arrives, so a receiver sending `102 Processing` every few seconds, or trickling
 * its body, could hold a delivery (and the worker slot sending it) indefinitely.
 */
export function postJson(url: string, headers: Record<string, string>, body: string, options: { guard: boolean; timeoutMs?: number }): Promise<PostResult> {
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  const latencyMs = () => Math.round(performance.now() - started);
  const refused = (error: string, forbidden: boolean): Promise<PostResult> =>
    Promise.resolve({ statusCode: null, headers: {}, excerpt: '', error, forbidden, latencyMs: latencyMs() });
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return refused('invalid URL', false);
  }
  const host = stripBrackets(target.hostname);
  if (options.guard && net.isIP(host) !== 0 && isForbiddenAddress(host)) return refused('refused: private or reserved address', true);
  const client = target.protocol === 'https:' ? https : http;

  return new Promise((resolve) => {
    let settled = false;
    const finish = (r: Omit<PostResult, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve({ ...r, latencyMs: latencyMs() });
    };
    const chunks: Buffer[] = [];
    let size = 0;
    const excerpt = () => Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8');
    const deadline = setTimeout(() => {
      finish({ statusCode: null, headers: {}, excerpt: excerpt(), error: `timed out after ${timeoutMs} ms`, forbidden: false });
      req.destroy();
    }, timeoutMs);
    const req = client.request(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': Buffer.byteLength(body), 'user-agent': 'payment-platform-webhooks/1' },
        ...(options.guard ? { lookup: guardedLookup as never } : {}),
      },
      (res) => {
        const answer = (error: string | null) =>
          finish({
            statusCode: res.statusCode ?? null,
            headers: Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v])),
            excerpt: excerpt(),
            error,
            forbidden: false,
            privateTarget: isForbiddenAddress(res.socket?.remoteAddress ?? ''),
          });
        res.on('data', (chunk: Buffer) => {
          if (size < EXCERPT_BYTES) chunks.push(chunk);
          size += chunk.length;
          if (size >= EXCERPT_BYTES) {
            // All we record is read: answer now rather than wait for (or pay for) the rest.
            answer(null);
            res.destroy();
          }
        });
        res.on('end', () => answer(null));
        res.on('error', (err) => answer(err.message));
      },
    );
    req.on('error', (err) => finish({ statusCode: null, headers: {}, excerpt: '', error: err.message, forbidden: err instanceof ForbiddenTargetError }));
    req.end(body);
  });
}

function stripBrackets(host: string): string {
  return host.startsWith('[') ? host.slice(1, -1) : host;
}
