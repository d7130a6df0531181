/**
 * Seeds many payments fast, for benchmarks of the console's payment queries (see bench/README.md,
 * "Console payments list").
 *
 *   node --import tsx bench/seed-payments.ts [--count 1000000] [--tenants 20] [--days 90] [--chunk 100000]
 *                                            [--database-url URL] [--drop] [--keep-indexes]
 *
 * Without --database-url a fresh database is created on the server of BENCH_DATABASE_URL /
 * DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) by bench/lib.ts and KEPT (its
 * URL is printed; --drop drops it at the end, for timing the seed alone). Either way the schema is
 * migrated first.
 *
 * Set-based: `INSERT … SELECT … FROM generate_series` in chunks, one transaction. Ids are built in
 * SQL in the platform's format (apps/api/src/ids.ts): `pay_` + a lowercase ULID whose 48-bit time
 * part is the row's `created_at` in ms, so ids sort by creation time as the API's do; the random
 * part is 80 random bits. `created_at` rises with the series over `--days` up to now, i.e. rows go
 * into the heap in time order, as they would in production. Unless --keep-indexes, the secondary
 * indexes of `payments` are dropped before the load and rebuilt after it (same definitions, read
 * from pg_indexes) inside the same transaction — much faster than maintaining 10 indexes row by
 * row. Finally VACUUM (ANALYZE): statistics, visibility map and hint bits as autovacuum would leave
 * a table that filled up over 90 days.
 *
 * The data: `--tenants` tenants (`bench-shop-01`…, created if missing) with a skewed share each
 * (the first ≈ 22%, the last ≈ 2.5%); per payment 75% live / 25% sandbox; status 70% succeeded,
 * 10% canceled, 15% requires_payment_method, 3% requires_action, 2% processing; amounts
 * log-uniform from 5.00 to 10,000.00 (minor units 500 … 1,000,000) in EUR/USD/GBP/JPY; 90% with a
 * customer (e-mail + name) drawn from 200,000 customers, a few of them with many payments, some
 * e-mails in mixed case; a few refunds, decline errors, cancellation reasons.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { migrate, openOrm } from '../apps/api/src/db/orm.js';
import { newId } from '../apps/api/src/ids.js';
import { cleanups, connectBenchClient, createBenchDatabase, positiveInt, runBenchmark } from './lib.js';

export interface SeedOptions {
  count: number;
  tenants: number;
  days: number;
  chunk: number;
  /** Insert with all indexes in place instead of dropping and rebuilding the secondary ones. */
  keepIndexes?: boolean;
  log?: (msg: string) => void;
}

export interface SeedResult {
  inserted: number;
  tenantIds: string[];
  /** created_at of the oldest / newest seeded payment. */
  from: Date;
  to: Date;
  seconds: { total: number; insert: number; indexes: number; vacuumAnalyze: number };
}

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz'; // ULID alphabet, lowercase as in ids.ts

/** SQL for `len` Crockford base32 characters of the bigint expression `n` (most significant first). */
function base32Sql(n: string, len: number): string {
  const chars: string[] = [];
  for (let k = len - 1; k >= 0; k--) chars.push(`substr('${CROCKFORD}', (((${n}) >> ${5 * k}) & 31)::int + 1, 1)`);
  return chars.join(' || ');
}

/**
 * One chunk: rows $1 … $2 of the series. $3 = tenant ids ($6 = their app names), $4 = epoch ms of the oldest payment,
 * $5 = ms per payment (the series spreads over the span; each row gets a random instant within its
 * own slot, so created_at — and with it the id — never decreases along the series).
 */
