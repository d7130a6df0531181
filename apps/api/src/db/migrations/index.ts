import { Migration20261125000000_initial } from './Migration20261125000000_initial.js';
import { Migration20261125010000_attempts_inbox } from './Migration20261125010000_attempts_inbox.js';
import { Migration20261125020000_webhooks } from './Migration20261125020000_webhooks.js';

/** Every migration, in order. Listed explicitly so the same list runs from source and from tests. */
export const migrationsList = [
  { name: 'Migration20261125000000_initial', class: Migration20261125000000_initial },
  { name: 'Migration20261125010000_attempts_inbox', class: Migration20261125010000_attempts_inbox },
  { name: 'Migration20261125020000_webhooks', class: Migration20261125020000_webhooks },
];
