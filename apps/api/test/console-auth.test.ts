import crypto from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sessionCookieOptions } from '../src/console/sessions.js';
import { startTestPlatform, type TestPlatform } from './harness.js';
import { ConsoleClient, auditOf, createConsoleUser, expectError, ok, signedIn } from './console-helpers.js';

/** Console sign-in (spec/operations.md "Console", ARCHITECTURE.md "Security model"): sessions, throttling, CSRF. */
let t: TestPlatform;

beforeAll(async () => {
  t = await startTestPlatform({ worker: false });
});
afterAll(() => t.close());
// Every test starts with a clean throttle: the tests all come from 127.0.0.1.
beforeEach(async () => {
  await t.sql('delete from console_login_failures');
});

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

describe('login', () => {
  it('signs in with the right password: httpOnly SameSite=Strict cookie, me() answers, only the hash is stored', async () => {
    const user = await createConsoleUser(t, 'support');
    const client = new ConsoleClient(t.baseUrl, { userAgent: 'vitest-agent' });
    expect(ok(await client.query('auth.me'))).toBeNull();

    const res = await client.mutate('auth.login', { email: user.email.toUpperCase(), password: user.password });
    expect(ok(res)).toEqual({ id: user.id, email: user.email, role: 'support' });
    const cookie = res.setCookies.find((c) => c.startsWith('console_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/); // PUBLIC_URL is http here
    expect(Buffer.from(client.session!, 'base64url')).toHaveLength(32);

    expect(ok(await client.query('auth.me'))).toEqual({ id: user.id, email: user.email, role: 'support' });
    const rows = await t.sql('select * from console_sessions where user_id = ?', [user.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash).toBe(sha256(client.session!));
    expect(JSON.stringify(rows)).not.toContain(client.session!);
    expect(rows[0].user_agent).toBe('vitest-agent');
    const idleMs = new Date(rows[0].expires_at).getTime() - Date.now();
    expect(idleMs).toBeGreaterThan(11.9 * 3600_000);
    expect(idleMs).toBeLessThanOrEqual(12 * 3600_000);

    const [entry] = await auditOf(t, `action = 'console.login' and target_id = ?`, [user.id]);
    expect(entry).toMatchObject({ actor_type: 'user', actor_id: user.id, chain: 'platform' });
  });

  it('signing in again replaces the browser’s previous session', async () => {
    const { user, client } = await signedIn(t, 'viewer');
    const old = client.session!;
    ok(await client.mutate('auth.login', { email: user.email, password: user.password }));
    expect(client.session).not.toBe(old);
    expect(await t.sql('select token_hash from console_sessions where user_id = ?', [user.id])).toEqual([{ token_hash: sha256(client.session!) }]);
  });

  it('marks the cookie Secure when PUBLIC_URL is https', () => {
    expect(sessionCookieOptions('https://pay.example.com')).toMatchObject({ secure: true, httpOnly: true, sameSite: 'strict', path: '/' });
    expect(sessionCookieOptions('http://localhost:4000').secure).toBe(false);
  });

  it('refuses a wrong password and an unknown e-mail alike, without a cookie', async () => {
    const user = await createConsoleUser(t, 'viewer');
    const client = new ConsoleClient(t.baseUrl);
    const wrong = await client.mutate('auth.login', { email: user.email, password: 'not-the-password' });
    const unknown = await client.mutate('auth.login', { email: 'nobody@example.com', password: 'not-the-password' });
    const a = expectError(wrong, 401, 'invalid_credentials');
    const b = expectError(unknown, 401, 'invalid_credentials');
    expect(a.message).toBe(b.message);
    expect(wrong.setCookies).toEqual([]);
    expect(client.session).toBeNull();
  });

  it('spends a slow hash on unknown e-mails too (timing does not reveal which e-mails exist)', async () => {
    const user = await createConsoleUser(t, 'viewer');
    const client = new ConsoleClient(t.baseUrl);
    const time = async (email: string) => {
      const started = performance.now();
      expectError(await client.mutate('auth.login', { email, password: 'wrong-password' }), 401);
      return performance.now() - started;
    };
    const median = (xs: number[]) => xs.sort((x, y) => x - y)[1]!;
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 3; i++) {
      known.push(await time(user.email));
      unknown.push(await time(`ghost-${i}@example.com`));
    }
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.3);
  });

  it('locks an e-mail from one address for 15 minutes after 5 failures, even for the right password; then lets it in', async () => {
    const user = await createConsoleUser(t, 'admin');
    const client = new ConsoleClient(t.baseUrl, { ip: '192.0.2.5' });
    for (let i = 0; i < 5; i++) expectError(await client.mutate('auth.login', { email: user.email, password: `wrong-${i}` }), 401, 'invalid_credentials');
    const locked = expectError(await client.mutate('auth.login', { email: user.email, password: user.password }), 429, 'rate_limited');
    expect(Number(locked.data.details.retryAfterSeconds)).toBeGreaterThan(14 * 60);
    expect(client.session).toBeNull();
    // Refused attempts do not extend the lock: still exactly 5 failures on record.
    const [n] = await t.sql(`select count(*)::int as n from console_login_failures where key = ?`, [`email-ip:${user.email}|192.0.2.5`]);
    expect(n.n).toBe(5);

    // Another e-mail from the same IP is not affected by this e-mail's lock…
    const other = await createConsoleUser(t, 'viewer');
    ok(await new ConsoleClient(t.baseUrl, { ip: '192.0.2.5' }).mutate('auth.login', { email: other.email, password: other.password }));
    // …and the owner, from their own address, is not locked out by somebody guessing elsewhere.
    ok(await new ConsoleClient(t.baseUrl, { ip: '198.51.100.77' }).mutate('auth.login', { email: user.email, password: user.password }));

    // 16 minutes later (the failures moved back in time), the right password works from there too and resets that count.
    await t.sql(`update console_login_failures set failed_at = failed_at - interval '16 minutes'`);
    ok(await client.mutate('auth.login', { email: user.email, password: user.password }));
    const [after] = await t.sql(`select count(*)::int as n from console_login_failures where key = ?`, [`email-ip:${user.email}|192.0.2.5`]);
    expect(after.n).toBe(0);
  });

  it('locks an e-mail everywhere after 50 failures spread over many addresses', async () => {
    const user = await createConsoleUser(t, 'admin');
    for (let i = 0; i < 50; i++) {
      const guesser = new ConsoleClient(t.baseUrl, { ip: `203.0.113.${100 + (i % 25)}` });
      expectError(await guesser.mutate('auth.login', { email: user.email, password: `spread-${i}` }), 401, 'invalid_credentials');
    }
    // The 25 addresses made 2 guesses each: none is locked by its own count, but the e-mail is.
    expectError(await new ConsoleClient(t.baseUrl, { ip: '198.51.100.78' }).mutate('auth.login', { email: user.email, password: user.password }), 429, 'rate_limited');
    await t.sql(`update console_login_failures set failed_at = failed_at - interval '31 minutes' where key = ?`, [`email:${user.email}`]);
    ok(await new ConsoleClient(t.baseUrl, { ip: '198.51.100.78' }).mutate('auth.login', { email: user.email, password: user.password }));
  });

  it('locks an IP after 20 failures across e-mails; other IPs still sign in', async () => {
    const attacker = new ConsoleClient(t.baseUrl, { ip: '203.0.113.7' });
    for (let i = 0; i < 20; i++) expectError(await attacker.mutate('auth.login', { email: `guess-${i}@example.com`, password: 'x' }), 401, 'invalid_credentials');
    const user = await createConsoleUser(t, 'viewer');
    expectError(await attacker.mutate('auth.login', { email: user.email, password: user.password }), 429, 'rate_limited');
    ok(await new ConsoleClient(t.baseUrl, { ip: '198.51.100.9' }).mutate('auth.login', { email: user.email, password: user.password }));
  });

  it('lets at most 5 parallel guesses for one e-mail be checked', async () => {
    const user = await createConsoleUser(t, 'viewer');
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => new ConsoleClient(t.baseUrl).mutate('auth.login', { email: user.email, password: `parallel-${i}` })),
    );
    const checked = results.filter((r) => r.status === 401).length;
    expect(checked).toBeLessThanOrEqual(5);
    expect(results.filter((r) => r.status === 429).length).toBe(12 - checked);
  });
});