const INSERT_CHUNK = `
insert into payments (id, tenant_id, mode, status, amount, currency, amount_refunded, description, customer, metadata,
                      provider, provider_reference, return_url, cancel_url, checkout_token_id, checkout_expires_at,
                      last_error, cancellation_reason, created_at, updated_at)
select
  'pay_' || ${base32Sql('ms', 10)} || ${base32Sql('r1', 8)} || ${base32Sql('r2', 8)},
  tenant_id, mode, status, amount, currency,
  case when status = 'succeeded' and u_refund < 0.03 then amount
       when status = 'succeeded' and u_refund < 0.05 then amount / 2
       else 0 end,
  'Order #' || (100000 + i),
  case when customer_n is null then null
       else jsonb_build_object(
              'email', case when customer_n % 10 = 0 then 'Customer' || customer_n || '@Example.com'
                            else 'customer' || customer_n || '@' || (array['example.com', 'mail.example.net', 'shop.example.org'])[1 + customer_n % 3] end,
              'name', 'Customer ' || customer_n) end,
  jsonb_build_object('orderId', 'ord_' || i),
  case when mode = 'sandbox' then 'sandbox' when status <> 'requires_payment_method' then 'stripe' end,
  case when status in ('succeeded', 'processing', 'requires_action') then 'pi_' || substr(md5(i::text), 1, 24) end,
  'https://' || replace(app_name, 'bench-', '') || '.example.com/return',
  case when u_refund > 0.5 then 'https://' || replace(app_name, 'bench-', '') || '.example.com/cart' end,
  gen_random_uuid()::text,
  created_at + interval '1 hour',
  case when status = 'requires_payment_method' and u_refund < 0.2 then '{"code": "card_declined", "message": "Your card was declined."}'::jsonb end,
  case when status = 'canceled' then (case when u_refund < 0.7 then 'expired' else 'requested_by_customer' end) end,
  created_at,
  case when status = 'requires_payment_method' then created_at else least(now(), created_at + (u_refund * interval '10 minutes')) end
from (
  select s.*, timestamptz 'epoch' + ms * interval '1 millisecond' as created_at,
         (case when u_mode < 0.75 then 'live' else 'sandbox' end) as mode,
         (case when u_status < 0.70 then 'succeeded'
               when u_status < 0.80 then 'canceled'
               when u_status < 0.95 then 'requires_payment_method'
               when u_status < 0.98 then 'requires_action'
               else 'processing' end) as status,
         greatest(500, round(exp(ln(500) + u_amount * ln(2000))))::bigint as amount,
         (case when u_currency < 0.60 then 'EUR' when u_currency < 0.85 then 'USD' when u_currency < 0.95 then 'GBP' else 'JPY' end) as currency,
         (case when u_customer < 0.10 then null else floor(power((u_customer - 0.10) / 0.90, 2) * 200000)::int end) as customer_n,
         ($3::text[])[tenant_n] as tenant_id, ($6::text[])[tenant_n] as app_name
  from (
    select i,
           ($4::bigint + floor((i - 1 + random()) * $5::float8))::bigint as ms,
           floor(power(random(), 2) * cardinality($3::text[]))::int + 1 as tenant_n,
           random() as u_mode, random() as u_status, random() as u_amount, random() as u_currency,
           random() as u_customer, random() as u_refund,
           floor(random() * 1099511627776)::bigint as r1,
           floor(random() * 1099511627776)::bigint as r2
    from generate_series($1::int, $2::int) i
  ) s
) p`;

/** Creates the tenants (`bench-shop-01`…) that are missing; returns all their ids, in name order. */
async function ensureTenants(client: pg.ClientBase, n: number): Promise<{ id: string; appName: string }[]> {
  const names = Array.from({ length: n }, (_, k) => `bench-shop-${String(k + 1).padStart(2, '0')}`);
  const ids = names.map(() => newId('tenant'));
  await client.query(
    `insert into tenants (id, app_name, display_name, allowed_origins, created_at, updated_at)
     select id, app_name, initcap(replace(app_name, '-', ' ')), jsonb_build_array('https://' || replace(app_name, 'bench-', '') || '.example.com'), now(), now()
     from unnest($1::text[], $2::text[]) as x(id, app_name)
     on conflict (app_name) do nothing`,
    [ids, names],
  );
  const rows = (await client.query<{ id: string; app_name: string }>('select id, app_name from tenants where app_name = any($1) order by app_name', [names])).rows;
  return rows.map((r) => ({ id: r.id, appName: r.app_name }));
}

