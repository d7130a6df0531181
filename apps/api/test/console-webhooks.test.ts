import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from './harness.js';
import { auditOf, createEndpoint, createPayment, expectError, ok, signedIn, startReceiver, waitFor } from './console-helpers.js';

/**
 * console.webhooks: deliveries across tenants (failed first), replay and test sends. The retry
 * schedule is scaled down 100 000× so a failing endpoint exhausts it in about a second.
 */
let t: TestPlatform;
let admin: Awaited<ReturnType<typeof signedIn>>;
let support: Awaited<ReturnType<typeof signedIn>>;
let viewer: Awaited<ReturnType<typeof signedIn>>;
type Shop = Awaited<ReturnType<TestPlatform['tenantWithTokens']>>;
let shopA: Shop;
let shopB: Shop;
let failing: Awaited<ReturnType<typeof startReceiver>>;
let healthy: Awaited<ReturnType<typeof startReceiver>>;
let failingEndpoint: { id: string };
let failedDeliveryId: string;
const base = { amount: 1500, currency: 'EUR', returnUrl: 'https://shop.example.com/done' };

beforeAll(async () => {
  t = await startTestPlatform({ webhookRetryScale: 0.00001 });
  admin = await signedIn(t, 'admin');
  support = await signedIn(t, 'support');
  viewer = await signedIn(t, 'viewer');
  shopA = await t.tenantWithTokens('hook-shop-a');
  shopB = await t.tenantWithTokens('hook-shop-b');
  failing = await startReceiver(500);
  healthy = await startReceiver(200);
  failingEndpoint = await createEndpoint(t, shopA.sandboxToken, failing.url);
  await createEndpoint(t, shopB.sandboxToken, healthy.url);
  await createPayment(t, shopA.sandboxToken, base);
  await createPayment(t, shopB.sandboxToken, base);
  await createPayment(t, shopB.sandboxToken, base);
  failedDeliveryId = await waitFor('a delivery to exhaust its retries', async () => {
    const [row] = await t.sql(`select id from webhook_deliveries where status = 'failed'`);
    return row?.id as string | undefined;
  });
  await waitFor('the healthy deliveries', async () => (await t.sql(`select * from webhook_deliveries where status = 'succeeded'`)).length === 2);
});
afterAll(async () => {
  await failing?.close();
  await healthy?.close();
  await t?.close();
});

describe('console.webhooks.deliveries', () => {
  it('lists failed deliveries first, then the newest, each with its attempts', async () => {
    const page = ok(await viewer.client.query('webhooks.deliveries'));
    expect(page.data.map((d: any) => d.status)).toEqual(['failed', 'succeeded', 'succeeded']);
    const [failed, newest, older] = page.data;
    expect(failed).toMatchObject({
      id: failedDeliveryId,
      tenantId: shopA.tenantId,
      mode: 'sandbox',
      endpointId: failingEndpoint.id,
      endpointUrl: failing.url,
      eventType: 'payment.created',
      lastStatusCode: 500,
      attemptCount: 8,
    });
    expect(failed.attempts).toHaveLength(8);
    for (const a of failed.attempts) expect(a).toEqual({ id: expect.stringMatching(/^wha_/), at: expect.any(String), statusCode: 500, latencyMs: expect.any(Number), error: null });
    expect(newest.id > older.id).toBe(true);
    expect(newest.attempts).toEqual([expect.objectContaining({ statusCode: 200 })]);
  });

  it('filters by tenant and status, and pages across the failed/rest boundary', async () => {
    expect(ok(await viewer.client.query('webhooks.deliveries', { tenantId: shopB.tenantId })).data.map((d: any) => d.tenantId)).toEqual([shopB.tenantId, shopB.tenantId]);
    expect(ok(await viewer.client.query('webhooks.deliveries', { status: 'failed' })).data.map((d: any) => d.id)).toEqual([failedDeliveryId]);
    const first = ok(await viewer.client.query('webhooks.deliveries', { limit: 1 }));
    expect(first.data.map((d: any) => d.status)).toEqual(['failed']);
    const second = ok(await viewer.client.query('webhooks.deliveries', { limit: 1, cursor: first.nextCursor }));
    const third = ok(await viewer.client.query('webhooks.deliveries', { limit: 1, cursor: second.nextCursor }));
    expect(third.nextCursor).toBeNull();
    const all = ok(await viewer.client.query('webhooks.deliveries'));
    expect([...first.data, ...second.data, ...third.data].map((d: any) => d.id)).toEqual(all.data.map((d: any) => d.id));
    expectError(await viewer.client.query('webhooks.deliveries', { cursor: 'garbage' }), 400, 'parameter_invalid');
  });
});