describe('sessions', () => {
  it('logout ends the session and clears the cookie; the old token no longer works', async () => {
    const { user, client } = await signedIn(t, 'admin');
    const token = client.session!;
    const res = await client.mutate('auth.logout');
    expect(ok(res)).toEqual({ ok: true });
    expect(res.setCookies.find((c) => c.startsWith('console_session='))).toMatch(/Expires=Thu, 01 Jan 1970/);
    expect(client.session).toBeNull();
    expect(await t.sql('select * from console_sessions where token_hash = ?', [sha256(token)])).toEqual([]);

    client.session = token; // a stolen copy of the old cookie
    expect(ok(await client.query('auth.me'))).toBeNull();
    expectError(await client.query('users.list'), 401, 'authentication_required');
    const [entry] = await auditOf(t, `action = 'console.logout' and target_id = ?`, [user.id]);
    expect(entry).toMatchObject({ actor_type: 'user', actor_id: user.id });
  });

  it('an idle-expired session is refused and deleted', async () => {
    const { client } = await signedIn(t, 'admin');
    const hash = sha256(client.session!);
    await t.sql(`update console_sessions set expires_at = now() - interval '1 second' where token_hash = ?`, [hash]);
    expectError(await client.query('users.list'), 401, 'authentication_required');
    expect(ok(await client.query('auth.me'))).toBeNull();
    expect(await t.sql('select * from console_sessions where token_hash = ?', [hash])).toEqual([]);
  });

  it('a session past its absolute lifetime is refused even while active', async () => {
    const { client } = await signedIn(t, 'admin');
    await t.sql(`update console_sessions set absolute_expires_at = now() - interval '1 second' where token_hash = ?`, [sha256(client.session!)]);
    expectError(await client.query('users.list'), 401, 'authentication_required');
  });

  it('use slides the idle expiry (never past the absolute one)', async () => {
    const { client } = await signedIn(t, 'viewer');
    const hash = sha256(client.session!);
    await t.sql(
      `update console_sessions set last_seen_at = now() - interval '2 hours', expires_at = now() + interval '10 hours' where token_hash = ?`,
      [hash],
    );
    ok(await client.query('tenants.list'));
    const [row] = await t.sql('select * from console_sessions where token_hash = ?', [hash]);
    expect(new Date(row.expires_at).getTime() - Date.now()).toBeGreaterThan(11.9 * 3600_000);

    await t.sql(
      `update console_sessions set last_seen_at = now() - interval '2 hours', absolute_expires_at = now() + interval '1 hour' where token_hash = ?`,
      [hash],
    );
    ok(await client.query('tenants.list'));
    const [capped] = await t.sql('select * from console_sessions where token_hash = ?', [hash]);
    expect(new Date(capped.expires_at).getTime()).toBe(new Date(capped.absolute_expires_at).getTime());
  });

  it('an unknown or garbage cookie is simply signed out', async () => {
    const client = new ConsoleClient(t.baseUrl);
    client.session = 'x'.repeat(43);
    expect(ok(await client.query('auth.me'))).toBeNull();
    expectError(await client.query('users.list'), 401, 'authentication_required');
  });
});

