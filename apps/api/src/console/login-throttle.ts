import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '@platform/core';

export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
export const LOGIN_LOCK_MS = 15 * 60 * 1000;
/**
 * Failures in the window before a key locks:
 * - `emailIp`: one e-mail from one address — the guessing of a single attacker; locking it does
 *   not lock the e-mail's owner out from their own address;
 * - `ip`: one address across e-mails — an office shares one address, hence more;
 * - `email`: one e-mail from anywhere — a guessing spread over many addresses.
 */
export const LOGIN_MAX_FAILURES = { emailIp: 5, ip: 20, email: 50 } as const;

type KeyKind = keyof typeof LOGIN_MAX_FAILURES;
interface Key {
  kind: KeyKind;
  key: string;
}

/**
 * Failed-login throttling per e-mail + IP, per IP and per e-mail, kept in PostgreSQL so every API replica sees
 * the same counts. After `max` failures within 15 minutes a key is refused for 15 minutes
 * (counted from its last failure); refused attempts are not recorded, so they do not extend it.
 *
 * Each attempt is recorded *before* the password is checked and removed again on success: so
 * parallel guesses cannot all slip in under the limit while the slow hash runs.
 * (rate-limiter-flexible's Postgres store was considered: it creates its own table outside
 * our migrations and uses named prepared statements; two statements here do the job.)
 */
export class LoginThrottle {
  constructor(private readonly now: () => Date = () => new Date()) {}

  keys(email: string, ip: string | null): Key[] {
    return [
      { kind: 'emailIp', key: `email-ip:${email}|${ip ?? ''}` },
      { kind: 'email', key: `email:${email}` },
      ...(ip ? [{ kind: 'ip' as const, key: `ip:${ip}` }] : []),
    ];
  }

  /** Throws `rate_limited` while any key is locked; otherwise records the attempt and returns its row ids. */
  async begin(em: EntityManager, keys: Key[]): Promise<string[]> {
    const now = this.now();
    const since = new Date(now.getTime() - LOGIN_WINDOW_MS - LOGIN_LOCK_MS);
    const rows = await em.execute<{ key: string; failed_at: Date | string }[]>(
      'select key, failed_at from console_login_failures where key in (?) and failed_at > ? order by failed_at desc',
      [keys.map((k) => k.key), since],
    );
    for (const k of keys) {
      const until = lockedUntil(rows.filter((r) => r.key === k.key).map((r) => new Date(r.failed_at)), LOGIN_MAX_FAILURES[k.kind]);
      if (until && until > now) throw tooManyAttempts(until, now);
    }
    const inserted = await em.execute<{ id: string }[]>(
      `insert into console_login_failures (key, failed_at) values ${keys.map(() => '(?, ?)').join(', ')} returning id`,
      keys.flatMap((k) => [k.key, now]),
    );
    const ids = inserted.map((r) => String(r.id));
    // Concurrent attempts: if the window now holds more than allowed, this one is not checked.
    const counts = await em.execute<{ key: string; n: string }[]>(
      'select key, count(*) as n from console_login_failures where key in (?) and failed_at > ? group by key',
      [keys.map((k) => k.key), new Date(now.getTime() - LOGIN_WINDOW_MS)],
    );
    for (const k of keys) {
      if (Number(counts.find((c) => c.key === k.key)?.n ?? 0) > LOGIN_MAX_FAILURES[k.kind]) {
        await this.forget(em, ids);
        throw tooManyAttempts(new Date(now.getTime() + LOGIN_LOCK_MS), now);
      }
    }
    // Old rows of every key go while we are here (indexed by failed_at).
    await em.execute('delete from console_login_failures where failed_at < ?', [new Date(now.getTime() - 24 * 60 * 60 * 1000)]);
    return ids;
  }

  /**
   * A successful login: this attempt no longer counts, and the e-mail's failures from this address
   * start over. Its failures from elsewhere stay until they age out, so signing in does not give
   * a guesser spread over many addresses a fresh allowance.
   */
  async succeeded(em: EntityManager, email: string, ip: string | null, attemptIds: string[]): Promise<void> {
    await this.forget(em, attemptIds);
    await em.execute('delete from console_login_failures where key = ?', [`email-ip:${email}|${ip ?? ''}`]);
  }

  private async forget(em: EntityManager, ids: string[]): Promise<void> {
    if (ids.length) await em.execute('delete from console_login_failures where id in (?)', [ids]);
  }
}

/** Newest first: locked when the last `max` failures fall within one window; until the newest + lock. */
function lockedUntil(failures: Date[], max: number): Date | null {
  if (failures.length < max) return null;
  const newest = failures[0]!;
  const oldest = failures[max - 1]!;
  if (newest.getTime() - oldest.getTime() > LOGIN_WINDOW_MS) return null;
  return new Date(newest.getTime() + LOGIN_LOCK_MS);
}

function tooManyAttempts(until: Date, now: Date): AppError {
  const seconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
  return new AppError('rate_limited', `Too many failed sign-in attempts; try again in ${Math.ceil(seconds / 60)} minutes`, {
    details: { retryAfterSeconds: String(seconds) },
  });
}
