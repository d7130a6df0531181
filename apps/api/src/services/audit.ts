import crypto from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AuditEntrySchema, type AuditEntry } from '../db/entities/index.js';
import { newId } from '../ids.js';
import { canonicalJson } from './canonical-json.js';
import type { MutationContext } from './context.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditInput {
  action: string;
  targetType: string;
  targetId: string;
  tenantId: string | null;
  mode: string | null;
  before?: unknown;
  after?: unknown;
}

type HashedFields = Omit<AuditEntry, 'seq' | 'hash'>;

/** The chain an entry belongs to: one per tenant, one for platform-level entries. */
export function chainOf(tenantId: string | null): string {
  return tenantId ?? 'platform';
}

export function hashEntry(fields: HashedFields): string {
  return crypto
    .createHash('sha256')
    .update(
      canonicalJson({
        id: fields.id,
        chain: fields.chain,
        actorType: fields.actorType,
        actorId: fields.actorId,
        action: fields.action,
        targetType: fields.targetType,
        targetId: fields.targetId,
        tenantId: fields.tenantId,
        mode: fields.mode,
        requestId: fields.requestId,
        ip: fields.ip,
        before: fields.before ?? null,
        after: fields.after ?? null,
        createdAt: fields.createdAt.toISOString(),
        prevHash: fields.prevHash,
      }),
    )
    .digest('hex');
}

/**
 * Appends an entry inside the caller's transaction. Entries of one chain are serialized by a
 * transaction-scoped advisory lock, so each stores the hash of its true predecessor.
 */
export async function appendAudit(em: EntityManager, ctx: MutationContext, input: AuditInput): Promise<void> {
  const chain = chainOf(input.tenantId);
  await em.execute('select pg_advisory_xact_lock(hashtextextended(?, 7))', [`audit:${chain}`]);
  const [last] = await em.execute<{ hash: string }[]>(
    'select hash from audit_log where chain = ? order by seq desc limit 1',
    [chain],
  );
  const fields: HashedFields = {
    id: newId('auditEntry'),
    chain,
    actorType: ctx.actor.type,
    actorId: ctx.actor.id,
    action: input.action,
    targetType: input.targetType,
    targetId: input.targetId,
    tenantId: input.tenantId,
    mode: input.mode,
    requestId: ctx.requestId,
    ip: ctx.ip,
    before: input.before ?? null,
    after: input.after ?? null,
    // Millisecond precision so the value hashed equals the value read back.
    createdAt: new Date(Date.now()),
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  em.create(AuditEntrySchema, { ...fields, hash: hashEntry(fields) } as AuditEntry);
  await em.flush();
}
