import { forwardRef, useEffect, useState, type AnchorHTMLAttributes } from 'react';

/**
 * Hash routing ("/console/#/payments/pay_…?status=succeeded"): the API serves index.html for
 * /console/ only, deep links survive reloads, and no router library lands in the bundle.
 */
export interface Location {
  /** "/payments/pay_…" (always starts with "/"). */
  path: string;
  /** Path split on "/", decoded, without empty parts: ["payments", "pay_…"]. */
  segments: string[];
  query: URLSearchParams;
}

export function parseHash(hash: string): Location {
  const raw = hash.replace(/^#/, '') || '/';
  const [pathPart = '/', queryPart = ''] = raw.split('?', 2) as [string, string?];
  const path = pathPart.startsWith('/') ? pathPart : `/${pathPart}`;
  const segments = path
    .split('/')
    .filter(Boolean)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  return { path, segments, query: new URLSearchParams(queryPart) };
}

/** "#/payments?status=succeeded" from a path and params (empty values dropped). */
export function href(path: string, params?: Record<string, string | number | null | undefined> | URLSearchParams): string {
  const query = new URLSearchParams();
  if (params instanceof URLSearchParams) params.forEach((v, k) => v && query.set(k, v));
  else for (const [k, v] of Object.entries(params ?? {})) if (v !== null && v !== undefined && v !== '') query.set(k, String(v));
  const qs = query.toString();
  return `#${path}${qs ? `?${qs}` : ''}`;
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const target = to.startsWith('#') ? to : `#${to}`;
  if (options.replace) window.location.replace(target);
  else window.location.hash = target;
}

export function useLocation(): Location {
  const [location, setLocation] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const update = () => setLocation(parseHash(window.location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return location;
}

/** A real link (keyboard, middle-click and "open in new tab" all work). */
export const Link = forwardRef<HTMLAnchorElement, AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }>(function Link({ to, ...rest }, ref) {
  return <a ref={ref} href={to.startsWith('#') ? to : `#${to}`} {...rest} />;
});
