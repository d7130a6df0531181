import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AdyenCredentials, PrepareRequest, ProviderAccount, RefundRequest } from '@platform/core';
import { startAdyenFake, type AdyenFake, type AdyenSessionStatus } from '../../test/fakes/adyen-fake.js';
import { createAdyenProvider } from './adapter.js';

const account = (credentials: Partial<AdyenCredentials> = {}): ProviderAccount => ({
  id: 'acct_adyen_1',
  provider: 'adyen',
  mode: 'sandbox',
  credentials: {
    apiKey: 'AQE_test_api_key_0001',
    merchantAccount: 'PlatformECOM',
    clientKey: 'test_CLIENTKEY123',
    hmacKey: 'A'.repeat(64),
    environment: 'test',
    ...credentials,
  },
});

const prepareRequest = (extra: Partial<PrepareRequest> = {}): PrepareRequest => ({
  account: account(),
  attemptId: 'att_01',
  paymentId: 'pay_01',
  amount: 1999,
  currency: 'EUR',
  mode: 'sandbox',
  returnUrl: 'https://pay.example.com/p/pay_01',
  ...extra,
});

const refundRequest = (extra: Partial<RefundRequest> = {}): RefundRequest => ({
  account: account(),
  refundId: 'ref_01',
  paymentId: 'pay_01',
  paymentReference: '993617894903480A',
  amount: 500,
  currency: 'EUR',
  ...extra,
});

let fake: AdyenFake;
beforeEach(async () => {
  fake = await startAdyenFake();
});
afterEach(async () => {
  await fake.close();
});
const provider = (timeoutMs = 2000) => createAdyenProvider({ apiBaseUrl: fake.url, timeoutMs });

describe('adyen prepare (POST /sessions)', () => {
  it('creates a session: merchantReference = paymentId, metadata.attemptId, idempotency key = attemptId', async () => {
    const result = await provider().prepare(prepareRequest());
    const [session] = fake.sessions();
    expect(result).toEqual({
      ok: true,
      reference: session!.id,
      client: { type: 'adyen_drop_in', clientKey: 'test_CLIENTKEY123', environment: 'test', sessionId: session!.id, sessionData: expect.stringMatching(/^Ab02b4c0!/) },
    });
    expect(fake.requests).toHaveLength(1);
    const [req] = fake.requests;
    expect(req).toMatchObject({ method: 'POST', path: '/v72/sessions', route: 'sessions' });
    expect(req!.headers).toMatchObject({ 'idempotency-key': 'att_01', 'x-api-key': 'AQE_test_api_key_0001' });
    expect(req!.body).toEqual({
      amount: { value: 1999, currency: 'EUR' },
      merchantAccount: 'PlatformECOM',
      reference: 'pay_01',
      returnUrl: 'https://pay.example.com/p/pay_01',
      metadata: { attemptId: 'att_01' },
    });
  });

  it('the same attempt twice → one session (same idempotency key, same answer)', async () => {
    const a = await provider().prepare(prepareRequest());
    const b = await provider().prepare(prepareRequest());
    expect(b).toEqual(a);
    expect(fake.sessions()).toHaveLength(1);
    expect(fake.requests.map((r) => r.headers['idempotency-key'])).toEqual(['att_01', 'att_01']);
    const c = await provider().prepare(prepareRequest({ attemptId: 'att_02' }));
    expect(c.ok && c.reference).not.toBe(a.ok && a.reference);
    expect(fake.sessions()).toHaveLength(2);
  });

  it('HTTP 500 → retryable provider_error; 429 → rate_limited with Retry-After; 422 → not retryable', async () => {
    fake.fail('sessions', { status: 500 });
    expect(await provider().prepare(prepareRequest())).toMatchObject({ ok: false, kind: 'provider_error', code: 'provider_error', retryable: true, status: 500 });
    fake.fail('sessions', { status: 429, retryAfter: '2' });
    expect(await provider().prepare(prepareRequest())).toMatchObject({ ok: false, kind: 'provider_error', code: 'rate_limited', retryable: true, status: 429, retryAfterMs: 2000 });
    fake.fail('sessions', { status: 422 });
    expect(await provider().prepare(prepareRequest())).toMatchObject({
      ok: false,
      kind: 'provider_error',
      code: 'invalid_request',
      retryable: false,
      status: 422,
      message: expect.stringContaining('Return URL is missing.'),
    });
    expect(fake.sessions()).toHaveLength(0);
    // The fake's own validation answers the same way the spec example does.
    expect(await provider().prepare(prepareRequest({ returnUrl: '' }))).toMatchObject({ ok: false, code: 'invalid_request', retryable: false });
  });

  it('no answer after sending → timeout; the retry with the same key gets the session created meanwhile', async () => {
    fake.hang('sessions', { ms: 1500 });
    const first = await provider(200).prepare(prepareRequest());
    expect(first).toMatchObject({ ok: false, kind: 'timeout', code: 'timeout', retryable: true });
    expect(fake.sessions()).toHaveLength(1); // Adyen did act on it
    const retry = await provider(200).prepare(prepareRequest());
    expect(retry).toMatchObject({ ok: true, reference: fake.sessions()[0]!.id });
    expect(fake.sessions()).toHaveLength(1);
  });

  it('a refused connection → network, retryable', async () => {
    const port = await freePort();
    const result = await createAdyenProvider({ apiBaseUrl: `http://127.0.0.1:${port}`, timeoutMs: 2000 }).prepare(prepareRequest());
    expect(result).toMatchObject({ ok: false, kind: 'network', code: 'network_error', retryable: true });
  });

  it('a live account without liveEndpointUrlPrefix → account_misconfigured, nothing sent', async () => {
    const result = await provider().prepare(prepareRequest({ account: account({ environment: 'live' }) }));
    expect(result).toMatchObject({ ok: false, kind: 'provider_error', code: 'account_misconfigured', retryable: false });
    expect(fake.requests).toHaveLength(0);
  });

  it('throws for another provider\'s account (a programming error)', async () => {
    const sandbox: ProviderAccount = { id: 'sandbox', provider: 'sandbox', mode: 'sandbox', credentials: null };
    await expect(provider().prepare(prepareRequest({ account: sandbox }))).rejects.toThrow(/sandbox account/);
  });
});

