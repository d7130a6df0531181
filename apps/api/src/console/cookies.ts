import { createRequire } from 'node:module';
import type { CookieOptions, Request, Response } from 'express';

/**
 * `cookie` (the parser Express itself uses) ships no type declarations in the installed 0.7
 * line, so it is loaded through `require` with the one signature we use (same in 1.x).
 */
const { parse } = createRequire(import.meta.url)('cookie') as { parse(header: string): Record<string, string | undefined> };

/** What the tRPC context may do with cookies: read the request's, set or clear the response's. */
export interface CookieJar {
  get(name: string): string | undefined;
  set(name: string, value: string, options: CookieOptions): void;
  clear(name: string, options: CookieOptions): void;
}

export function cookieJar(req: Request, res: Response): CookieJar {
  let parsed: Record<string, string | undefined> | null = null;
  return {
    get(name) {
      parsed ??= req.headers.cookie ? parse(req.headers.cookie) : {};
      return parsed[name];
    },
    set(name, value, options) {
      res.cookie(name, value, options);
    },
    clear(name, options) {
      res.clearCookie(name, options);
    },
  };
}
