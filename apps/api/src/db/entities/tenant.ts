import { defineEntity, type InferEntity } from '@mikro-orm/core';

export const TenantSchema = defineEntity({
  name: 'Tenant',
  tableName: 'tenants',
  properties: (p) => ({
    id: p.string().primary(),
    appName: p.string().unique(),
    displayName: p.string(),
    logoUrl: p.string().nullable(),
    brandColor: p.string().nullable(),
    allowedOrigins: p.json<string[]>(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  }),
});
export type Tenant = InferEntity<typeof TenantSchema>;

export const TenantSecretSchema = defineEntity({
  name: 'TenantSecret',
  tableName: 'tenant_secrets',
  properties: (p) => ({
    id: p.string().primary(),
    tenantId: p.string(),
    mode: p.string().$type<'sandbox' | 'live'>(),
    secretHash: p.string(),
    createdAt: p.datetime(),
    /** null while current; set to the end of the grace period when rotated away. */
    validUntil: p.datetime().nullable(),
  }),
});
export type TenantSecret = InferEntity<typeof TenantSecretSchema>;
