import type { EntityManager } from '@mikro-orm/postgresql';
import { GENESIS_HASH, hashEntry } from './audit.js';

export type VerifyResult = { ok: true; entries: number } | { ok: false; brokenAt: string };

interface Row {
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
  after: unknown;
  created_at: Date | string;
  prev_hash: string;
  hash: string;
}

const BATCH = 1000;

/**
 * Walks every chain (or one tenant's) in insertion order, recomputing each hash and checking
 * that it links to its predecessor: an edited row fails its own hash, a removed row breaks the
 * link of the next one.
 */
export async function verifyAuditLog(em: EntityManager, tenantId?: string): Promise<VerifyResult> {
  const lastHash = new Map<string, string>();
  let afterSeq = '0';
  let entries = 0;
  for (;;) {
    const rows = await em.execute<Row[]>(
      `select * from audit_log where seq > ? ${tenantId ? 'and chain = ?' : ''} order by seq limit ${BATCH}`,
      tenantId ? [afterSeq, tenantId] : [afterSeq],
    );
    for (const row of rows) {
      const expectedPrev = lastHash.get(row.chain) ?? GENESIS_HASH;
      const recomputed = hashEntry({
        id: row.id,
        chain: row.chain,
        actorType: row.actor_type,
        actorId: row.actor_id,
        action: row.action,
        targetType: row.target_type,
        targetId: row.target_id,
        tenantId: row.tenant_id,
        mode: row.mode,
        requestId: row.request_id,
        ip: row.ip,
        before: row.before,
        after: row.after,
        createdAt: new Date(row.created_at),
        prevHash: row.prev_hash,
      });
      if (row.prev_hash !== expectedPrev || recomputed !== row.hash) return { ok: false, brokenAt: row.id };
      lastHash.set(row.chain, row.hash);
      entries++;
    }
    if (rows.length < BATCH) return { ok: true, entries };
    afterSeq = rows[rows.length - 1]!.seq;
  }
}
