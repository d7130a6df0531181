import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { NormalizedOutcome } from '@platform/core';
import { signSandboxWebhook, type SandboxWebhookBody } from '@platform/providers';
import { submitCard } from './checkout-client.js';
import { startTestPlatform, validPayment, type TestPlatform } from './harness.js';

/**
 * POST /webhooks/sandbox driven by hand (spec/webhooks.md "In"). The platform runs WITHOUT its
 * worker, so the webhook the sandbox provider queues on submit is never delivered and only the
 * webhooks this file signs and sends reach the endpoint.
 */
let t: TestPlatform;
let token: string;
let keyN = 0;
let eventN = 0;

beforeAll(async () => {
  t = await startTestPlatform({ worker: false });
  token = (await t.tenantWithTokens('hook-shop')).sandboxToken;
});
afterAll(() => t.close());


interface Submitted {
  id: string;
  checkoutToken: string;
  attemptId: string;
  reference: string;
}

async function createPayment() {
  const res = await t.request('POST', '/v1/payments', { token, idempotencyKey: `hook-${++keyN}`, body: validPayment });
  expect(res.status).toBe(201);
  return res.body as { id: string; checkoutToken: string };
}

const submit = (checkoutToken: string, number: string) => submitCard(t, checkoutToken, number);

async function attemptsOf(paymentId: string) {
  return t.sql('select id, status, provider_reference, error_code, completed_at from payment_attempts where payment_id = ? order by id', [paymentId]);
}

/** A real payment in `processing` with one attempt at the sandbox provider. */
async function processingPayment(number = '4242 4242 4242 4242'): Promise<Submitted> {
  const payment = await createPayment();
  const view = await submit(payment.checkoutToken, number);
  expect(view.status).toBe('processing');
  const attempts = await attemptsOf(payment.id);
  expect(attempts).toHaveLength(1);
  return { id: payment.id, checkoutToken: payment.checkoutToken, attemptId: attempts[0].id, reference: `sbx_${attempts[0].id}` };
}

function webhook(p: { id: string; attemptId?: string; reference: string }, outcome: NormalizedOutcome): SandboxWebhookBody {
  return {
    id: `sbxevt_test_${++eventN}_${Date.now()}`,
    type: 'sandbox.outcome',
    created: new Date().toISOString(),
    data: { paymentId: p.id, reference: p.reference, outcome, ...(p.attemptId ? { attemptId: p.attemptId } : {}) } as SandboxWebhookBody['data'],
  };
}

function deliver(body: SandboxWebhookBody, options: { secret?: string; rawBody?: string } = {}) {
  const headers = signSandboxWebhook(options.secret ?? t.platform.sandboxWebhookSecret, body);
  return t.request('POST', '/webhooks/sandbox', { rawBody: options.rawBody ?? JSON.stringify(body), headers });
}

async function status(paymentId: string) {
  const res = await t.request('GET', `/v1/payments/${paymentId}`, { token });
  expect(res.status).toBe(200);
  return res.body;
}

const inbox = (eventId: string) => t.sql('select * from provider_events where provider = ? and event_id = ?', ['sandbox', eventId]);
const eventTypes = async (paymentId: string) =>
  (await t.sql('select type from events where object_id = ? order by id', [paymentId])).map((r) => r.type as string);
const auditOf = (paymentId: string) =>
  t.sql('select action, actor_type, actor_id, before, after from audit_log where target_id = ? order by seq', [paymentId]);

const SUCCEEDED: NormalizedOutcome = { type: 'succeeded' };
const DECLINED: NormalizedOutcome = { type: 'failed', code: 'card_declined', message: 'The card was declined.' };

