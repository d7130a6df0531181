import { defineEntity, type InferEntity } from '@mikro-orm/core';
import type { Mode, RefundStatus } from '@platform/core';
import { tenantFilter } from './tenant-scope.js';

/** A refund of (part of) a succeeded payment; its provider call runs in a job after commit. */
export const RefundSchema = defineEntity({
  name: 'Refund',
  tableName: 'refunds',
  filters: tenantFilter,
  properties: (p) => ({
    id: p.string().primary(),
    tenantId: p.string(),
    mode: p.string().$type<Mode>(),
    paymentId: p.string(),
    amount: p.bigint('number'),
    currency: p.string(),
    status: p.string().$type<RefundStatus>(),
    reason: p.string().nullable(),
    failureReason: p.string().nullable(),
    provider: p.string(),
    providerAccountId: p.string().nullable(),
    providerReference: p.string().nullable(),
    /** When reconciliation last asked the provider about this pending refund. */
    checkedAt: p.datetime().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  }),
});
export type Refund = InferEntity<typeof RefundSchema>;
