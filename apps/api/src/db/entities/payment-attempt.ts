import { defineEntity, type InferEntity } from '@mikro-orm/core';
import type { Mode } from '@platform/core';
import { tenantFilter } from './tenant-scope.js';

/**
 * `pending`: the provider object exists (prepared PaymentIntent / Adyen session), the customer
 * has not paid yet. `unknown`: a call timed out after it was sent — reconciliation decides.
 */
export type AttemptStatus = 'pending' | 'processing' | 'requires_action' | 'succeeded' | 'failed' | 'unknown';

/** One try at a provider: what support staff read to see what happened. */
export const PaymentAttemptSchema = defineEntity({
  name: 'PaymentAttempt',
  tableName: 'payment_attempts',
  filters: tenantFilter,
  properties: (p) => ({
    id: p.string().primary(),
    tenantId: p.string(),
    mode: p.string().$type<Mode>(),
    paymentId: p.string(),
    provider: p.string(),
    providerReference: p.string().nullable(),
    providerAccountId: p.string().nullable(),
    /** What the provider's browser component reported (Adyen `sessionResult`), for reconciliation. */
    clientResult: p.text().nullable(),
    status: p.string().$type<AttemptStatus>(),
    errorCode: p.string().nullable(),
    errorMessage: p.text().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
    completedAt: p.datetime().nullable(),
  }),
});
export type PaymentAttempt = InferEntity<typeof PaymentAttemptSchema>;