/** Seeds `count` payments into the migrated database `client` is connected to. */
export async function seedPayments(client: pg.ClientBase, options: SeedOptions): Promise<SeedResult> {
  const log = options.log ?? ((msg: string) => console.log(msg));
  const t0 = performance.now();
  const tenants = await ensureTenants(client, options.tenants);
  const tenantIds = tenants.map((t) => t.id);
  const spanMs = options.days * 24 * 3600 * 1000;
  const endMs = Date.now() - 60_000; // the newest payment a minute ago
  const startMs = endMs - spanMs;
  const msPerRow = spanMs / options.count;

  let indexes: { name: string; def: string }[] = [];
  let tInsert = 0;
  let tIndexes = 0;
  await client.query('begin');
  try {
    await client.query(`set local maintenance_work_mem = '256MB'`);
    await client.query('set local synchronous_commit = off');
    if (!options.keepIndexes) {
      // Secondary indexes only: the primary key stays (ids arrive in ascending order, appending is cheap).
      indexes = (
        await client.query<{ name: string; def: string }>(
          `select i.relname as name, pg_get_indexdef(x.indexrelid) as def
           from pg_index x join pg_class i on i.oid = x.indexrelid
           where x.indrelid = 'payments'::regclass
             and not exists (select 1 from pg_constraint c where c.conindid = x.indexrelid)
           order by i.relname`,
        )
      ).rows.map((r) => ({ name: r.name, def: r.def }));
      for (const ix of indexes) await client.query(`drop index ${ix.name}`);
      log(`dropped ${indexes.length} secondary indexes of payments for the load (rebuilt below, same transaction)`);
    }
    const tI = performance.now();
    for (let first = 1; first <= options.count; first += options.chunk) {
      const last = Math.min(options.count, first + options.chunk - 1);
      const t = performance.now();
      await client.query(INSERT_CHUNK, [first, last, tenantIds, startMs, msPerRow, tenants.map((t) => t.appName)]);
      log(`  payments ${first.toLocaleString('en-US')}–${last.toLocaleString('en-US')} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    tInsert = (performance.now() - tI) / 1000;
    const tX = performance.now();
    for (const ix of indexes) {
      const t = performance.now();
      await client.query(ix.def);
      log(`  index ${ix.name} rebuilt in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    tIndexes = (performance.now() - tX) / 1000;
    await client.query('commit');
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  }
  const tV = performance.now();
  await client.query('vacuum (analyze) payments');
  await client.query('analyze tenants');
  const vacuumAnalyze = (performance.now() - tV) / 1000;
  const total = (performance.now() - t0) / 1000;
  log(`vacuum (analyze) payments in ${vacuumAnalyze.toFixed(1)} s`);
  return {
    inserted: options.count,
    tenantIds,
    from: new Date(startMs),
    to: new Date(endMs),
    seconds: { total, insert: tInsert, indexes: tIndexes, vacuumAnalyze },
  };
}

// ---------------------------------------------------------------------------------------------
// CLI

async function main(): Promise<number> {
  const { values: args } = parseArgs({
    options: {
      count: { type: 'string', default: '1000000' },
      tenants: { type: 'string', default: '20' },
      days: { type: 'string', default: '90' },
      chunk: { type: 'string', default: '100000' },
      'database-url': { type: 'string' },
      drop: { type: 'boolean', default: false },
      'keep-indexes': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (args.help) {
    console.log(`Usage: node --import tsx bench/seed-payments.ts [--count n] [--tenants n] [--days n] [--chunk n] [--database-url URL] [--drop] [--keep-indexes]
  --count         payments to insert; default 1000000
  --tenants       tenants bench-shop-01… (created when missing); default 20
  --days          created_at spread over this many days up to now; default 90
  --chunk         rows per INSERT … SELECT; default 100000
  --database-url  seed this database (migrated first); default: a fresh database bench_seed_<random>
                  on the server of BENCH_DATABASE_URL / DATABASE_URL (default
                  postgres://postgres@127.0.0.1:5432/postgres), kept unless --drop
  --drop          drop the fresh database at the end (timing the seed only)
  --keep-indexes  insert with every index in place (default: drop the secondary indexes of payments
                  and rebuild them after the load, in the same transaction)`);
    return 0;
  }
  const count = positiveInt(args.count, '--count');
  const tenants = positiveInt(args.tenants, '--tenants');
  const days = positiveInt(args.days, '--days');
  const chunk = positiveInt(args.chunk, '--chunk');
  const log = (msg: string) => console.log(msg);

  let dbUrl = args['database-url'];
  let fresh: string | null = null;
  if (!dbUrl) {
    const before = cleanups.length;
    const db = await createBenchDatabase('bench_seed', [], log);
    // createBenchDatabase registers the drop; keep the database unless --drop.
    if (!args.drop) cleanups.splice(before, 1);
    dbUrl = db.url;
    fresh = db.name;
  }

  const t0 = performance.now();
  const orm = await openOrm(dbUrl, 1);
  try {
    const applied = await migrate(orm);
    if (applied.length) log(`migrated: ${applied.length} migrations`);
  } finally {
    await orm.close();
  }
  const client = await connectBenchClient(dbUrl, 'bench-seed');
  const result = await seedPayments(client, { count, tenants, days, chunk, keepIndexes: args['keep-indexes'], log });
  const rows = Number((await client.query<{ n: string }>('select count(*) as n from payments')).rows[0]!.n);
  const size = (await client.query<{ s: string }>(`select pg_size_pretty(pg_total_relation_size('payments')) as s`)).rows[0]!.s;
  const seconds = (performance.now() - t0) / 1000;
  log(
    `seeded ${count.toLocaleString('en-US')} payments (${tenants} tenants, ${result.from.toISOString()} … ${result.to.toISOString()}) in ${seconds.toFixed(1)} s: ` +
      `insert ${result.seconds.insert.toFixed(1)} s, indexes ${result.seconds.indexes.toFixed(1)} s, vacuum/analyze ${result.seconds.vacuumAnalyze.toFixed(1)} s; ` +
      `payments now holds ${rows.toLocaleString('en-US')} rows, ${size} with indexes`,
  );
  if (fresh && !args.drop) log(`database kept: ${dbUrl}\n  drop it with: psql '${dbUrl.replace(/\/[^/]*$/, '/postgres')}' -c 'drop database ${fresh}'`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runBenchmark(main);
}
