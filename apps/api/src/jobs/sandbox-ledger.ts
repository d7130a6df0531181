import type { MikroORM } from '@mikro-orm/postgresql';
import type { NormalizedOutcome } from '@platform/core';
import type { SandboxLedger } from '@platform/providers';

/**
 * The simulated sandbox provider's own records, kept in our database (table
 * sandbox_provider_objects) because the sandbox has no servers of its own. Reconciliation
 * reads them through the adapter's `retrieve`, as it would ask Stripe or Adyen.
 */
export function sandboxLedger(orm: MikroORM): SandboxLedger {
  return {
    async record(reference: string, outcome: NormalizedOutcome, settlesAt: Date) {
      await orm.em
        .fork()
        .execute(
          `insert into sandbox_provider_objects (reference, outcome, settles_at, created_at) values (?, ?, ?, ?)
           on conflict (reference) do update set outcome = excluded.outcome, settles_at = excluded.settles_at`,
          [reference, JSON.stringify(outcome), settlesAt, new Date()],
        );
    },
    async lookup(reference: string, now: Date) {
      const rows = await orm.em
        .fork()
        .execute<{ outcome: NormalizedOutcome | string }[]>('select outcome from sandbox_provider_objects where reference = ? and settles_at <= ?', [reference, now]);
      const outcome = rows[0]?.outcome;
      if (!outcome) return null;
      return typeof outcome === 'string' ? (JSON.parse(outcome) as NormalizedOutcome) : outcome;
    },
  };
}
