import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AdyenCredentials, ProviderAccount } from '@platform/core';
import { authorisationItem, notification, refundItem, signAdyenNotification, type AdyenNotificationItem } from '../../test/fakes/adyen-fake.js';
import { HmacValidator } from './sdk.js';
import { parseAdyenWebhook } from './webhook.js';

const vectors = JSON.parse(readFileSync(new URL('../../test/fixtures/adyen-hmac-vectors.json', import.meta.url), 'utf8')) as {
  standardNotification: { hmacKey: string; dataToSign: string; expectedSignature: string; notification?: unknown }[];
};

const KEY_A = 'A'.repeat(64);
const KEY_B = '0123456789abcdef'.repeat(4);
const adyen = (id: string, credentials: Partial<AdyenCredentials>): ProviderAccount => ({
  id,
  provider: 'adyen',
  mode: 'sandbox',
  credentials: { apiKey: `AQE_${id}_key_0123456789`, merchantAccount: 'YOUR_MERCHANT_ACCOUNT', clientKey: 'test_CLIENTKEY1', hmacKey: KEY_A, environment: 'test', ...credentials },
});
const accountA = adyen('acct_a', {});
const accountOther = adyen('acct_other', { merchantAccount: 'OtherMerchant', hmacKey: KEY_B });

const raw = (body: unknown) => Buffer.from(JSON.stringify(body));
const parse = (items: AdyenNotificationItem[], accounts: readonly ProviderAccount[] = [accountA]) => parseAdyenWebhook(raw(notification(items)), accounts);

describe('Adyen HMAC: the published vectors', () => {
  it('every standardNotification vector: the SDK signs dataToSign to expectedSignature', () => {
    for (const v of vectors.standardNotification) {
      expect(new HmacValidator().calculateHmac(v.dataToSign, v.hmacKey)).toBe(v.expectedSignature);
    }
  });

  it('the vector notification verifies against the account with its merchant account and key', () => {
    const v = vectors.standardNotification[0]!;
    const account = adyen('acct_vec', { merchantAccount: 'merchantAccount', hmacKey: v.hmacKey });
    const parsed = parseAdyenWebhook(raw(v.notification), [accountA, account]);
    expect(parsed).toEqual({
      ok: true,
      events: [
        {
          eventId: 'pspReference:REPORT_AVAILABLE:true',
          paymentId: 'reference',
          accountId: 'acct_vec',
          // No metadata.attemptId in the vector: nothing names the attempt.
          attemptUnknown: true,
          reference: 'pspReference',
          outcome: { type: 'not_supported', providerType: 'REPORT_AVAILABLE' },
          occurredAt: new Date('2019-09-21T11:45:24.637Z'),
        },
      ],
    });
  });

  it('tampered amount, wrong key, missing signature → invalid_signature', () => {
    const v = vectors.standardNotification[0]!;
    const account = adyen('acct_vec', { merchantAccount: 'merchantAccount', hmacKey: v.hmacKey });
    const body = structuredClone(v.notification) as { notificationItems: { NotificationRequestItem: { amount: { value: number }; additionalData?: unknown } }[] };
    body.notificationItems[0]!.NotificationRequestItem.amount.value = 1;
    expect(parseAdyenWebhook(raw(body), [account])).toMatchObject({ ok: false, kind: 'invalid_signature' });
    expect(parseAdyenWebhook(raw(v.notification), [adyen('acct_vec', { merchantAccount: 'merchantAccount', hmacKey: KEY_B })])).toMatchObject({ ok: false, kind: 'invalid_signature' });
    delete body.notificationItems[0]!.NotificationRequestItem.additionalData;
    expect(parseAdyenWebhook(raw(body), [account])).toMatchObject({ ok: false, kind: 'invalid_signature' });
  });
});

