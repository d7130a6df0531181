/**
 * Webhook delivery latency benchmark (see bench/README.md, "Webhook delivery latency").
 *
 *   node --import tsx bench/webhook-latency.ts [--events 1000] [--rate 50] [--warmup 20] [--wait 60] [--out bench/RESULTS.md] [--in-process-worker]
 *
 * One run, on a fresh PostgreSQL database that is dropped at the end:
 *   1. the platform as production runs it: the API in this process with ROLE=api (createPlatform +
 *      migrate + createApp + listen, no worker), and the delivery worker as a separate child
 *      process `ROLE=worker node --import tsx apps/api/src/main.ts` on the same database and
 *      DATA_DIR (as apps/api/test/webhooks-crash.test.ts spawns it); the child is killed on exit,
 *      failure and Ctrl-C. With --in-process-worker: the old topology, API and worker in this
 *      process (ROLE=all, platform.startWorker(baseUrl), as apps/api/test/harness.ts does it);
 *   2. a receiver in a worker thread (its own event loop, so arrival times are not delayed by the
 *      platform's work) that verifies every delivery with the `standardwebhooks` package;
 *   3. one sandbox webhook endpoint pointing at the receiver, then `--events` payments created
 *      by POST /v1/payments at a steady `--rate` per second (open loop, from a second worker
 *      thread), each producing one `payment.created` event and one delivery.
 * Per event it measures "event committed → receiver got it" as receiver arrival − the event's
 * `createdAt` (stamped inside the create transaction just before COMMIT, so this slightly
 * overstates the latency), and also from the moment the 201 response reached the client
 * (after COMMIT, so this slightly understates it).
 * Writes the "## Webhook delivery latency" section of bench/RESULTS.md (other sections are kept)
 * and exits 1 when p50 > 300 ms, p99 > 1 s, or any event is missing or fails verification.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import type pg from 'pg';
import { DELIVERY_SLOTS } from '../apps/api/src/jobs/webhook-deliveries.js';
import { benchTempDir, cleanups, CLK_TCK, connectBenchClient, cpuSeconds, createBenchDatabase, nonNegativeInt, positiveInt, runBenchmark, startBenchPlatform, validPayment, writeResultsSection } from './lib.js';

const TARGET_P50_MS = 300;
const TARGET_P99_MS = 1000;
const SECTION_TITLE = '## Webhook delivery latency';
const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(BENCH_DIR, '..');
const require = createRequire(import.meta.url);

// ---------------------------------------------------------------------------------------------
// Options

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '20' },
    wait: { type: 'string', default: '60' },
    out: { type: 'string', default: path.join(BENCH_DIR, 'RESULTS.md') },
    'in-process-worker': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(`Usage: node --import tsx bench/webhook-latency.ts [--events n] [--rate n] [--warmup n] [--wait s] [--out file] [--in-process-worker]
  --events  measured events (payments created, one payment.created delivery each); default 1000
  --rate    payments created per second, open loop; default 50
  --warmup  unmeasured events first (JIT, pools); default 20
  --wait    seconds to wait after the last create for missing deliveries; default 60
  --out     results file whose "${SECTION_TITLE}" section is replaced; default bench/RESULTS.md
  --in-process-worker
            run the delivery worker in this process next to the API (ROLE=all, the old topology)
            instead of as a separate ROLE=worker child process (the default, as in production)
Environment: BENCH_DATABASE_URL or DATABASE_URL (admin URL of a PostgreSQL server; default
postgres://postgres@127.0.0.1:5432/postgres).`);
  process.exit(0);
}
const EVENTS = positiveInt(args.events, '--events');
const RATE = positiveNumber(args.rate, '--rate');
const WARMUP = nonNegativeInt(args.warmup, '--warmup');
const WAIT_S = positiveNumber(args.wait, '--wait');
const OUT_FILE = path.resolve(args.out);
const IN_PROCESS_WORKER = args['in-process-worker'] === true;

function positiveNumber(v: string | undefined, name: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got '${v}'`);
  return n;
}

// ---------------------------------------------------------------------------------------------
// Worker threads (plain CommonJS, evaluated; module paths are passed in resolved).

/** The tenant's receiver: stamps the arrival, verifies with standardwebhooks, answers 204. */
const RECEIVER_SOURCE = String.raw`
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const { Webhook } = require(workerData.standardwebhooks);
let webhook = null; // set once the endpoint is registered: its secret is only known then
const server = http.createServer((req, res) => {
  const arrivedAt = performance.timeOrigin + performance.now(); // absolute ms, sub-ms resolution
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const webhookId = req.headers['webhook-id'] || null;
    const signatures = String(req.headers['webhook-signature'] || '').split(' ').filter(Boolean).length;
    let msg;
    try {
      if (!webhook) throw new Error('no secret yet');
      const event = webhook.verify(body, req.headers);
      msg = { arrivedAt, webhookId, verified: true, error: null, signatures, eventId: event.id, type: event.type,
              createdAt: event.createdAt, objectId: event.data && event.data.object ? event.data.object.id : null };
    } catch (err) {
      msg = { arrivedAt, webhookId, verified: false, error: String(err && err.message), signatures };
    }
    res.writeHead(204).end();
    parentPort.postMessage(msg);
  });
});
server.keepAliveTimeout = 30000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ listening: server.address().port }));
parentPort.on('message', (m) => {
  if (m && m.secret) {
    webhook = new Webhook(m.secret);
    parentPort.postMessage({ ready: true });
  }
});
`;

