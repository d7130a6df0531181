import { describe, expect, it } from 'vitest';
import type { AuthorizeRequest, NormalizedOutcome } from '@platform/core';
import { createSandboxProvider } from './adapter.js';
import { signSandboxWebhook, type SandboxWebhookBody } from './webhook.js';

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

/** The sandbox provider with its webhooks captured instead of queued. */
function sandbox(options: { now?: () => Date } = {}) {
  const scheduled: { body: SandboxWebhookBody; delayMs: number }[] = [];
  const provider = createSandboxProvider({
    webhookSecret: SECRET,
    scheduleWebhook: async (body, delayMs) => {
      scheduled.push({ body, delayMs });
    },
    ...options,
  });
  return { provider, scheduled };
}

const account = { id: 'sandbox', provider: 'sandbox', mode: 'sandbox', credentials: null } as const;
const future = new Date().getUTCFullYear() + 2;
const request = (number: string, extra: Partial<AuthorizeRequest> = {}): AuthorizeRequest => ({
  account,
  attemptId: 'att_01test',
  paymentId: 'pay_01test',
  amount: 1999,
  currency: 'EUR',
  mode: 'sandbox',
  card: { number, expMonth: 12, expYear: future, cvc: '123' },
  ...extra,
});

/**
 * spec/payments.md "Test cards", written out by hand (numbers exactly as the table prints them,
 * with spaces): outcome by webhook and whether it is delayed ("a few seconds later").
 */
const SPEC_CARDS: { number: string; outcome: NormalizedOutcome['type']; code?: string; delayed: boolean }[] = [
  { number: '4242 4242 4242 4242', outcome: 'succeeded', delayed: false },
  { number: '4000 0000 0000 0002', outcome: 'failed', code: 'card_declined', delayed: false },
  { number: '4000 0000 0000 9995', outcome: 'failed', code: 'insufficient_funds', delayed: false },
  { number: '4000 0000 0000 0069', outcome: 'failed', code: 'expired_card', delayed: false },
  { number: '4000 0027 6000 3184', outcome: 'requires_action', delayed: false },
  { number: '4000 0000 0000 3055', outcome: 'succeeded', delayed: true },
  { number: '4000 0000 0000 3063', outcome: 'failed', code: 'card_declined', delayed: true },
];

describe('sandbox provider: authorize', () => {
  it.each(SPEC_CARDS)('$number → $outcome $code (delayed: $delayed), reported by webhook', async (card) => {
    const { provider, scheduled } = sandbox();
    const result = await provider.authorize(request(card.number));
    // Accepted for processing, never "paid": the outcome travels only by webhook.
    expect(result).toEqual({ ok: true, reference: 'sbx_att_01test' });
    expect(scheduled).toHaveLength(1);
    const [{ body, delayMs }] = scheduled as [{ body: SandboxWebhookBody; delayMs: number }];
    expect(body.type).toBe('sandbox.outcome');
    expect(body.id).toMatch(/^sbxevt_/);
    expect(body.data).toMatchObject({ paymentId: 'pay_01test', attemptId: 'att_01test', reference: 'sbx_att_01test' });
    expect(body.data.outcome.type).toBe(card.outcome);
    if (card.code) {
      expect(body.data.outcome).toMatchObject({ type: 'failed', code: card.code, message: expect.any(String) });
      expect((body.data.outcome as { message: string }).message.length).toBeGreaterThan(0);
    }
    if (card.delayed) {
      // "a few seconds later"
      expect(delayMs).toBeGreaterThanOrEqual(1000);
      expect(delayMs).toBeLessThanOrEqual(10_000);
    } else {
      expect(delayMs).toBe(0);
    }
  });

  it('the same card typed without spaces, or with dashes, behaves the same', async () => {
    for (const typed of ['4000000000000002', '4000-0000-0000-0002', ' 4000 0000 0000 0002 ']) {
      const { provider, scheduled } = sandbox();
      expect(await provider.authorize(request(typed))).toMatchObject({ ok: true });
      expect(scheduled[0]!.body.data.outcome).toMatchObject({ type: 'failed', code: 'card_declined' });
    }
  });

  it('4000 0000 0000 0119 is a provider error returned as a value (HTTP 500 simulated), retryable, with no webhook', async () => {
    const { provider, scheduled } = sandbox();
    const promise = provider.authorize(request('4000 0000 0000 0119'));
    await expect(promise).resolves.toBeDefined(); // never thrown
    const result = await promise;
    expect(result).toMatchObject({ ok: false, kind: 'provider_error', code: 'provider_error', retryable: true });
    expect(result.ok === false && result.message).toMatch(/500/);
    expect(scheduled).toHaveLength(0);
  });

  it('any other number is declined with test_card_required (by webhook, like other declines)', async () => {
    for (const number of ['5555 5555 5555 4444', '4111 1111 1111 1111', '4242 4242 4242 4241']) {
      const { provider, scheduled } = sandbox();
      expect(await provider.authorize(request(number))).toEqual({ ok: true, reference: 'sbx_att_01test' });
      expect(scheduled).toHaveLength(1);
      expect(scheduled[0]!.body.data.outcome).toMatchObject({ type: 'failed', code: 'test_card_required' });
      expect(scheduled[0]!.delayMs).toBe(0);
    }
  });

  it('refuses live mode and a request without card data, as a declined value', async () => {
    for (const req of [request('4242 4242 4242 4242', { mode: 'live' }), { ...request('4242424242424242'), card: undefined }]) {
      const { provider, scheduled } = sandbox();
      const result = await provider.authorize(req as AuthorizeRequest);
      expect(result).toMatchObject({ ok: false, kind: 'declined', code: 'card_data_required', retryable: false });
      expect(scheduled).toHaveLength(0);
    }
  });

  it('derives the reference from the attempt id (idempotency key) and gives every webhook its own event id', async () => {
    const { provider, scheduled } = sandbox();
    const a = await provider.authorize(request('4242424242424242', { attemptId: 'att_a' }));
    const b = await provider.authorize(request('4242424242424242', { attemptId: 'att_a' }));
    const c = await provider.authorize(request('4242424242424242', { attemptId: 'att_b' }));
    expect(a).toEqual(b);
    expect(c).toEqual({ ok: true, reference: 'sbx_att_b' });
    expect(new Set(scheduled.map((s) => s.body.id)).size).toBe(3);
  });

  it('stamps `created` with the time the (possibly delayed) webhook is due', async () => {
    const now = new Date('2026-11-25T12:00:00.000Z');
    const { provider, scheduled } = sandbox({ now: () => now });
    await provider.authorize(request('4242 4242 4242 4242'));
    await provider.authorize(request('4000 0000 0000 3055'));
    expect(scheduled[0]!.body.created).toBe(now.toISOString());
    expect(Date.parse(scheduled[1]!.body.created)).toBe(now.getTime() + scheduled[1]!.delayMs);
  });
});

