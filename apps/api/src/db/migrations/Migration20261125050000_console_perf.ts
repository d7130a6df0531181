import { Migration } from '@mikro-orm/migrations';

/** SQL for the epoch ms in a payment id's ULID time part (`pay_` + 10 Crockford base32 characters, lowercase). */
const ID_MS = Array.from({ length: 10 }, (_, k) => `((strpos('0123456789abcdefghjkmnpqrstvwxyz', substr(id, ${5 + k}, 1)) - 1)::bigint << ${5 * (9 - k)})`).join(
  '\n        + ',
);

/**
 * Console payments list filtered by date (bench/console-payments-list.ts, 1,000,000 payments).
 *
 * The list is ordered by id (time-ordered ULIDs), and `created_at` is stamped together with the
 * id, but the planner doesn't know that the two are correlated: for `created_at` in a window in
 * the past it walked the primary key backwards from the newest payment, through every newer row
 * (230 ms for a month 30–60 days back). console/payments.ts now also bounds the id to the
 * window ± 1 hour, which turns that walk into a range scan that starts at the window. That bound
 * is only a superset for payments whose `created_at` is within an hour of their id's time, so the
 * others (backdated/imported rows, ids that are not `pay_` + ULID) are kept in this partial index,
 * normally empty, which the list reads as well. Its predicate is this function — the query must use
 * the identical call (`payment_id_time_mismatch(id, created_at)`) for the planner to match it —
 * and statistics on that expression keep the planner from evaluating it row by row elsewhere.
 */
export class Migration20261125050000_console_perf extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create function payment_id_time_mismatch(id text, created_at timestamptz) returns boolean
      language sql immutable parallel safe as $fn$
        select case when id !~ '^pay_[0-7][0-9a-hjkmnp-tv-z]{25}$' then true
          else not ((created_at - to_timestamp((
            ${ID_MS}
          ) / 1000.0)) between interval '-1 hour' and interval '1 hour') end
      $fn$;`);
    this.addSql(`create index payments_id_time_mismatch on payments (id desc) where payment_id_time_mismatch(id, created_at);`);
    // Without statistics the planner guesses that a third of the rows match the function and may
    // prefer, say, the e-mail or tenant index and evaluate it on every row of that customer/tenant;
    // statistics on the expression (PostgreSQL 14+) tell it that (almost) none do.
    this.addSql(`
      do $do$ begin
        if current_setting('server_version_num')::int >= 140000 then
          execute 'create statistics payments_id_time_mismatch_stats on (payment_id_time_mismatch(id, created_at)) from payments';
        end if;
      end $do$;`);
    this.addSql(`analyze payments;`);
  }
}