/** The tenant's backend creating payments: open loop, request i is sent at start + i / rate. */
const LOADER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const { baseUrl, token, body, count, rate, keyPrefix } = workerData;
const now = () => performance.timeOrigin + performance.now();
async function one(i) {
  const sentAt = now();
  try {
    const res = await fetch(baseUrl + '/v1/payments', {
      method: 'POST',
      headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json', 'idempotency-key': keyPrefix + i },
      body,
    });
    const text = await res.text();
    const respondedAt = now();
    let id = null;
    try { id = JSON.parse(text).id || null; } catch {}
    return { i, status: res.status, id, sentAt, respondedAt, error: res.status === 201 ? null : text.slice(0, 300) };
  } catch (err) {
    return { i, status: 0, id: null, sentAt, respondedAt: now(), error: String(err && err.message) };
  }
}
(async () => {
  const start = now() + 20;
  const pending = [];
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(one(i));
  }
  const results = await Promise.all(pending);
  parentPort.postMessage({ results, startedAt: start, lastSentAt: results.reduce((m, r) => Math.max(m, r.sentAt), 0) });
})();
`;

interface Receipt {
  arrivedAt: number;
  webhookId: string | null;
  verified: boolean;
  error: string | null;
  signatures: number;
  eventId?: string;
  type?: string;
  createdAt?: string;
  objectId?: string | null;
}

interface CreateResult {
  i: number;
  status: number;
  id: string | null;
  sentAt: number;
  respondedAt: number;
  error: string | null;
}

interface LoadRun {
  results: CreateResult[];
  startedAt: number;
  lastSentAt: number;
}

function runLoad(data: { baseUrl: string; token: string; body: string; count: number; rate: number; keyPrefix: string }): Promise<LoadRun> {
  return new Promise((resolve, reject) => {
    const w = new Worker(LOADER_SOURCE, { eval: true, workerData: data });
    w.once('message', (m: LoadRun) => {
      resolve(m);
      void w.terminate();
    });
    w.once('error', reject);
  });
}

// ---------------------------------------------------------------------------------------------
// Statistics

interface Stats {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles over all samples (no histogram bucketing). */
function stats(values: number[]): Stats {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return { n: 0, p50: NaN, p95: NaN, p99: NaN, max: NaN, mean: NaN };
  const at = (p: number) => v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))]!;
  return { n: v.length, p50: at(50), p95: at(95), p99: at(99), max: v[v.length - 1]!, mean: v.reduce((a, b) => a + b, 0) / v.length };
}

// ---------------------------------------------------------------------------------------------
// Cleanup


// ---------------------------------------------------------------------------------------------
// The delivery worker as its own process (ROLE=worker), as production runs it.

const MAIN_TS = path.join(REPO_ROOT, 'apps/api/src/main.ts');
/** Children still running: SIGKILLed on any exit of this process that skipped the cleanup. */
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  output: () => string;
  /** set once the child has exited */
  exit: () => { code: number | null; signal: NodeJS.Signals | null } | null;
  stop: () => Promise<void>;
}

/** Spawns `node --import tsx apps/api/src/main.ts` with ROLE=worker and waits until its workers run. */
async function startWorkerProcess(opts: { dbUrl: string; dataDir: string; publicUrl: string }): Promise<WorkerProcess> {
  // The parent's own configuration variables would override the child's (an ENCRYPTION_KEY, say,
  // would make it unable to decrypt the endpoint secrets the API stored): pass only ours.
  const configVars = ['PORT', 'HOST', 'PUBLIC_URL', 'DATABASE_URL', 'DATA_DIR', 'ENCRYPTION_KEY', 'JWT_PRIVATE_KEY', 'ROLE', 'LOG_LEVEL',
    'WEBHOOK_ALLOW_PRIVATE_TARGETS', 'RATE_LIMIT_LIVE', 'RATE_LIMIT_SANDBOX', 'NODE_ENV', 'NODE_OPTIONS', 'PGBOSS_MAINTENANCE_INTERVAL_SECONDS',
    'WEBHOOK_JOB_EXPIRE_SECONDS'];
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!configVars.includes(k)) env[k] = v;
  Object.assign(env, { ROLE: 'worker', DATABASE_URL: opts.dbUrl, DATA_DIR: opts.dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', PUBLIC_URL: opts.publicUrl });
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN_TS], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  const append = (c: Buffer) => (output = (output + c.toString()).slice(-8000));
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      children.delete(child);
      resolve();
    }),
  );
  const stop = async () => {
    if (exitInfo) return;
    child.kill('SIGTERM'); // graceful: pg-boss lets in-flight jobs finish (≤ 10 s)
    const timer = setTimeout(() => child.kill('SIGKILL'), 12_000);
    await exited;
    clearTimeout(timer);
  };
  // main.ts prints its banner once the workers are started.
  const deadline = Date.now() + 60_000;
  while (!/Payment platform is running \(role: worker/.test(output)) {
    if (exitInfo) throw new Error(`the ROLE=worker process exited (${JSON.stringify(exitInfo)}) before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the ROLE=worker process was not ready after 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, pid: child.pid!, output: () => output, exit: () => exitInfo, stop };
}

