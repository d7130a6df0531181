import { describe, expect, it } from 'vitest';
import { isAllowedRedirectUrl, normalizeOrigin, type Mode } from './redirect-urls.js';

const ALLOWED = ['https://shop.example.com', 'https://checkout.acme.test:8443'];

describe('isAllowedRedirectUrl', () => {
  it.each<[string, Mode]>([
    ['https://shop.example.com/checkout/done', 'sandbox'],
    ['https://shop.example.com/checkout/done', 'live'],
    ['https://shop.example.com', 'live'],
    ['https://shop.example.com/cart?x=1#top', 'live'],
    ['https://SHOP.example.COM/done', 'live'], // host names are case-insensitive
    ['https://shop.example.com:443/done', 'live'], // default port is the same origin
    ['https://checkout.acme.test:8443/ok', 'live'],
  ])('accepts %s in %s', (url, mode) => {
    expect(isAllowedRedirectUrl(url, ALLOWED, mode)).toBe(true);
  });

  it.each<[string, string]>([
    ['another origin', 'https://evil.example.com/x'],
    ['a look-alike suffix', 'https://shop.example.com.evil.com/x'],
    ['a sub-domain of an allowed origin', 'https://a.shop.example.com/x'],
    ['an allowed host on another port', 'https://shop.example.com:8443/x'],
    ['an allowed host without its port', 'https://checkout.acme.test/x'],
    ['http on an allowed host', 'http://shop.example.com/done'],
    ['javascript:', 'javascript:alert(1)'],
    ['javascript: with the allowed origin in it', 'javascript://shop.example.com/%0aalert(1)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['data: base64', 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='],
    ['ftp:', 'ftp://shop.example.com/x'],
    ['user and password', 'https://user:pass@shop.example.com/done'],
    ['user only', 'https://user@shop.example.com/done'],
    ['the allowed host as user info', 'https://shop.example.com@evil.com/'],
    ['a relative path', '/checkout/done'],
    ['a protocol-relative URL', '//evil.com/x'],
    ['an empty string', ''],
    ['garbage', 'not a url'],
  ])('rejects %s (%s) in sandbox and live', (_name, url) => {
    expect(isAllowedRedirectUrl(url, ALLOWED, 'sandbox')).toBe(false);
    expect(isAllowedRedirectUrl(url, ALLOWED, 'live')).toBe(false);
  });

  it.each(['http://localhost:3000/done', 'http://localhost/done', 'http://127.0.0.1:5173/return'])(
    '%s is allowed in sandbox only',
    (url) => {
      expect(isAllowedRedirectUrl(url, ALLOWED, 'sandbox')).toBe(true);
      expect(isAllowedRedirectUrl(url, ALLOWED, 'live')).toBe(false);
    },
  );

  it.each([
    'http://localhost.evil.com/x',
    'http://127.0.0.1.nip.io/x',
    'http://user:pw@localhost:3000/x',
    'http://10.0.0.1/x',
    'http://example.com/x',
  ])('rejects the non-local or credentialed http URL %s even in sandbox', (url) => {
    expect(isAllowedRedirectUrl(url, ALLOWED, 'sandbox')).toBe(false);
  });

  it('nothing is allowed in live when the tenant allowed no origins', () => {
    expect(isAllowedRedirectUrl('https://shop.example.com/done', [], 'live')).toBe(false);
  });
});

describe('normalizeOrigin', () => {
  it.each([
    ['https://Shop.Example.com/path?q=1', 'https://shop.example.com'],
    ['https://shop.example.com:443', 'https://shop.example.com'],
    ['https://shop.example.com:8443/', 'https://shop.example.com:8443'],
    ['http://localhost:3000/x', 'http://localhost:3000'],
  ])('%s → %s', (input, origin) => {
    expect(normalizeOrigin(input)).toBe(origin);
  });

  it.each(['javascript:alert(1)', 'data:text/html,x', 'ftp://shop.example.com', 'shop.example.com', ''])('%j → null', (input) => {
    expect(normalizeOrigin(input)).toBeNull();
  });
});
