import { Migration } from '@mikro-orm/migrations';

/**
 * Reconciliation of refunds whose provider accepted them but whose webhook never came
 * (jobs/reconciliation.ts): `checked_at` is when the provider was last asked, so a refund that is
 * still pending (or whose provider has no lookup) is asked again only after a while.
 */
export class Migration20261207000000_refund_checks extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table refunds add column checked_at timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table refunds drop column checked_at;`);
  }
}
