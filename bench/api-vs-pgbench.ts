/**
 * API vs. database benchmark (see bench/README.md).
 *
 *   node --import tsx bench/api-vs-pgbench.ts [--duration 15] [--connections 10] [--warmup 3] [--out bench/RESULTS.md]
 *
 * One run, on a fresh PostgreSQL database that is dropped at the end:
 *   1. the API in-process (same wiring as apps/api/test/harness.ts), autocannon in a worker thread:
 *      POST /v1/payments (fresh Idempotency-Key per request), then GET /v1/payments/{id};
 *   2. pgbench on the same database replaying the SQL of the create path in one transaction,
 *      `-M prepared` (the number compared against) and `-M simple` (for the interpretation).
 * Writes bench/RESULTS.md; exits non-zero on any error or when more than 1% of the HTTP
 * responses are not 2xx (RESULTS.md is then left untouched).
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { benchTempDir, CLK_TCK, cpuSeconds, connectBenchClient, createBenchDatabase, nonNegativeInt, positiveInt, runBenchmark, startBenchPlatform, validPayment } from './lib.js';

const MAX_NON_2XX_FRACTION = 0.01;
const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(BENCH_DIR, '..');

/**
 * RESULTS.md is shared: this benchmark owns the top of the file and its own `## ` sections;
 * sections written by the other benchmarks (checkout bundle, webhook latency…) are kept.
 */
function otherBenchmarkSections(file: string, report: string): string {
  if (!fs.existsSync(file)) return '';
  const own = new Set(report.split('\n').filter((l) => l.startsWith('## ')));
  const kept: string[] = [];
  let keeping = false;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('## ')) keeping = !own.has(line);
    if (keeping) kept.push(line);
  }
  return kept.length ? '\n' + kept.join('\n').trimEnd() + '\n' : '';
}

// ---------------------------------------------------------------------------------------------
// Options

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '15' },
    connections: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    out: { type: 'string', default: path.join(BENCH_DIR, 'RESULTS.md') },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(`Usage: node --import tsx bench/api-vs-pgbench.ts [--duration s] [--connections n] [--warmup s] [--out file]
  --duration     seconds per measured phase (API POST, API GET, pgbench prepared, pgbench simple); default 15
  --connections  HTTP connections = pgbench clients = API database pool size; default 10
  --warmup       seconds of unmeasured POST load before the measured POST phase; default 3
  --out          results file; default bench/RESULTS.md
Environment: BENCH_DATABASE_URL or DATABASE_URL (admin URL of a PostgreSQL server; default
postgres://postgres@127.0.0.1:5432/postgres), PGBENCH (pgbench binary; default: pgbench on PATH).`);
  process.exit(0);
}
const DURATION = positiveInt(args.duration, '--duration');
const CONNECTIONS = positiveInt(args.connections, '--connections');
const WARMUP = nonNegativeInt(args.warmup, '--warmup');
const OUT_FILE = path.resolve(args.out);
const PGBENCH = process.env['PGBENCH'] || 'pgbench';


// ---------------------------------------------------------------------------------------------
// autocannon (CommonJS, no bundled types): the small part of its API used here.

interface Histogram {
  average: number;
  p50: number;
  p99: number;
  max: number;
  total: number;
}
interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
  latency: Histogram & { totalCount: number };
  requests: Histogram & { sent: number };
}
interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  workers?: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  requests?: { setupRequest?: string; onResponse?: string }[];
}
type Autocannon = (opts: AutocannonOptions, cb: (err: Error | null, result: AutocannonResult) => void) => unknown;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

function runAutocannon(opts: AutocannonOptions): Promise<AutocannonResult> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

// ---------------------------------------------------------------------------------------------
// Resource sampling: where the CPU and the connections' time go during a phase.



function machineTicks(): { busy: number; total: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { busy: total - idle, total };
}

interface ActivitySample {
  /** active, not waiting: executing on a CPU (or waiting for one) */
  running: number;
  /** active, waiting on an advisory lock (the only lock a create can wait for is the audit-chain lock) */
  lockWait: number;
  /** active, waiting on anything else (WAL flush at COMMIT, LWLocks, I/O, other locks) */
  otherWait: number;
  /** inside a transaction, waiting for the client's next statement */
  idleInTx: number;
  idle: number;
}

interface PhaseUsage {
  seconds: number;
  machineBusyCores: number;
  nodeMainCores: number;
  nodeOtherCores: number;
  /** this database's backends + the server's background processes */
  postgresCores: number;
  /** of which background processes (walwriter, checkpointer, autovacuum, …) */
  postgresBackgroundCores: number;
  pgbenchCores: number;
  /** Machine busy minus everything above: other people's processes on a shared machine. */
  otherCores: number;
  eventLoopUtilization: number;
  /** Mean number of benchmark connections in each state (pg_stat_activity, sampled every 100 ms). */
  activity: ActivitySample;
}

