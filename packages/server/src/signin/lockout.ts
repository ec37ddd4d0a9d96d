// Smart lockout: failed password attempts are counted per user and source address; at the
// threshold the pair locks for an interval that doubles with every further lockout. While
// locked, even the right password is refused (AADSTS50053). Time comes from the clock.
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import { slot, type PreparedQuery, type Store } from '../store/database.js';
import type { Database } from '../store/schema.js';

export interface LockoutSettings { threshold: number; durationSeconds: number }
export const defaultLockout: LockoutSettings = { threshold: 10, durationSeconds: 60 };

export class SmartLockout {
  private readonly db: Kysely<Database>;
  // Read on every sign-in of a user; compiled once (Store.prepare).
  readonly #lockedUntil: PreparedQuery<{ locked_until: number }>;

  constructor(store: Store, private readonly clock: Clock, private readonly settings: LockoutSettings = defaultLockout) {
    this.db = store.db;
    this.#lockedUntil = store.prepare(store.db.selectFrom('lockouts').select('locked_until').where('subject', '=', slot('subject')));
  }

  static subject(userId: string, ip: string | null): string {
    return `user:${userId}|ip:${ip ?? 'unknown'}`;
  }

  /** Epoch ms until which the pair is locked, or undefined. */
  async lockedUntil(subject: string): Promise<number | undefined> {
    const row = (await this.#lockedUntil.execute({ subject })).rows[0];
    return row && row.locked_until > this.clock.now().getTime() ? row.locked_until : undefined;
  }

  async recordFailure(subject: string): Promise<void> {
    const now = this.clock.now().getTime();
    const row = await this.db.selectFrom('lockouts').selectAll().where('subject', '=', subject).executeTakeFirst();
    // A day without failures forgets earlier lockouts; until then each lockout doubles.
    const stale = row !== undefined && now - row.last_failure > 86_400_000;
    const failures = (stale ? 0 : (row?.failures ?? 0)) + 1;
    let lockedUntil = row?.locked_until ?? 0;
    let lockouts = stale ? 0 : (row?.lockouts ?? 0);
    let nextFailures = failures;
    if (failures >= this.settings.threshold) {
      lockedUntil = now + this.settings.durationSeconds * 1000 * 2 ** lockouts;
      lockouts += 1;
      nextFailures = 0;
    }
    await this.db.insertInto('lockouts').values({ subject, failures: nextFailures, locked_until: lockedUntil, lockouts, last_failure: now })
      .onConflict((oc) => oc.column('subject').doUpdateSet({ failures: nextFailures, locked_until: lockedUntil, lockouts, last_failure: now }))
      .execute();
  }

  /** Clears the failure count; the lockout history stays so a repeat offender locks longer. */
  async recordSuccess(subject: string): Promise<void> {
    await this.db.updateTable('lockouts').set({ failures: 0 }).where('subject', '=', subject).execute();
  }
}
