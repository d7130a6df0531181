import { Migration } from '@mikro-orm/migrations';

/** Initial schema: tenants and credentials, payments, events, idempotency keys, audit log, console users. */
export class Migration20261125000000_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table tenants (
        id text primary key,
        app_name text not null unique,
        display_name text not null,
        logo_url text,
        brand_color text,
        allowed_origins jsonb not null default '[]',
        created_at timestamptz not null,
        updated_at timestamptz not null
      );`);
    this.addSql(`
      create table tenant_secrets (
        id text primary key,
        tenant_id text not null references tenants(id),
        mode text not null check (mode in ('sandbox', 'live')),
        secret_hash text not null,
        created_at timestamptz not null,
        valid_until timestamptz
      );`);
    this.addSql(`create index tenant_secrets_tenant_mode on tenant_secrets (tenant_id, mode);`);
    this.addSql(`
      create table payments (
        id text primary key,
        tenant_id text not null references tenants(id),
        mode text not null check (mode in ('sandbox', 'live')),
        status text not null,
        amount bigint not null check (amount > 0),
        currency text not null,
        amount_refunded bigint not null default 0 check (amount_refunded >= 0 and amount_refunded <= amount),
        description text,
        customer jsonb,
        metadata jsonb not null default '{}',
        provider text,
        provider_reference text,
        return_url text,
        cancel_url text,
        checkout_token_id text,
        checkout_expires_at timestamptz,
        last_error jsonb,
        cancellation_reason text,
        created_at timestamptz not null,
        updated_at timestamptz not null
      );`);
    this.addSql(`create index payments_tenant_mode_id on payments (tenant_id, mode, id desc);`);
    this.addSql(`create index payments_tenant_mode_status_id on payments (tenant_id, mode, status, id desc);`);
    this.addSql(`
      create table events (
        id text primary key,
        tenant_id text not null references tenants(id),
        mode text not null check (mode in ('sandbox', 'live')),
        type text not null,
        object_id text not null,
        data jsonb not null,
        created_at timestamptz not null
      );`);
    this.addSql(`create index events_tenant_mode_id on events (tenant_id, mode, id desc);`);
    this.addSql(`create index events_tenant_mode_type_id on events (tenant_id, mode, type, id desc);`);
    this.addSql(`
      create table idempotency_keys (
        tenant_id text not null references tenants(id),
        mode text not null check (mode in ('sandbox', 'live')),
        key text not null,
        request_hash text not null,
        status_code int not null,
        response_body text not null,
        created_at timestamptz not null,
        expires_at timestamptz not null,
        primary key (tenant_id, mode, key)
      );`);
    this.addSql(`create index idempotency_keys_expires_at on idempotency_keys (expires_at);`);
    this.addSql(`
      create table audit_log (
        seq bigserial primary key,
        id text not null unique,
        chain text not null,
        actor_type text not null,
        actor_id text not null,
        action text not null,
        target_type text not null,
        target_id text not null,
        tenant_id text,
        mode text,
        request_id text,
        ip text,
        before jsonb,
        after jsonb,
        created_at timestamptz not null,
        prev_hash text not null,
        hash text not null
      );`);
    this.addSql(`create index audit_log_chain_seq on audit_log (chain, seq desc);`);
    this.addSql(`create index audit_log_tenant_seq on audit_log (tenant_id, seq desc);`);
    // Append-only, enforced by the database itself: no UPDATE, DELETE or TRUNCATE.
    this.addSql(`
      create function audit_log_reject_change() returns trigger language plpgsql as $$
      begin
        raise exception 'audit_log is append-only (% rejected)', tg_op using errcode = 'insufficient_privilege';
      end $$;`);
    this.addSql(`
      create trigger audit_log_no_update_delete before update or delete on audit_log
        for each row execute function audit_log_reject_change();`);
    this.addSql(`
      create trigger audit_log_no_truncate before truncate on audit_log
        for each statement execute function audit_log_reject_change();`);
    this.addSql(`
      create table users (
        id text primary key,
        email text not null unique,
        role text not null check (role in ('admin', 'support', 'viewer')),
        password_hash text not null,
        created_at timestamptz not null,
        updated_at timestamptz not null
      );`);
  }
}
