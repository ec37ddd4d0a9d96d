// Reads the sign-in log for GET /v1.0/auditLogs/signIns and `monban logs`: newest first,
// $filter evaluated on the Graph shape, createdDateTime ranges pushed down to the index.
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import { createdRange, matchesFilter, type FilterNode } from '../odata/filter.js';
import type { Database } from '../store/schema.js';
import type { SignInRecord } from './sign-in-record.js';

export interface SignInPage { records: SignInRecord[]; nextCursor: number | undefined }

export class SignInLogQuery {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async page(opts: { filter?: FilterNode | undefined; top: number; before?: number | undefined }): Promise<SignInPage> {
    const range = createdRange(opts.filter);
    const out: SignInRecord[] = [];
    let before = opts.before;
    const chunk = Math.max(opts.top * 2, 200);
    for (;;) {
      let q = this.#db.selectFrom('sign_ins').select(['seq', 'record']).orderBy('seq', 'desc').limit(chunk);
      if (before !== undefined) q = q.where('seq', '<', before);
      if (range.from) q = q.where('created_at', '>=', range.from);
      if (range.to) q = q.where('created_at', '<', range.to);
      const rows = await q.execute();
      for (const row of rows) {
        const record = JSON.parse(row.record) as SignInRecord;
        if (opts.filter && !matchesFilter(opts.filter, record)) continue;
        out.push(record);
        if (out.length === opts.top) return { records: out, nextCursor: row.seq };
      }
      if (rows.length < chunk) return { records: out, nextCursor: undefined };
      before = rows[rows.length - 1]?.seq;
    }
  }

  async count(): Promise<number> {
    const row = await this.#db.selectFrom('sign_ins').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Deletes records older than the retention period; returns how many went. */
  async applyRetention(clock: Clock, days: number): Promise<number> {
    const cutoff = new Date(clock.now().getTime() - days * 86_400_000).toISOString();
    const res = await this.#db.deleteFrom('sign_ins').where('created_at', '<', cutoff).executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