describe('CSRF', () => {
  it('refuses a mutation without x-console-csrf: 1 with 403, and changes nothing', async () => {
    const { client } = await signedIn(t, 'admin');
    const before = await t.sql('select count(*)::int as n from users');
    const res = await client.mutate('users.create', { email: 'csrf-victim@example.com', role: 'admin' }, { csrf: false });
    expectError(res, 403, 'permission_denied');
    expect(await t.sql('select count(*)::int as n from users')).toEqual(before);
  });

  it('also guards login (login CSRF) and logout', async () => {
    const user = await createConsoleUser(t, 'viewer');
    const client = new ConsoleClient(t.baseUrl);
    expectError(await client.mutate('auth.login', { email: user.email, password: user.password }, { csrf: false }), 403, 'permission_denied');
    expect(client.session).toBeNull();
    ok(await client.mutate('auth.login', { email: user.email, password: user.password }));
    expectError(await client.mutate('auth.logout', undefined, { csrf: false }), 403);
    expect(ok(await client.query('auth.me'))).toMatchObject({ id: user.id });
  });

  it('queries need no header, and a mutation cannot be sent as a GET', async () => {
    const { client } = await signedIn(t, 'viewer');
    ok(await client.query('tenants.list'));
    const res = await fetch(`${t.baseUrl}/trpc/console.auth.logout`, { headers: { cookie: `console_session=${client.session}`, 'x-console-csrf': '1' } });
    expect(res.status).toBe(405);
  });
});
