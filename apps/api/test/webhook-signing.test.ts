import { describe, expect, it } from 'vitest';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { generateWebhookSecret, signWebhook } from '../src/webhooks/signing.js';

/** Standard Webhooks signing (spec/webhooks.md "Out"; test vector from shared/fixtures/README.md). */
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('signWebhook', () => {
  it('reproduces the published Standard Webhooks test vector exactly', () => {
    const headers = signWebhook([VECTOR.secret], VECTOR.id, new Date(VECTOR.timestamp * 1000), VECTOR.body);
    expect(headers).toEqual({
      'content-type': 'application/json',
      'webhook-id': VECTOR.id,
      'webhook-timestamp': String(VECTOR.timestamp),
      'webhook-signature': VECTOR.signature,
    });
  });

  it('truncates sub-second timestamps to whole seconds (header and signature agree)', () => {
    const headers = signWebhook([VECTOR.secret], VECTOR.id, new Date(VECTOR.timestamp * 1000 + 999), VECTOR.body);
    expect(headers['webhook-timestamp']).toBe(String(VECTOR.timestamp));
    expect(headers['webhook-signature']).toBe(VECTOR.signature);
  });

  it('with two secrets (rotation) sends two space-separated signatures, old first, each verifiable by standardwebhooks', () => {
    const oldSecret = generateWebhookSecret();
    const newSecret = generateWebhookSecret();
    const body = JSON.stringify({ id: 'evt_1', object: 'event', type: 'payment.succeeded' });
    const now = new Date();
    const headers = signWebhook([oldSecret, newSecret], 'evt_1', now, body);
    const parts = headers['webhook-signature']!.split(' ');
    expect(parts).toHaveLength(2);
    for (const p of parts) expect(p).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(parts[0]).toBe(new Webhook(oldSecret).sign('evt_1', now, body));
    expect(parts[1]).toBe(new Webhook(newSecret).sign('evt_1', now, body));
    expect(parts[0]).not.toBe(parts[1]);

    expect(new Webhook(oldSecret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(newSecret).verify(body, headers)).toEqual(JSON.parse(body));
    // a third, unrelated secret verifies neither
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow(WebhookVerificationError);
    // one secret → exactly one signature
    expect(signWebhook([newSecret], 'evt_1', now, body)['webhook-signature']).not.toContain(' ');
  });

  it('standardwebhooks rejects a tampered body, id or timestamp', () => {
    const secret = generateWebhookSecret();
    const body = JSON.stringify({ id: 'evt_2', data: { object: { amount: 1999 } } });
    const headers = signWebhook([secret], 'evt_2', new Date(), body);
    const wh = new Webhook(secret);
    expect(wh.verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => wh.verify(body.replace('1999', '1'), headers)).toThrow(WebhookVerificationError);
    expect(() => wh.verify(body + ' ', headers)).toThrow(WebhookVerificationError);
    expect(() => wh.verify(body, { ...headers, 'webhook-id': 'evt_other' })).toThrow(WebhookVerificationError);
    expect(() => wh.verify(body, { ...headers, 'webhook-timestamp': String(Number(headers['webhook-timestamp']) - 1) })).toThrow(
      WebhookVerificationError,
    );
  });
});

describe('generateWebhookSecret', () => {
  it('is whsec_ + base64 of 24–64 random bytes, usable by standardwebhooks, and unique', () => {
    const a = generateWebhookSecret();
    const b = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const bytes = Buffer.from(a.slice('whsec_'.length), 'base64').length;
    expect(bytes).toBeGreaterThanOrEqual(24);
    expect(bytes).toBeLessThanOrEqual(64);
    expect(a).not.toBe(b);
    expect(() => new Webhook(a)).not.toThrow();
  });
});
