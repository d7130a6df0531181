import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from './harness.js';
import { ConsoleClient, auditOf, expectError, ok, signedIn } from './console-helpers.js';

/** console.users: admins manage console users; nobody removes or demotes themself. */
let t: TestPlatform;
let admin: Awaited<ReturnType<typeof signedIn>>;

beforeAll(async () => {
  t = await startTestPlatform({ worker: false });
  admin = await signedIn(t, 'admin');
});
afterAll(() => t.close());

describe('console.users', () => {
  it('create returns a generated password once; the user can sign in with it; audited with the admin as actor', async () => {
    const created = ok(await admin.client.mutate('users.create', { email: 'New.Support@Example.com', role: 'support' }));
    expect(created.user).toMatchObject({ email: 'new.support@example.com', role: 'support', id: expect.stringMatching(/^usr_/) });
    expect(created.password).toEqual(expect.any(String));
    expect(created.password.length).toBeGreaterThanOrEqual(20);

    const client = new ConsoleClient(t.baseUrl);
    expect(ok(await client.mutate('auth.login', { email: 'new.support@example.com', password: created.password }))).toMatchObject({ role: 'support' });

    const list = ok(await admin.client.query('users.list'));
    const listed = list.data.find((u: any) => u.id === created.user.id);
    expect(listed).toEqual(created.user);
    expect(JSON.stringify(list)).not.toMatch(/password/i);

    const [entry] = await auditOf(t, `action = 'user.create' and target_id = ?`, [created.user.id]);
    expect(entry).toMatchObject({ actor_type: 'user', actor_id: admin.user.id, after: { email: 'new.support@example.com', role: 'support' } });
    expect(JSON.stringify(entry)).not.toContain(created.password);
  });

  it('create with a chosen password does not echo it', async () => {
    const created = ok(await admin.client.mutate('users.create', { email: 'chosen@example.com', role: 'viewer', password: 'a-long-enough-password' }));
    expect(created.password).toBeNull();
    ok(await new ConsoleClient(t.baseUrl).mutate('auth.login', { email: 'chosen@example.com', password: 'a-long-enough-password' }));
  });

  it('refuses a duplicate e-mail, a short password and an unknown role', async () => {
    expectError(await admin.client.mutate('users.create', { email: admin.user.email, role: 'viewer' }), 400, 'parameter_invalid');
    expectError(await admin.client.mutate('users.create', { email: 'short@example.com', role: 'viewer', password: 'short' }), 400, 'parameter_invalid');
    expectError(await admin.client.mutate('users.create', { email: 'role@example.com', role: 'root' }), 400, 'parameter_invalid');
  });

  it("accepts the same e-mails as the CLI's user:create (the spec's a@b.c, a single-label domain), normalized; refuses the same", async () => {
    const spec = ok(await admin.client.mutate('users.create', { email: 'a@b.c', role: 'viewer' }));
    expect(spec.user.email).toBe('a@b.c');
    const local = ok(await admin.client.mutate('users.create', { email: '  Desk@LocalHost ', role: 'viewer' }));
    expect(local.user.email).toBe('desk@localhost');
    ok(await new ConsoleClient(t.baseUrl).mutate('auth.login', { email: 'Desk@localhost', password: local.password }));
    expectError(await admin.client.mutate('users.create', { email: 'DESK@localhost', role: 'viewer' }), 400, 'parameter_invalid');
    for (const email of ['no-at-sign', '@b.c', 'a@', 'a@@b.c', 'a b@c.d']) {
      expectError(await admin.client.mutate('users.create', { email, role: 'viewer' }), 400, 'parameter_invalid');
    }
  });

  it('paginates newest first with a cursor', async () => {
    for (let i = 0; i < 3; i++) ok(await admin.client.mutate('users.create', { email: `page-${i}@example.com`, role: 'viewer' }));
    const first = ok(await admin.client.query('users.list', { limit: 2 }));
    expect(first.data).toHaveLength(2);
    expect(first.data.map((u: any) => u.email)).toEqual(['page-2@example.com', 'page-1@example.com']);
    const second = ok(await admin.client.query('users.list', { limit: 2, cursor: first.nextCursor }));
    expect(second.data[0].email).toBe('page-0@example.com');
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = ok(await admin.client.query('users.list', { limit: 3, ...(cursor ? { cursor } : {}) }));
      all.push(...page.data.map((u: any) => u.id));
      cursor = page.nextCursor;
    } while (cursor);
    const [n] = await t.sql('select count(*)::int as n from users');
    expect(all).toHaveLength(n.n);
    expect(new Set(all).size).toBe(n.n);
  });

  it('updateRole takes effect on the next request of that user, and is audited', async () => {
    const other = await signedIn(t, 'support');
    const updated = ok(await admin.client.mutate('users.updateRole', { userId: other.user.id, role: 'viewer' }));
    expect(updated).toMatchObject({ id: other.user.id, role: 'viewer' });
    expect(ok(await other.client.query('auth.me'))).toMatchObject({ role: 'viewer' });
    const [entry] = await auditOf(t, `action = 'user.update_role' and target_id = ?`, [other.user.id]);
    expect(entry).toMatchObject({ actor_type: 'user', actor_id: admin.user.id, before: { role: 'support' }, after: { role: 'viewer' } });
  });

  it('an admin cannot demote or remove themself', async () => {
    expectError(await admin.client.mutate('users.updateRole', { userId: admin.user.id, role: 'support' }), 409, 'invalid_state');
    expectError(await admin.client.mutate('users.remove', { userId: admin.user.id }), 409, 'invalid_state');
    expect(ok(await admin.client.query('auth.me'))).toMatchObject({ role: 'admin' });
  });

  it('remove deletes the user and ends their sessions; audited with before', async () => {
    const other = await signedIn(t, 'viewer');
    expect(ok(await admin.client.mutate('users.remove', { userId: other.user.id }))).toEqual({ id: other.user.id, deleted: true });
    expectError(await other.client.query('users.list'), 401, 'authentication_required');
    expect(await t.sql('select * from console_sessions where user_id = ?', [other.user.id])).toEqual([]);
    const [entry] = await auditOf(t, `action = 'user.delete' and target_id = ?`, [other.user.id]);
    expect(entry).toMatchObject({ actor_type: 'user', actor_id: admin.user.id, before: { email: other.user.email, role: 'viewer' } });
    expectError(await admin.client.mutate('users.remove', { userId: other.user.id }), 404, 'resource_missing');
  });

  it('support and viewer can neither list nor manage users (403)', async () => {
    for (const role of ['support', 'viewer'] as const) {
      const { user, client } = await signedIn(t, role);
      expectError(await client.query('users.list'), 403, 'permission_denied');
      expectError(await client.mutate('users.create', { email: `by-${role}@example.com`, role: 'admin' }), 403, 'permission_denied');
      expectError(await client.mutate('users.updateRole', { userId: user.id, role: 'admin' }), 403, 'permission_denied');
      expectError(await client.mutate('users.remove', { userId: admin.user.id }), 403, 'permission_denied');
    }
    const [n] = await t.sql(`select count(*)::int as n from users where email like 'by-%'`);
    expect(n.n).toBe(0);
  });
});
