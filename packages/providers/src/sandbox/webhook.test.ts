import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { parseSandboxWebhook, signSandboxWebhook, type SandboxWebhookBody } from './webhook.js';

const KEY = crypto.randomBytes(32);
const SECRET = `whsec_${KEY.toString('base64')}`;
const OTHER_SECRET = `whsec_${crypto.randomBytes(32).toString('base64')}`;

const body: SandboxWebhookBody = {
  id: 'sbxevt_round_trip',
  type: 'sandbox.outcome',
  created: '2026-11-25T12:00:00.000Z',
  data: {
    paymentId: 'pay_01abc',
    attemptId: 'att_01abc',
    reference: 'sbx_att_01abc',
    outcome: { type: 'failed', code: 'card_declined', message: 'The card was declined.' },
  },
};
const raw = (b: unknown = body) => Buffer.from(JSON.stringify(b));

describe('signSandboxWebhook → parseSandboxWebhook', () => {
  it('round-trips to one normalized provider event', () => {
    const headers = signSandboxWebhook(SECRET, body);
    expect(headers['content-type']).toBe('application/json');
    expect(headers['webhook-id']).toBe(body.id);
    expect(parseSandboxWebhook(SECRET, raw(), headers)).toEqual({
      ok: true,
      events: [
        {
          eventId: 'sbxevt_round_trip',
          paymentId: 'pay_01abc',
          accountId: 'sandbox',
          attemptId: 'att_01abc',
          reference: 'sbx_att_01abc',
          outcome: { type: 'failed', code: 'card_declined', message: 'The card was declined.' },
          occurredAt: new Date('2026-11-25T12:00:00.000Z'),
        },
      ],
    });
  });

  it('an event without attemptId parses without one (matched by reference later)', () => {
    const { attemptId: _a, ...data } = body.data;
    const noAttempt = { ...body, data } as unknown as SandboxWebhookBody;
    const parsed = parseSandboxWebhook(SECRET, raw(noAttempt), signSandboxWebhook(SECRET, noAttempt));
    expect(parsed.ok).toBe(true);
    expect(parsed.ok && parsed.events[0]).not.toHaveProperty('attemptId');
    expect(parsed.ok && parsed.events[0]!.reference).toBe('sbx_att_01abc');
  });

  it('is a Standard Webhooks signature: the standardwebhooks package and a hand-made HMAC both verify it', () => {
    const now = new Date();
    const headers = signSandboxWebhook(SECRET, body, now);
    const payload = JSON.stringify(body);
    // The public library, as a receiver would use it.
    expect(new Webhook(SECRET).verify(payload, headers)).toEqual(body);
    // The spec's formula: v1,<base64(HMAC-SHA256(secret, "{id}.{timestamp}.{body}"))>
    const ts = Math.floor(now.getTime() / 1000);
    expect(headers['webhook-timestamp']).toBe(String(ts));
    const expected = crypto.createHmac('sha256', KEY).update(`${body.id}.${ts}.${payload}`).digest('base64');
    expect(headers['webhook-signature']).toBe(`v1,${expected}`);
  });

  it('accepts a header carrying an old and a new signature (rotation), if one matches', () => {
    const headers = signSandboxWebhook(SECRET, body);
    const old = signSandboxWebhook(OTHER_SECRET, body)['webhook-signature'];
    const parsed = parseSandboxWebhook(SECRET, raw(), { ...headers, 'webhook-signature': `${old} ${headers['webhook-signature']}` });
    expect(parsed.ok).toBe(true);
  });
});

describe('parseSandboxWebhook rejects', () => {
  const invalid = { ok: false, kind: 'invalid_signature' };

  it('a tampered body', () => {
    const headers = signSandboxWebhook(SECRET, body);
    const tampered = { ...body, data: { ...body.data, outcome: { type: 'succeeded' } } };
    expect(parseSandboxWebhook(SECRET, raw(tampered), headers)).toMatchObject(invalid);
    // even one byte (whitespace) changes the signature: verification is on the raw body
    expect(parseSandboxWebhook(SECRET, Buffer.from(`${JSON.stringify(body)} `), headers)).toMatchObject(invalid);
  });

  it('a signature made with another secret', () => {
    expect(parseSandboxWebhook(SECRET, raw(), signSandboxWebhook(OTHER_SECRET, body))).toMatchObject(invalid);
  });

  it('a tampered timestamp or event id header', () => {
    const headers = signSandboxWebhook(SECRET, body);
    const ts = Number(headers['webhook-timestamp']);
    expect(parseSandboxWebhook(SECRET, raw(), { ...headers, 'webhook-timestamp': String(ts + 1) })).toMatchObject(invalid);
    expect(parseSandboxWebhook(SECRET, raw(), { ...headers, 'webhook-id': 'sbxevt_other' })).toMatchObject(invalid);
  });

  it('a timestamp outside the 5-minute tolerance, even when correctly signed', () => {
    const old = new Date(Date.now() - 10 * 60_000);
    const future = new Date(Date.now() + 10 * 60_000);
    expect(parseSandboxWebhook(SECRET, raw(), signSandboxWebhook(SECRET, body, old))).toMatchObject(invalid);
    expect(parseSandboxWebhook(SECRET, raw(), signSandboxWebhook(SECRET, body, future))).toMatchObject(invalid);
  });

  it('missing signature headers, or a signature of another version', () => {
    const headers = signSandboxWebhook(SECRET, body);
    expect(parseSandboxWebhook(SECRET, raw(), {})).toMatchObject(invalid);
    const { 'webhook-signature': _s, ...noSignature } = headers;
    expect(parseSandboxWebhook(SECRET, raw(), noSignature)).toMatchObject(invalid);
    const v2 = headers['webhook-signature']!.replace(/^v1,/, 'v2,');
    expect(parseSandboxWebhook(SECRET, raw(), { ...headers, 'webhook-signature': v2 })).toMatchObject(invalid);
  });

  it('a correctly signed body without id, paymentId, reference or outcome as malformed', () => {
    const variants: unknown[] = [
      { ...body, id: '' },
      { ...body, data: { ...body.data, paymentId: undefined } },
      { ...body, data: { ...body.data, reference: undefined } },
      { ...body, data: { ...body.data, outcome: undefined } },
      { ...body, data: { ...body.data, outcome: {} } },
      { ...body, data: undefined },
      null,
      [],
    ];
    for (const variant of variants) {
      const payload = JSON.stringify(variant);
      const now = new Date();
      const id = 'sbxevt_malformed';
      const headers = {
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': new Webhook(SECRET).sign(id, now, payload),
      };
      expect(parseSandboxWebhook(SECRET, Buffer.from(payload), headers), payload).toMatchObject({ ok: false, kind: 'malformed' });
    }
  });

  it('a correctly signed body that is not JSON as malformed (the signature was fine)', () => {
    const payload = 'this is not json';
    const now = new Date();
    const headers = {
      'webhook-id': 'sbxevt_not_json',
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': new Webhook(SECRET).sign('sbxevt_not_json', now, payload),
    };
    expect(parseSandboxWebhook(SECRET, Buffer.from(payload), headers)).toMatchObject({ ok: false, kind: 'malformed' });
  });
});
