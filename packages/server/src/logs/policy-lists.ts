// Each distinct list of applied conditional access policies is stored once (sign_in_policy_lists,
// decision 0010), keyed by the SHA-256 of its JSON. Hashing a ~14 KB list per record would cost
// what storing it once saves, so a list is first known by a cheap identity of its entries: the
// pipeline shares one frozen entry per shared engine result (signin/steps/decide.ts), and each
// such entry gets a number once; other entries are numbered by their JSON (a few small objects
// per record). A list's key is its entries' numbers in order; numbers are never reused, so a key
// always means the same content.
import { createHash } from 'node:crypto';
import type { AppliedConditionalAccessPolicy } from './sign-in-record.js';

let nextNumber = 0;
const frozenNumbers = new WeakMap<AppliedConditionalAccessPolicy, number>();
const contentNumbers = new Map<string, number>();
const CONTENT_NUMBERS_MAX = 4096;

function entryNumber(entry: AppliedConditionalAccessPolicy): number {
  const known = frozenNumbers.get(entry);
  if (known !== undefined) return known;
  if (Object.isFrozen(entry)) {
    const n = nextNumber++;
    frozenNumbers.set(entry, n);
    return n;
  }
  const json = JSON.stringify(entry);
  const byContent = contentNumbers.get(json);
  if (byContent !== undefined) return byContent;
  // Forgetting numbers only costs a recomputed hash later: a new number is a new key.
  if (contentNumbers.size >= CONTENT_NUMBERS_MAX) contentNumbers.clear();
  const n = nextNumber++;
  contentNumbers.set(json, n);
  return n;
}

/** A key that identifies the list's content within this process (same key, same JSON). */
export function policyListKey(list: readonly AppliedConditionalAccessPolicy[]): string {
  let key = '';
  for (const entry of list) key += `${entryNumber(entry)},`;
  return key;
}

export const policyListHash = (entries: string): string => createHash('sha256').update(entries).digest('hex');

/**
 * Hashes of lists this process has seen stored durably, by list key, each trusted for
 * `CONFIRMATION_MS` after the writer last confirmed it (an upsert that sets seen_at). Retention
 * deletes only lists unreferenced and not confirmed within the retention period (at least a
 * day), so a trusted hash always names a stored list. Bounded: the oldest goes first.
 */
export class KnownPolicyLists {
  static readonly CONFIRMATION_MS = 10 * 60_000;
  readonly #max: number;
  readonly #byKey = new Map<string, { hash: string; until: number }>();

  constructor(max = 1024) {
    this.#max = max;
  }

  /** The hash of a list confirmed stored less than CONFIRMATION_MS ago, else undefined. */
  stored(key: string, nowMs: number): string | undefined {
    const known = this.#byKey.get(key);
    if (known === undefined) return undefined;
    if (known.until > nowMs) return known.hash;
    this.#byKey.delete(key);
    return undefined;
  }

  /** Call only once the list's row is durable (after the batch's sync). */
  confirm(key: string, hash: string, confirmedAtMs: number): void {
    this.#byKey.delete(key);
    if (this.#byKey.size >= this.#max) {
      const oldest = this.#byKey.keys().next();
      if (!oldest.done) this.#byKey.delete(oldest.value);
    }
    this.#byKey.set(key, { hash, until: confirmedAtMs + KnownPolicyLists.CONFIRMATION_MS });
  }

  get size(): number {
    return this.#byKey.size;
  }
}
