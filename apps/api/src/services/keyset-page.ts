import type { EntityManager, EntityName, FilterQuery } from '@mikro-orm/postgresql';
import { AppError } from '@platform/core';

export interface PageQuery {
  limit: number;
  startingAfter?: string | undefined;
}

/**
 * One page of a keyset list (spec/rest-api.md "Lists"): newest first by id, `limit + 1` rows read
 * to know `hasMore`. `startingAfter` must name an object of the same list — within `parent` (the
 * tenant + mode filter of `em`, and e.g. the payment a refund belongs to), whatever the `filters`
 * (status, type), which may have changed since the page was read. An unknown cursor is a 404
 * `resource_missing` with `param: "startingAfter"`, as Stripe answers, instead of silently
 * starting over or ending the list.
 */
export async function keysetPage<E extends { id: string }>(
  em: EntityManager,
  entity: EntityName<E>,
  what: { parent?: FilterQuery<E>; filters?: FilterQuery<E>; noun: string },
  query: PageQuery,
): Promise<{ data: E[]; hasMore: boolean }> {
  const parent = (what.parent ?? {}) as object;
  if (query.startingAfter) {
    const cursor = await em.findOne(entity, { ...parent, id: query.startingAfter } as FilterQuery<E>);
    if (!cursor) throw new AppError('resource_missing', `No such ${what.noun}: '${query.startingAfter}'`, { param: 'startingAfter' });
  }
  const where = { ...parent, ...((what.filters ?? {}) as object), ...(query.startingAfter ? { id: { $lt: query.startingAfter } } : {}) } as FilterQuery<E>;
  const rows = await em.find(entity, where, { orderBy: { id: 'desc' } as never, limit: query.limit + 1 });
  return { data: rows.slice(0, query.limit), hasMore: rows.length > query.limit };
}
