import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Config, EnvironmentEnum, HttpClientException } from './sdk.js';
import { AdyenTransportError, createAdyenTransport, rewriteEndpoint } from './transport.js';

const config = (timeoutMs = 2000) => new Config({ apiKey: 'AQE_key', environment: EnvironmentEnum.TEST, connectionTimeoutMillis: timeoutMs });

const servers: http.Server[] = [];
async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => (s.closeAllConnections(), s.close(resolve)))));
});

describe('rewriteEndpoint', () => {
  it('keeps the SDK\'s version path and swaps the origin (test and live URLs)', () => {
    expect(rewriteEndpoint('https://checkout-test.adyen.com/v72/sessions', 'http://127.0.0.1:1234/')).toBe('http://127.0.0.1:1234/v72/sessions');
    expect(rewriteEndpoint('https://abc-company-checkout-live.adyenpayments.com/checkout/v72/payments/X/refunds', 'http://h:1')).toBe('http://h:1/v72/payments/X/refunds');
    expect(rewriteEndpoint('https://checkout-test.adyen.com/v72/sessions', undefined)).toBe('https://checkout-test.adyen.com/v72/sessions');
    expect(() => rewriteEndpoint('https://management-test.adyen.com/v3/companies', 'http://h:1')).toThrow(/Not a Checkout API endpoint/);
  });
});

describe('createAdyenTransport', () => {
  it('sends the SDK\'s request with x-api-key, idempotency-key and query params', async () => {
    let seen: { method?: string; url?: string; headers?: http.IncomingHttpHeaders; body?: string } = {};
    const base = await serve((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen = { method: req.method!, url: req.url!, headers: req.headers, body };
        res.end('{"ok":true}');
      });
    });
    const transport = createAdyenTransport({ apiBaseUrl: base });
    await expect(transport.request('https://checkout-test.adyen.com/v72/sessions', '{"a":1}', config(), true, { idempotencyKey: 'att_1' })).resolves.toBe('{"ok":true}');
    expect(seen).toMatchObject({ method: 'POST', url: '/v72/sessions', body: '{"a":1}' });
    expect(seen.headers).toMatchObject({ 'x-api-key': 'AQE_key', 'idempotency-key': 'att_1', 'content-type': 'application/json' });
    await transport.request('https://checkout-test.adyen.com/v72/sessions/CS1', '', config(), true, { method: 'GET', params: { sessionResult: 'a b' } });
    expect(seen).toMatchObject({ method: 'GET', url: '/v72/sessions/CS1?sessionResult=a+b', body: '' });
  });

  it('a non-2xx answer rejects with the SDK\'s HttpClientException carrying Adyen\'s error', async () => {
    const base = await serve((_req, res) => {
      res.writeHead(422, { 'content-type': 'application/json' });
      res.end('{"status":422,"errorCode":"14_030","message":"Return URL is missing.","errorType":"validation"}');
    });
    const err: unknown = await createAdyenTransport({ apiBaseUrl: base }).request('https://checkout-test.adyen.com/v72/sessions', '{}', config(), true).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpClientException);
    expect(err).toMatchObject({ statusCode: 422, errorCode: '14_030', apiError: { errorType: 'validation' } });
  });

  it('no answer within connectionTimeoutMillis after sending → sent timeout; a reset after sending → sent', async () => {
    const slow = await serve(() => undefined);
    const timedOut: unknown = await createAdyenTransport({ apiBaseUrl: slow }).request('https://checkout-test.adyen.com/v72/sessions', '{}', config(150), true).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(AdyenTransportError);
    expect(timedOut).toMatchObject({ sent: true, code: 'timeout' });

    const reset = await serve((req) => req.socket.destroy());
    const lost: unknown = await createAdyenTransport({ apiBaseUrl: reset }).request('https://checkout-test.adyen.com/v72/sessions', '{}', config(), true).catch((e: unknown) => e);
    expect(lost).toMatchObject({ name: 'AdyenTransportError', sent: true, code: 'ECONNRESET' });
  });

  it('a refused connection → not sent', async () => {
    const base = await serve(() => undefined);
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
    const err: unknown = await createAdyenTransport({ apiBaseUrl: base }).request('https://checkout-test.adyen.com/v72/sessions', '{}', config(), true).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'AdyenTransportError', sent: false, code: 'ECONNREFUSED' });
  });
});
