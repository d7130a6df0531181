import { Migration } from '@mikro-orm/migrations';

/**
 * The admin console: login sessions, failed-login records for throttling, and the indexes its
 * cross-tenant queries need (payments list/filter, timeline, deliveries, audit, dashboard).
 */
export class Migration20261125040000_console extends Migration {
  override async up(): Promise<void> {
    // The cookie carries a random token; only its SHA-256 is stored, so a leaked table logs nobody in.
    this.addSql(`
      create table console_sessions (
        token_hash text primary key,
        user_id text not null references users(id) on delete cascade,
        created_at timestamptz not null,
        last_seen_at timestamptz not null,
        expires_at timestamptz not null,
        absolute_expires_at timestamptz not null,
        ip text,
        user_agent text
      );`);
    this.addSql(`create index console_sessions_user on console_sessions (user_id);`);
    // One row per login attempt being checked or failed, keyed 'email:…' / 'ip:…' (see console/login-throttle.ts).
    this.addSql(`
      create table console_login_failures (
        id bigserial primary key,
        key text not null,
        failed_at timestamptz not null
      );`);
    this.addSql(`create index console_login_failures_key on console_login_failures (key, failed_at desc);`);
    this.addSql(`create index console_login_failures_failed_at on console_login_failures (failed_at);`);

    // payments: the console lists across tenants, newest first (the primary key serves the
    // unfiltered page), filtered by tenant and/or status without a mode, or by customer e-mail.
    this.addSql(`create index payments_tenant_id on payments (tenant_id, id desc);`);
    this.addSql(`create index payments_tenant_status_id on payments (tenant_id, status, id desc);`);
    this.addSql(`create index payments_status_id on payments (status, id desc);`);
    // Queried with exactly this expression (console/queries/payments.ts).
    this.addSql(`create index payments_customer_email on payments ((lower(customer->>'email')), id desc);`);
    this.addSql(`create index payments_created_at on payments (created_at);`);

    // The payment timeline: events and audit entries about one object.
    this.addSql(`create index events_object on events (object_id, id);`);
    this.addSql(`create index audit_log_target on audit_log (target_id, seq);`);
    this.addSql(`create index audit_log_actor on audit_log (actor_id, seq desc);`);
    this.addSql(`create index audit_log_action on audit_log (action, seq desc);`);

    // Deliveries across tenants: failed first, then newest (console/deliveries.ts reads the two
    // phases separately, each newest first); failed deliveries per endpoint for the dashboard.
    this.addSql(`create index webhook_deliveries_status_id on webhook_deliveries (status, id desc);`);
    this.addSql(`create index webhook_deliveries_tenant_status_id on webhook_deliveries (tenant_id, status, id desc);`);
    this.addSql(`create index webhook_deliveries_tenant_id on webhook_deliveries (tenant_id, id desc);`);
    this.addSql(`create index webhook_deliveries_endpoint_status on webhook_deliveries (endpoint_id, status);`);
  }
}
