import http from 'node:http';
import net from 'node:net';
import https from 'node:https';
import { ForbiddenTargetError, guardedLookup, isForbiddenAddress } from './ssrf.js';

export interface PostResult {
  statusCode: number | null;
  headers: Record<string, string | undefined>;
  /** The first 1 KiB of the reply. */
  excerpt: string;
  latencyMs: number;
  error: string | null;
  forbidden: boolean;
}

export const DELIVERY_TIMEOUT_MS = 15_000;
const EXCERPT_BYTES = 1024;

/**
 * One webhook POST: 15 s timeout, redirects NOT followed (a 3xx is a failure), and — when
 * `guard` is set — the connection may only go to a public address (checked on the resolved IP
 * inside the socket's lookup).
 */
export function postJson(url: string, headers: Record<string, string>, body: string, options: { guard: boolean; timeoutMs?: number }): Promise<PostResult> {
  const started = performance.now();
  const done = (r: Omit<PostResult, 'latencyMs'>): PostResult => ({ ...r, latencyMs: Math.round(performance.now() - started) });
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return resolve(done({ statusCode: null, headers: {}, excerpt: '', error: 'invalid URL', forbidden: false }));
    }
    const host = stripBrackets(target.hostname);
    if (options.guard && net.isIP(host) !== 0 && isForbiddenAddress(host)) {
      return resolve(done({ statusCode: null, headers: {}, excerpt: '', error: 'refused: private or reserved address', forbidden: true }));
    }
    const client = target.protocol === 'https:' ? https : http;
    const req = client.request(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': Buffer.byteLength(body), 'user-agent': 'payment-platform-webhooks/1' },
        timeout: options.timeoutMs ?? DELIVERY_TIMEOUT_MS,
        ...(options.guard ? { lookup: guardedLookup as never } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < EXCERPT_BYTES) chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', () =>
          resolve(
            done({
              statusCode: res.statusCode ?? null,
              headers: Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v])),
              excerpt: Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8'),
              error: null,
              forbidden: false,
            }),
          ),
        );
        res.on('error', (err) => resolve(done({ statusCode: res.statusCode ?? null, headers: {}, excerpt: '', error: err.message, forbidden: false })));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timed out after ${options.timeoutMs ?? DELIVERY_TIMEOUT_MS} ms`)));
    req.on('error', (err) =>
      resolve(done({ statusCode: null, headers: {}, excerpt: '', error: err.message, forbidden: err instanceof ForbiddenTargetError })),
    );
    req.end(body);
  });
}

function stripBrackets(host: string): string {
  return host.startsWith('[') ? host.slice(1, -1) : host;
}
