import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { validPayment, type TestPlatform } from '../apps/api/test/harness.js';

/** A payment created through the REST API with a tenant token (`validPayment` + `body`); `url` is its hosted checkout on the test server. */
export async function createPayment(t: TestPlatform, token: string, body: Record<string, unknown> = {}): Promise<{ id: string; url: string }> {
  const res = await t.request('POST', '/v1/payments', { token, idempotencyKey: randomUUID(), body: { ...validPayment, ...body } });
  expect(res.status, res.text).toBe(201);
  return { id: res.body.id, url: res.body.checkoutUrl.replace(t.config.publicUrl, t.baseUrl) };
}
