// Writes sign-in records durably before the response leaves. Records that arrive in the same
// turn of the event loop share one transaction and one fdatasync (group commit), so durability
// costs one flush per batch, not per sign-in, and the flush does not block the event loop.
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
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

  /** `sync` makes committed transactions durable (Store.sync); it runs once per batch. */
  constructor(db: Kysely<Database>, sync: () => Promise<void> = async () => undefined) {
    this.#db = db;
    this.#sync = sync;
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
        // One multi-row INSERT is one transaction on both engines: all of the batch or none.
        await this.#db.insertInto('sign_ins').values(batch.map(({ record }) => ({
          id: record.id,
          created_at: record.createdDateTime,
          user_id: record.userId,
          app_id: record.appId,
          error_code: record.status.errorCode,
          correlation_id: record.correlationId,
          record: JSON.stringify(record),
        }))).execute();
        // One fdatasync for the whole batch, covering the token writes that preceded it too.
        await this.#sync();
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
