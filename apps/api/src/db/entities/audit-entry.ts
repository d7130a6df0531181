import { defineEntity, type InferEntity } from '@mikro-orm/core';

export const AuditEntrySchema = defineEntity({
  name: 'AuditEntry',
  tableName: 'audit_log',
  properties: (p) => ({
    seq: p.bigint('string').primary().autoincrement(),
    id: p.string().unique(),
    chain: p.string(),
    actorType: p.string(),
    actorId: p.string(),
    action: p.string(),
    targetType: p.string(),
    targetId: p.string(),
    tenantId: p.string().nullable(),
    mode: p.string().nullable(),
    requestId: p.string().nullable(),
    ip: p.string().nullable(),
    before: p.json<unknown>().nullable(),
    after: p.json<unknown>().nullable(),
    createdAt: p.datetime(),
    prevHash: p.string(),
    hash: p.string(),
  }),
});
export type AuditEntry = InferEntity<typeof AuditEntrySchema>;
