// Reads the sign-in log for GET /v1.0/auditLogs/signIns and `monban logs`: newest first,
// $filter evaluated on the Graph shape, createdDateTime ranges pushed down to the index.
// A record stored with a policy_list reference gets its list back in the same place (the
// writer left the key there, null), so every reader sees the JSON that was written.
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import { createdRange, matchesFilter, type FilterNode } from '../odata/filter.js';
import type { Database } from '../store/schema.js';
import type { AppliedConditionalAccessPolicy, SignInRecord } from './sign-in-record.js';

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
      // One statement, so a list and the records referring to it come from one snapshot.
      let q = this.#db.selectFrom('sign_ins')
        .leftJoin('sign_in_policy_lists', 'sign_in_policy_lists.hash', 'sign_ins.policy_list')
        .select(['sign_ins.seq', 'sign_ins.record', 'sign_ins.policy_list', 'sign_in_policy_lists.entries'])
        .orderBy('sign_ins.seq', 'desc').limit(chunk);
      if (before !== undefined) q = q.where('sign_ins.seq', '<', before);
      if (range.from) q = q.where('sign_ins.created_at', '>=', range.from);
      if (range.to) q = q.where('sign_ins.created_at', '<', range.to);
      const rows = await q.execute();
      for (const row of rows) {
        const record = JSON.parse(row.record) as SignInRecord;
        if (row.policy_list !== null) {
          if (row.entries === null) throw new Error(`sign-in record ${record.id} refers to policy list ${row.policy_list}, which is not stored`);
          record.appliedConditionalAccessPolicies = JSON.parse(row.entries) as AppliedConditionalAccessPolicy[];
        }
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

  /**
   * Deletes records older than the retention period, then the policy lists no record refers to
   * that no writer confirmed within the period (a writer trusts a confirmation for minutes:
   * KnownPolicyLists); returns how many records went.
   */
  async applyRetention(clock: Clock, days: number): Promise<number> {
    const cutoff = new Date(clock.now().getTime() - days * 86_400_000).toISOString();
    const res = await this.#db.deleteFrom('sign_ins').where('created_at', '<', cutoff).executeTakeFirst();
    await this.#db.deleteFrom('sign_in_policy_lists')
      .where('seen_at', '<', cutoff)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('sign_ins').select('sign_ins.seq').whereRef('sign_ins.policy_list', '=', 'sign_in_policy_lists.hash'))))
      .execute();
    return Number(res.numDeletedRows);
  }
}