/**
 * Samples CPU (per process, from /proc) and pg_stat_activity every 100 ms while a phase runs.
 * The PostgreSQL processes are found through pg_stat_activity (this database's backends plus the
 * server's background processes), not by scanning /proc: the sampler runs on the server's event
 * loop and must stay cheap.
 */
class PhaseSampler {
  private readonly start = performance.now();
  private readonly elu = performance.eventLoopUtilization();
  private readonly machine0 = machineTicks();
  private readonly node0 = cpuSeconds('/proc/self/stat') ?? 0;
  private readonly main0 = cpuSeconds(`/proc/self/task/${process.pid}/stat`) ?? 0;
  private readonly pgFirst = new Map<number, number>();
  private readonly pgLast = new Map<number, number>();
  private readonly pgBackground = new Set<number>();
  private pgbenchCpu = 0;
  private readonly activity: ActivitySample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> | undefined;
  pgbenchPid: number | undefined;

  private constructor(
    private readonly dbName: string,
    private readonly monitor: pg.Client,
    /** Which connections are the benchmark's: pgbench's, or the API pool's. */
    private readonly clients: 'api' | 'pgbench',
  ) {}

  static async start(dbName: string, monitor: pg.Client, clients: 'api' | 'pgbench'): Promise<PhaseSampler> {
    const sampler = new PhaseSampler(dbName, monitor, clients);
    await sampler.sample(true, false);
    sampler.timer = setInterval(() => {
      sampler.sampling ??= sampler.sample(false, true).finally(() => (sampler.sampling = undefined));
    }, 100);
    return sampler;
  }

  private async sample(baseline: boolean, recordActivity: boolean): Promise<void> {
    try {
      const { rows } = await this.monitor.query<{ pid: number; client: boolean; app: string; state: string | null; wait: string | null }>(
        `select pid, backend_type = 'client backend' as client, application_name as app, state, wait_event_type || ':' || wait_event as wait
           from pg_stat_activity
          where pid <> pg_backend_pid()
            and ((backend_type = 'client backend' and datname = $1) or (backend_type <> 'client backend' and (datname is null or datname = $1)))`,
        [this.dbName],
      );
      for (const r of rows) {
        const cpu = cpuSeconds(`/proc/${r.pid}/stat`);
        if (cpu === undefined) continue;
        if (!r.client) this.pgBackground.add(r.pid);
        if (baseline) this.pgFirst.set(r.pid, cpu);
        else if (!this.pgFirst.has(r.pid)) this.pgFirst.set(r.pid, 0); // started during the phase
        this.pgLast.set(r.pid, cpu);
      }
      if (this.pgbenchPid !== undefined) this.pgbenchCpu = cpuSeconds(`/proc/${this.pgbenchPid}/stat`) ?? this.pgbenchCpu;
      if (!recordActivity) return;
      const s: ActivitySample = { running: 0, lockWait: 0, otherWait: 0, idleInTx: 0, idle: 0 };
      for (const r of rows) {
        if (!r.client || (r.app === 'pgbench') !== (this.clients === 'pgbench')) continue;
        if (r.state === 'active') {
          if (r.wait === 'Lock:advisory') s.lockWait++;
          else if (r.wait) s.otherWait++;
          else s.running++;
        } else if (r.state === 'idle in transaction') s.idleInTx++;
        else if (r.state === 'idle') s.idle++;
      }
      this.activity.push(s);
    } catch {
      // a failed sample is skipped; the phase's own errors are reported elsewhere
    }
  }

  async stop(): Promise<PhaseUsage> {
    clearInterval(this.timer);
    await this.sampling;
    await this.sample(false, false);
    const seconds = (performance.now() - this.start) / 1000;
    const m1 = machineTicks();
    const node = (cpuSeconds('/proc/self/stat') ?? 0) - this.node0;
    const main = (cpuSeconds(`/proc/self/task/${process.pid}/stat`) ?? 0) - this.main0;
    let postgres = 0;
    let background = 0;
    for (const [pid, last] of this.pgLast) {
      const used = last - (this.pgFirst.get(pid) ?? 0);
      postgres += used;
      if (this.pgBackground.has(pid)) background += used;
    }
    const n = Math.max(1, this.activity.length);
    const mean = (k: keyof ActivitySample) => this.activity.reduce((a, s) => a + s[k], 0) / n;
    const machineBusy = (m1.busy - this.machine0.busy) / CLK_TCK;
    return {
      seconds,
      machineBusyCores: machineBusy / seconds,
      nodeMainCores: main / seconds,
      nodeOtherCores: Math.max(0, node - main) / seconds,
      postgresCores: postgres / seconds,
      postgresBackgroundCores: background / seconds,
      pgbenchCores: this.pgbenchCpu / seconds,
      otherCores: Math.max(0, machineBusy - node - postgres - this.pgbenchCpu) / seconds,
      eventLoopUtilization: performance.eventLoopUtilization(this.elu).utilization,
      activity: {
        running: mean('running'),
        lockWait: mean('lockWait'),
        otherWait: mean('otherWait'),
        idleInTx: mean('idleInTx'),
        idle: mean('idle'),
      },
    };
  }
}

