import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from './harness.js';
import { expectError, ok, signedIn } from './console-helpers.js';

/** console.audit: reading the hash-chained audit log and verifying it. */
let t: TestPlatform;
let admin: Awaited<ReturnType<typeof signedIn>>;
let viewer: Awaited<ReturnType<typeof signedIn>>;
let tenantId: string;

beforeAll(async () => {
  t = await startTestPlatform({ worker: false });
  admin = await signedIn(t, 'admin');
  viewer = await signedIn(t, 'viewer');
  tenantId = ok(await admin.client.mutate('tenants.create', { appName: 'audit-console-shop' })).tenantId;
  ok(await admin.client.mutate('tenants.update', { tenantId, displayName: 'Audited' }));
  ok(await admin.client.mutate('tenants.rotateSecret', { tenantId, mode: 'sandbox' }));
  ok(await admin.client.mutate('users.create', { email: 'audited-user@example.com', role: 'viewer' }));
});
afterAll(() => t.close());

const list = async (input: Record<string, unknown> = {}) => ok(await viewer.client.query('audit.list', input));

describe('console.audit.list', () => {
  it('newest first, with the acting console user’s e-mail', async () => {
    const page = await list();
    expect(page.data[0]).toMatchObject({
      action: 'user.create',
      actor: { type: 'user', id: admin.user.id, email: admin.user.email },
      targetType: 'user',
      tenantId: null,
      chain: 'platform',
      after: { email: 'audited-user@example.com', role: 'viewer' },
    });
    const seqs = page.data.map((e: any) => BigInt(e.seq));
    expect([...seqs].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0))).toEqual(seqs);
  });

  it('filters by tenant, actor (id or e-mail), action (exact or prefix*) and time', async () => {
    expect((await list({ tenantId })).data.map((e: any) => e.action)).toEqual(['tenant.rotate_secret', 'tenant.update', 'tenant.create']);
    const byEmail = await list({ actor: admin.user.email.toUpperCase() });
    const byId = await list({ actor: admin.user.id });
    expect(byEmail.data.map((e: any) => e.id)).toEqual(byId.data.map((e: any) => e.id));
    expect(byId.data.map((e: any) => e.action)).toEqual(['user.create', 'tenant.rotate_secret', 'tenant.update', 'tenant.create', 'console.login']);
    expect((await list({ action: 'tenant.update' })).data).toHaveLength(1);
    expect((await list({ action: 'tenant.*' })).data).toHaveLength(3);
    expect((await list({ action: 'tenant_*' })).data).toHaveLength(0); // `_` is literal, not a wildcard
    expect((await list({ from: '2000-01-01', to: '2001-01-01' })).data).toEqual([]);
    expect((await list({ from: new Date(Date.now() - 3600_000).toISOString() })).data.length).toBeGreaterThan(5);
  });

  it('pages by sequence without gaps or repeats', async () => {
    const all = await list({ limit: 200 });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await list({ limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...page.data.map((e: any) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.data.map((e: any) => e.id));
    expectError(await viewer.client.query('audit.list', { cursor: 'abc' }), 400, 'parameter_invalid');
  });
});

describe('console.audit.verify', () => {
  it('reports an intact log, for everything and for one tenant', async () => {
    const [n] = await t.sql('select count(*)::int as n from audit_log');
    expect(ok(await viewer.client.query('audit.verify'))).toEqual({ ok: true, entries: n.n });
    expect(ok(await viewer.client.query('audit.verify', { tenantId }))).toEqual({ ok: true, entries: 3 });
  });

  it('names the first broken entry after tampering', async () => {
    const [victim] = await t.sql(`select * from audit_log where chain = ? order by seq limit 1 offset 1`, [tenantId]);
    await t.platform.orm.em.fork().transactional(async (em) => {
      await em.execute('set local session_replication_role = replica');
      await em.execute(`update audit_log set after = '{"displayName":"forged"}' where id = ?`, [victim.id]);
    });
    expect(ok(await viewer.client.query('audit.verify', { tenantId }))).toEqual({ ok: false, brokenAt: victim.id });
    expect(ok(await viewer.client.query('audit.verify'))).toEqual({ ok: false, brokenAt: victim.id });
  });

  it('needs a session', async () => {
    expect((await fetch(`${t.baseUrl}/trpc/console.audit.verify`)).status).toBe(401);
  });
});
