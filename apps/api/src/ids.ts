import { monotonicFactory } from 'ulid';
import { ID_PREFIXES, type IdKind } from '@platform/core';

const nextUlid = monotonicFactory();

/**
 * Prefixed, time-ordered ids (`pay_01j…`): lexical order is creation order, so keyset
 * pagination ("newest first, startingAfter") is a plain `id < $cursor` on the primary key.
 */
export function newId(kind: IdKind): string {
  return `${ID_PREFIXES[kind]}_${nextUlid().toLowerCase()}`;
}