describe('POST /webhooks/sandbox', () => {
  it('the same webhook sent 20 times concurrently is applied once; every copy is acknowledged', async () => {
    const p = await processingPayment();
    const body = webhook(p, SUCCEEDED);
    const answers = await Promise.all(Array.from({ length: 20 }, () => deliver(body)));
    for (const a of answers) {
      expect(a.status, a.text).toBeGreaterThanOrEqual(200);
      expect(a.status, a.text).toBeLessThan(300);
    }
    const results = answers.map((a) => a.body.results[0]).sort();
    expect(results).toEqual(['applied', ...Array(19).fill('duplicate')]);

    expect((await status(p.id)).status).toBe('succeeded');
    const inboxRows = await inbox(body.id);
    expect(inboxRows).toHaveLength(1);
    expect(inboxRows[0]).toMatchObject({ payment_id: p.id, result: 'applied', outcome: 'succeeded', mode: 'sandbox' });
    expect((await eventTypes(p.id)).filter((type) => type === 'payment.succeeded')).toHaveLength(1);
    expect((await auditOf(p.id)).filter((a) => a.action === 'payment.provider_succeeded')).toHaveLength(1);

    // and later copies (a provider retrying) change nothing either
    const late = await deliver(body);
    expect(late.status).toBe(200);
    expect(late.body.results).toEqual(['duplicate']);
    expect(await inbox(body.id)).toHaveLength(1);
  });

  it('a succeeded outcome commits with its payment.succeeded event, audit entry and finished attempt', async () => {
    const p = await processingPayment();
    const res = await deliver(webhook(p, SUCCEEDED));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: true, results: ['applied'] });

    const payment = await status(p.id);
    expect(payment).toMatchObject({ status: 'succeeded', providerReference: p.reference, lastError: null });
    expect(await eventTypes(p.id)).toEqual(['payment.created', 'payment.processing', 'payment.succeeded']);
    const audit = await auditOf(p.id);
    expect(audit.map((a) => a.action)).toEqual(['payment.create', 'payment.submit', 'payment.provider_succeeded']);
    expect(audit[2]).toMatchObject({ actor_type: 'provider', actor_id: 'sandbox' });
    expect(audit[2].before).toMatchObject({ status: 'processing' });
    expect(audit[2].after).toMatchObject({ status: 'succeeded' });
    const [attempt] = await attemptsOf(p.id);
    expect(attempt).toMatchObject({ status: 'succeeded', provider_reference: p.reference, error_code: null });
    expect(attempt.completed_at).not.toBeNull();

    // the tenant sees the same event in its log, carrying the payment as GET returns it
    const events = await t.request('GET', '/v1/events?type=payment.succeeded&limit=100', { token });
    const mine = events.body.data.filter((e: { data: { object: { id: string } } }) => e.data.object.id === p.id);
    expect(mine).toHaveLength(1);
    expect(mine[0].data.object).toMatchObject({ id: p.id, status: 'succeeded', updatedAt: payment.updatedAt });
  });

  it('a failed outcome returns the payment to requires_payment_method with lastError, payment.failed and its audit entry', async () => {
    const p = await processingPayment();
    const res = await deliver(webhook(p, DECLINED));
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual(['applied']);
    expect(await status(p.id)).toMatchObject({
      status: 'requires_payment_method',
      lastError: { code: 'card_declined', message: 'The card was declined.' },
    });
    expect(await eventTypes(p.id)).toEqual(['payment.created', 'payment.processing', 'payment.failed']);
    const audit = await auditOf(p.id);
    expect(audit.map((a) => a.action)).toEqual(['payment.create', 'payment.submit', 'payment.provider_failed']);
    expect(audit[2]).toMatchObject({ actor_type: 'provider', actor_id: 'sandbox' });
    const [attempt] = await attemptsOf(p.id);
    expect(attempt).toMatchObject({ status: 'failed', error_code: 'card_declined' });
    expect(attempt.completed_at).not.toBeNull();
  });

  it('payment.failed arriving after succeeded changes nothing; it is recorded as ignored with a note', async () => {
    const p = await processingPayment();
    expect((await deliver(webhook(p, SUCCEEDED))).body.results).toEqual(['applied']);
    const before = await status(p.id);
    const eventsBefore = await eventTypes(p.id);
    const auditBefore = await auditOf(p.id);

    const late = webhook(p, DECLINED);
    const res = await deliver(late);
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual(['ignored']);

    expect(await status(p.id)).toEqual(before);
    expect(await eventTypes(p.id)).toEqual(eventsBefore);
    expect(await auditOf(p.id)).toEqual(auditBefore);
    const [attempt] = await attemptsOf(p.id);
    expect(attempt).toMatchObject({ status: 'succeeded', error_code: null });
    const [row] = await inbox(late.id);
    expect(row).toMatchObject({ payment_id: p.id, outcome: 'failed', result: 'ignored' });
    expect(row.note).toEqual(expect.stringMatching(/\S/));
  });

  it('an event for an older (stale) attempt is recorded and ignored; the current attempt still completes', async () => {
    // attempt 1 fails synchronously (provider error), attempt 2 is the current one
    const payment = await createPayment();
    const first = await submit(payment.checkoutToken, '4000 0000 0000 0119');
    expect(first.status).toBe('requires_payment_method');
    const second = await submit(payment.checkoutToken, '4242 4242 4242 4242');
    expect(second.status).toBe('processing');
    const [old, current] = await attemptsOf(payment.id);
    expect(old.status).toBe('failed');
    expect(current.status).toBe('processing');

    const stale = webhook({ id: payment.id, attemptId: old.id, reference: `sbx_${old.id}` }, SUCCEEDED);
    const res = await deliver(stale);
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual(['ignored']);
    const [row] = await inbox(stale.id);
    expect(row).toMatchObject({ payment_id: payment.id, result: 'ignored' });
    expect(row.note).toMatch(/stale/);

    // matched by reference when the event carries no attempt id
    const staleByRef = webhook({ id: payment.id, reference: `sbx_${old.id}` }, SUCCEEDED);
    expect((await deliver(staleByRef)).body.results).toEqual(['ignored']);
    expect((await inbox(staleByRef.id))[0].note).toMatch(/stale/);

    expect((await status(payment.id)).status).toBe('processing');
    expect(await eventTypes(payment.id)).not.toContain('payment.succeeded');

    const fresh = await deliver(webhook({ id: payment.id, attemptId: current.id, reference: `sbx_${current.id}` }, SUCCEEDED));
    expect(fresh.body.results).toEqual(['applied']);
    expect((await status(payment.id)).status).toBe('succeeded');
  });

  it('a bad signature → 400 in the error shape; nothing is recorded and nothing changes', async () => {
    const p = await processingPayment();
    const body = webhook(p, SUCCEEDED);
    const wrongSecret = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
    const tampered = { ...body, data: { ...body.data, paymentId: p.id, outcome: DECLINED } };
    const attempts = [
      await deliver(body, { secret: wrongSecret }),
      // signed body A, sent body B
      await deliver(body, { rawBody: JSON.stringify(tampered) }),
      // no signature headers at all
      await t.request('POST', '/webhooks/sandbox', { body }),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: {
          type: 'invalid_request_error',
          code: 'webhook_signature_invalid',
          message: expect.any(String),
          requestId: res.headers.get('request-id'),
        },
      });
    }
    expect(await inbox(body.id)).toHaveLength(0);
    expect((await status(p.id)).status).toBe('processing');
    expect(await eventTypes(p.id)).toEqual(['payment.created', 'payment.processing']);

    // the genuine webhook still applies afterwards
    expect((await deliver(body)).body.results).toEqual(['applied']);
  });

  it('a malformed body → 400 and nothing is recorded', async () => {
    const p = await processingPayment();
    const secret = t.platform.sandboxWebhookSecret;
    // correctly signed, but no paymentId
    const noPayment = webhook(p, SUCCEEDED);
    delete (noPayment.data as Partial<SandboxWebhookBody['data']>).paymentId;
    const a = await deliver(noPayment);
    // correctly signed, but not JSON
    const notJsonHeaders = { ...signSandboxWebhook(secret, { ...noPayment, id: 'sbxevt_not_json' }) };
    const { Webhook } = await import('standardwebhooks');
    const now = new Date();
    notJsonHeaders['webhook-timestamp'] = String(Math.floor(now.getTime() / 1000));
    notJsonHeaders['webhook-signature'] = new Webhook(secret).sign('sbxevt_not_json', now, '{not json');
    const b = await t.request('POST', '/webhooks/sandbox', { rawBody: '{not json', headers: notJsonHeaders });
    // an empty body
    const c = await t.request('POST', '/webhooks/sandbox', { rawBody: '', headers: { 'content-type': 'application/json' } });
    for (const res of [a, b, c]) {
      expect(res.status, res.text).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'webhook_signature_invalid' });
    }
    expect(await inbox(noPayment.id)).toHaveLength(0);
    expect(await inbox('sbxevt_not_json')).toHaveLength(0);
    expect((await status(p.id)).status).toBe('processing');
  });

  it('an unknown payment id is acknowledged (2xx) and recorded as unknown_payment', async () => {
    const before = await t.count('events');
    const body = webhook({ id: 'pay_01doesnotexist', attemptId: 'att_01doesnotexist', reference: 'sbx_att_01doesnotexist' }, SUCCEEDED);
    const res = await deliver(body);
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual(['unknown_payment']);
    const rows = await inbox(body.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ payment_id: 'pay_01doesnotexist', tenant_id: null, result: 'unknown_payment', outcome: 'succeeded' });
    expect(await t.count('events')).toBe(before);
    // a retry of it is a duplicate
    expect((await deliver(body)).body.results).toEqual(['duplicate']);
  });

  it('when processing fails → 5xx and no inbox row, so the provider’s retry is applied later', async () => {
    const p = await processingPayment();
    const body = webhook(p, SUCCEEDED);
    const payments = t.platform.payments;
    const original = payments.changeStatus.bind(payments);
    // Fail AFTER the status, event and audit entry were written in the transaction.
    const spy = vi.spyOn(payments, 'changeStatus').mockImplementationOnce(async (...args) => {
      await original(...args);
      throw new Error('simulated database failure SECRET_SQL_TEXT');
    });
    try {
      const res = await deliver(body);
      expect(res.status).toBeGreaterThanOrEqual(500);
      expect(res.body.error).toMatchObject({ type: 'api_error', code: 'internal_error' });
      expect(res.text).not.toContain('SECRET_SQL_TEXT');
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
    // rolled back as a whole: no inbox row, no status change, no event, no audit entry
    expect(await inbox(body.id)).toHaveLength(0);
    expect((await status(p.id)).status).toBe('processing');
    expect(await eventTypes(p.id)).toEqual(['payment.created', 'payment.processing']);
    expect((await auditOf(p.id)).map((a) => a.action)).toEqual(['payment.create', 'payment.submit']);
    expect((await attemptsOf(p.id))[0].status).toBe('processing');

    // the provider retries the same event: now it is applied, once
    const retry = await deliver(body);
    expect(retry.status).toBe(200);
    expect(retry.body.results).toEqual(['applied']);
    expect((await status(p.id)).status).toBe('succeeded');
    expect(await inbox(body.id)).toHaveLength(1);
    expect(await eventTypes(p.id)).toEqual(['payment.created', 'payment.processing', 'payment.succeeded']);
  });

  it('an unknown provider → 404', async () => {
    const p = await processingPayment();
    const body = webhook(p, SUCCEEDED);
    const res = await t.request('POST', '/webhooks/nope', { rawBody: JSON.stringify(body), headers: signSandboxWebhook(t.platform.sandboxWebhookSecret, body) });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('route_not_found');
    expect((await status(p.id)).status).toBe('processing');
  });
});
