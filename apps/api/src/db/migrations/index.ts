import { Migration20261125000000_initial } from './Migration20261125000000_initial.js';
import { Migration20261125010000_attempts_inbox } from './Migration20261125010000_attempts_inbox.js';
import { Migration20261125020000_webhooks } from './Migration20261125020000_webhooks.js';
import { Migration20261125030000_providers_refunds } from './Migration20261125030000_providers_refunds.js';
import { Migration20261125040000_console } from './Migration20261125040000_console.js';
import { Migration20261125050000_console_perf } from './Migration20261125050000_console_perf.js';
import { Migration20261207000000_refund_checks } from './Migration20261207000000_refund_checks.js';
import { Migration20261207010000_webhook_failure_streak } from './Migration20261207010000_webhook_failure_streak.js';
import { Migration20261207020000_rate_limits } from './Migration20261207020000_rate_limits.js';

/** Every migration, in order. Listed explicitly so the same list runs from source and from tests. */
export const migrationsList = [
  { name: 'Migration20261125000000_initial', class: Migration20261125000000_initial },
  { name: 'Migration20261125010000_attempts_inbox', class: Migration20261125010000_attempts_inbox },
  { name: 'Migration20261125020000_webhooks', class: Migration20261125020000_webhooks },
  { name: 'Migration20261125030000_providers_refunds', class: Migration20261125030000_providers_refunds },
  { name: 'Migration20261125040000_console', class: Migration20261125040000_console },
  { name: 'Migration20261125050000_console_perf', class: Migration20261125050000_console_perf },
  { name: 'Migration20261207000000_refund_checks', class: Migration20261207000000_refund_checks },
  { name: 'Migration20261207010000_webhook_failure_streak', class: Migration20261207010000_webhook_failure_streak },
  { name: 'Migration20261207020000_rate_limits', class: Migration20261207020000_rate_limits },
];
