import { Migration } from '@mikro-orm/migrations';

/** Tenant webhook endpoints, their deliveries (the outbox) and every delivery attempt. */
export class Migration20261125020000_webhooks extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table webhook_endpoints (
        id text primary key,
        tenant_id text not null references tenants(id),
        mode text not null check (mode in ('sandbox', 'live')),
        url text not null,
        events jsonb,
        status text not null check (status in ('enabled', 'disabled')),
        disabled_reason text,
        secret_encrypted text not null,
        previous_secret_encrypted text,
        previous_secret_expires_at timestamptz,
        failing_since timestamptz,
        deleted_at timestamptz,
        created_at timestamptz not null,
        updated_at timestamptz not null
      );`);
    this.addSql(`create index webhook_endpoints_tenant on webhook_endpoints (tenant_id, mode, id desc) where deleted_at is null;`);
    this.addSql(`
      create table webhook_deliveries (
        id text primary key,
        tenant_id text not null references tenants(id),
        mode text not null check (mode in ('sandbox', 'live')),
        endpoint_id text not null references webhook_endpoints(id),
        event_id text not null references events(id),
        status text not null check (status in ('pending', 'succeeded', 'failed')),
        attempt_count int not null default 0,
        next_attempt_at timestamptz,
        last_status_code int,
        created_at timestamptz not null,
        updated_at timestamptz not null
      );`);
    this.addSql(`create index webhook_deliveries_endpoint on webhook_deliveries (tenant_id, mode, endpoint_id, id desc);`);
    this.addSql(`create index webhook_deliveries_event on webhook_deliveries (event_id);`);
    this.addSql(`create index webhook_deliveries_failed on webhook_deliveries (status, updated_at desc) where status <> 'succeeded';`);
    this.addSql(`
      create table webhook_attempts (
        id text primary key,
        delivery_id text not null references webhook_deliveries(id),
        tenant_id text not null,
        mode text not null,
        attempted_at timestamptz not null,
        status_code int,
        latency_ms int not null,
        response_excerpt text,
        error text
      );`);
    this.addSql(`create index webhook_attempts_delivery on webhook_attempts (delivery_id, attempted_at);`);
  }
}