describe('console.webhooks.replay and sendTest', () => {
  it('a viewer may not replay or send tests (403), and nothing is sent', async () => {
    const before = failing.state.received;
    expectError(await viewer.client.mutate('webhooks.replay', { deliveryId: failedDeliveryId }), 403, 'permission_denied');
    expectError(await viewer.client.mutate('webhooks.sendTest', { endpointId: failingEndpoint.id }), 403, 'permission_denied');
    await new Promise((r) => setTimeout(r, 300));
    expect(failing.state.received).toBe(before);
  });

  it('support replays a failed delivery: a new delivery reaches the (now healthy) endpoint; audited with the user', async () => {
    failing.state.status = 200;
    const before = failing.state.received;
    const replayed = ok(await support.client.mutate('webhooks.replay', { deliveryId: failedDeliveryId }));
    expect(replayed).toMatchObject({ tenantId: shopA.tenantId, endpointId: failingEndpoint.id, status: 'pending' });
    expect(replayed.id).not.toBe(failedDeliveryId);
    await waitFor('the replay to arrive', async () => failing.state.received > before);
    const done = await waitFor('the replay to succeed', async () => {
      const [row] = await t.sql(`select * from webhook_deliveries where id = ? and status = 'succeeded'`, [replayed.id]);
      return row;
    });
    expect(done.event_id).toBe(replayed.eventId);
    const [entry] = await auditOf(t, `action = 'webhook_endpoint.replay' and target_id = ?`, [failingEndpoint.id]);
    expect(entry).toMatchObject({ actor_type: 'user', actor_id: support.user.id, tenant_id: shopA.tenantId, after: { eventId: replayed.eventId } });
  });

  it('support sends a test event to an endpoint of any tenant; audited with the user', async () => {
    const before = failing.state.received;
    const sent = ok(await support.client.mutate('webhooks.sendTest', { endpointId: failingEndpoint.id }));
    expect(sent).toMatchObject({ tenantId: shopA.tenantId, endpointId: failingEndpoint.id });
    await waitFor('the test event', async () => failing.state.received > before);
    const [event] = await t.sql('select type from events where id = ?', [sent.eventId]);
    expect(event.type).toBe('webhook.test');
    const [entry] = await auditOf(t, `action = 'webhook_endpoint.test' and target_id = ?`, [failingEndpoint.id]);
    expect(entry).toMatchObject({ actor_type: 'user', actor_id: support.user.id });
  });

  it('unknown ids answer 404', async () => {
    expectError(await support.client.mutate('webhooks.replay', { deliveryId: 'whd_nope' }), 404, 'resource_missing');
    expectError(await support.client.mutate('webhooks.sendTest', { endpointId: 'we_nope' }), 404, 'resource_missing');
  });
});

describe('console.webhooks.updateEndpoint (admin only)', () => {
  const disable = () =>
    t.sql(`update webhook_endpoints set status = 'disabled', disabled_reason = 'The endpoint answered 410 Gone', failing_since = now() - interval '6 days' where id = ?`, [
      failingEndpoint.id,
    ]);
  const endpointRow = async () =>
    (await t.sql('select status, disabled_reason, failing_since, updated_at from webhook_endpoints where id = ?', [failingEndpoint.id]))[0];
  const updateAudits = async () => (await auditOf(t, `action = 'webhook_endpoint.update' and target_id = ?`, [failingEndpoint.id])).length;

  it('viewer and support may neither enable nor disable an endpoint (403 permission_denied): it is unchanged and nothing is audited', async () => {
    await disable();
    const disabled = await endpointRow();
    const audits = await updateAudits();
    for (const user of [viewer, support]) {
      expectError(await user.client.mutate('webhooks.updateEndpoint', { endpointId: failingEndpoint.id, status: 'enabled' }), 403, 'permission_denied');
    }
    expect(await endpointRow()).toEqual(disabled);

    ok(await admin.client.mutate('webhooks.updateEndpoint', { endpointId: failingEndpoint.id, status: 'enabled' }));
    const enabled = await endpointRow();
    expect(enabled.status).toBe('enabled');
    const afterAdmin = await updateAudits();
    expect(afterAdmin).toBe(audits + 1);
    for (const user of [viewer, support]) {
      expectError(await user.client.mutate('webhooks.updateEndpoint', { endpointId: failingEndpoint.id, status: 'disabled' }), 403, 'permission_denied');
    }
    expect(await endpointRow()).toEqual(enabled);
    expect(await updateAudits()).toBe(afterAdmin);
  });

  it('an admin enables a disabled endpoint of any tenant: the failure clock restarts, new events arrive; audited with the user', async () => {
    await disable();
    failing.state.status = 200;
    const enabled = ok(await admin.client.mutate('webhooks.updateEndpoint', { endpointId: failingEndpoint.id, status: 'enabled' }));
    expect(enabled).toMatchObject({ id: failingEndpoint.id, tenantId: shopA.tenantId, status: 'enabled', disabledReason: null });
    const [row] = await t.sql('select status, disabled_reason, failing_since from webhook_endpoints where id = ?', [failingEndpoint.id]);
    expect(row).toEqual({ status: 'enabled', disabled_reason: null, failing_since: null });
    const tenant = ok(await viewer.client.query('tenants.get', { tenantId: shopA.tenantId }));
    expect(tenant.webhookEndpoints.find((e: any) => e.id === failingEndpoint.id)).toMatchObject({ status: 'enabled', disabledReason: null, failingSince: null });

    const before = failing.state.received;
    await createPayment(t, shopA.sandboxToken, base);
    await waitFor('the new event to arrive', async () => failing.state.received > before);

    const entry = (await auditOf(t, `action = 'webhook_endpoint.update' and target_id = ?`, [failingEndpoint.id])).at(-1);
    expect(entry).toMatchObject({
      actor_type: 'user',
      actor_id: admin.user.id,
      tenant_id: shopA.tenantId,
      mode: 'sandbox',
      before: { status: 'disabled' },
      after: { status: 'enabled', disabledReason: null },
    });
  });

  it('an admin may disable one too; unknown ids answer 404 and a bad status 400', async () => {
    const disabled = ok(await admin.client.mutate('webhooks.updateEndpoint', { endpointId: failingEndpoint.id, status: 'disabled' }));
    expect(disabled).toMatchObject({ status: 'disabled', disabledReason: 'Disabled in the console' });
    expectError(await admin.client.mutate('webhooks.updateEndpoint', { endpointId: 'we_nope', status: 'enabled' }), 404, 'resource_missing');
    expectError(await admin.client.mutate('webhooks.updateEndpoint', { endpointId: failingEndpoint.id, status: 'paused' }), 400, 'parameter_invalid');
    ok(await admin.client.mutate('webhooks.updateEndpoint', { endpointId: failingEndpoint.id, status: 'enabled' }));
  });
});
