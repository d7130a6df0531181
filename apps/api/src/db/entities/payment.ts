import { defineEntity, type InferEntity } from '@mikro-orm/core';
import type { Mode, PaymentStatus } from '@platform/core';
import { tenantFilter } from './tenant-scope.js';

export const PaymentSchema = defineEntity({
  name: 'Payment',
  tableName: 'payments',
  filters: tenantFilter,
  properties: (p) => ({
    id: p.string().primary(),
    tenantId: p.string(),
    mode: p.string().$type<Mode>(),
    status: p.string().$type<PaymentStatus>(),
    amount: p.bigint('number'),
    currency: p.string(),
    amountRefunded: p.bigint('number'),
    description: p.text().nullable(),
    customer: p.json<{ email?: string; name?: string }>().nullable(),
    metadata: p.json<Record<string, string>>(),
    provider: p.string().nullable(),
    providerReference: p.string().nullable(),
    providerAccountId: p.string().nullable(),
    returnUrl: p.text().nullable(),
    cancelUrl: p.text().nullable(),
    checkoutTokenId: p.string().nullable(),
    checkoutExpiresAt: p.datetime().nullable(),
    lastError: p.json<{ code: string; message: string }>().nullable(),
    cancellationReason: p.string().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  }),
});
export type Payment = InferEntity<typeof PaymentSchema>;
