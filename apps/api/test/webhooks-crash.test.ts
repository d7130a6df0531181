import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { startTestPlatform, validPayment, type TestPlatform } from './harness.js';

/**
 * "At least once, and never lost" (spec/webhooks.md "Out") across a worker crash: the API runs
 * in this process WITHOUT a worker; 500 events are recorded (outbox: deliveries + queue jobs in
 * the events' transactions); a separate worker process (`ROLE=worker`) is SIGKILLed while
 * deliveries are in flight and a new one is started. Every event must end up acknowledged by
 * the receiver; duplicates are allowed (webhook-id is the dedupe key).
 *
 * pg-boss re-runs a dead worker's active jobs only once they expire and its maintenance notices;
 * the production values (60 s expiry, 120 s maintenance) are lowered here through
 * WEBHOOK_JOB_EXPIRE_SECONDS (read where jobs are queued: this process) and
 * PGBOSS_MAINTENANCE_INTERVAL_SECONDS (read by every pg-boss instance: both processes).
 */
const N = 500;
const KILL_AFTER = 150; // acknowledged deliveries before the crash
const TEST_ENV = { WEBHOOK_JOB_EXPIRE_SECONDS: '5', PGBOSS_MAINTENANCE_INTERVAL_SECONDS: '2' };
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const MAIN = path.join(ROOT, 'apps/api/src/main.ts');

let t: TestPlatform;
const savedEnv: Record<string, string | undefined> = {};
const children = new Set<ChildProcess>();

// --- the receiver -------------------------------------------------------------------------------
const seen = new Map<string, number>(); // webhook-id → requests received
const acked = new Set<string>(); // webhook-ids answered 200
const held: { id: string; res: http.ServerResponse }[] = [];
let holding = false;
let badSignatures = 0;
let secret = '';
let receiver: http.Server;
let receiverUrl = '';

function startReceiver(): Promise<void> {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const id = String(req.headers['webhook-id']);
      seen.set(id, (seen.get(id) ?? 0) + 1);
      try {
        new Webhook(secret).verify(body, req.headers as Record<string, string>);
      } catch {
        badSignatures++;
      }
      if (holding) {
        held.push({ id, res }); // in flight when the worker dies: never acknowledged
        return;
      }
      res.on('finish', () => acked.add(id));
      res.writeHead(200).end('ok');
    });
  });
  return new Promise((resolve) =>
    receiver.listen(0, '127.0.0.1', () => {
      receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
      resolve();
    }),
  );
}