describe('parseAdyenWebhook: which account', () => {
  it('an item for another merchant account is not verified by an account with the same key', () => {
    const sameKeyOtherMerchant = adyen('acct_same_key', { merchantAccount: 'SomeoneElse' });
    expect(parse([signAdyenNotification(authorisationItem(), KEY_A)], [sameKeyOtherMerchant])).toMatchObject({ ok: false, kind: 'invalid_signature' });
  });

  it('two accounts: the event names the one whose merchant account and key verify it', () => {
    const item = signAdyenNotification(authorisationItem({ merchantAccountCode: 'OtherMerchant' }), KEY_B);
    expect(parse([item], [accountA, accountOther])).toMatchObject({ ok: true, events: [{ accountId: 'acct_other' }] });
    const forA = signAdyenNotification(authorisationItem(), KEY_A);
    expect(parse([forA], [accountOther, accountA])).toMatchObject({ ok: true, events: [{ accountId: 'acct_a' }] });
  });

  it('all items must verify against ONE account', () => {
    const forA = signAdyenNotification(authorisationItem({ pspReference: 'PSP_A' }), KEY_A);
    const forOther = signAdyenNotification(authorisationItem({ pspReference: 'PSP_O', merchantAccountCode: 'OtherMerchant' }), KEY_B);
    expect(parse([forA, forOther], [accountA, accountOther])).toMatchObject({ ok: false, kind: 'invalid_signature' });
    const twoForA = parse([forA, signAdyenNotification(authorisationItem({ pspReference: 'PSP_A2' }), KEY_A)], [accountOther, accountA]);
    expect(twoForA.ok && twoForA.events.map((e) => [e.eventId, e.accountId])).toEqual([
      ['PSP_A:AUTHORISATION:true', 'acct_a'],
      ['PSP_A2:AUTHORISATION:true', 'acct_a'],
    ]);
  });

  it('ignores non-Adyen accounts and accounts with an empty or non-hex HMAC key', () => {
    const emptyKey = adyen('acct_empty', { hmacKey: '' });
    const unsigned = signAdyenNotification(authorisationItem(), '');
    expect(parse([unsigned], [emptyKey, adyen('acct_bad', { hmacKey: 'zz' })])).toMatchObject({ ok: false, kind: 'invalid_signature' });
    expect(parse([signAdyenNotification(authorisationItem(), KEY_A)], [{ id: 'sandbox', provider: 'sandbox', mode: 'sandbox', credentials: null }])).toMatchObject({ ok: false, kind: 'invalid_signature' });
  });

  it('bad JSON or no notification items → malformed', () => {
    expect(parseAdyenWebhook(Buffer.from('[accepted'), [accountA])).toMatchObject({ ok: false, kind: 'malformed' });
    for (const body of [{}, { notificationItems: [] }, { notificationItems: [{}] }, null, [1]]) {
      expect(parseAdyenWebhook(raw(body), [accountA]), JSON.stringify(body)).toMatchObject({ ok: false, kind: 'malformed' });
    }
  });

  it('a verified item without eventDate → malformed', () => {
    const { eventDate: _d, ...noDate } = authorisationItem();
    expect(parse([signAdyenNotification(noDate as AdyenNotificationItem, KEY_A)])).toMatchObject({ ok: false, kind: 'malformed' });
  });
});

