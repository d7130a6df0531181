import type { Mode } from '@platform/core';
import type { CrossTenantReader } from './db.js';

export const STUCK_PROCESSING_MS = 15 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface DashboardQuery {
  days: number;
  tenantId?: string | undefined;
  mode?: Mode | undefined;
}

/**
 * The operator's first screen: payments per UTC day, mode and currency (volume = succeeded
 * amounts, minor units); endpoints that are failing or disabled; payments stuck in processing.
 * Days without payments are absent from `series`.
 */
export async function dashboardSummary(db: CrossTenantReader, q: DashboardQuery, now = new Date()) {
  const since = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - (q.days - 1) * DAY_MS);
  const scope = (alias: string) => ({
    sql: `${q.tenantId ? ` and ${alias}.tenant_id = ?` : ''}${q.mode ? ` and ${alias}.mode = ?` : ''}`,
    params: [...(q.tenantId ? [q.tenantId] : []), ...(q.mode ? [q.mode] : [])],
  });
  const p = scope('p');
  const e = scope('e');
  const [series, failing, stuck] = await Promise.all([
    db.sql<{ day: string; mode: Mode; currency: string; count: number; succeeded_count: number; volume: string }>(
      `select to_char(p.created_at at time zone 'UTC', 'YYYY-MM-DD') as day, p.mode, p.currency,
              count(*)::int as count,
              (count(*) filter (where p.status = 'succeeded'))::int as succeeded_count,
              coalesce(sum(p.amount) filter (where p.status = 'succeeded'), 0)::text as volume
         from payments p
        where p.created_at >= ?${p.sql}
        group by 1, 2, 3
        order by 1, 2, 3`,
      [since, ...p.params],
    ),
    db.sql<{ id: string; tenant_id: string; mode: Mode; url: string; status: string; disabled_reason: string | null; failing_since: Date | null; last_failure_at: Date | null; failed: number }>(
      `select e.id, e.tenant_id, e.mode, e.url, e.status, e.disabled_reason, e.failing_since, e.last_failure_at,
              (select count(*) from webhook_deliveries d where d.endpoint_id = e.id and d.status = 'failed')::int as failed
         from webhook_endpoints e
        where e.deleted_at is null and (e.status = 'disabled' or e.failing_since is not null)${e.sql}
        order by e.failing_since asc nulls last, e.id desc
        limit 100`,
      e.params,
    ),
    db.sql<{ id: string; tenant_id: string; mode: Mode; amount: string; currency: string; updated_at: Date }>(
      `select p.id, p.tenant_id, p.mode, p.amount, p.currency, p.updated_at
         from payments p
        where p.status = 'processing' and p.updated_at < ?${p.sql}
        order by p.updated_at asc
        limit 100`,
      [new Date(now.getTime() - STUCK_PROCESSING_MS), ...p.params],
    ),
  ]);
  return {
    since: since.toISOString(),
    series: series.map((r) => ({ day: r.day, mode: r.mode, currency: r.currency, count: r.count, succeededCount: r.succeeded_count, volume: Number(r.volume) })),
    failingEndpoints: failing.map((r) => ({
      endpointId: r.id,
      tenantId: r.tenant_id,
      mode: r.mode,
      url: r.url,
      status: r.status,
      disabledReason: r.disabled_reason,
      failingSince: r.failing_since ? new Date(r.failing_since).toISOString() : null,
      lastFailureAt: r.last_failure_at ? new Date(r.last_failure_at).toISOString() : null,
      failedDeliveries: r.failed,
    })),
    stuckProcessing: stuck.map((r) => ({
      paymentId: r.id,
      tenantId: r.tenant_id,
      mode: r.mode,
      amount: Number(r.amount),
      currency: r.currency,
      since: new Date(r.updated_at).toISOString(),
    })),
  };
}
