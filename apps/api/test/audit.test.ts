import type { EntityManager } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { startTestPlatform, validPayment, type TestPlatform } from './harness.js';

type Tenant = Awaited<ReturnType<TestPlatform['tenantWithTokens']>>;

interface AuditRow {
  seq: string;
  id: string;
  chain: string;
  actor_type: string;
  actor_id: string;
  action: string;
  target_type: string;
  target_id: string;
  tenant_id: string | null;
  mode: string | null;
  request_id: string | null;
  ip: string | null;
  before: unknown;
  after: any;
  created_at: Date;
  prev_hash: string;
  hash: string;
}

let t: TestPlatform;
let shop: Tenant;
let other: Tenant;
let keyN = 0;

beforeAll(async () => {
  t = await startTestPlatform();
  shop = await t.tenantWithTokens('audit-shop');
  other = await t.tenantWithTokens('audit-other');
  // A few entries per chain, so there is a "middle" to tamper with.
  for (let i = 0; i < 3; i++) {
    await createPayment(shop.sandboxToken);
    await createPayment(other.sandboxToken);
  }
});
afterAll(() => t.close());

async function createPayment(token: string) {
  const res = await t.request('POST', '/v1/payments', { token, idempotencyKey: `audit-${++keyN}`, body: validPayment });
  expect(res.status).toBe(201);
  return res;
}

async function auditRows(where = 'true', params: unknown[] = []): Promise<AuditRow[]> {
  return t.platform.orm.em.fork().execute<AuditRow[]>(`select * from audit_log where ${where} order by seq`, params);
}

/** Runs SQL with the append-only triggers switched off for this transaction only: what an attacker with DB access could do. */
async function behindTheTriggersBack(work: (em: EntityManager) => Promise<unknown>): Promise<void> {
  await t.platform.orm.em.fork().transactional(async (em) => {
    await em.execute('set local session_replication_role = replica');
    await work(em);
  });
}

/** Puts a deleted row back exactly as it was (inserts are allowed; the seq keeps its place in the chain). */
async function reinsert(row: AuditRow): Promise<void> {
  await t.platform.orm.em.fork().execute(
    `insert into audit_log (seq, id, chain, actor_type, actor_id, action, target_type, target_id, tenant_id, mode,
       request_id, ip, before, after, created_at, prev_hash, hash)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?)`,
    [
      row.seq, row.id, row.chain, row.actor_type, row.actor_id, row.action, row.target_type, row.target_id, row.tenant_id, row.mode,
      row.request_id, row.ip, row.before === null ? null : JSON.stringify(row.before), row.after === null ? null : JSON.stringify(row.after),
      row.created_at, row.prev_hash, row.hash,
    ],
  );
}

async function verify(...flags: string[]): Promise<{ code: number; output: any }> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    const code = await runCli(['audit:verify', ...flags, '--json'], { DATABASE_URL: t.dbUrl, DATA_DIR: t.dataDir, LOG_LEVEL: 'silent' });
    expect(log).toHaveBeenCalledTimes(1);
    return { code, output: JSON.parse(String(log.mock.calls[0]![0])) };
  } finally {
    log.mockRestore();
  }
}

describe('audit entries', () => {
  it('creating a payment writes an entry with actor, action, target, scope, request id, ip and the new state', async () => {
    const startedAt = Date.now();
    const res = await createPayment(shop.sandboxToken);
    const payment = res.body;
    const rows = await auditRows('target_id = ?', [payment.id]);
    expect(rows).toHaveLength(1);
    const entry = rows[0]!;
    expect(entry).toMatchObject({
      id: expect.stringMatching(/^aud_/),
      chain: shop.tenantId,
      actor_type: 'tenant',
      actor_id: shop.tenantId,
      action: 'payment.create',
      target_type: 'payment',
      target_id: payment.id,
      tenant_id: shop.tenantId,
      mode: 'sandbox',
      before: null,
    });
    expect(res.headers.get('request-id')).toMatch(/^req_/);
    expect(entry.request_id).toBe(res.headers.get('request-id'));
    expect(entry.ip).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
    expect(entry.after).toMatchObject({ id: payment.id, object: 'payment', status: 'requires_payment_method', amount: 1999, currency: 'EUR', mode: 'sandbox' });
    // The audit log never keeps the bearer capability to pay.
    expect(entry.after).not.toHaveProperty('checkoutToken');
    expect(JSON.stringify(entry.after)).not.toContain(payment.checkoutToken);
    const createdAt = new Date(entry.created_at).getTime();
    expect(createdAt).toBeGreaterThanOrEqual(startedAt - 1000);
    expect(createdAt).toBeLessThanOrEqual(Date.now() + 1000);
    expect(entry.hash).toMatch(/^[0-9a-f]{64}$/);
    // chained to the previous entry of the same tenant
    const chain = await auditRows('chain = ?', [shop.tenantId]);
    expect(chain.at(-1)!.id).toBe(entry.id);
    expect(entry.prev_hash).toBe(chain.at(-2)!.hash);
  });

  it('the database rejects UPDATE, DELETE and TRUNCATE on audit_log', async () => {
    const before = await auditRows();
    // Each attempt runs in a transaction that is rolled back if the database lets it through,
    // so a regression fails this test only, not every test after it.
    const attempt = (sql: string, params: unknown[] = []) =>
      t.platform.orm.em.fork().transactional(async (em) => {
        await em.execute(sql, params);
        throw new Error(`the database accepted: ${sql}`);
      });
    await expect(attempt(`update audit_log set action = 'payment.forged' where id = ?`, [before[0]!.id])).rejects.toThrow(/append-only/);
    await expect(attempt('update audit_log set after = null')).rejects.toThrow(/append-only/);
    await expect(attempt('delete from audit_log where id = ?', [before[0]!.id])).rejects.toThrow(/append-only/);
    await expect(attempt('delete from audit_log')).rejects.toThrow(/append-only/);
    await expect(attempt('truncate audit_log')).rejects.toThrow(/append-only/);
    // outside an explicit transaction too
    await expect(t.platform.orm.em.fork().execute('delete from audit_log where id = ?', [before[0]!.id])).rejects.toThrow(/append-only/);
    expect(await auditRows()).toEqual(before);
  });
});

