/**
 * What the benchmarks share: argument checks, a cleanup stack run on exit and on signals,
 * per-process CPU from /proc, a fresh PostgreSQL database per run, and the platform started
 * in-process the way the test harness starts it.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../apps/api/src/config.js';
import { migrate } from '../apps/api/src/db/orm.js';
import { createApp } from '../apps/api/src/http/app.js';
import { createLogger } from '../apps/api/src/logger.js';
import { createPlatform } from '../apps/api/src/platform.js';

export { validPayment } from '../apps/api/test/harness.js';

export const ADMIN_URL = process.env['BENCH_DATABASE_URL'] || process.env['DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/postgres';

export function positiveInt(v: string | undefined, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got '${v}'`);
  return n;
}

export function nonNegativeInt(v: string | undefined, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got '${v}'`);
  return n;
}

// Cleanup: everything a run creates (temp dirs, databases, servers, child processes) is undone
// in reverse order at the end, on failure and on Ctrl-C / SIGTERM.
export const cleanups: (() => Promise<void> | void)[] = [];

export async function cleanup(): Promise<void> {
  while (cleanups.length > 0) {
    try {
      await cleanups.pop()!();
    } catch (err) {
      console.error(`cleanup: ${String(err)}`);
    }
  }
}

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}, cleaning up…`);
    void cleanup().finally(() => process.exit(code));
  });
}

/** A fresh directory under the system temp dir (`prefix` + random), removed by `cleanup()`. */
export function benchTempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A connected client on `connectionString` (named `applicationName` in pg_stat_activity), ended by `cleanup()`. */
export async function connectBenchClient(connectionString: string, applicationName: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString, application_name: applicationName });
  await client.connect();
  cleanups.push(() => client.end());
  return client;
}

/** USER_HZ: /proc/<pid>/stat counts CPU in these ticks. */
export const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process or thread, in seconds; undefined if it is gone (or not Linux). */
export function cpuSeconds(statFile: string): number | undefined {
  try {
    const stat = fs.readFileSync(statFile, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return undefined;
  }
}

export interface BenchDatabase {
  name: string;
  url: string;
  host: string;
  pgVersion: string;
  pgSettings: Record<string, string>;
}

/** A fresh database on the server of ADMIN_URL, dropped by `cleanup()`. */
export async function createBenchDatabase(prefix: string, settingNames: string[], log: (msg: string) => void): Promise<BenchDatabase> {
  const name = `${prefix}_${crypto.randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  const pgVersion = (await admin.query<{ v: string }>('select version() as v')).rows[0]!.v;
  const pgSettings = Object.fromEntries(
    (
      await admin.query<{ name: string; setting: string }>(
        'select name, current_setting(name) as setting from pg_settings where name = any($1) order by name',
        [settingNames],
      )
    ).rows.map((r) => [r.name, r.setting]),
  );
  await admin.query(`create database ${name}`);
  cleanups.push(async () => {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
    log(`dropped database ${name}`);
  });
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  log(`database ${name} created on ${url.host}`);
  return { name, url: url.toString(), host: url.host, pgVersion, pgSettings };
}

/** The platform in this process on `dbUrl`, migrated and listening on an ephemeral port; closed by `cleanup()`. */
export async function startBenchPlatform(options: { dbUrl: string; dataDir: string; poolMax: number; role?: 'all' | 'api' }) {
  fs.mkdirSync(options.dataDir, { recursive: true });
  const config = loadConfig({
    DATA_DIR: options.dataDir,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_LIVE: '0',
    RATE_LIMIT_SANDBOX: '0',
    RATE_LIMIT_PUBLIC: '0',
    ...(options.role ? { ROLE: options.role } : {}),
  });
  const platform = await createPlatform(config, { databaseUrl: options.dbUrl, logger: createLogger('silent'), poolMax: options.poolMax });
  cleanups.push(() => platform.close());
  await migrate(platform.orm);
  const server: Server = await new Promise((resolve) => {
    const s = createApp(platform).listen(0, '127.0.0.1', () => resolve(s));
  });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { platform, config, server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Runs a benchmark's `main`, then `cleanup()`, and exits with its code (1 and the stack if it threw). */
export function runBenchmark(main: () => Promise<number>): void {
  main()
    .then(async (code) => {
      await cleanup();
      process.exit(code);
    })
    .catch(async (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
      await cleanup();
      process.exit(1);
    });
}

/**
 * Replaces the section headed `title` in `file` (up to the next `#`/`##` heading) and leaves
 * everything else alone; appends the section if it is not there yet. The file is read right before
 * writing because other benchmarks keep their own sections in it. `separator` goes between the
 * section and the heading that follows it.
 */
export function writeResultsSection(file: string, title: string, section: string, separator: string): void {
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const lines = current.split('\n');
  const start = lines.findIndex((l) => l.trimEnd() === title);
  let next: string;
  if (start === -1) {
    next = current.replace(/\s*$/, '') + (current.trim() ? '\n\n' : '') + section;
  } else {
    let end = lines.findIndex((l, i) => i > start && /^##? /.test(l));
    if (end === -1) end = lines.length;
    const before = lines.slice(0, start).join('\n').replace(/\s*$/, '');
    const after = lines.slice(end).join('\n');
    next = (before ? before + '\n\n' : '') + section + (after.trim() ? separator + after : '');
  }
  fs.writeFileSync(file, next.endsWith('\n') ? next : next + '\n');
}