function log(msg: string): void {
  console.log(`[webhook-bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);
}


// ---------------------------------------------------------------------------------------------
// Sampling while the measured events flow: CPU per process (from /proc) and, from
// pg_stat_activity, every wait of the delivery worker on a row lock of webhook_endpoints.


function machineBusySeconds(): number | undefined {
  try {
    const v = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return (v.reduce((a, b) => a + b, 0) - (v[3] ?? 0) - (v[4] ?? 0)) / CLK_TCK;
  } catch {
    return undefined;
  }
}

interface Usage {
  seconds: number;
  machineCores: number;
  mainCores: number;
  /** ELU of this process's main thread: the API (and, with --in-process-worker, the delivery worker) */
  mainElu: number;
  otherThreadCores: number;
  /** the ROLE=worker child process, all its threads; null with --in-process-worker */
  workerProcessCores: number | null;
  postgresCores: number;
  /** machine busy minus this process, the worker process and PostgreSQL: other workloads */
  otherCores: number;
  /** longest single wait of a statement on webhook_endpoints for a lock (ms), and how it was blocked */
  longestEndpointLockWait: { ms: number; waitEvent: string; query: string; blockers: string } | null;
  /** sum over 100 ms samples of statements waiting for a webhook_endpoints row lock × 0.1 s */
  endpointLockWaitSeconds: number;
  /** requests waiting for a connection of this process's database pool (the API's; also the worker's with --in-process-worker): mean and max */
  poolPendingMean: number;
  poolPendingMax: number;
  /** most statements seen waiting for a webhook_endpoints row lock in one sample */
  maxEndpointLockWaiters: number;
}

class Sampler {
  private readonly start = performance.now();
  private readonly elu = performance.eventLoopUtilization();
  private readonly machine0 = machineBusySeconds() ?? 0;
  private readonly proc0 = cpuSeconds('/proc/self/stat') ?? 0;
  private readonly main0 = cpuSeconds(`/proc/self/task/${process.pid}/stat`) ?? 0;
  private readonly pgFirst = new Map<number, number>();
  private readonly pgLast = new Map<number, number>();
  private longest: Usage['longestEndpointLockWait'] = null;
  private lockWaitSamples = 0;
  private maxWaiters = 0;
  private readonly pending: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> | undefined;

  constructor(
    private readonly dbName: string,
    private readonly monitor: pg.Client,
    /** connections asked for but not yet handed out by the platform's pool */
    private readonly poolPending: () => number,
    /** the ROLE=worker child process, if the worker runs in one */
    private readonly workerPid: number | null,
  ) {
    this.worker0 = workerPid !== null ? (cpuSeconds(`/proc/${workerPid}/stat`) ?? 0) : 0;
  }
  private readonly worker0: number;

  async begin(): Promise<this> {
    await this.sample(true);
    this.timer = setInterval(() => {
      this.sampling ??= this.sample(false).finally(() => (this.sampling = undefined));
    }, 100);
    return this;
  }

  private async sample(baseline: boolean): Promise<void> {
    if (!baseline) this.pending.push(this.poolPending());
    try {
      const { rows } = await this.monitor.query<{ pid: number; wait: string | null; q: string | null; age_ms: number | null; blockers: string | null }>(
        `select a.pid, a.wait_event_type || ':' || a.wait_event as wait,
                case when a.wait_event_type = 'Lock' and a.query ilike '%webhook_endpoints%' then left(a.query, 120) end as q,
                case when a.wait_event_type = 'Lock' and a.query ilike '%webhook_endpoints%'
                     then round(extract(epoch from clock_timestamp() - a.query_start) * 1000)::int end as age_ms,
                case when a.wait_event_type = 'Lock' and a.query ilike '%webhook_endpoints%' then
                  (select string_agg(distinct left(regexp_replace(b.query, '\\s+', ' ', 'g'), 50) || ' (' || b.state || ')', '; ')
                     from pg_stat_activity b where b.pid = any(pg_blocking_pids(a.pid))) end as blockers
           from pg_stat_activity a
          where a.pid <> pg_backend_pid()
            and ((a.backend_type = 'client backend' and a.datname = $1) or (a.backend_type <> 'client backend' and a.datname is null))`,
        [this.dbName],
      );
      if (!baseline) this.maxWaiters = Math.max(this.maxWaiters, rows.filter((r) => r.age_ms !== null && r.q).length);
      for (const r of rows) {
        const cpu = cpuSeconds(`/proc/${r.pid}/stat`);
        if (cpu !== undefined) {
          if (baseline) this.pgFirst.set(r.pid, cpu);
          else if (!this.pgFirst.has(r.pid)) this.pgFirst.set(r.pid, 0);
          this.pgLast.set(r.pid, cpu);
        }
        if (!baseline && r.age_ms !== null && r.q) {
          this.lockWaitSamples++;
          if (!this.longest || r.age_ms > this.longest.ms) this.longest = { ms: r.age_ms, waitEvent: r.wait ?? '', query: r.q, blockers: r.blockers ?? '' };
        }
      }
    } catch {
      // a failed sample is skipped
    }
  }

  async end(): Promise<Usage> {
    clearInterval(this.timer);
    await this.sampling;
    await this.sample(false);
    const seconds = (performance.now() - this.start) / 1000;
    const machine = (machineBusySeconds() ?? 0) - this.machine0;
    const proc = (cpuSeconds('/proc/self/stat') ?? 0) - this.proc0;
    const main = (cpuSeconds(`/proc/self/task/${process.pid}/stat`) ?? 0) - this.main0;
    let postgres = 0;
    for (const [pid, last] of this.pgLast) postgres += last - (this.pgFirst.get(pid) ?? 0);
    const worker = this.workerPid !== null ? (cpuSeconds(`/proc/${this.workerPid}/stat`) ?? this.worker0) - this.worker0 : 0;
    return {
      seconds,
      machineCores: machine / seconds,
      mainCores: main / seconds,
      mainElu: performance.eventLoopUtilization(this.elu).utilization,
      otherThreadCores: Math.max(0, proc - main) / seconds,
      workerProcessCores: this.workerPid !== null ? worker / seconds : null,
      postgresCores: postgres / seconds,
      otherCores: Math.max(0, machine - proc - worker - postgres) / seconds,
      longestEndpointLockWait: this.longest,
      endpointLockWaitSeconds: this.lockWaitSamples * 0.1,
      poolPendingMean: this.pending.reduce((a, b) => a + b, 0) / Math.max(1, this.pending.length),
      poolPendingMax: this.pending.reduce((a, b) => Math.max(a, b), 0),
      maxEndpointLockWaiters: this.maxWaiters,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Main

interface Breakdown {
  /** event createdAt → 201 response at the client (rest of the create transaction, COMMIT, response) */
  createdToResponse: number[];
  /** event createdAt → pg-boss job fetched by the delivery worker (job.started_on) */
  createdToFetched: number[];
  /** job fetched → receiver arrival (load delivery/event/endpoint, sign, HTTP POST) */
  fetchedToArrival: number[];
  /** the platform's own measure of the POST (webhook_attempts.latency_ms; until the receiver's answer) */
  postLatency: number[];
}

/** One delivery job as the worker ran it: fetched (pg-boss started_on) → completed. */
interface JobRun {
  startedMs: number;
  completedMs: number;
}

interface SlotAnalysis {
  jobs: number;
  /** fetch → job completed: how long the job held its worker slot */
  held: Stats;
  /**
   * The most jobs active in pg-boss at the same time. The worker runs at most DELIVERY_SLOTS, but
   * pg-boss marks a job completed just after its slot is free again, so this can read a little higher.
   */
  maxConcurrent: number;
}

function analyseSlots(runs: JobRun[]): SlotAnalysis {
  // Sweep over start (+1) and end (−1) points; an end sorts before a start at the same instant.
  const points = runs.flatMap((r) => [
    { at: r.startedMs, d: 1 },
    { at: r.completedMs, d: -1 },
  ]);
  points.sort((a, b) => a.at - b.at || a.d - b.d);
  let active = 0;
  let maxConcurrent = 0;
  for (const p of points) maxConcurrent = Math.max(maxConcurrent, (active += p.d));
  return { jobs: runs.length, held: stats(runs.map((r) => r.completedMs - r.startedMs)), maxConcurrent };
}

async function main(): Promise<number> {
  const startedAt = new Date();
  const loadAvgAtStart = os.loadavg();
  const tmp = benchTempDir('webhook-latency-');

  // Fresh database. The API in this process: ROLE=api (no worker here, pg-boss only sends), or with
  // --in-process-worker ROLE=all and the worker in this process, as the test harness starts it.
  const db = await createBenchDatabase('bench_wh', ['synchronous_commit', 'fsync', 'shared_buffers'], log);
  const { url: dbUrl, name: dbName, pgVersion, pgSettings } = db;
  const dataDir = path.join(tmp, 'data');
  const { platform, baseUrl } = await startBenchPlatform({ dbUrl, dataDir, poolMax: 10, role: IN_PROCESS_WORKER ? 'all' : 'api' });
  if (IN_PROCESS_WORKER) await platform.startWorker(baseUrl);
  const monitor = await connectBenchClient(dbUrl, 'bench-monitor');

  // A tenant, a sandbox token.
  const appName = 'bench-webhooks';
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

  // The delivery worker as its own process, started once the tenant exists (main.ts seeds a demo
  // tenant into an empty database): same database, same DATA_DIR (keys.json, to decrypt the
  // endpoint secrets), PUBLIC_URL = this API.
  let workerProcess: WorkerProcess | null = null;
  if (!IN_PROCESS_WORKER) {
    workerProcess = await startWorkerProcess({ dbUrl, dataDir, publicUrl: baseUrl });
    const wp = workerProcess;
    cleanups.push(() => wp.stop());
    log(`delivery worker: ROLE=worker process pid ${wp.pid}`);
  }
  const workerAlive = () => {
    const e = workerProcess?.exit();
    if (e) throw new Error(`the ROLE=worker process exited (${JSON.stringify(e)}) during the run:\n${workerProcess!.output()}`);
  };

  // The receiver, in its own thread. The endpoint is registered through the API; the receiver
  // learns the endpoint's secret (shown once, in the 201) before any event exists.
  const receipts: Receipt[] = [];
  const receiver = new Worker(RECEIVER_SOURCE, { eval: true, workerData: { standardwebhooks: require.resolve('standardwebhooks') } });
  cleanups.push(async () => {
    await receiver.terminate();
  });
  const receiverPort = await new Promise<number>((resolve, reject) => {
    receiver.once('error', reject);
    receiver.on('message', (m: Receipt | { listening: number } | { ready: true }) => {
      if ('listening' in m) resolve(m.listening);
      else if ('arrivedAt' in m) receipts.push(m);
    });
  });
  const created = await fetch(`${baseUrl}/v1/webhook-endpoints`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': `bench-endpoint-${crypto.randomUUID()}` },
    body: JSON.stringify({ url: `http://127.0.0.1:${receiverPort}/webhooks`, events: ['payment.created'] }),
  });
  const endpoint = (await created.json()) as { id: string; secret: string };
  if (created.status !== 201) throw new Error(`POST /v1/webhook-endpoints failed: ${created.status} ${JSON.stringify(endpoint)}`);
  await new Promise<void>((resolve) => {
    const onReady = (m: { ready?: true }) => {
      if (m.ready) {
        receiver.off('message', onReady);
        resolve();
      }
    };
    receiver.on('message', onReady);
    receiver.postMessage({ secret: endpoint.secret });
  });
  log(`${IN_PROCESS_WORKER ? 'API + delivery worker (in-process)' : 'API (ROLE=api)'} on ${baseUrl}; receiver on 127.0.0.1:${receiverPort}; endpoint ${endpoint.id}`);

  const body = JSON.stringify(validPayment);
  const waitFor = async (cond: () => boolean, seconds: number) => {
    const deadline = Date.now() + seconds * 1000;
    while (!cond() && Date.now() < deadline) {
      workerAlive();
      await new Promise((r) => setTimeout(r, 50));
    }
    return cond();
  };

  // Warm-up: not measured, but waited for, so that the measured run starts from an empty queue.
  if (WARMUP > 0) {
    log(`warm-up: ${WARMUP} events at ${RATE}/s`);
    const warm = await runLoad({ baseUrl, token, body, count: WARMUP, rate: RATE, keyPrefix: `bench-warm-${crypto.randomUUID()}-` });
    const warmOk = warm.results.filter((r) => r.status === 201).length;
    if (warmOk !== WARMUP) throw new Error(`warm-up: ${WARMUP - warmOk} creates failed: ${warm.results.find((r) => r.status !== 201)?.error}`);
    if (!(await waitFor(() => receipts.length >= WARMUP, WAIT_S))) throw new Error(`warm-up: only ${receipts.length} of ${WARMUP} deliveries arrived`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  const warmReceipts = receipts.length;

  log(`measured: ${EVENTS} events at ${RATE}/s (≈ ${(EVENTS / RATE).toFixed(0)} s)`);
  // MikroORM's knex pool (tarn) of this process: the API's requests (and, in-process, the delivery worker).
  const pool = (platform.orm.em.getConnection().getKnex().client as { pool?: { numPendingAcquires(): number } }).pool;
  const sampler = await new Sampler(dbName, monitor, () => pool?.numPendingAcquires() ?? 0, workerProcess?.pid ?? null).begin();
  const run = await runLoad({ baseUrl, token, body, count: EVENTS, rate: RATE, keyPrefix: `bench-${crypto.randomUUID()}-` });
  const ok = run.results.filter((r) => r.status === 201 && r.id);
  const failedCreates = run.results.filter((r) => r.status !== 201 || !r.id);
  const byPayment = new Map(ok.map((r) => [r.id!, r]));
  const achievedRate = (run.results.length - 1) / ((run.lastSentAt - run.startedAt) / 1000);
  log(`  ${ok.length} created (${failedCreates.length} failed), sent at ${achievedRate.toFixed(1)}/s; waiting for deliveries (≤ ${WAIT_S} s)`);
  const measured = () => receipts.slice(warmReceipts);
  const arrivedFor = () => new Set(measured().filter((m) => m.verified && m.objectId && byPayment.has(m.objectId)).map((m) => m.webhookId)).size;
  await waitFor(() => arrivedFor() >= ok.length, WAIT_S);
  const usage = await sampler.end();
  await new Promise((r) => setTimeout(r, 500)); // late duplicates, if any
  workerAlive();

  // Per event: the first arrival of each webhook-id.
  const got = measured();
  const badSignatures = got.filter((m) => !m.verified);
  const first = new Map<string, Receipt>();
  let duplicates = 0;
  let idMismatch = 0;
  for (const m of got) {
    if (!m.verified || !m.webhookId) continue;
    if (m.webhookId !== m.eventId) idMismatch++;
    if (first.has(m.webhookId)) duplicates++;
    else first.set(m.webhookId, m);
  }
  const delivered = [...first.values()].filter((m) => m.type === 'payment.created' && m.objectId && byPayment.has(m.objectId));
  const missing = ok.length - delivered.length;
  const headline = stats(delivered.map((m) => m.arrivedAt - Date.parse(m.createdAt!)));
  const after201 = stats(delivered.map((m) => m.arrivedAt - byPayment.get(m.objectId!)!.respondedAt));
  const postRoundTrip = stats(ok.map((r) => r.respondedAt - r.sentAt));

  // Where the time goes, from the database: the pg-boss job and the recorded attempt of each delivery.
  const eventIds = delivered.map((m) => m.eventId!);
  const { rows } = await monitor.query<{ event_id: string; created_ms: string; started_ms: string | null; latency_ms: number | null }>(
    `select d.event_id,
            extract(epoch from e.created_at) * 1000 as created_ms,
            extract(epoch from j.started_on) * 1000 as started_ms,
            (select a.latency_ms from webhook_attempts a where a.delivery_id = d.id order by a.attempted_at limit 1) as latency_ms
       from webhook_deliveries d
       join events e on e.id = d.event_id
       left join pgboss.job j on j.name = 'webhook-delivery' and j.data->>'deliveryId' = d.id
      where d.event_id = any($1::text[])`,
    [eventIds],
  );
  const arrivalByEvent = new Map(delivered.map((m) => [m.eventId!, m]));
  const breakdown: Breakdown = { createdToResponse: [], createdToFetched: [], fetchedToArrival: [], postLatency: [] };
  for (const m of delivered) breakdown.createdToResponse.push(byPayment.get(m.objectId!)!.respondedAt - Date.parse(m.createdAt!));
  for (const r of rows) {
    const arrival = arrivalByEvent.get(r.event_id)!.arrivedAt;
    if (r.started_ms !== null) {
      breakdown.createdToFetched.push(Number(r.started_ms) - Number(r.created_ms));
      breakdown.fetchedToArrival.push(arrival - Number(r.started_ms));
    }
    if (r.latency_ms !== null) breakdown.postLatency.push(r.latency_ms);
  }
  const firstCreatedMs = Math.min(...delivered.map((m) => Date.parse(m.createdAt!)));
  const jobRuns = (
    await monitor.query<{ started_ms: string; completed_ms: string | null }>(
      `select extract(epoch from started_on) * 1000 as started_ms, extract(epoch from completed_on) * 1000 as completed_ms
         from pgboss.job
        where name = 'webhook-delivery' and started_on >= to_timestamp($1 / 1000.0)`,
      [firstCreatedMs],
    )
  ).rows
    .filter((r) => r.completed_ms !== null)
    .map((r) => ({ startedMs: Number(r.started_ms), completedMs: Number(r.completed_ms) }));
  const slotAnalysis = analyseSlots(jobRuns);
  const fetched = breakdown.createdToFetched;
  // Did the queue grow over the run? Median createdAt → fetched of the first and the last fifth of the events.
  const byCreated = rows
    .filter((r) => r.started_ms !== null)
    .map((r) => ({ created: Number(r.created_ms), wait: Number(r.started_ms) - Number(r.created_ms) }))
    .sort((a, b) => a.created - b.created);
  const fifth = Math.max(1, Math.floor(byCreated.length / 5));
  const queueTrend = {
    first: stats(byCreated.slice(0, fifth).map((x) => x.wait)).p50,
    last: stats(byCreated.slice(-fifth).map((x) => x.wait)).p50,
  };
  const pickup = {
    under50: fetched.filter((x) => x < 50).length,
    under100: fetched.filter((x) => x < 100).length,
    total: fetched.length,
  };

  // Verdict.
  const problems: string[] = [];
  if (failedCreates.length > 0) problems.push(`${failedCreates.length} of ${EVENTS} POST /v1/payments did not answer 201 (first: ${failedCreates[0]!.status} ${failedCreates[0]!.error})`);
  if (missing > 0) problems.push(`${missing} of ${ok.length} events did not reach the receiver within ${WAIT_S} s of the last create`);
  if (badSignatures.length > 0) problems.push(`${badSignatures.length} deliveries failed standardwebhooks verification (first: ${badSignatures[0]!.error})`);
  if (idMismatch > 0) problems.push(`${idMismatch} deliveries had a webhook-id different from the event id`);
  if (!(headline.p50 <= TARGET_P50_MS)) problems.push(`p50 ${headline.p50.toFixed(0)} ms > target ${TARGET_P50_MS} ms`);
  if (!(headline.p99 <= TARGET_P99_MS)) problems.push(`p99 ${headline.p99.toFixed(0)} ms > target ${TARGET_P99_MS} ms`);

  const section = renderSection({
    startedAt,
    loadAvgAtStart,
    pgVersion,
    pgSettings,
    achievedRate,
    created: ok.length,
    delivered: delivered.length,
    verified: got.filter((m) => m.verified).length,
    duplicates,
    headline,
    after201,
    postRoundTrip,
    breakdown,
    pickup,
    queueTrend,
    slots: slotAnalysis,
    usage,
    problems,
  });
  console.log('\n' + section);
  // The section ends with a newline: one more makes the blank line before the next heading.
  writeResultsSection(OUT_FILE, SECTION_TITLE, section, '\n');
  log(`wrote the "${SECTION_TITLE.slice(3)}" section of ${path.relative(REPO_ROOT, OUT_FILE)}`);
  if (problems.length > 0) {
    console.error(`\nFAILED:\n  ${problems.join('\n  ')}`);
    return 1;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Report

interface SectionInput {
  startedAt: Date;
  loadAvgAtStart: number[];
  pgVersion: string;
  pgSettings: Record<string, string>;
  achievedRate: number;
  created: number;
  delivered: number;
  verified: number;
  duplicates: number;
  headline: Stats;
  after201: Stats;
  postRoundTrip: Stats;
  breakdown: Breakdown;
  pickup: { under50: number; under100: number; total: number };
  /** median createdAt → job fetched over the first and the last fifth of the events */
  queueTrend: { first: number; last: number };
  slots: SlotAnalysis;
  usage: Usage;
  problems: string[];
}

/** The options of this run that differ from the defaults, for the "Generated by" line. */
function commandFlags(): string {
  const flags: string[] = [];
  if (EVENTS !== 1000) flags.push(`--events ${EVENTS}`);
  if (RATE !== 50) flags.push(`--rate ${RATE}`);
  if (WARMUP !== 20) flags.push(`--warmup ${WARMUP}`);
  if (WAIT_S !== 60) flags.push(`--wait ${WAIT_S}`);
  if (IN_PROCESS_WORKER) flags.push('--in-process-worker');
  return flags.map((f) => ' ' + f).join('');
}

function renderSection(r: SectionInput): string {
  const ms = (n: number) => (Number.isFinite(n) ? `${n.toFixed(0)} ms` : '–');
  const f1 = (n: number) => n.toFixed(1);
  const f2 = (n: number) => n.toFixed(2);
  const pct = (a: number, b: number) => (b > 0 ? `${((a / b) * 100).toFixed(0)}%` : '–');
  const row = (name: string, s: Stats, bold = false) => {
    const b = (x: string) => (bold ? `**${x}**` : x);
    return `| ${name} | ${b(ms(s.p50))} | ${ms(s.p95)} | ${b(ms(s.p99))} | ${ms(s.max)} | ${ms(s.mean)} | ${s.n} |`;
  };
  const cpuModel = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  const pgShort = /^PostgreSQL [\d.]+/.exec(r.pgVersion)?.[0] ?? r.pgVersion;
  const b = r.breakdown;
  const fetchedS = stats(b.createdToFetched);
  const sendS = stats(b.fetchedToArrival);
  const u = r.usage;
  const sl = r.slots;
  const met = r.problems.length === 0;
  const promptShare = r.pickup.total > 0 ? r.pickup.under100 / r.pickup.total : 0;

  const notes: string[] = [];
  const topology = IN_PROCESS_WORKER
    ? 'API and delivery worker in one Node process (`--in-process-worker`: ROLE=all, one event loop, one 10-connection pool)'
    : 'API in the benchmark process with ROLE=api (no worker; 10-connection pool); delivery worker in a separate `ROLE=worker` process (`node --import tsx apps/api/src/main.ts`, its own event loop and 10-connection pool) on the same database';
  const growing = r.queueTrend.last > r.queueTrend.first + 1000;
  if (!IN_PROCESS_WORKER && promptShare < 0.9 && fetchedS.p95 <= 600) {
    notes.push(
      `**Wake-up at commit.** The enqueuing transaction sends a Postgres NOTIFY (\`jobs/webhook-deliveries.ts\`) that wakes the ` +
        `ROLE=worker process when it commits; the 0.5 s poll stays the fallback. \`createdAt\` is stamped before the create's last ` +
        `statements and its COMMIT (which wait on the tenant's audit-chain lock), so this includes that wait. \`createdAt\` → job fetched was ` +
        `${ms(fetchedS.p50)} at p50, ${ms(fetchedS.p95)} at p95, ${ms(fetchedS.max)} max (a uniform wait of 0–0.5 s would give ≈ 250 / 475 / 500 ms); ` +
        `${pct(r.pickup.under100, r.pickup.total)} of the jobs were fetched within 100 ms. No backlog built up: up to ${sl.maxConcurrent} ` +
        `jobs were active at once (the worker has ${DELIVERY_SLOTS} delivery slots; pg-boss marks a job completed just after its slot frees).`,
    );
  } else if (!IN_PROCESS_WORKER && promptShare < 0.9 && !growing) {
    notes.push(
      `**Poll, then drain.** If the NOTIFY wake-up (sent at commit by the enqueuing transaction) does not reach the ROLE=worker ` +
        `process, its ${DELIVERY_SLOTS} delivery loops find new jobs on their 0.5 s polls; a loop that fetched a job wakes an idle one ` +
        `(or, with none idle, fetches again itself as soon as it is done), so a backlog is drained by several loops at once ` +
        `(up to ${sl.maxConcurrent} jobs were active at the same time; a job held its slot ${ms(sl.held.p50)} at p50). ` +
        `\`createdAt\` → job fetched was ${ms(fetchedS.p50)} at p50 and ${ms(fetchedS.p95)} at p95, ` +
        `${pct(r.pickup.under100, r.pickup.total)} within 100 ms. The worker kept up over the run (median wait ${ms(r.queueTrend.first)} ` +
        `in the first fifth of the events, ${ms(r.queueTrend.last)} in the last): no growing backlog, the wait is the polling cycle.`,
    );
  } else if (promptShare >= 0.9) {
    notes.push(
      `**Wake-up, not polling.** The worker polls pg-boss every 0.5 s, but \`platform.ts\` also wakes it (\`boss.notifyWorker\`) ` +
        `right after a transaction that queued a delivery commits: ${pct(r.pickup.under50, r.pickup.total)} of the jobs were fetched ` +
        `within 50 ms of the event's \`createdAt\` (${pct(r.pickup.under100, r.pickup.total)} within 100 ms). Deliveries did not wait for a poll.`,
    );
  } else {
    notes.push(
      `**Deliveries waited in the queue.** \`createdAt\` → job fetched was ${ms(fetchedS.p50)} at p50 and ${ms(fetchedS.p95)} at p95 ` +
        `while sending took ${ms(sendS.p50)}: only ${pct(r.pickup.under100, r.pickup.total)} of the jobs were fetched within 100 ms. Up to ` +
        `${sl.maxConcurrent} jobs were active at once (${DELIVERY_SLOTS} delivery slots), so a backlog built up: ` +
        (growing
          ? `events arrived faster than the worker took them off the queue (median wait ${ms(r.queueTrend.first)} in the first fifth of the events, ${ms(r.queueTrend.last)} in the last).`
          : `the median wait was ${ms(r.queueTrend.first)} in the first fifth of the events and ${ms(r.queueTrend.last)} in the last.`),
    );
  }
  if (Number.isFinite(sl.held.max) && sl.held.max > 1000) {
    const lw = u.longestEndpointLockWait;
    notes.push(
      `**A delivery held its slot for ${ms(sl.held.max)}.** Each of the worker's ${DELIVERY_SLOTS} delivery loops fetches one job ` +
        `at a time, so a slow job holds only its own slot (the POST is cut at 15 s) while the others keep fetching. ` +
        (lw && lw.ms > 500
          ? `The sampler saw a statement on \`webhook_endpoints\` wait ${ms(lw.ms)} for a lock (\`${lw.waitEvent}\`): ` +
            `\`${lw.query.replace(/\s+/g, ' ').replace(/`/g, "'").slice(0, 90)}…\`${lw.blockers ? `, blocked by \`${lw.blockers.replace(/`/g, "'").slice(0, 160)}\`` : ''}. ` +
            `In total, statements spent ≈ ${f1(u.endpointLockWaitSeconds)} s waiting for webhook_endpoints row locks ` +
            `(up to ${u.maxEndpointLockWaiters} at once, each holding a pool connection meanwhile). `
          : `No long lock wait on \`webhook_endpoints\` was sampled. `) +
        (u.poolPendingMax > 0
          ? IN_PROCESS_WORKER
            ? `The platform's database pool (10 connections, shared by the API and the worker) had ${f1(u.poolPendingMean)} requests ` +
              `waiting for a connection on average (max ${u.poolPendingMax}): the worker's queries queue behind the API's.`
            : `The API's database pool (10 connections; the worker process has its own) had ${f1(u.poolPendingMean)} requests ` +
              `waiting for a connection on average (max ${u.poolPendingMax}).`
          : ''),
    );
  }
  notes.push(
    `**Sending.** From the fetch to the receiver took ${ms(sendS.p50)} at p50 and ${ms(sendS.p99)} at p99 (reads of the delivery, ` +
      `endpoint and event, decrypting the secret, signing, the POST); the platform's recorded POST latency ` +
      `(\`webhook_attempts.latency_ms\`, until the receiver's answer) was ${ms(stats(b.postLatency).p50)} at p50.`,
  );
  notes.push(
    `**CPU.** Over the measured phase (${f1(u.seconds)} s) the machine was ${f2(u.machineCores)} of ${os.availableParallelism()} cores busy: ` +
      `this process's main thread (${IN_PROCESS_WORKER ? 'API + delivery worker' : 'the API'}) ${f2(u.mainCores)} (event-loop utilisation ${f2(u.mainElu)}), its other ` +
      `threads (load generator, receiver, libuv) ${f2(u.otherThreadCores)}, ` +
      (u.workerProcessCores !== null ? `the ROLE=worker process ${f2(u.workerProcessCores)}, ` : '') +
      `PostgreSQL ${f2(u.postgresCores)}, other workloads ${f2(u.otherCores)}` +
      (u.otherCores > 0.3 ? ` — a noticeable share: treat the absolute numbers as indicative.` : '.'),
  );
  if (r.postRoundTrip.p50 > 1000) {
    notes.push(
      `**The API did not keep up with the load.** \`POST /v1/payments\` took ${ms(r.postRoundTrip.p50)} at p50 at the client but only ` +
        `${ms(stats(b.createdToResponse).p50)} from \`createdAt\` to the 201: the requests queued in the API process before being handled ` +
        `(its main thread's event-loop utilisation was ${f2(u.mainElu)}, on a machine ${f2(u.machineCores)} of ${os.availableParallelism()} cores busy). ` +
        `This delays the creates, not the deliveries: latency is measured from \`createdAt\`, stamped when a create runs.`,
    );
  }
  notes.push(
    `**Clocks.** \`createdAt\` is stamped inside the create transaction before its last statements and COMMIT ` +
      `(${ms(stats(b.createdToResponse).p50)} at p50 until the 201 reached the client), so the headline slightly overstates ` +
      `"committed → received", and "201 → receiver" understates it (the worker may send while the response travels). Both use this machine's clock.`,
  );

  const lines = [
    SECTION_TITLE,
    '',
    `Generated by \`node --import tsx bench/webhook-latency.ts${commandFlags()}\`; see bench/README.md ("Webhook delivery latency") for what is measured.`,
    '',
    '| | |',
    '|---|---|',
    `| Date | ${r.startedAt.toISOString()} |`,
    `| Machine | nproc ${os.availableParallelism()} (${cpuModel}), ${f1(os.totalmem() / 2 ** 30)} GiB RAM, ${os.type()} ${os.release()}; load average at start ${r.loadAvgAtStart.map(f2).join(' / ')}; ${IN_PROCESS_WORKER ? 'one Node process (API + worker, plus load-generator and receiver threads)' : 'two Node processes (API + load-generator and receiver threads; ROLE=worker)'} and PostgreSQL share these cores |`,
    `| Node.js | ${process.version} |`,
    `| PostgreSQL | ${pgShort} (${Object.entries(r.pgSettings)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}) |`,
    `| Load | ${r.created} payments created by \`POST /v1/payments\` at ${f1(r.achievedRate)}/s (open loop) after ${WARMUP} unmeasured; one sandbox endpoint subscribed to \`payment.created\`. Topology: ${topology}; receiver (worker thread of the benchmark process) and PostgreSQL on this machine |`,
    `| Delivered | ${r.delivered} of ${r.created} distinct webhook-ids, each verified with \`standardwebhooks\` (${r.verified} verified deliveries in total, ${r.duplicates} duplicates) |`,
    `| Verdict | ${met ? `**targets met** (p50 ≤ ${TARGET_P50_MS} ms, p99 ≤ ${TARGET_P99_MS} ms, nothing missing)` : `**FAILED**: ${r.problems.join('; ')}`} |`,
    '',
    '| Latency | p50 | p95 | p99 | max | mean | n |',
    '|---|---:|---:|---:|---:|---:|---:|',
    row('**event `createdAt` → receiver got it** (target p50 ≤ 300 ms, p99 ≤ 1 s)', r.headline, true),
    row('201 response at the client → receiver got it', r.after201),
    row('`createdAt` → job fetched by the worker (pg-boss `started_on`)', fetchedS),
    row('job fetched → receiver got it', sendS),
    row('`createdAt` → 201 response at the client', stats(b.createdToResponse)),
    row('`POST /v1/payments` round trip at the client', r.postRoundTrip),
    row(`delivery job: fetched → completed in pg-boss (${DELIVERY_SLOTS} slots; up to ${sl.maxConcurrent} jobs active at once)`, sl.held),
    '',
    ...notes.map((n) => `- ${n}`),
    '',
  ];
  return lines.join('\n');
}

runBenchmark(main);