describe('npm run cli -- audit:verify', () => {
  it('an intact log verifies: exit 0 and { ok: true, entries: N }', async () => {
    const total = await t.count('audit_log');
    expect(total).toBeGreaterThan(6);
    expect(await verify()).toEqual({ code: 0, output: { ok: true, entries: total } });
  });

  it('an entry edited behind the triggers’ back is found: exit 1 and { ok: false, brokenAt: <its id> }', async () => {
    const chain = await auditRows('chain = ? and action = ?', [shop.tenantId, 'payment.create']);
    const target = chain[1]!; // not the last one: the edit must be caught by the entry's own hash
    await behindTheTriggersBack((em) => em.execute(`update audit_log set after = jsonb_set(after, '{amount}', '1') where id = ?`, [target.id]));
    expect((await auditRows('id = ?', [target.id]))[0]!.after.amount).toBe(1);
    try {
      expect(await verify()).toEqual({ code: 1, output: { ok: false, brokenAt: target.id } });
    } finally {
      await behindTheTriggersBack((em) => em.execute(`update audit_log set after = ?::jsonb where id = ?`, [JSON.stringify(target.after), target.id]));
    }
    expect((await verify()).output).toMatchObject({ ok: true });
  });

  it('an edit of a field other than the payload (the actor) is found too', async () => {
    const target = (await auditRows('chain = ?', [other.tenantId]))[0]!;
    await behindTheTriggersBack((em) => em.execute(`update audit_log set actor_id = 'someone-else' where id = ?`, [target.id]));
    try {
      expect(await verify()).toEqual({ code: 1, output: { ok: false, brokenAt: target.id } });
    } finally {
      await behindTheTriggersBack((em) => em.execute(`update audit_log set actor_id = ? where id = ?`, [target.actor_id, target.id]));
    }
    expect((await verify()).code).toBe(0);
  });

  it('a deleted entry (not the last one) is found at its successor', async () => {
    const chain = await auditRows('chain = ?', [shop.tenantId]);
    expect(chain.length).toBeGreaterThanOrEqual(3);
    const removed = chain[1]!;
    const successor = chain[2]!;
    await behindTheTriggersBack((em) => em.execute('delete from audit_log where id = ?', [removed.id]));
    expect(await auditRows('id = ?', [removed.id])).toHaveLength(0);
    try {
      expect(await verify()).toEqual({ code: 1, output: { ok: false, brokenAt: successor.id } });
    } finally {
      await reinsert(removed);
    }
    expect((await verify()).code).toBe(0);
  });

  it('--tenant verifies only that tenant’s chain', async () => {
    const shopEntries = (await auditRows('chain = ?', [shop.tenantId])).length;
    const otherChain = await auditRows('chain = ?', [other.tenantId]);
    expect(shopEntries).toBeLessThan(await t.count('audit_log'));
    expect(await verify('--tenant', shop.tenantId)).toEqual({ code: 0, output: { ok: true, entries: shopEntries } });
    expect(await verify('--tenant', other.tenantId)).toEqual({ code: 0, output: { ok: true, entries: otherChain.length } });

    // Break the other tenant's chain: the shop's chain still verifies on its own, the other's does not.
    const target = otherChain.at(-1)!;
    await behindTheTriggersBack((em) => em.execute(`update audit_log set ip = '10.6.6.6' where id = ?`, [target.id]));
    try {
      expect(await verify('--tenant', shop.tenantId)).toEqual({ code: 0, output: { ok: true, entries: shopEntries } });
      expect(await verify('--tenant', other.tenantId)).toEqual({ code: 1, output: { ok: false, brokenAt: target.id } });
      expect(await verify()).toEqual({ code: 1, output: { ok: false, brokenAt: target.id } });
    } finally {
      await behindTheTriggersBack((em) => em.execute(`update audit_log set ip = ? where id = ?`, [target.ip, target.id]));
    }
  });
});
