import type { FilterQuery } from '@mikro-orm/postgresql';
import { AuditEntrySchema, UserSchema, type AuditEntry } from '../db/entities/index.js';
import type { CrossTenantReader } from './db.js';
import { toPage } from './pagination.js';

export interface AuditQuery {
  tenantId?: string | undefined;
  /** An actor id (`usr_…`, `ten_…`, …) or a console user's e-mail. */
  actor?: string | undefined;
  /** An exact action (`refund.create`) or a prefix ending in `*` (`payment.*`). */
  action?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  cursor?: string | undefined;
  limit: number;
}

/** The audit log across chains, newest first (keyset on the insertion sequence). */
export async function listAudit(db: CrossTenantReader, q: AuditQuery) {
  const where: FilterQuery<AuditEntry>[] = [];
  if (q.tenantId) where.push({ tenantId: q.tenantId });
  if (q.actor) {
    const byEmail = q.actor.includes('@') ? await db.findOne(UserSchema, { email: q.actor.trim().toLowerCase() }) : null;
    where.push({ actorId: byEmail?.id ?? q.actor });
  }
  if (q.action) where.push(q.action.endsWith('*') ? { action: { $like: `${escapeLike(q.action.slice(0, -1))}%` } } : { action: q.action });
  if (q.from) where.push({ createdAt: { $gte: q.from } });
  if (q.to) where.push({ createdAt: { $lt: q.to } });
  if (q.cursor) where.push({ seq: { $lt: q.cursor } });
  const rows = await db.find(AuditEntrySchema, where.length ? { $and: where } : {}, { orderBy: { seq: 'desc' }, limit: q.limit + 1 });
  const page = rows.slice(0, q.limit);
  const userIds = [...new Set(page.filter((r) => r.actorType === 'user').map((r) => r.actorId))];
  const users = userIds.length ? await db.find(UserSchema, { id: { $in: userIds } }) : [];
  const emails = new Map(users.map((u) => [u.id, u.email]));
  return toPage(rows, q.limit, (r) => r.seq, (r) => ({
    id: r.id,
    seq: r.seq,
    chain: r.chain,
    actor: { type: r.actorType, id: r.actorId, email: emails.get(r.actorId) ?? null },
    action: r.action,
    targetType: r.targetType,
    targetId: r.targetId,
    tenantId: r.tenantId ?? null,
    mode: r.mode ?? null,
    requestId: r.requestId ?? null,
    ip: r.ip ?? null,
    before: r.before ?? null,
    after: r.after ?? null,
    createdAt: r.createdAt.toISOString(),
  }));
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
