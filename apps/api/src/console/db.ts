import type { EntityManager, EntityName, FilterQuery, MikroORM, OrderDefinition } from '@mikro-orm/postgresql';
import { TENANT_FILTER } from '../db/entities/index.js';
import type { Scope } from '../services/context.js';

export interface ReadOptions<E> {
  orderBy?: OrderDefinition<E>;
  limit?: number;
}

/**
 * The console is the one place that reads across tenants. Every console query goes through
 * this reader, which — here and only here — switches the default tenant filter off
 * (db/entities/tenant-scope.ts); raw SQL is never filtered by the ORM in the first place.
 */
export class CrossTenantReader {
  constructor(private readonly em: EntityManager) {}

  static of(orm: MikroORM): CrossTenantReader {
    return new CrossTenantReader(orm.em.fork());
  }

  find<E extends object>(entity: EntityName<E>, where: FilterQuery<NoInfer<E>>, options: ReadOptions<E> = {}): Promise<E[]> {
    return this.em.find(entity, where, { ...options, filters: false }) as Promise<E[]>;
  }

  findOne<E extends object>(entity: EntityName<E>, where: FilterQuery<NoInfer<E>>, options: ReadOptions<E> = {}): Promise<E | null> {
    return this.em.findOne(entity, where, { ...options, filters: false }) as Promise<E | null>;
  }

  sql<T>(query: string, params: unknown[] = []): Promise<T[]> {
    return this.em.execute<T[]>(query, params);
  }
}

/**
 * Console mutations call the tenant services, which expect an entity manager scoped to one
 * tenant + mode (their lookups rely on the filter): scope the transaction to the target's.
 */
export function scopeTo(em: EntityManager, scope: Scope): Scope {
  em.setFilterParams(TENANT_FILTER, scope);
  return scope;
}

/** One transaction per console mutation: the change and its audit entry commit together. */
export function inTransaction<T>(orm: MikroORM, work: (em: EntityManager) => Promise<T>): Promise<T> {
  return orm.em.fork().transactional(work);
}
