import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from './harness.js';
import { auditOf, expectError, ok, signedIn } from './console-helpers.js';

/** console.tenants: registration, branding, secrets shown once then only masked. */
let t: TestPlatform;
let admin: Awaited<ReturnType<typeof signedIn>>;

beforeAll(async () => {
  t = await startTestPlatform({ worker: false });
  admin = await signedIn(t, 'admin');
});
afterAll(() => t.close());

describe('console.tenants', () => {
  it('create returns both secrets once; they work for /v1; get and list show them only masked', async () => {
    const created = ok(
      await admin.client.mutate('tenants.create', { appName: 'console-shop', displayName: 'Console Shop', allowedOrigins: ['https://shop.example.com/path'] }),
    );
    expect(created).toMatchObject({ appName: 'console-shop', tenantId: expect.stringMatching(/^ten_/) });
    expect(created.secrets.sandbox).toMatch(/^sk_sandbox_/);
    expect(created.secrets.live).toMatch(/^sk_live_/);
    await t.login('console-shop', created.secrets.sandbox);
    await t.login('console-shop', created.secrets.live);

    const got = ok(await admin.client.query('tenants.get', { tenantId: created.tenantId }));
    expect(got).toMatchObject({
      id: created.tenantId,
      appName: 'console-shop',
      displayName: 'Console Shop',
      allowedOrigins: ['https://shop.example.com'],
      logoUrl: null,
      brandColor: null,
      webhookEndpoints: [],
    });
    expect(got.secrets.sandbox).toEqual({ masked: 'sk_sandbox_••••••••', set: true, rotatedAt: expect.any(String), previousValidUntil: null });
    expect(got.secrets.live.masked).toBe('sk_live_••••••••');
    const list = ok(await admin.client.query('tenants.list'));
    expect(list.data.find((x: any) => x.id === created.tenantId).secrets.live.set).toBe(true);
    for (const text of [JSON.stringify(got), JSON.stringify(list)]) {
      expect(text).not.toContain(created.secrets.sandbox);
      expect(text).not.toContain(created.secrets.live);
      expect(text).not.toMatch(/scrypt/);
    }

    const [entry] = await auditOf(t, `action = 'tenant.create' and target_id = ?`, [created.tenantId]);
    expect(entry).toMatchObject({ actor_type: 'user', actor_id: admin.user.id, tenant_id: created.tenantId });
    expect(JSON.stringify(entry)).not.toContain(created.secrets.sandbox);
  });

  it('rotateSecret returns the new secret once; the old one is in its grace period', async () => {
    const created = ok(await admin.client.mutate('tenants.create', { appName: 'rotate-shop' }));
    const rotated = ok(await admin.client.mutate('tenants.rotateSecret', { tenantId: created.tenantId, mode: 'live' }));
    expect(rotated).toMatchObject({ tenantId: created.tenantId, appName: 'rotate-shop', mode: 'live', secret: expect.stringMatching(/^sk_live_/) });
    await t.login('rotate-shop', rotated.secret);
    await t.login('rotate-shop', created.secrets.live); // still valid for 24 h
    const got = ok(await admin.client.query('tenants.get', { tenantId: created.tenantId }));
    expect(got.secrets.live.previousValidUntil).toBe(rotated.previousValidUntil);
    expect(got.secrets.sandbox.previousValidUntil).toBeNull();
    expect(JSON.stringify(got)).not.toContain(rotated.secret);
    const [entry] = await auditOf(t, `action = 'tenant.rotate_secret' and target_id = ?`, [created.tenantId]);
    expect(entry).toMatchObject({ actor_type: 'user', actor_id: admin.user.id, mode: 'live' });
  });

  it('update changes branding and origins, validates them, and audits before/after', async () => {
    const created = ok(await admin.client.mutate('tenants.create', { appName: 'brand-shop' }));
    const updated = ok(
      await admin.client.mutate('tenants.update', {
        tenantId: created.tenantId,
        displayName: 'Brand Shop',
        logoUrl: 'https://cdn.example.com/logo.png',
        brandColor: '#1a2b3c',
        allowedOrigins: ['https://a.example.com/x', 'https://a.example.com', 'http://localhost:3000'],
      }),
    );
    expect(updated).toMatchObject({
      displayName: 'Brand Shop',
      logoUrl: 'https://cdn.example.com/logo.png',
      brandColor: '#1a2b3c',
      allowedOrigins: ['https://a.example.com', 'http://localhost:3000'],
    });
    // Only the fields given change; null clears.
    const cleared = ok(await admin.client.mutate('tenants.update', { tenantId: created.tenantId, logoUrl: null }));
    expect(cleared).toMatchObject({ displayName: 'Brand Shop', logoUrl: null, brandColor: '#1a2b3c' });

    expectError(await admin.client.mutate('tenants.update', { tenantId: created.tenantId, logoUrl: 'http://cdn.example.com/logo.png' }), 400, 'parameter_invalid');
    expectError(await admin.client.mutate('tenants.update', { tenantId: created.tenantId, brandColor: 'red' }), 400, 'parameter_invalid');
    expectError(await admin.client.mutate('tenants.update', { tenantId: created.tenantId, allowedOrigins: ['ftp://x.example.com'] }), 400, 'url_invalid');
    expectError(await admin.client.mutate('tenants.update', { tenantId: 'ten_missing', displayName: 'x' }), 404, 'resource_missing');

    const entries = await auditOf(t, `action = 'tenant.update' and target_id = ?`, [created.tenantId]);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({
      actor_type: 'user',
      actor_id: admin.user.id,
      before: { displayName: 'brand-shop', logoUrl: null, brandColor: null, allowedOrigins: [] },
      after: { displayName: 'Brand Shop', brandColor: '#1a2b3c' },
    });
    expect(entries[1]).toMatchObject({ before: { logoUrl: 'https://cdn.example.com/logo.png' }, after: { logoUrl: null } });
  });

  it('get lists the webhook endpoints of both modes without their secrets', async () => {
    const created = ok(await admin.client.mutate('tenants.create', { appName: 'hooks-shop' }));
    const token = await t.login('hooks-shop', created.secrets.sandbox);
    const endpoint = await t.request('POST', '/v1/webhook-endpoints', { token, idempotencyKey: 'we-1', body: { url: 'https://hooks.example.com/in' } });
    expect(endpoint.status, endpoint.text).toBe(201);
    const got = ok(await admin.client.query('tenants.get', { tenantId: created.tenantId }));
    expect(got.webhookEndpoints).toEqual([
      expect.objectContaining({ id: endpoint.body.id, tenantId: created.tenantId, mode: 'sandbox', url: 'https://hooks.example.com/in', status: 'enabled' }),
    ]);
    expect(JSON.stringify(got)).not.toContain(endpoint.body.secret);
  });

  it('refuses a duplicate app name and an unknown tenant', async () => {
    ok(await admin.client.mutate('tenants.create', { appName: 'dup-shop' }));
    expectError(await admin.client.mutate('tenants.create', { appName: 'dup-shop' }), 400, 'parameter_invalid');
    expectError(await admin.client.query('tenants.get', { tenantId: 'ten_nope' }), 404, 'resource_missing');
  });

  it('support and viewer read tenants but cannot create, update or rotate (403)', async () => {
    const created = ok(await admin.client.mutate('tenants.create', { appName: 'readonly-shop' }));
    for (const role of ['support', 'viewer'] as const) {
      const { client } = await signedIn(t, role);
      ok(await client.query('tenants.list'));
      ok(await client.query('tenants.get', { tenantId: created.tenantId }));
      expectError(await client.mutate('tenants.create', { appName: `by-${role}` }), 403, 'permission_denied');
      expectError(await client.mutate('tenants.update', { tenantId: created.tenantId, displayName: 'hacked' }), 403, 'permission_denied');
      expectError(await client.mutate('tenants.rotateSecret', { tenantId: created.tenantId, mode: 'live' }), 403, 'permission_denied');
    }
    expect(await t.sql(`select * from tenants where app_name like 'by-%'`)).toEqual([]);
    const got = ok(await admin.client.query('tenants.get', { tenantId: created.tenantId }));
    expect(got.displayName).toBe('readonly-shop');
  });
});