describe('parseAdyenWebhook: event mapping', () => {
  const one = (item: AdyenNotificationItem) => {
    const parsed = parse([signAdyenNotification(item, KEY_A)]);
    if (!parsed.ok) throw new Error(parsed.message);
    return parsed.events[0]!;
  };

  it('AUTHORISATION true → authorized, with our payment id, attempt id and the pspReference', () => {
    const event = one(authorisationItem({ merchantReference: 'pay_01', pspReference: 'PSP1', additionalData: { 'metadata.attemptId': 'att_01' } }));
    expect(event).toEqual({
      eventId: 'PSP1:AUTHORISATION:true',
      paymentId: 'pay_01',
      accountId: 'acct_a',
      attemptId: 'att_01',
      reference: 'PSP1',
      outcome: { type: 'authorized' },
      occurredAt: new Date('2021-01-01T01:00:00+01:00'),
    });
    expect(event).not.toHaveProperty('attemptUnknown');
    // Without the metadata nothing names the attempt (the pspReference is not the session id).
    const bare = one(authorisationItem());
    expect(bare).not.toHaveProperty('attemptId');
    expect(bare.attemptUnknown).toBe(true);
  });

  it('AUTHORISATION false → failed, code from the refusal reason (else refused), message = reason', () => {
    expect(one(authorisationItem({ success: 'false', reason: 'Refused' })).outcome).toEqual({ type: 'failed', code: 'refused', message: 'Refused' });
    expect(one(authorisationItem({ success: 'false', reason: 'Not enough balance' })).outcome).toEqual({ type: 'failed', code: 'insufficient_funds', message: 'Not enough balance' });
    expect(one(authorisationItem({ success: 'false', reason: 'Expired Card' })).outcome).toMatchObject({ code: 'expired_card' });
    expect(one(authorisationItem({ success: 'false', reason: 'null' })).outcome).toEqual({ type: 'failed', code: 'refused', message: 'The payment was refused.' });
    expect(one(authorisationItem({ success: 'false' })).eventId).toBe('QFQTPCQ8HXSKGK82:AUTHORISATION:false');
  });

  it('CANCELLATION true → canceled, on the payment\'s pspReference; false → not_supported', () => {
    const event = one(authorisationItem({ eventCode: 'CANCELLATION', pspReference: 'MOD1', originalReference: 'PAY1' }));
    expect(event).toMatchObject({ outcome: { type: 'canceled' }, reference: 'PAY1', paymentId: 'YOUR_MERCHANT_REFERENCE' });
    expect(one(authorisationItem({ eventCode: 'CANCELLATION', success: 'false' })).outcome).toEqual({ type: 'not_supported', providerType: 'CANCELLATION:false' });
  });

  it('REFUND true → refund_succeeded: refundId = merchantReference, reference = the payment, refundReference = the refund', () => {
    const event = one(refundItem({ success: 'true', merchantReference: 'ref_01', pspReference: 'RFD1', originalReference: 'PAY1', reason: '' }));
    expect(event).toEqual({
      eventId: 'RFD1:REFUND:true',
      paymentId: null,
      accountId: 'acct_a',
      reference: 'PAY1',
      outcome: { type: 'refund_succeeded', refundId: 'ref_01', refundReference: 'RFD1' },
      occurredAt: new Date('2021-01-01T01:00:00+01:00'),
    });
  });

  it('REFUND false (the spec example) and REFUND_FAILED → refund_failed with the reason', () => {
    expect(one(refundItem())).toMatchObject({
      paymentId: null,
      reference: '9913140798220028',
      outcome: {
        type: 'refund_failed',
        refundId: 'YOUR_MERCHANT_REFERENCE',
        refundReference: 'QFQTPCQ8HXSKGK82',
        code: 'refund_failed',
        message: "Transaction hasn't been captured, refund not possible",
      },
    });
    const failed = one(refundItem({ eventCode: 'REFUND_FAILED', success: 'true', reason: 'Refund rejected by the acquirer', merchantReference: 'ref_02', pspReference: 'RFD2' }));
    expect(failed).toMatchObject({
      eventId: 'RFD2:REFUND_FAILED:true',
      paymentId: null,
      reference: '9913140798220028',
      outcome: { type: 'refund_failed', refundId: 'ref_02', refundReference: 'RFD2', message: 'Refund rejected by the acquirer' },
    });
  });

  it('anything else → not_supported with the event code', () => {
    for (const eventCode of ['CAPTURE', 'CHARGEBACK', 'CANCEL_OR_REFUND', 'REPORT_AVAILABLE']) {
      expect(one(authorisationItem({ eventCode })).outcome).toEqual({ type: 'not_supported', providerType: eventCode });
    }
  });
});