describe('adyen authorize / completeAction', () => {
  it('authorize is not supported (Drop-in submits the payment); completeAction just echoes the reference', async () => {
    const authorize = await provider().authorize({ ...prepareRequest(), reference: 'CS1' });
    expect(authorize).toMatchObject({ ok: false, kind: 'provider_error', code: 'not_supported', retryable: false });
    expect(await provider().completeAction({ account: account(), attemptId: 'att_01', paymentId: 'pay_01', reference: 'CS1', approve: true })).toEqual({ ok: true, reference: 'CS1' });
    expect(fake.requests).toHaveLength(0);
  });
});

describe('adyen retrieve (GET /sessions/{id}?sessionResult=…)', () => {
  const cases: [AdyenSessionStatus, object][] = [
    ['completed', { type: 'succeeded' }],
    ['paymentPending', { type: 'processing' }],
    ['refused', { type: 'failed', code: 'refused' }],
    ['canceled', { type: 'canceled' }],
    ['expired', { type: 'failed', code: 'expired' }],
    ['active', { type: 'processing' }],
  ];
  it.each(cases)('session %s → %o', async (status, outcome) => {
    const prepared = await provider().prepare(prepareRequest());
    const sessionId = prepared.ok ? prepared.reference : '';
    fake.setSessionStatus(sessionId, status);
    const result = await provider().retrieve({ account: account(), attemptId: 'att_01', paymentId: 'pay_01', reference: sessionId, clientResult: 'X3XtfGC9!H4sIAAAA' });
    expect(result).toMatchObject({ ok: true, reference: sessionId, outcome });
    expect(fake.requests.at(-1)).toMatchObject({ method: 'GET', path: `/v72/sessions/${sessionId}`, query: { sessionResult: 'X3XtfGC9!H4sIAAAA' }, route: 'sessionResult' });
  });

  it('without the browser\'s sessionResult (or a session id) → processing, without asking Adyen', async () => {
    const base = { account: account(), attemptId: 'att_01', paymentId: 'pay_01' };
    expect(await provider().retrieve({ ...base, reference: 'CS1' })).toEqual({ ok: true, reference: 'CS1', outcome: { type: 'processing' } });
    expect(await provider().retrieve({ ...base, reference: null, clientResult: 'x' })).toEqual({ ok: true, reference: null, outcome: { type: 'processing' } });
    expect(fake.requests).toHaveLength(0);
  });

  it('an error answer is a value', async () => {
    fake.fail('sessionResult', { status: 503 });
    expect(await provider().retrieve({ account: account(), attemptId: 'a', paymentId: 'p', reference: 'CS1', clientResult: 'x' })).toMatchObject({ ok: false, kind: 'provider_error', retryable: true, status: 503 });
  });
});

describe('adyen refund (POST /payments/{pspReference}/refunds)', () => {
  it('refunds with reference = refundId and idempotency key = refundId; reference = the refund pspReference', async () => {
    const result = await provider().refund(refundRequest());
    const [req] = fake.requests;
    expect(req).toMatchObject({ method: 'POST', path: '/v72/payments/993617894903480A/refunds', route: 'refunds' });
    expect(req!.headers['idempotency-key']).toBe('ref_01');
    expect(req!.body).toEqual({ amount: { value: 500, currency: 'EUR' }, merchantAccount: 'PlatformECOM', reference: 'ref_01' });
    expect(result).toEqual({ ok: true, reference: expect.stringMatching(/^[A-Z0-9]{16}$/) });
    expect(await provider().refund(refundRequest())).toEqual(result); // same key → same refund
  });

  it('errors and timeouts are values', async () => {
    fake.fail('refunds', { status: 422 });
    expect(await provider().refund(refundRequest())).toMatchObject({ ok: false, kind: 'provider_error', retryable: false, status: 422 });
    fake.hang('refunds', { ms: 1500 });
    expect(await provider(200).refund(refundRequest())).toMatchObject({ ok: false, kind: 'timeout', retryable: true });
  });
});

async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