// --- worker processes ---------------------------------------------------------------------------
interface Worker {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startWorkerProcess(): Worker {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('VITEST') && k !== 'NODE_OPTIONS') env[k] = v;
  Object.assign(env, TEST_ENV, {
    ROLE: 'worker',
    DATABASE_URL: t.dbUrl,
    DATA_DIR: t.dataDir,
    PORT: '0',
    LOG_LEVEL: 'warn',
    PUBLIC_URL: t.baseUrl,
    NODE_ENV: 'test',
  });
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-8000)));
  child.stderr!.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-8000)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  return { child, output: () => output, exited };
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, worker?: Worker): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (worker && worker.child.exitCode !== null) throw new Error(`worker exited (${worker.child.exitCode}) while waiting for ${what}:\n${worker.output()}`);
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (acked ${acked.size}/${N}, seen ${seen.size})${worker ? `\nworker output:\n${worker.output()}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  for (const [k, v] of Object.entries(TEST_ENV)) {
    savedEnv[k] = process.env[k];
    process.env[k] = v;
  }
  await startReceiver();
  t = await startTestPlatform({ worker: false });
}, 60_000);

afterAll(async () => {
  holding = false;
  for (const h of held) h.res.destroy();
  for (const child of [...children]) {
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
  }
  receiver?.closeAllConnections();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  await t?.close();
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}, 60_000);

describe('webhook delivery across a worker crash', () => {
  it('500 events, the worker SIGKILLed mid-delivery and restarted: the receiver acknowledges all 500 distinct ids', async () => {
    const started = Date.now();
    const tenant = await t.tenantWithTokens('crash-shop');
    const res = await t.request('POST', '/v1/webhook-endpoints', { token: tenant.sandboxToken, idempotencyKey: 'crash-endpoint', body: { url: receiverUrl } });
    expect(res.status, res.text).toBe(201);
    secret = res.body.secret;
    const endpointId = res.body.id as string;

    // 500 events through the outbox, in 5 transactions of 100
    const scope = { tenantId: tenant.tenantId, mode: 'sandbox' as const };
    const eventIds: string[] = [];
    for (let batch = 0; batch < 5; batch++) {
      const ids = await t.platform.orm.em.fork().transactional(async (em) => {
        const out: string[] = [];
        for (let i = 0; i < N / 5; i++) {
          const n = batch * (N / 5) + i;
          const object = { id: `pay_crash${String(n).padStart(4, '0')}`, object: 'payment', mode: 'sandbox', status: 'requires_payment_method', amount: validPayment.amount, currency: validPayment.currency };
          out.push((await t.platform.events.record(em, scope, 'payment.created', object, new Date())).id);
        }
        return out;
      });
      eventIds.push(...ids);
    }
    expect(new Set(eventIds).size).toBe(N);
    expect(await t.count(`webhook_deliveries where endpoint_id = '${endpointId}' and status = 'pending'`)).toBe(N);
    expect(await t.count(`pgboss.job where name = 'webhook-delivery'`)).toBe(N);
    // this process has no worker: nothing is sent
    await sleep(1000);
    expect(seen.size).toBe(0);

    // worker 1: let it deliver some, then hold the receiver's answers and kill it mid-delivery
    const first = startWorkerProcess();
    await waitFor(`${KILL_AFTER} acknowledged deliveries`, () => acked.size >= KILL_AFTER, 90_000, first);
    holding = true;
    await waitFor('deliveries in flight', () => held.length >= 1, 10_000, first);
    await sleep(100);
    const inFlight = held.map((h) => h.id);
    first.child.kill('SIGKILL');
    const exit = await first.exited;
    expect(exit.signal).toBe('SIGKILL');
    const killedAt = Date.now();
    const ackedAtKill = acked.size;
    expect(ackedAtKill).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(ackedAtKill).toBeLessThan(N - 100); // really mid-way
    for (const id of inFlight) expect(acked.has(id)).toBe(false);
    // the killed worker's jobs and deliveries are left unfinished
    expect(await t.count(`pgboss.job where name = 'webhook-delivery' and state = 'active'`)).toBeGreaterThanOrEqual(1);
    expect(await t.count(`webhook_deliveries where endpoint_id = '${endpointId}' and status = 'pending'`)).toBeGreaterThan(N - ackedAtKill - 1);
    for (const h of held.splice(0)) h.res.destroy();
    holding = false;

    // worker 2 finishes the job, including the deliveries the first one died in the middle of
    const second = startWorkerProcess();
    await waitFor(`all ${N} ids acknowledged`, () => acked.size >= N, 180_000, second);
    const recoveredAfterMs = Date.now() - killedAt;

    expect([...acked].sort()).toEqual([...eventIds].sort());
    expect([...seen.keys()].sort()).toEqual([...eventIds].sort());
    for (const id of inFlight) expect(seen.get(id)).toBeGreaterThanOrEqual(2); // redelivered, same webhook-id
    expect(badSignatures).toBe(0);

    // and the outbox agrees: every delivery succeeded, no job is left to run
    await waitFor(
      'all deliveries recorded as succeeded',
      async () => (await t.count(`webhook_deliveries where endpoint_id = '${endpointId}' and status = 'succeeded'`)) === N,
      30_000,
      second,
    );
    expect(await t.count(`webhook_deliveries where endpoint_id = '${endpointId}'`)).toBe(N);
    await waitFor(
      'no webhook-delivery job left',
      async () => (await t.count(`pgboss.job where name = 'webhook-delivery' and state in ('created', 'retry', 'active')`)) === 0,
      30_000,
      second,
    );

    const duplicates = [...seen.values()].reduce((sum, n) => sum + n - 1, 0);
    console.info(
      `[webhooks-crash] ${N} events; killed after ${ackedAtKill} acked with ${inFlight.length} in flight; ` +
        `all acked ${recoveredAfterMs} ms after the kill; ${duplicates} duplicate requests; total ${Date.now() - started} ms`,
    );
  }, 240_000);
});