// ---------------------------------------------------------------------------------------------
// pgbench: the SQL the API's create path runs (captured from the driver), in one transaction.

/**
 * Statement for statement what `POST /v1/payments` sends (http/idempotency.ts,
 * services/payments.ts, services/audit.ts, services/events.ts), in the same order. Ids are
 * `<prefix>_<client id, 4 digits><random, 22 digits>` (26 characters like the API's ULIDs, but
 * random instead of time-ordered). The JSON payloads are real API output passed with -D.
 */
// pgbench replaces \`:name\` everywhere, even inside string literals: a literal must never contain a
// colon followed by a letter (hence \`':' || 'sandbox'\`). {{prev_hash}} is filled in per query mode
// (a \gset variable is pasted unquoted in -M simple).
const PGBENCH_SCRIPT = String.raw`\set n random(1, 999999999999999999)
BEGIN;
SELECT pg_try_advisory_xact_lock(hashtextextended('idem:' || :tenant::text || ':' || 'sandbox' || ':' || 'bench-' || :client_id::text || '-' || :n::text, 11)) AS locked;
SELECT request_hash, status_code, response_body FROM idempotency_keys
 WHERE tenant_id = :tenant AND mode = 'sandbox' AND key = 'bench-' || :client_id::text || '-' || :n::text AND expires_at > now();
DELETE FROM idempotency_keys WHERE tenant_id = :tenant AND mode = 'sandbox' AND key = 'bench-' || :client_id::text || '-' || :n::text;
SELECT t0.* FROM tenants AS t0 WHERE t0.id = :tenant LIMIT 1;
INSERT INTO payments (id, tenant_id, mode, status, amount, currency, amount_refunded, description, customer, metadata, provider,
  provider_reference, return_url, cancel_url, checkout_token_id, checkout_expires_at, last_error, cancellation_reason, created_at, updated_at)
 VALUES ('pay_' || lpad(:client_id::text, 4, '0') || lpad(:n::text, 22, '0'), :tenant, 'sandbox', 'requires_payment_method', 1999, 'EUR', 0,
  'Order #1001', :customer_json, :metadata_json, 'sandbox', NULL, 'https://shop.example.com/checkout/done', 'https://shop.example.com/cart',
  gen_random_uuid()::text, date_trunc('second', now()) + interval '1 hour', NULL, NULL, now(), now());
SELECT pg_advisory_xact_lock(hashtextextended('audit:' || :tenant::text, 7));
SELECT hash AS prev_hash FROM audit_log WHERE chain = :tenant ORDER BY seq DESC LIMIT 1 \gset
INSERT INTO audit_log (id, chain, actor_type, actor_id, action, target_type, target_id, tenant_id, mode, request_id, ip, before, after,
  created_at, prev_hash, hash)
 VALUES ('aud_' || lpad(:client_id::text, 4, '0') || lpad(:n::text, 22, '0'), :tenant, 'tenant', :tenant, 'payment.create', 'payment',
  'pay_' || lpad(:client_id::text, 4, '0') || lpad(:n::text, 22, '0'), :tenant, 'sandbox', 'req_' || substr(md5(:n::text), 1, 16), '127.0.0.1',
  NULL, :payment_json, now(), {{prev_hash}}, md5(:n::text) || md5(:client_id::text))
 RETURNING seq;
INSERT INTO events (id, tenant_id, mode, type, object_id, data, created_at)
 VALUES ('evt_' || lpad(:client_id::text, 4, '0') || lpad(:n::text, 22, '0'), :tenant, 'sandbox', 'payment.created',
  'pay_' || lpad(:client_id::text, 4, '0') || lpad(:n::text, 22, '0'), :payment_json, now());
INSERT INTO idempotency_keys (tenant_id, mode, key, request_hash, status_code, response_body, created_at, expires_at)
 VALUES (:tenant, 'sandbox', 'bench-' || :client_id::text || '-' || :n::text, md5(:n::text) || md5(:tenant::text), 201, :response_json,
  now(), now() + interval '24 hours');
END;
`;

interface PgbenchResult {
  mode: 'prepared' | 'simple';
  tps: number;
  latencyAvgMs: number;
  transactions: number;
  failed: number;
  usage: PhaseUsage;
}

function sqlQuote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

