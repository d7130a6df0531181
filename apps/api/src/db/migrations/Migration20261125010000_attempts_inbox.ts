import { Migration } from '@mikro-orm/migrations';

/** Payment attempts at providers, and the inbox of provider webhook events (dedupe + record). */
export class Migration20261125010000_attempts_inbox extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table payment_attempts (
        id text primary key,
        tenant_id text not null references tenants(id),
        mode text not null check (mode in ('sandbox', 'live')),
        payment_id text not null references payments(id),
        provider text not null,
        provider_reference text,
        status text not null check (status in ('pending', 'processing', 'requires_action', 'succeeded', 'failed')),
        error_code text,
        error_message text,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        completed_at timestamptz
      );`);
    this.addSql(`create index payment_attempts_payment on payment_attempts (tenant_id, mode, payment_id, id desc);`);
    this.addSql(`
      create table provider_events (
        provider text not null,
        event_id text not null,
        payment_id text,
        tenant_id text,
        mode text,
        outcome text not null,
        result text not null check (result in ('applied', 'ignored', 'unknown_payment')),
        note text,
        received_at timestamptz not null,
        primary key (provider, event_id)
      );`);
    this.addSql(`create index provider_events_payment on provider_events (payment_id, received_at);`);
  }
}