describe('sandbox provider: completeAction (simulated 3-D Secure)', () => {
  const action = { account, attemptId: 'att_3ds', paymentId: 'pay_3ds', reference: 'sbx_att_3ds' };

  it('approve → succeeded by webhook, at once', async () => {
    const { provider, scheduled } = sandbox();
    expect(await provider.completeAction({ ...action, approve: true })).toEqual({ ok: true, reference: 'sbx_att_3ds' });
    expect(scheduled).toHaveLength(1);
    expect(scheduled[0]!.delayMs).toBe(0);
    expect(scheduled[0]!.body.data).toEqual({ paymentId: 'pay_3ds', attemptId: 'att_3ds', reference: 'sbx_att_3ds', outcome: { type: 'succeeded' } });
  });

  it('fail → failed with authentication_failed by webhook', async () => {
    const { provider, scheduled } = sandbox();
    expect(await provider.completeAction({ ...action, approve: false })).toEqual({ ok: true, reference: 'sbx_att_3ds' });
    expect(scheduled).toHaveLength(1);
    expect(scheduled[0]!.body.data).toMatchObject({ paymentId: 'pay_3ds', attemptId: 'att_3ds', reference: 'sbx_att_3ds' });
    expect(scheduled[0]!.body.data.outcome).toMatchObject({ type: 'failed', code: 'authentication_failed', message: expect.any(String) });
  });
});

describe('sandbox provider: parseWebhook', () => {
  it('accepts what it scheduled once signed with the shared secret, and rejects another secret', async () => {
    const { provider, scheduled } = sandbox();
    await provider.authorize(request('4242 4242 4242 4242'));
    const body = scheduled[0]!.body;
    const rawBody = Buffer.from(JSON.stringify(body));
    const parsed = await provider.parseWebhook({ rawBody, headers: signSandboxWebhook(SECRET, body) }, []);
    expect(parsed).toEqual({
      ok: true,
      events: [
        {
          eventId: body.id,
          paymentId: 'pay_01test',
          accountId: 'sandbox',
          attemptId: 'att_01test',
          reference: 'sbx_att_01test',
          outcome: { type: 'succeeded' },
          occurredAt: new Date(body.created),
        },
      ],
    });
    const otherSecret = `whsec_${Buffer.alloc(32, 8).toString('base64')}`;
    expect(await provider.parseWebhook({ rawBody, headers: signSandboxWebhook(otherSecret, body) }, [])).toMatchObject({
      ok: false,
      kind: 'invalid_signature',
    });
  });
});

describe('sandbox provider: retrieveRefund (reconciliation asks its ledger)', () => {
  function withLedger() {
    const records = new Map<string, NormalizedOutcome>();
    return createSandboxProvider({
      webhookSecret: SECRET,
      scheduleWebhook: async () => {},
      ledger: { record: async (reference, outcome) => void records.set(reference, outcome), lookup: async (reference) => records.get(reference) ?? null },
    });
  }
  const refundOf = (amount: number) => ({ account, refundId: `re_${amount}`, paymentId: 'pay_01test', paymentReference: 'sbx_att_01test', amount, currency: 'EUR' as const });

  it('a refund it accepted is settled: succeeded, or failed for an amount ending in 99', async () => {
    const provider = withLedger();
    for (const [amount, type] of [[500, 'refund_succeeded'], [1099, 'refund_failed']] as const) {
      const accepted = await provider.refund(refundOf(amount));
      if (!accepted.ok) throw new Error('refund not accepted');
      const result = await provider.retrieveRefund({ account, refundId: `re_${amount}`, paymentId: 'pay_01test', refundReference: accepted.reference });
      expect(result).toMatchObject({ ok: true, outcome: { type, refundId: `re_${amount}`, refundReference: accepted.reference } });
    }
  });

  it('a refund it has no record of is still pending (processing), never a guessed outcome', async () => {
    const result = await withLedger().retrieveRefund({ account, refundId: 're_unknown', paymentId: 'pay_01test', refundReference: 'sbxre_re_unknown' });
    expect(result).toEqual({ ok: true, outcome: { type: 'processing' } });
  });
});
