import type PgBoss from 'pg-boss';
import type { EntityManager } from '@mikro-orm/postgresql';
import { inlineParameters } from './simple-protocol-db.js';

/** pg-boss's insert runs on OUR transaction's connection, so a job commits with the rows that need it (outbox). */
export function transactionalDb(em: EntityManager): PgBoss.Db {
  return {
    async executeSql(text, values) {
      // Parameters are inlined as escaped literals; `?` is escaped for knex's raw binding syntax.
      const sql = inlineParameters(text, values ?? []).replace(/\?/g, '\\?');
      return { rows: await em.execute(sql) };
    },
  };
}
