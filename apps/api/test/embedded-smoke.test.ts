import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `npm start` on the embedded database, as a user runs it: first start seeds and prints
 * credentials, the CLI works beside the running server (through its socket), and a restart
 * keeps the data. Always embedded: DATABASE_URL is removed from the children's environment.
 */
const root = path.resolve(import.meta.dirname, '../../..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-smoke-'));
const { DATABASE_URL: _ignored, ...baseEnv } = process.env;
const children: ChildProcess[] = [];

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function env(port: number): NodeJS.ProcessEnv {
  return { ...baseEnv, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' };
}

async function startServer(port: number): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/api/src/main.ts'], { cwd: root, env: env(port) });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 50_000);
    // The banner ends with either the seeded credentials or the pointer to them.
    child.stdout!.on('data', () => {
      if (/Credentials were printed|appSecret=\S+/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}:\n${out}`)));
  });
  return { child, output: () => out };
}

async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function cli(args: string[], port: number): Promise<{ code: number; stdout: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/api/src/cli/main.ts', ...args], { cwd: root, env: env(port) });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? -1)));
  if (code !== 0 && code !== 1) throw new Error(`cli crashed (${code}): ${stderr}`);
  return { code, stdout };
}

async function login(port: number, appName: string, appSecret: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ appName, appSecret }),
  });
  return res.status;
}

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start on the embedded database', () => {
  it('seeds once, shares the database with the CLI while running, and keeps data across restarts', async () => {
    const port = await freePort();
    const first = await startServer(port);
    const banner = first.output();
    expect(banner).toContain(`http://localhost:${port}/v1`);
    expect(banner).toContain(`http://localhost:${port}/console/`);
    const seededSecret = /appSecret=(sk_sandbox_\S+)/.exec(banner)?.[1];
    expect(seededSecret).toBeDefined();
    expect(/Console admin\s+admin@example\.com \/ \S+/.test(banner)).toBe(true);
    expect(await login(port, 'demo-shop', seededSecret!)).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);

    // The CLI while the server holds the embedded database: it goes through the server's socket.
    const created = await cli(['tenant:create', '--app-name', 'cli-shop', '--allowed-origin', 'https://cli.example.com', '--json'], port);
    expect(created.code).toBe(0);
    const tenant = JSON.parse(created.stdout) as { tenantId: string; appName: string; secrets: { sandbox: string; live: string } };
    expect(Object.keys(tenant).sort()).toEqual(['appName', 'secrets', 'tenantId']);
    expect(tenant.secrets.sandbox).toMatch(/^sk_sandbox_/);
    expect(tenant.secrets.live).toMatch(/^sk_live_/);
    expect(await login(port, 'cli-shop', tenant.secrets.live)).toBe(200);

    await stopServer(first.child);

    // No server: the CLI opens the directory itself.
    const verified = await cli(['audit:verify', '--json'], port);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true });
    expect(JSON.parse(verified.stdout).entries).toBeGreaterThanOrEqual(3);

    // Restart: same data, no second seeding.
    const second = await startServer(port);
    expect(second.output()).not.toContain('First start');
    expect(await login(port, 'demo-shop', seededSecret!)).toBe(200);
    expect(await login(port, 'cli-shop', tenant.secrets.sandbox)).toBe(200);
    await stopServer(second.child);
  }, 180_000);
});
