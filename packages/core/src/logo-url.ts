/** A tenant's logo may come from https: or be a data: image (CSP img-src 'self' https: data:); anything else is not rendered. */
export function safeLogoUrl(value: string | null | undefined): string | null {
  if (!value) return null;
  if (/^data:image\/(png|jpeg|gif|webp|svg\+xml)[;,]/i.test(value)) return value;
  try {
    return new URL(value).protocol === 'https:' ? value : null;
  } catch {
    return null;
  }
}
