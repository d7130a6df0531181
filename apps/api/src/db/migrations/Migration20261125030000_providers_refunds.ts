import { Migration } from '@mikro-orm/migrations';

/**
 * Provider accounts per tenant + mode (credentials sealed with AES-256-GCM, ordered for routing),
 * refunds, the sandbox provider's own record of its outcomes (what reconciliation asks), and
 * the attempt states for prepared provider objects and unknown outcomes.
 */
export class Migration20261125030000_providers_refunds extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table provider_accounts (
        id text primary key,
        tenant_id text not null references tenants(id),
        mode text not null check (mode in ('sandbox', 'live')),
        provider text not null check (provider in ('stripe', 'adyen')),
        label text,
        credentials_sealed text not null,
        credentials_hint jsonb not null,
        priority integer not null,
        created_at timestamptz not null,
        updated_at timestamptz not null
      );`);
    this.addSql(`create index provider_accounts_routing on provider_accounts (tenant_id, mode, priority);`);
    this.addSql(`create index provider_accounts_provider on provider_accounts (provider);`);
    this.addSql(`alter table payments add column provider_account_id text references provider_accounts(id);`);
    this.addSql(`create index payments_processing on payments (updated_at) where status = 'processing';`);
    this.addSql(`create index payments_open_created on payments (created_at) where status in ('requires_payment_method', 'requires_action');`);
    this.addSql(`alter table payment_attempts add column provider_account_id text references provider_accounts(id);`);
    this.addSql(`alter table payment_attempts add column client_result text;`);
    this.addSql(`alter table payment_attempts drop constraint payment_attempts_status_check;`);
    this.addSql(`alter table payment_attempts add constraint payment_attempts_status_check
      check (status in ('pending', 'processing', 'requires_action', 'succeeded', 'failed', 'unknown'));`);
    this.addSql(`create index payment_attempts_unknown on payment_attempts (updated_at) where status = 'unknown';`);
    this.addSql(`
      create table refunds (
        id text primary key,
        tenant_id text not null references tenants(id),
        mode text not null check (mode in ('sandbox', 'live')),
        payment_id text not null references payments(id),
        amount bigint not null check (amount > 0),
        currency text not null,
        status text not null check (status in ('pending', 'succeeded', 'failed')),
        reason text,
        failure_reason text,
        provider text not null,
        provider_account_id text references provider_accounts(id),
        provider_reference text,
        created_at timestamptz not null,
        updated_at timestamptz not null
      );`);
    this.addSql(`create index refunds_payment on refunds (tenant_id, mode, payment_id, id desc);`);
    this.addSql(`create index refunds_list on refunds (tenant_id, mode, id desc);`);
    this.addSql(`create index refunds_pending on refunds (updated_at) where status = 'pending';`);
    this.addSql(`alter table provider_events drop constraint provider_events_result_check;`);
    this.addSql(`alter table provider_events add constraint provider_events_result_check
      check (result in ('applied', 'ignored', 'unknown_payment', 'unknown_refund'));`);
    this.addSql(`alter table provider_events add column account_id text;`);
    this.addSql(`alter table provider_events add column refund_id text;`);
    this.addSql(`
      create table sandbox_provider_objects (
        reference text primary key,
        outcome jsonb not null,
        settles_at timestamptz not null,
        created_at timestamptz not null
      );`);
  }
}
