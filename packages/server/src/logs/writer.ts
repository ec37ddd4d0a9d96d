// Writes sign-in records durably before the response leaves. Records that arrive in the same
// turn of the event loop share one transaction and one fdatasync (group commit), so durability
// costs one flush per batch, not per sign-in, and the flush does not block the event loop.
// A record's list of applied conditional access policies is stored once per distinct list
// (decision 0010): the batch's new lists are written before its records, and the one flush
// covers both, so no record refers to a list that is not durable.
import type { Kysely } from 'kysely';
import { systemClock, type Clock } from '../clock.js';
import type { Database } from '../store/schema.js';
import { KnownPolicyLists, policyListHash, policyListKey } from './policy-lists.js';
import type { SignInRecord } from './sign-in-record.js';

interface Pending { record: SignInRecord; resolve: () => void; reject: (e: unknown) => void }

export class SignInLogWriter {
  readonly #db: Kysely<Database>;
  #queue: Pending[] = [];
  #flushing: Promise<void> | undefined;
  #written = 0;
  #batches = 0;
  onWritten: ((record: SignInRecord) => void) | undefined;

  readonly #sync: () => Promise<void>;
  readonly #clock: Clock;
  readonly #lists = new KnownPolicyLists();
  #listsStored = 0;

  /** `sync` makes committed transactions durable (Store.sync); it runs once per batch. */
  constructor(db: Kysely<Database>, sync: () => Promise<void> = async () => undefined, clock: Clock = systemClock) {
    this.#db = db;
    this.#sync = sync;
    this.#clock = clock;
  }

  /** Policy lists this writer upserted (new, or confirmed again after CONFIRMATION_MS). */
  get listsStored(): number {
    return this.#listsStored;
  }

  get written(): number {
    return this.#written;
  }

  /** Transactions committed so far (group commit makes this far smaller than `written` under load). */
  get batches(): number {
    return this.#batches;
  }

  append(record: SignInRecord): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ record, resolve, reject });
      if (!this.#flushing) this.#flushing = this.#flushSoon();
    });
  }

  async #flushSoon(): Promise<void> {
    await new Promise<void>((r) => setImmediate(r));
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, 500);
      try {
        const now = this.#clock.now();
        const nowMs = now.getTime();
        const lists = new Map<string, string>(); // hash -> entries JSON, lists to (re)confirm
        const confirm = new Map<string, string>(); // list key -> hash, once durable
        const rows = batch.map(({ record }) => {
          const list = record.appliedConditionalAccessPolicies;
          let hash: string | null = null;
          if (list.length > 0) {
            const key = policyListKey(list);
            hash = this.#lists.stored(key, nowMs) ?? confirm.get(key) ?? null;
            if (hash === null) {
              const entries = JSON.stringify(list);
              hash = policyListHash(entries);
              lists.set(hash, entries);
              confirm.set(key, hash);
            }
          }
          return {
            id: record.id,
            created_at: record.createdDateTime,
            user_id: record.userId,
            app_id: record.appId,
            error_code: record.status.errorCode,
            correlation_id: record.correlationId,
            // The list's key keeps its place in the record (null), so readers restore the same JSON.
            record: JSON.stringify(hash === null ? record : { ...record, appliedConditionalAccessPolicies: null }),
            policy_list: hash,
          };
        });
        if (lists.size > 0) {
          // Before the records, in hash order (two writers on one PostgreSQL lock rows in the
          // same order). An existing row only gets seen_at, which retention respects.
          const at = now.toISOString();
          await this.#db.insertInto('sign_in_policy_lists')
            .values([...lists].sort(([a], [b]) => (a < b ? -1 : 1)).map(([hash, entries]) => ({ hash, entries, created_at: at, seen_at: at })))
            .onConflict((oc) => oc.column('hash').doUpdateSet((eb) => ({ seen_at: eb.ref('excluded.seen_at') })))
            .execute();
        }
        // One multi-row INSERT is one transaction on both engines: all of the batch or none.
        await this.#db.insertInto('sign_ins').values(rows).execute();
        // One fdatasync for the whole batch, covering the token writes that preceded it too.
        await this.#sync();
        for (const [key, hash] of confirm) this.#lists.confirm(key, hash, nowMs);
        this.#listsStored += lists.size;
        this.#written += batch.length;
        this.#batches += 1;
        for (const p of batch) { this.onWritten?.(p.record); p.resolve(); }
      } catch (e) {
        for (const p of batch) p.reject(e);
      }
    }
    this.#flushing = undefined;
  }

  /** Waits until everything appended so far is on disk (used at shutdown). */
  async drain(): Promise<void> {
    while (this.#flushing) await this.#flushing;
  }
}
