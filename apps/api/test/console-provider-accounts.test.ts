import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from './harness.js';
import { auditOf, expectError, ok, signedIn } from './console-helpers.js';

/** console.providerAccounts: admins configure a tenant's Stripe/Adyen accounts and routing; credentials never come back. */
let t: TestPlatform;
let admin: Awaited<ReturnType<typeof signedIn>>;
let support: Awaited<ReturnType<typeof signedIn>>;
let tenantId: string;

const stripe = (n: string) => ({
  secretKey: `sk_test_${n}SECRETabcdefgh1234`,
  publishableKey: `pk_test_${n}PUBLICabcdefgh`,
  webhookSecret: `whsec_${n}HOOKSECRETxyz9876`,
});

beforeAll(async () => {
  t = await startTestPlatform({ worker: false });
  admin = await signedIn(t, 'admin');
  support = await signedIn(t, 'support');
  tenantId = ok(await admin.client.mutate('tenants.create', { appName: 'accounts-shop' })).tenantId;
});
afterAll(() => t.close());

describe('console.providerAccounts', () => {
  it('add returns the account masked; list shows routing order; secrets never leave; audited with the admin', async () => {
    const config = stripe('A');
    const added = ok(await admin.client.mutate('providerAccounts.add', { tenantId, mode: 'sandbox', provider: 'stripe', config, label: 'Main' }));
    expect(added).toMatchObject({ id: expect.stringMatching(/^pa_/), tenantId, mode: 'sandbox', provider: 'stripe', label: 'Main', position: 1 });
    expect(added.credentials.publishableKey).toBe(config.publishableKey);
    expect(added.credentials.secretKey).toMatch(/^sk_test_…1234$/);
    const listed = ok(await support.client.query('providerAccounts.list', { tenantId, mode: 'sandbox' }));
    expect(listed).toEqual({ data: [added], nextCursor: null });
    for (const text of [JSON.stringify(added), JSON.stringify(listed)]) {
      expect(text).not.toContain(config.secretKey);
      expect(text).not.toContain(config.webhookSecret);
    }
    expect(ok(await support.client.query('providerAccounts.list', { tenantId, mode: 'live' })).data).toEqual([]);
    const [entry] = await auditOf(t, `action = 'provider_account.create' and target_id = ?`, [added.id]);
    expect(entry).toMatchObject({ actor_type: 'user', actor_id: admin.user.id, tenant_id: tenantId, mode: 'sandbox' });
    expect(JSON.stringify(entry)).not.toContain(config.secretKey);
  });

  it('setRouting reorders; remove deletes; both audited', async () => {
    const second = ok(await admin.client.mutate('providerAccounts.add', { tenantId, mode: 'sandbox', provider: 'stripe', config: stripe('B') }));
    const before = ok(await admin.client.query('providerAccounts.list', { tenantId, mode: 'sandbox' })).data.map((a: any) => a.id);
    expect(before[1]).toBe(second.id);
    const reordered = ok(await admin.client.mutate('providerAccounts.setRouting', { tenantId, mode: 'sandbox', accountIds: [...before].reverse() }));
    expect(reordered.data.map((a: any) => [a.id, a.position])).toEqual([
      [before[1], 1],
      [before[0], 2],
    ]);
    expectError(await admin.client.mutate('providerAccounts.setRouting', { tenantId, mode: 'sandbox', accountIds: [before[0]] }), 400, 'parameter_invalid');

    expect(ok(await admin.client.mutate('providerAccounts.remove', { accountId: second.id }))).toEqual({ id: second.id, deleted: true });
    expect(ok(await admin.client.query('providerAccounts.list', { tenantId, mode: 'sandbox' })).data.map((a: any) => a.id)).toEqual([before[0]]);
    const [routing] = await auditOf(t, `action = 'provider_account.routing' and target_id = ?`, [tenantId]);
    expect(routing).toMatchObject({ actor_type: 'user', actor_id: admin.user.id, after: [before[1], before[0]] });
    const [removed] = await auditOf(t, `action = 'provider_account.delete' and target_id = ?`, [second.id]);
    expect(removed).toMatchObject({ actor_type: 'user', actor_id: admin.user.id });
    expectError(await admin.client.mutate('providerAccounts.remove', { accountId: second.id }), 404, 'resource_missing');
  });

  it('validates credentials per provider and mode, naming the field', async () => {
    const wrongMode = expectError(await admin.client.mutate('providerAccounts.add', { tenantId, mode: 'live', provider: 'stripe', config: stripe('C') }), 400, 'parameter_invalid');
    expect(wrongMode.message).toMatch(/live/);
    const badField = expectError(
      await admin.client.mutate('providerAccounts.add', { tenantId, mode: 'sandbox', provider: 'stripe', config: { ...stripe('D'), secretKey: 'nope' } }),
      400,
      'parameter_invalid',
    );
    expect(badField.message).toMatch(/secretKey/);
    expectError(await admin.client.mutate('providerAccounts.add', { tenantId, mode: 'sandbox', provider: 'paypal', config: {} }), 400, 'parameter_invalid');
    expectError(await admin.client.mutate('providerAccounts.add', { tenantId: 'ten_nope', mode: 'sandbox', provider: 'stripe', config: stripe('E') }), 404, 'resource_missing');
  });

  it('support and viewer cannot add, remove or reorder (403)', async () => {
    const viewer = await signedIn(t, 'viewer');
    const [account] = ok(await admin.client.query('providerAccounts.list', { tenantId, mode: 'sandbox' })).data;
    for (const client of [support.client, viewer.client]) {
      expectError(await client.mutate('providerAccounts.add', { tenantId, mode: 'sandbox', provider: 'stripe', config: stripe('F') }), 403, 'permission_denied');
      expectError(await client.mutate('providerAccounts.remove', { accountId: account.id }), 403, 'permission_denied');
      expectError(await client.mutate('providerAccounts.setRouting', { tenantId, mode: 'sandbox', accountIds: [account.id] }), 403, 'permission_denied');
    }
    expect(ok(await admin.client.query('providerAccounts.list', { tenantId, mode: 'sandbox' })).data).toHaveLength(1);
  });
});
