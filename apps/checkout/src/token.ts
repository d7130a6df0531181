/**
 * Extracts the checkout token from a path such as `/pay/<token>`.
 * Returns null when the path has no (or an undecodable) token segment.
 */
export function readTokenFromPath(pathname: string, base: string): string | null {
  const prefix = base.endsWith('/') ? base : `${base}/`;
  if (!pathname.startsWith(prefix)) return null;
  const segment = pathname.slice(prefix.length).split('/')[0] ?? '';
  if (segment === '') return null;
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}
