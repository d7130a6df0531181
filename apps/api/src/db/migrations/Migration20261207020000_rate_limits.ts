import { Migration } from '@mikro-orm/migrations';

/**
 * Per tenant + mode REST rate-limit windows shared by every API replica (http/rate-limit-store.ts,
 * `RATE_LIMIT_STORE=database`). One row per key, rewritten on every request; unlogged: the
 * counters are worth nothing after a crash, so they skip the write-ahead log.
 */
export class Migration20261207020000_rate_limits extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create unlogged table rate_limit_windows (
      key text primary key,
      window_start timestamptz not null,
      count integer not null
    );`);
  }
}
