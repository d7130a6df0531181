import { describe, expect, it } from 'vitest';
import { safeLogoUrl } from './logo-url.js';

describe('safeLogoUrl', () => {
  it('keeps https: URLs and data: images, drops everything else', () => {
    expect(safeLogoUrl('https://cdn.example.com/logo.png')).toBe('https://cdn.example.com/logo.png');
    expect(safeLogoUrl('data:image/png;base64,iVBORw0KGgo=')).toBe('data:image/png;base64,iVBORw0KGgo=');
    expect(safeLogoUrl('data:image/svg+xml,<svg/>')).toBe('data:image/svg+xml,<svg/>');
    expect(safeLogoUrl('http://cdn.example.com/logo.png')).toBeNull();
    expect(safeLogoUrl('javascript:alert(1)')).toBeNull();
    expect(safeLogoUrl('data:text/html,<script>')).toBeNull();
    expect(safeLogoUrl('not a url')).toBeNull();
    expect(safeLogoUrl('')).toBeNull();
    expect(safeLogoUrl(null)).toBeNull();
  });
});
