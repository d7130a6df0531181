import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { runCliInProcess } from './cli-in-process.js';
import { startTestPlatform, type TestPlatform } from './harness.js';

let t: TestPlatform;

beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(() => t.close());

const cli = (args: string[]) => runCliInProcess(t, args);

describe('CLI (spec/operations.md)', () => {
  it('tenant:create --json prints exactly { tenantId, appName, secrets: { sandbox, live } } and the secrets work', async () => {
    const r = await cli(['tenant:create', '--app-name', 'acme-shop', '--display-name', 'Acme Shop', '--allowed-origin', 'https://shop.example.com', '--allowed-origin', 'https://www.example.com', '--json']);
    expect(r.code).toBe(0);
    expect(Object.keys(r.json).sort()).toEqual(['appName', 'secrets', 'tenantId']);
    expect(r.json.tenantId).toMatch(/^ten_/);
    expect(r.json.appName).toBe('acme-shop');
    expect(Object.keys(r.json.secrets).sort()).toEqual(['live', 'sandbox']);
    expect(await t.login('acme-shop', r.json.secrets.sandbox)).toBeTruthy();
    const [row] = await t.sql(`select display_name, allowed_origins from tenants where app_name = 'acme-shop'`);
    expect(row.display_name).toBe('Acme Shop');
    expect(row.allowed_origins).toEqual(['https://shop.example.com', 'https://www.example.com']);
    // Only slow hashes are stored.
    const secrets = await t.sql(`select secret_hash from tenant_secrets where tenant_id = ?`, [r.json.tenantId]);
    for (const s of secrets) {
      expect(s.secret_hash).toMatch(/^scrypt\$/);
      expect(s.secret_hash).not.toContain(r.json.secrets.sandbox);
    }
  });

  it('tenant:create refuses a duplicate app name and an invalid one, changing nothing', async () => {
    const before = await t.count('tenants');
    expect((await cli(['tenant:create', '--app-name', 'acme-shop', '--json'])).code).toBe(1);
    const bad = await cli(['tenant:create', '--app-name', 'Not Valid!', '--json']);
    expect(bad.code).toBe(1);
    expect(bad.json.error.code).toBe('parameter_invalid');
    expect(await t.count('tenants')).toBe(before);
  });

  it('tenant:rotate-secret --json prints { appName, mode, secret, previousValidUntil } with a 24 h grace', async () => {
    const created = await cli(['tenant:create', '--app-name', 'rotate-shop', '--json']);
    const r = await cli(['tenant:rotate-secret', '--app-name', 'rotate-shop', '--mode', 'live', '--json']);
    expect(r.code).toBe(0);
    expect(Object.keys(r.json).sort()).toEqual(['appName', 'mode', 'previousValidUntil', 'secret']);
    expect(r.json).toMatchObject({ appName: 'rotate-shop', mode: 'live' });
    expect(r.json.secret).toMatch(/^sk_live_/);
    const graceHours = (Date.parse(r.json.previousValidUntil) - Date.now()) / 3_600_000;
    expect(graceHours).toBeGreaterThan(23.9);
    expect(graceHours).toBeLessThanOrEqual(24);
    expect(await t.login('rotate-shop', r.json.secret)).toBeTruthy();
    expect(await t.login('rotate-shop', created.json.secrets.live)).toBeTruthy();
  });

  it('user:create --json prints { email, role, password }, generating a password when none is given', async () => {
    const generated = await cli(['user:create', '--email', 'Support@Example.com', '--role', 'support', '--json']);
    expect(generated.code).toBe(0);
    expect(Object.keys(generated.json).sort()).toEqual(['email', 'password', 'role']);
    expect(generated.json).toMatchObject({ email: 'support@example.com', role: 'support' });
    expect(generated.json.password.length).toBeGreaterThanOrEqual(16);
    const given = await cli(['user:create', '--email', 'viewer@example.com', '--role', 'viewer', '--password', 'correct horse battery', '--json']);
    expect(given.json.password).toBe('correct horse battery');
    const bad = await cli(['user:create', '--email', 'x@example.com', '--role', 'owner', '--json']);
    expect(bad.code).toBe(1);
  });

  it('every CLI mutation is audited with the CLI as actor', async () => {
    const rows = await t.sql(`select action, actor_type from audit_log where actor_type = 'cli' order by seq`);
    expect(rows.map((r) => r.action)).toEqual(
      expect.arrayContaining(['tenant.create', 'tenant.rotate_secret', 'user.create']),
    );
  });

  it('migrate --json reports nothing pending on a migrated database; unknown commands and flags fail', async () => {
    const r = await cli(['migrate', '--json']);
    expect(r.code).toBe(0);
    expect(r.json).toEqual({ applied: [] });
    expect((await cli(['tenant:create', '--app-name', 'x-shop', '--nope', '--json'])).code).toBe(1);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await runCli(['no:such'], {})).toBe(2);
    errors.mockRestore();
  });
});
