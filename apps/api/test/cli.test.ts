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

  it("user:create accepts the spec's own `--email a@b.c` and any local@domain, normalized; refuses what is not one", async () => {
    const spec = await cli(['user:create', '--email', 'a@b.c', '--role', 'admin', '--json']);
    expect(spec.code, spec.out).toBe(0);
    expect(spec.json).toMatchObject({ email: 'a@b.c', role: 'admin' });
    const single = await cli(['user:create', '--email', '  Ops@LocalHost ', '--role', 'viewer', '--json']);
    expect(single.json).toMatchObject({ email: 'ops@localhost', role: 'viewer' });
    const [row] = await t.sql(`select email from users where email = 'ops@localhost'`);
    expect(row).toBeTruthy();
    // The normalized e-mail is the one that already exists.
    const again = await cli(['user:create', '--email', 'OPS@localhost', '--role', 'viewer', '--json']);
    expect(again.json.error).toMatchObject({ code: 'parameter_invalid', param: 'email' });
    for (const email of ['no-at-sign', '@b.c', 'a@', 'a@@b.c', 'a@b@c', 'a b@c.d', 'a@b .c']) {
      const r = await cli(['user:create', '--email', email, '--role', 'viewer', '--json']);
      expect({ email, code: r.code, error: r.json?.error }).toEqual({
        email,
        code: 1,
        error: { type: 'invalid_request_error', code: 'parameter_invalid', message: 'email must be an e-mail address (local@domain)', param: 'email' },
      });
    }
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

/** Runs the CLI with any environment: its exit code, stdout (parsed when it is JSON) and stderr. */
async function runWith(args: string[], env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((line: unknown) => void out.push(String(line)));
  const error = vi.spyOn(console, 'error').mockImplementation((line: unknown) => void err.push(String(line)));
  try {
    const code = await runCli(args, env);
    return { code, out, err, json: out.length === 1 ? JSON.parse(out[0]!) : undefined };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe('CLI failures: with --json exactly one { error: { type, code, message, param? } } on stdout, otherwise stderr', () => {
  const unreachable = { DATABASE_URL: 'postgres://operator:Db-Pa55word-do-not-print@127.0.0.1:1/platform', LOG_LEVEL: 'silent', DATA_DIR: '' };

  const expectOneError = (r: Awaited<ReturnType<typeof runWith>>, code: string, exitCode: number) => {
    expect(r.code).toBe(exitCode);
    expect(r.out).toHaveLength(1);
    expect(r.err).toEqual([]);
    expect(Object.keys(r.json)).toEqual(['error']);
    expect(r.json.error).toMatchObject({ type: expect.any(String), code, message: expect.any(String) });
    return r.json.error;
  };

  it('database unreachable: code database_unavailable, exit 1, the database password in neither stream', async () => {
    const asJson = await runWith(['user:create', '--email', 'a@b.c', '--role', 'admin', '--password', 'a-secret-password-1', '--json'], unreachable);
    const error = expectOneError(asJson, 'database_unavailable', 1);
    expect(error.type).toBe('api_error');
    expect(error.message).toMatch(/^Cannot use the database: /);
    const human = await runWith(['user:create', '--email', 'a@b.c', '--role', 'admin', '--password', 'a-secret-password-1'], unreachable);
    expect(human.code).toBe(1);
    expect(human.out).toEqual([]);
    expect(human.err.join('\n')).toMatch(/^Cannot use the database: /);
    for (const text of [...asJson.out, ...asJson.err, ...human.out, ...human.err]) {
      expect(text).not.toContain('Db-Pa55word-do-not-print');
      expect(text).not.toContain('a-secret-password-1');
    }
  });

  it('unknown or missing command and --help: exit 2, usage on stderr (or in the JSON message)', async () => {
    const unknown = expectOneError(await runWith(['no:such', '--json'], unreachable), 'command_unknown', 2);
    expect(unknown).toMatchObject({ type: 'invalid_request_error', param: 'command' });
    expect(unknown.message).toContain("Unknown command 'no:such'");
    expect(unknown.message).toContain('user:create --email a@b.c');
    expectOneError(await runWith(['--json'], unreachable), 'command_unknown', 2);
    expect(expectOneError(await runWith(['--help', '--json'], unreachable), 'usage', 2).message).toMatch(/^Usage: npm run cli -- <command>/);
    const human = await runWith(['--help'], unreachable);
    expect(human).toMatchObject({ code: 2, out: [] });
    expect(human.err.join('\n')).toMatch(/^Usage: npm run cli -- <command>/);
    expect((await runWith([], unreachable)).code).toBe(2);
  });

  it('bad flags and --help after a command: exit 1, parameter_invalid naming the flag, or the usage; values are not echoed', async () => {
    const unknownFlag = expectOneError(await runWith(['tenant:create', '--app-name', 'x-shop', '--nope', '--json'], unreachable), 'parameter_invalid', 1);
    expect(unknownFlag).toMatchObject({ type: 'invalid_request_error', param: 'nope' });
    expect(unknownFlag.message).toContain('Usage: npm run cli -- tenant:create');
    const missing = expectOneError(await runWith(['user:create', '--role', 'admin', '--email', '--json'], unreachable), 'parameter_invalid', 1);
    expect(missing.param).toBe('email');
    const stray = await runWith(['user:create', '--email', 'a@b.c', '--role', 'admin', 'sk_live_stray_Secret_Value', '--json'], unreachable);
    expectOneError(stray, 'parameter_invalid', 1);
    expect(JSON.stringify(stray.json)).not.toContain('sk_live_stray_Secret_Value');
    expect(expectOneError(await runWith(['user:create', '--help', '--json'], unreachable), 'usage', 1).message).toBe(
      'Usage: npm run cli -- user:create --email a@b.c --role admin|support|viewer [--password …] [--json]',
    );
    const human = await runWith(['user:create', '--nope'], unreachable);
    expect(human).toMatchObject({ code: 1, out: [] });
    expect(human.err.join('\n')).toContain("Unknown option '--nope'");
  });

  it('invalid configuration: config_invalid, exit 1', async () => {
    const error = expectOneError(await runWith(['migrate', '--json'], { ...unreachable, DATABASE_URL: 'mysql://root:pw@localhost/x' }), 'config_invalid', 1);
    expect(error.message).toContain('DATABASE_URL');
    expect(error.message).not.toContain(':pw@');
  });

  it('pending migrations on a shared database: migrations_pending, exit 1', async () => {
    const [{ name }] = await t.sql('select name from mikro_orm_migrations order by id desc limit 1');
    await t.sql('delete from mikro_orm_migrations where name = ?', [name]);
    try {
      const r = await runWith(['audit:verify', '--json'], { DATABASE_URL: t.dbUrl, DATA_DIR: t.dataDir, LOG_LEVEL: 'silent' });
      expect(expectOneError(r, 'migrations_pending', 1).message).toContain('npm run cli -- migrate');
    } finally {
      await t.sql('insert into mikro_orm_migrations (name, executed_at) values (?, now())', [name]);
    }
  });

  it('a command that fails with an API error keeps its code, type and param', async () => {
    const r = await runWith(['tenant:rotate-secret', '--app-name', 'no-such-shop', '--mode', 'live', '--json'], { DATABASE_URL: t.dbUrl, DATA_DIR: t.dataDir, LOG_LEVEL: 'silent' });
    expect(expectOneError(r, 'resource_missing', 1)).toEqual({ type: 'invalid_request_error', code: 'resource_missing', message: "No such tenant: 'no-such-shop'", param: 'appName' });
  });
});
