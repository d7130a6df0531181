import { defineEntity, type InferEntity } from '@mikro-orm/core';
import type { Mode } from '@platform/core';
import { tenantFilter } from './tenant-scope.js';

/**
 * A tenant's Stripe or Adyen account for one mode. Credentials are sealed (AES-256-GCM,
 * crypto/secret-box.ts) and only ever opened in memory for a provider call; `credentialsHint`
 * holds the masked values the APIs show. `priority` orders the routing list (lowest first).
 */
export const ProviderAccountSchema = defineEntity({
  name: 'ProviderAccount',
  tableName: 'provider_accounts',
  filters: tenantFilter,
  properties: (p) => ({
    id: p.string().primary(),
    tenantId: p.string(),
    mode: p.string().$type<Mode>(),
    provider: p.string().$type<'stripe' | 'adyen'>(),
    label: p.string().nullable(),
    credentialsSealed: p.text(),
    credentialsHint: p.json<Record<string, string>>(),
    priority: p.integer(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  }),
});
export type ProviderAccountRow = InferEntity<typeof ProviderAccountSchema>;
