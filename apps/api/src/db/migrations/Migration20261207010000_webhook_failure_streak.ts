import { Migration } from '@mikro-orm/migrations';

/**
 * "An endpoint failing for 5 days straight is disabled" (jobs/webhook-deliveries.ts):
 * `last_failure_at` is the endpoint's last failed attempt, so a failure after a long quiet gap
 * starts a new streak instead of counting from a `failing_since` set days before it. Backfilled
 * from the recorded attempts of endpoints that are failing now; where those were already pruned
 * it stays null, and the endpoint's next failure starts a new streak.
 */
export class Migration20261207010000_webhook_failure_streak extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table webhook_endpoints add column last_failure_at timestamptz null;`);
    this.addSql(`
      update webhook_endpoints e
         set last_failure_at = (
           select max(a.attempted_at)
             from webhook_deliveries d
             join webhook_attempts a on a.delivery_id = d.id
            where d.endpoint_id = e.id
              and a.attempted_at >= e.failing_since
              and (a.status_code is null or a.status_code not between 200 and 299))
       where e.failing_since is not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table webhook_endpoints drop column last_failure_at;`);
  }
}
