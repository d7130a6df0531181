import type { EntityManager } from '@mikro-orm/postgresql';
import { TenantSchema, UserSchema } from './db/entities/index.js';
import { createUser } from './services/users.js';
import type { TenantService } from './services/tenants.js';
import type { MutationContext } from './services/context.js';

export const DEMO_APP_NAME = 'demo-shop';
export const DEMO_ADMIN_EMAIL = 'admin@example.com';

export interface SeedResult {
  admin: { email: string; password: string };
  tenant: { appName: string; sandboxSecret: string };
}

/** On an empty database: a console admin and a sandbox tenant to try, created once in one transaction. */
export async function seedIfEmpty(em: EntityManager, tenants: TenantService): Promise<SeedResult | null> {
  return em.transactional(async (tx) => {
    await tx.execute('select pg_advisory_xact_lock(hashtextextended(?, 3))', ['seed']);
    const [users, tenantCount] = await Promise.all([tx.count(UserSchema, {}), tx.count(TenantSchema, {})]);
    if (users > 0 || tenantCount > 0) return null;
    const ctx: MutationContext = { actor: { type: 'system', id: 'seed' }, requestId: null, ip: null };
    const admin = await createUser(tx, { email: DEMO_ADMIN_EMAIL, role: 'admin' }, ctx);
    const tenant = await tenants.create(
      tx,
      { appName: DEMO_APP_NAME, displayName: 'Demo Shop', allowedOrigins: ['http://localhost'] },
      ctx,
    );
    return {
      admin: { email: admin.email, password: admin.password },
      tenant: { appName: tenant.appName, sandboxSecret: tenant.secrets.sandbox },
    };
  });
}
