import http from 'node:http';
import https from 'node:https';
import { TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';
import { HttpClientException, type AdyenConfig, type AdyenHttpClient, type AdyenRequestOptions } from './sdk.js';

/**
 * The HTTP client the Adyen SDK sends through (plugged in with `new Client(config, httpClient)`,
 * the library's own extension point). Why not the library's `HttpURLConnectionClient`:
 * - it only speaks HTTPS (`https.request` even for an `http:` URL → ERR_INVALID_PROTOCOL), and
 *   Checkout URLs are hard-coded per service (`https://checkout-test.adyen.com/v72`, a private
 *   `baseUrl`; there is no `checkoutEndpoint` setting in v32), so it cannot reach a local fake;
 * - on timeout it aborts and rejects with `ApiException("socket hang up", 500)`, and a refused
 *   connection is `ApiException("connect ECONNREFUSED …", 500)`: both look like an HTTP 500, and a
 *   timeout before or after the request left cannot be told apart.
 * This client sends exactly what the library would (same headers, `Idempotency-Key`, query
 * params), never retries or follows redirects, enforces `config.connectionTimeoutMillis` as a
 * deadline for the whole exchange, and rejects with:
 * - the library's `HttpClientException` (statusCode, errorCode, apiError, responseHeaders) for a
 *   non-2xx answer, like the library does;
 * - `AdyenTransportError` with `sent: false` when no connection was made (safe to retry), or
 *   `sent: true` when the request may have reached Adyen (timeout, connection lost).
 */
export class AdyenTransportError extends Error {
  override readonly name = 'AdyenTransportError';
  constructor(
    message: string,
    /** Whether the request may have reached Adyen: then its outcome is unknown. */
    readonly sent: boolean,
    /** `timeout`, or the Node error code (ECONNREFUSED, ENOTFOUND, ECONNRESET…). */
    readonly code: string,
  ) {
    super(message);
  }
}

export interface AdyenTransportOptions {
  /** Test-only: send Checkout calls to this origin instead of Adyen's (the `/v72/…` path is kept). */
  apiBaseUrl?: string;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const USER_AGENT = 'adyen-node-api-library/32.1.0';

/** `https://checkout-test.adyen.com/v72/sessions` (or the live prefix URL) → `${apiBaseUrl}/v72/sessions`. */
export function rewriteEndpoint(endpoint: string, apiBaseUrl: string | undefined): string {
  if (!apiBaseUrl) return endpoint;
  const match = /^https:\/\/(?:checkout-test\.adyen\.com|[a-z0-9-]+-checkout-live\.adyenpayments\.com\/checkout)(\/v\d+\/.*)$/.exec(endpoint);
  if (!match) throw new Error(`Not a Checkout API endpoint, refusing to send it past apiBaseUrl: ${endpoint}`);
  return `${apiBaseUrl.replace(/\/+$/, '')}${match[1]}`;
}

export function createAdyenTransport(options: AdyenTransportOptions = {}): AdyenHttpClient {
  return {
    request(endpoint: string, json: string | Buffer, config: AdyenConfig, _isApiKeyRequired: boolean, requestOptions: AdyenRequestOptions = {}) {
      const url = new URL(rewriteEndpoint(endpoint, options.apiBaseUrl));
      if (requestOptions.params) url.search = new URLSearchParams(requestOptions.params as Record<string, string>).toString();
      const headers: Record<string, string> = {
        'Content-Type': 'application/json',
        'Accept-Charset': 'utf-8',
        'Cache-Control': 'no-cache',
        'User-Agent': config.applicationName ? `${config.applicationName} ${USER_AGENT}` : USER_AGENT,
        'X-API-Key': config.apiKey ?? '',
      };
      if (requestOptions.idempotencyKey) headers['Idempotency-Key'] = requestOptions.idempotencyKey;
      const method = requestOptions.method ?? 'POST';
      const body = method === 'GET' ? undefined : json;
      return send(url, method, headers, body, config.connectionTimeoutMillis ?? DEFAULT_TIMEOUT_MS);
    },
  };
}

function send(url: URL, method: string, headers: Record<string, string>, body: string | Buffer | undefined, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let sent = false;
    const lib = url.protocol === 'http:' ? http : https;
    const req = lib.request(url, { method, headers });
    const fail = (err: Error) => {
      clearTimeout(deadline);
      req.destroy();
      reject(err);
    };
    const deadline = setTimeout(() => {
      fail(
        new AdyenTransportError(
          sent ? `No answer from Adyen within ${timeoutMs} ms; outcome unknown` : `Could not connect to Adyen within ${timeoutMs} ms`,
          sent,
          sent ? 'timeout' : 'connect_timeout',
        ),
      );
    }, timeoutMs);

    // "Sent" = a connection to Adyen is established (the request is written at once): from then
    // on Adyen may act on it. A pooled keep-alive socket is already connected.
    req.on('socket', (socket: Socket) => {
      const connectedEvent = socket instanceof TLSSocket ? 'secureConnect' : 'connect';
      if (socket.connecting) socket.once(connectedEvent, () => (sent = true));
      else sent = true;
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? 'unknown';
      fail(new AdyenTransportError(sent ? `Connection to Adyen lost after sending (${code}); outcome unknown` : `Could not connect to Adyen (${code})`, sent, code));
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (err: NodeJS.ErrnoException) => fail(new AdyenTransportError(`Answer from Adyen cut off (${err.code ?? 'unknown'})`, true, err.code ?? 'unknown')));
      res.on('end', () => {
        clearTimeout(deadline);
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve(text);
        else reject(httpError(status, res.statusMessage ?? '', res.headers, text));
      });
    });
    req.end(body);
  });
}

/** The exception the library itself raises for a non-2xx answer, with Adyen's error body when it sent one. */
function httpError(status: number, statusMessage: string, responseHeaders: http.IncomingHttpHeaders, responseBody: string) {
  let apiError: { status?: number; errorCode?: string; message?: string; errorType?: string } | undefined;
  try {
    const parsed: unknown = JSON.parse(responseBody);
    if (parsed && typeof parsed === 'object' && ('errorCode' in parsed || 'status' in parsed)) apiError = parsed as typeof apiError;
  } catch {
    // not JSON (a proxy's HTML page…): no Adyen error details
  }
  return new HttpClientException({
    message: `HTTP Exception: ${status}. ${statusMessage}${apiError?.message ? `: ${apiError.message}` : ''}`,
    statusCode: status,
    ...(apiError?.errorCode ? { errorCode: apiError.errorCode } : {}),
    responseHeaders,
    responseBody,
    ...(apiError ? { apiError } : {}),
  });
}
