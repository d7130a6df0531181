import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, validPayment, type TestPlatform } from './harness.js';

/** The injected failure looks like a database error with internals that must never reach the client. */
const FAULT_MESSAGE = 'injected fault: insert into "payments" ("id", "tenant_id") values ($1, $2) - password=s3cr3t';

let t: TestPlatform;
let token: string;
let tenantId: string;
let failAt: string | null = null;
const hits: string[] = [];

beforeAll(async () => {
  t = await startTestPlatform({
    fault: (point) => {
      hits.push(point);
      if (point === failAt) throw new Error(FAULT_MESSAGE);
    },
  });
  const tenant = await t.tenantWithTokens('atomic-shop');
  token = tenant.sandboxToken;
  tenantId = tenant.tenantId;
});
afterAll(() => t.close());

async function counts() {
  return {
    payments: await t.count('payments'),
    events: await t.count('events'),
    audit: await t.count(`audit_log where action = 'payment.create'`),
    idempotencyKeys: await t.count('idempotency_keys'),
  };
}

describe.each(['payment.create:after_insert', 'payment.create:before_commit'])('a failure at %s', (point) => {
  it('answers 500 api_error with a generic message and leaves no payment, event, audit entry or idempotency record', async () => {
    const key = `atomic-${point}`;
    const before = await counts();
    expect(before.payments).toBe(before.audit); // every earlier payment has its audit entry
    hits.length = 0;
    failAt = point;
    let res;
    try {
      res = await t.request('POST', '/v1/payments', { token, idempotencyKey: key, body: validPayment });
    } finally {
      failAt = null;
    }
    expect(hits).toContain(point);

    expect(res.status).toBe(500);
    expect(res.body.error).toMatchObject({ type: 'api_error', code: 'internal_error', requestId: res.headers.get('request-id') });
    expect(Object.keys(res.body.error).sort()).toEqual(['code', 'message', 'requestId', 'type']);
    for (const leak of ['injected', 'insert', 'payments', 's3cr3t', 'password', 'Error:', '    at ', '.ts:']) {
      expect(res.text).not.toContain(leak);
    }

    expect(await counts()).toEqual(before);
    expect(await t.count(`idempotency_keys where tenant_id = '${tenantId}' and key = '${key}'`)).toBe(0);

    // A 5xx is not stored: the same key, retried once the fault is gone, creates the payment.
    const retry = await t.request('POST', '/v1/payments', { token, idempotencyKey: key, body: validPayment });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(retry.body).toMatchObject({ object: 'payment', status: 'requires_payment_method', amount: validPayment.amount });
    expect(await counts()).toEqual({
      payments: before.payments + 1,
      events: before.events + 1,
      audit: before.audit + 1,
      idempotencyKeys: before.idempotencyKeys + 1,
    });

    // ...and from now on that key replays the 201.
    const replay = await t.request('POST', '/v1/payments', { token, idempotencyKey: key, body: validPayment });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.text).toBe(retry.text);
  });
});
