import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isForbiddenAddress } from '../src/webhooks/ssrf.js';
import { postJson } from '../src/webhooks/http-post.js';

/** SSRF guard for live deliveries (spec/webhooks.md "Out"): checked on the resolved IP at send time. */
describe('isForbiddenAddress', () => {
  const forbidden = [
    '127.0.0.1',
    '127.255.255.254',
    '10.0.0.1',
    '10.255.1.2',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.0.1',
    '192.168.1.100',
    '169.254.169.254',
    '169.254.0.1',
    '100.64.0.1',
    '100.127.255.254',
    '0.0.0.0',
    '::1',
    '::',
    'fc00::1',
    'fd12:3456:789a::1',
    'fe80::1',
    'fe80::abcd:1234',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '::ffff:169.254.169.254',
    'not-an-ip',
  ];
  const allowed = ['93.184.216.34', '8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700::1', '2001:4860:4860::8888', '::ffff:93.184.216.34'];

  it.each(forbidden)('%s → forbidden', (address) => {
    expect(isForbiddenAddress(address)).toBe(true);
  });

  it.each(allowed)('%s → allowed', (address) => {
    expect(isForbiddenAddress(address)).toBe(false);
  });
});

describe('postJson with the guard', () => {
  let server: http.Server;
  let port: number;
  let hits = 0;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits++;
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    hits = 0;
  });

  const body = JSON.stringify({ hello: 'world' });
  const headers = { 'content-type': 'application/json' };

  it('refuses an IP literal on loopback, and the server gets no request', async () => {
    const result = await postJson(`http://127.0.0.1:${port}/hook`, headers, body, { guard: true });
    expect(result).toMatchObject({ statusCode: null, forbidden: true });
    expect(result.error).toMatch(/refused|private/i);
    expect(hits).toBe(0);
  });

  it('refuses a host name that resolves to loopback (checked on the resolved IP), and the server gets no request', async () => {
    const result = await postJson(`http://localhost:${port}/hook`, headers, body, { guard: true });
    expect(result).toMatchObject({ statusCode: null, forbidden: true });
    expect(result.error).toMatch(/refused|private/i);
    expect(hits).toBe(0);
  });

  it('refuses bracketed IPv6 loopback and IPv4-mapped loopback literals', async () => {
    for (const url of [`http://[::1]:${port}/hook`, `http://[::ffff:127.0.0.1]:${port}/hook`]) {
      const result = await postJson(url, headers, body, { guard: true });
      expect(result.forbidden, url).toBe(true);
      expect(result.statusCode, url).toBeNull();
    }
    expect(hits).toBe(0);
  });

  it('without the guard the same targets are reached (the guard is what refuses them)', async () => {
    const direct = await postJson(`http://127.0.0.1:${port}/hook`, headers, body, { guard: false });
    expect(direct).toMatchObject({ statusCode: 200, forbidden: false, error: null, excerpt: 'ok', privateTarget: true });
    expect(hits).toBe(1);
    // (localhost may resolve to ::1 on some hosts while the server listens on 127.0.0.1 only,
    // so only the absence of a refusal is asserted for the name)
    const named = await postJson(`http://localhost:${port}/hook`, headers, body, { guard: false });
    expect(named.forbidden).toBe(false);
    expect(named.error ?? '').not.toMatch(/refused: /);
  });
});