async function runPgbench(
  mode: 'prepared' | 'simple',
  dbUrl: string,
  scriptFile: string,
  vars: Record<string, string>,
  sampler: PhaseSampler,
): Promise<Omit<PgbenchResult, 'usage'>> {
  // -M prepared sends variables as parameters; -M simple pastes their text into the SQL.
  const defines = Object.entries(vars).flatMap(([k, v]) => ['-D', `${k}=${mode === 'simple' ? sqlQuote(v) : v}`]);
  const argv = ['-n', '-M', mode, '-c', String(CONNECTIONS), '-j', '2', '-T', String(DURATION), '-f', scriptFile, ...defines, dbUrl];
  const child = spawn(PGBENCH, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  sampler.pgbenchPid = child.pid;
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const num = (re: RegExp) => {
    const m = re.exec(stdout);
    return m ? Number(m[1]) : NaN;
  };
  const result = {
    mode,
    tps: num(/^tps = ([\d.]+)/m),
    latencyAvgMs: num(/^latency average = ([\d.]+) ms/m),
    transactions: num(/^number of transactions actually processed: (\d+)/m),
    failed: num(/^number of failed transactions: (\d+)/m) || 0,
  };
  if (code !== 0 || !Number.isFinite(result.tps) || result.failed > 0) {
    throw new Error(`pgbench -M ${mode} failed (exit ${code}):\n${stdout}\n${stderr.split('\n').slice(0, 20).join('\n')}`);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Main

interface HttpPhase {
  name: string;
  rps: number;
  total: number;
  p50: number;
  p99: number;
  avg: number;
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
  usage: PhaseUsage;
  /** First non-2xx responses (status + body), as JSON lines. */
  samples: string[];
}



function log(msg: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);
}

async function main(): Promise<number> {
  const startedAt = new Date();
  const loadAvgAtStart = os.loadavg();
  const tmp = benchTempDir('api-vs-pgbench-');

  // Fresh database, and the platform in this process as the test harness starts it.
  const db = await createBenchDatabase('bench', ['shared_buffers', 'synchronous_commit', 'fsync', 'wal_sync_method', 'max_connections'], log);
  const { url: dbUrl, name: dbName, pgVersion, pgSettings } = db;
  const { platform, baseUrl } = await startBenchPlatform({ dbUrl, dataDir: path.join(tmp, 'data'), poolMax: CONNECTIONS });

  // A tenant and a sandbox token.
  const appName = 'bench-shop';
  const tenant = await platform.orm.em
    .fork()
    .transactional((em) =>
      platform.tenants.create(em, { appName, allowedOrigins: ['https://shop.example.com'] }, { actor: { type: 'system', id: 'bench' }, requestId: null, ip: null }),
    );
  const login = await fetch(`${baseUrl}/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ appName, appSecret: tenant.secrets.sandbox }),
  });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${await login.text()}`);
  const token = ((await login.json()) as { accessToken: string }).accessToken;
  const auth = { authorization: `Bearer ${token}` };
  const body = JSON.stringify(validPayment);

  // One payment by hand: checks the path works and gives pgbench real payloads.
  const first = await fetch(`${baseUrl}/v1/payments`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': `bench-template-${crypto.randomUUID()}` },
    body,
  });
  const responseJson = await first.text();
  if (first.status !== 201) throw new Error(`POST /v1/payments failed: ${first.status} ${responseJson}`);
  const paymentId = (JSON.parse(responseJson) as { id: string }).id;
  const got = await fetch(`${baseUrl}/v1/payments/${paymentId}`, { headers: auth });
  const paymentJson = await got.text();
  if (got.status !== 200) throw new Error(`GET /v1/payments/{id} failed: ${got.status} ${paymentJson}`);
  log(`platform on ${baseUrl}, tenant ${tenant.tenantId}`);

  // autocannon runs in a worker thread (so it does not share the server's event loop); its
  // per-request hooks must therefore be files.
  const non2xxLog = path.join(tmp, 'non2xx.ndjson');
  const postSetup = path.join(tmp, 'post-setup.cjs');
  fs.writeFileSync(
    postSetup,
    `const crypto = require('node:crypto');
const prefix = 'bench-' + crypto.randomBytes(6).toString('hex') + '-';
let n = 0;
module.exports = (req) => { req.headers['idempotency-key'] = prefix + (++n); return req; };
`,
  );
  /** A response hook (a file, for the worker thread) that keeps the first non-2xx responses of one phase. */
  const onResponseFor = (phase: string) => {
    const file = path.join(tmp, `on-response-${phase}.cjs`);
    fs.writeFileSync(
      file,
      `const fs = require('node:fs');
let logged = 0;
module.exports = (status, body) => {
  if ((status < 200 || status > 299) && logged < 20) {
    logged++;
    fs.appendFileSync(${JSON.stringify(non2xxLog)}, JSON.stringify({ phase: ${JSON.stringify(phase)}, status, body: String(body).slice(0, 600) }) + '\\n');
  }
};
`,
    );
    return file;
  };

  const monitor = await connectBenchClient(dbUrl, 'bench-monitor');
  const sampler = (clients: 'api' | 'pgbench') => PhaseSampler.start(dbName, monitor, clients);
  /**
   * autocannon stops at the deadline but the server still finishes the requests in flight (up to one
   * per connection); wait until the API's connections are idle so they do not spill into the next phase.
   */
  const drain = async () => {
    for (let i = 0; i < 600; i++) {
      const { rows } = await monitor.query<{ n: string }>(
        `select count(*) as n from pg_stat_activity
          where datname = $1 and backend_type = 'client backend' and pid <> pg_backend_pid() and state <> 'idle'`,
        [dbName],
      );
      if (Number(rows[0]!.n) === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the API did not become idle within 30 s after a phase');
  };

  const non2xxSamples = (phase: string) =>
    fs.existsSync(non2xxLog)
      ? fs
          .readFileSync(non2xxLog, 'utf8')
          .trim()
          .split('\n')
          .filter((l) => (JSON.parse(l) as { phase: string }).phase === phase)
      : [];
  const httpPhase = async (
    name: string,
    key: string,
    setupRequest: string,
    opts: Omit<AutocannonOptions, 'url' | 'connections' | 'workers' | 'requests'>,
  ): Promise<HttpPhase> => {
    const s = await sampler('api');
    const r = await runAutocannon({
      url: `${baseUrl}/v1/payments`,
      connections: CONNECTIONS,
      workers: 1,
      ...opts,
      requests: [{ setupRequest, onResponse: onResponseFor(key) }],
    });
    const usage = await s.stop();
    await drain();
    const statusCodes = Object.fromEntries(Object.entries(r.statusCodeStats).map(([k, v]) => [k, v.count]));
    const samples = non2xxSamples(key);
    if (r.non2xx > 0) log(`  ${name}: ${r.non2xx} non-2xx responses ${JSON.stringify(statusCodes)}; first ones:\n    ${samples.slice(0, 3).join('\n    ')}`);
    return {
      name,
      rps: r.requests.total / r.duration,
      total: r.requests.total,
      p50: r.latency.p50,
      p99: r.latency.p99,
      avg: r.latency.average,
      non2xx: r.non2xx,
      errors: r.errors + r.timeouts,
      statusCodes,
      usage,
      samples,
    };
  };
  const postOpts = {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body,
  };

  if (WARMUP > 0) {
    log(`warm-up: POST /v1/payments for ${WARMUP}s (not measured)`);
    await httpPhase('warm-up', 'warmup', postSetup, { ...postOpts, duration: WARMUP });
  }
  log(`API: POST /v1/payments, ${CONNECTIONS} connections, ${DURATION}s`);
  const post = await httpPhase('POST /v1/payments', 'post', postSetup, { ...postOpts, duration: DURATION });
  log(`  ${post.rps.toFixed(1)} req/s, p50 ${post.p50} ms, p99 ${post.p99} ms, non-2xx ${post.non2xx}, errors ${post.errors}`);

  const ids = (
    await monitor.query<{ id: string }>('select id from payments where tenant_id = $1 order by random() limit 1000', [tenant.tenantId])
  ).rows.map((r) => r.id);
  const getSetup = path.join(tmp, 'get-setup.cjs');
  fs.writeFileSync(
    getSetup,
    `const ids = ${JSON.stringify(ids)};
let i = Math.floor(Math.random() * ids.length);
module.exports = (req) => { req.path = '/v1/payments/' + ids[i++ % ids.length]; return req; };
`,
  );
  log(`API: GET /v1/payments/{id} over ${ids.length} ids, ${CONNECTIONS} connections, ${DURATION}s`);
  const get = await httpPhase('GET /v1/payments/{id}', 'get', getSetup, { method: 'GET', headers: auth, duration: DURATION });
  log(`  ${get.rps.toFixed(1)} req/s, p50 ${get.p50} ms, p99 ${get.p99} ms, non-2xx ${get.non2xx}, errors ${get.errors}`);

  // pgbench against the same database; the API stays up but idle.
  const scriptFile = path.join(tmp, 'create-payment.sql');
  const vars = {
    tenant: tenant.tenantId,
    customer_json: JSON.stringify(validPayment.customer),
    metadata_json: JSON.stringify(validPayment.metadata),
    payment_json: paymentJson,
    response_json: responseJson,
  };
  const pgbenchRuns: PgbenchResult[] = [];
  for (const mode of ['prepared', 'simple'] as const) {
    log(`pgbench -M ${mode} -c ${CONNECTIONS} -j 2 -T ${DURATION}`);
    fs.writeFileSync(scriptFile, PGBENCH_SCRIPT.replace('{{prev_hash}}', mode === 'simple' ? "':prev_hash'" : ':prev_hash'));
    const s = await sampler('pgbench');
    const r = await runPgbench(mode, dbUrl, scriptFile, vars, s);
    pgbenchRuns.push({ ...r, usage: await s.stop() });
    log(`  ${r.tps.toFixed(1)} tps, latency avg ${r.latencyAvgMs} ms`);
  }
  const [prepared, simple] = pgbenchRuns as [PgbenchResult, PgbenchResult];

  // Sanity: every measured POST made exactly one payment, event, audit entry and key.
  const counts = (
    await monitor.query<{ payments: string; events: string; audit: string; keys: string }>(
      `select (select count(*) from payments) as payments, (select count(*) from events) as events,
              (select count(*) from audit_log where action = 'payment.create') as audit, (select count(*) from idempotency_keys) as keys`,
    )
  ).rows[0]!;

  // Verdict.
  const problems: string[] = [];
  for (const p of [post, get]) {
    const bad = p.non2xx + p.errors;
    if (p.total === 0) problems.push(`${p.name}: no responses at all`);
    else if (bad / (p.total + p.errors) > MAX_NON_2XX_FRACTION) {
      problems.push(`${p.name}: ${p.non2xx} non-2xx and ${p.errors} errors out of ${p.total} responses (> ${MAX_NON_2XX_FRACTION * 100}%)`);
    }
  }
  const samples = [...post.samples, ...get.samples];
  const rowCounts = [counts.payments, counts.events, counts.audit, counts.keys];
  if (post.non2xx === 0 && new Set(rowCounts).size !== 1) {
    problems.push(`row counts disagree (payments, events, payment.create audit entries, idempotency keys): ${rowCounts.join(', ')}`);
  }

  const report = renderReport({
    startedAt,
    loadAvgAtStart,
    pgVersion,
    pgSettings,
    post,
    get,
    prepared,
    simple,
    counts,
    non2xxSamples: samples,
  });
  console.log('\n' + report);
  if (problems.length > 0) {
    console.error(`\nFAILED:\n  ${problems.join('\n  ')}`);
    if (samples.length > 0) console.error(`First non-2xx responses:\n  ${samples.slice(0, 10).join('\n  ')}`);
    console.error(`${path.relative(REPO_ROOT, OUT_FILE)} was not written.`);
    return 1;
  }
  fs.writeFileSync(OUT_FILE, report.trimEnd() + '\n' + otherBenchmarkSections(OUT_FILE, report));
  log(`wrote ${path.relative(REPO_ROOT, OUT_FILE)}`);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Report

interface ReportInput {
  startedAt: Date;
  loadAvgAtStart: number[];
  pgVersion: string;
  pgSettings: Record<string, string>;
  post: HttpPhase;
  get: HttpPhase;
  prepared: PgbenchResult;
  simple: PgbenchResult;
  counts: { payments: string; events: string; audit: string; keys: string };
  non2xxSamples: string[];
}

function renderReport(r: ReportInput): string {
  const { post, get, prepared, simple } = r;
  const f1 = (n: number) => n.toFixed(1);
  const f2 = (n: number) => n.toFixed(2);
  const pct = (n: number) => `${(n * 100).toFixed(0)}%`;
  const ratio = post.rps / prepared.tps;
  const cores = os.availableParallelism();
  const cpuModel = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  const pgShort = /^PostgreSQL [\d.]+/.exec(r.pgVersion)?.[0] ?? r.pgVersion;
  const codes = (p: HttpPhase) =>
    Object.entries(p.statusCodes)
      .map(([c, n]) => `${c}×${n}`)
      .join(', ') + (p.errors ? `, connection errors/timeouts ×${p.errors}` : '');
  /** CPU of the backends serving the benchmark's connections (background processes excluded) */
  const backendCores = (x: PhaseUsage) => x.postgresCores - x.postgresBackgroundCores;
  /** milliseconds of CPU per request / transaction */
  const msPer = (coresUsed: number, rate: number) => (rate > 0 ? (coresUsed / rate) * 1000 : NaN);
  const pu = post.usage;
  const gu = get.usage;
  const bu = prepared.usage;
  const su = simple.usage;

  const usageRow = (name: string, rate: number, x: PhaseUsage, api: boolean) =>
    `| ${name} | ${f2(x.machineBusyCores)} | ${f2(x.nodeMainCores)}${api ? ` (ELU ${f2(x.eventLoopUtilization)})` : ''} | ` +
    `${f2(x.nodeOtherCores)} | ${f2(x.postgresCores)} (${f2(x.postgresBackgroundCores)}) | ${api ? '–' : f2(x.pgbenchCores)} | ${f2(x.otherCores)} | ` +
    `${f2(msPer(backendCores(x), rate))} | ${api ? f2(msPer(x.nodeMainCores, rate)) : '–'} |`;
  const activityRow = (name: string, x: PhaseUsage) =>
    `| ${name} | ${f1(x.activity.running)} | ${f1(x.activity.lockWait)} | ${f1(x.activity.otherWait)} | ${f1(x.activity.idleInTx)} | ${f1(x.activity.idle)} |`;

  // Interpretation, derived from this run's numbers.
  const nodeMsPerPost = msPer(pu.nodeMainCores, post.rps);
  const nodeMsPerGet = msPer(gu.nodeMainCores, get.rps);
  const pgMsPerPost = msPer(backendCores(pu), post.rps);
  const notes: string[] = [];
  notes.push(
    `The API creates payments at **${f1(post.rps)} req/s**, ${pct(ratio)} of what PostgreSQL sustains for the same statements ` +
      `from pgbench (**${f1(prepared.tps)} tps**, \`-M prepared\`): pgbench does ${f1(1 / ratio)}× more creates per second.`,
  );
  const lockBound = pu.activity.lockWait >= 1 && bu.activity.lockWait >= 1;
  notes.push(
    `**One lock sets both numbers.** Every create takes its tenant's audit-chain lock (\`pg_advisory_xact_lock\`, services/audit.ts) ` +
      `and keeps it until COMMIT, so the creates of one tenant pass that part of the transaction one at a time. ` +
      (lockBound
        ? `It was the queue in both runs: on average ${f1(pu.activity.lockWait)} of ${CONNECTIONS} API connections and ` +
          `${f1(bu.activity.lockWait)} of ${CONNECTIONS} pgbench clients were waiting for it. Throughput is then about ` +
          `1 / (time the lock is held): ≈ ${f1(1000 / prepared.tps)} ms per create in pgbench (4 statements and the COMMIT with its ` +
          `WAL flush) against ≈ ${f1(1000 / post.rps)} ms in the API, so the ratio measures how much longer the API holds it. ` +
          `The POST latency follows from the same queue: with ${CONNECTIONS} connections in a closed loop a request waits for ` +
          `the others ahead of it, ≈ ${CONNECTIONS} / throughput = ${f1((CONNECTIONS * 1000) / post.rps)} ms (measured average ` +
          `${f1(post.avg)} ms).`
        : `The queue on it was short in this run (on average ${f1(pu.activity.lockWait)} API connections and ` +
          `${f1(bu.activity.lockWait)} pgbench clients waiting), so it was not the main limit.`),
  );
  const starved = pu.eventLoopUtilization - pu.nodeMainCores > 0.15;
  notes.push(
    `**Why the API holds it longer.** From the lock to COMMIT the API makes 6 round trips (lock, last hash, audit insert, event ` +
      `insert, idempotency-key insert, COMMIT) and runs JavaScript in between: the audit entry's canonical JSON + SHA-256, the checkout ` +
      `token's EdDSA signature, serialising the response for the idempotency record. Each step waits for its turn on the event loop ` +
      `behind other requests' work (event-loop utilisation ${f2(pu.eventLoopUtilization)}); meanwhile the connection is *idle in ` +
      `transaction* (${f1(pu.activity.idleInTx)} of ${CONNECTIONS} on average in the API run, ${f1(bu.activity.idleInTx)} in pgbench). ` +
      (starved
        ? `The main thread was busy ${pct(pu.eventLoopUtilization)} of the time but got only ${f2(pu.nodeMainCores)} cores: the rest ` +
          `of that time it was waiting for a CPU, which stretches the steps inside the lock as well.`
        : ''),
  );
  notes.push(
    `**Node's CPU per request.** The server's main thread used ${f2(nodeMsPerPost)} ms of CPU per POST and ${f2(nodeMsPerGet)} ms per ` +
      `GET (MikroORM unit of work and knex query building, one socket write per statement, JWT verification, JSON + zod ` +
      `validation, request and audit SHA-256, ULID generation, token signing, express/pino-http/metrics middleware), against ` +
      `${f2(pgMsPerPost)} ms of PostgreSQL CPU per POST. Even without the lock, one process with one JavaScript thread would top ` +
      `out near ${(1000 / nodeMsPerPost).toFixed(0)} creates/s per core on this machine.`,
  );
  const protocolMatters = Math.abs(simple.tps - prepared.tps) / prepared.tps > 0.15;
  notes.push(
    `**Parse/plan per statement.** MikroORM/knex inline every value into the SQL text (simple query protocol), so PostgreSQL parses ` +
      `and plans each statement on every request; \`-M prepared\` does that once per connection. PostgreSQL CPU per create: ` +
      `${f2(msPer(backendCores(bu), prepared.tps))} ms with \`-M prepared\`, ${f2(msPer(backendCores(su), simple.tps))} ms with ` +
      `\`-M simple\`, ${f2(pgMsPerPost)} ms per API POST` +
      (pgMsPerPost > 1.2 * msPer(backendCores(su), simple.tps)
        ? ` (the same statements as \`-M simple\`; this script does not break the remaining difference down). `
        : '. ') +
      (protocolMatters
        ? `Here it changed pgbench's throughput noticeably (${f1(prepared.tps)} vs ${f1(simple.tps)} tps).`
        : `It barely changes throughput (${f1(prepared.tps)} vs ${f1(simple.tps)} tps): this workload waits on the lock and the WAL ` +
          `flush, not on PostgreSQL CPU.`),
  );
  notes.push(
    `**Shared cores.** Client and server share ${cores} cores: during the POST run the machine was ${f2(pu.machineBusyCores)} cores busy, ` +
      `of which the autocannon worker and Node's other threads took ${f2(pu.nodeOtherCores)} and processes outside the benchmark ` +
      `${f2(pu.otherCores)} (load average ${r.loadAvgAtStart.map(f2).join(' / ')} at start). ` +
      (Math.max(pu.otherCores, gu.otherCores, bu.otherCores, su.otherCores) > 0.3
        ? `Other work on the machine took a noticeable share, so treat the absolute numbers as indicative.`
        : `Little else ran on the machine during the run.`),
  );
  notes.push(
    `**Reads.** \`GET /v1/payments/{id}\` (one indexed SELECT, no transaction, no lock) runs at ${f1(get.rps)} req/s with ` +
      `${f2(nodeMsPerGet)} ms of main-thread CPU and ${f2(msPer(backendCores(gu), get.rps))} ms of PostgreSQL CPU per request ` +
      `(event-loop utilisation ${f2(gu.eventLoopUtilization)}): the fixed cost of the HTTP + auth + ORM stack` +
      (gu.eventLoopUtilization > 0.85 ? `, bound by Node's single JavaScript thread.` : '.'),
  );

  const lines = [
    '# API vs pgbench — payment create',
    '',
    'Generated by `npm run bench` (bench/api-vs-pgbench.ts); see bench/README.md for what is measured and the caveats.',
    '',
    '| | |',
    '|---|---|',
    `| Date | ${r.startedAt.toISOString()} |`,
    `| Machine | ${cores} CPUs (${cpuModel}), ${f1(os.totalmem() / 2 ** 30)} GiB RAM, ${os.type()} ${os.release()}; load average at start ${r.loadAvgAtStart.map(f2).join(' / ')} |`,
    `| Node.js | ${process.version} |`,
    `| PostgreSQL | ${pgShort} (${Object.entries(r.pgSettings)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}) |`,
    `| Duration | ${DURATION} s per phase after a ${WARMUP} s POST warm-up; ${CONNECTIONS} HTTP connections = pgbench clients (\`-j 2\`) = API pool size; one tenant, sandbox mode |`,
    '',
    '## Results',
    '',
    '| Measurement | Throughput | Latency p50 | Latency p99 | Latency avg | Count | Outcome |',
    '|---|---:|---:|---:|---:|---:|---|',
    `| API \`POST /v1/payments\` | **${f1(post.rps)} req/s** | ${post.p50} ms | ${post.p99} ms | ${f1(post.avg)} ms | ${post.total} | ${codes(post)} |`,
    `| API \`GET /v1/payments/{id}\` | **${f1(get.rps)} req/s** | ${get.p50} ms | ${get.p99} ms | ${f1(get.avg)} ms | ${get.total} | ${codes(get)} |`,
    `| pgbench, create transaction, \`-M prepared\` | **${f1(prepared.tps)} tps** | | | ${f1(prepared.latencyAvgMs)} ms | ${prepared.transactions} | ${prepared.failed} failed |`,
    `| pgbench, create transaction, \`-M simple\` (reference) | ${f1(simple.tps)} tps | | | ${f1(simple.latencyAvgMs)} ms | ${simple.transactions} | ${simple.failed} failed |`,
    '',
    `**Ratio API POST / pgbench (\`-M prepared\`) = ${f2(ratio)}**`,
    '',
    `Rows at the end: ${r.counts.payments} payments, ${r.counts.events} events, ${r.counts.audit} \`payment.create\` audit entries, ` +
      `${r.counts.keys} idempotency keys (API and pgbench together; one of each per create).`,
    '',
    '## Where the time went',
    '',
    'CPU in cores (1.00 = one core busy for the whole phase), from /proc. "PostgreSQL" = the benchmark database\'s backends plus, in',
    'parentheses, the server\'s background processes (WAL writer, checkpointer, autovacuum…); "PG CPU ms / op" counts the backends only.',
    '"Other" = machine busy time not accounted to Node, PostgreSQL or pgbench: other workloads on the machine.',
    '',
    '| Phase | Machine busy | Node main thread (ELU) | Node other threads | PostgreSQL (background) | pgbench | Other | PG CPU ms / op | Node main CPU ms / op |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    usageRow('API POST', post.rps, pu, true),
    usageRow('API GET', get.rps, gu, true),
    usageRow('pgbench prepared', prepared.tps, bu, false),
    usageRow('pgbench simple', simple.tps, su, false),
    '',
    `Mean state of the ${CONNECTIONS} benchmark connections (pg_stat_activity every 100 ms; API phases: the API's pool, pgbench phases: pgbench's clients):`,
    '',
    '| Phase | running | waiting on the audit-chain (advisory) lock | other waits (WAL flush, LWLock, I/O) | idle in transaction | idle |',
    '|---|---:|---:|---:|---:|---:|',
    activityRow('API POST', pu),
    activityRow('API GET', gu),
    activityRow('pgbench prepared', bu),
    activityRow('pgbench simple', su),
    '',
    '## Interpretation',
    '',
    ...notes.map((n) => `- ${n}`),
    '',
  ];
  if (r.non2xxSamples.length > 0) {
    lines.push('## Non-2xx responses (first samples)', '', '```', ...r.non2xxSamples.slice(0, 10), '```', '');
  }
  return lines.join('\n');
}

runBenchmark(main);
