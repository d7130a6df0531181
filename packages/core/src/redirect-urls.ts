/**
 * The one rule for where a customer may be sent back to (no open redirects):
 * an absolute https URL whose origin the tenant allowed, or, in sandbox only,
 * http://localhost:* and http://127.0.0.1:*.
 */
export type Mode = 'sandbox' | 'live';

export function normalizeOrigin(value: string): string | null {
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    return url.origin;
  } catch {
    return null;
  }
}

export function isAllowedRedirectUrl(value: string, allowedOrigins: readonly string[], mode: Mode): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  const isLocal = url.hostname === 'localhost' || url.hostname === '127.0.0.1';
  if (url.protocol === 'http:' && mode === 'sandbox' && isLocal) return true;
  if (url.protocol !== 'https:') return false;
  return allowedOrigins.includes(url.origin);
}
