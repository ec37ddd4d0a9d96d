// Shared result and issue types for @monban/policy. Every public function that can
// refuse its input returns a Result instead of throwing (style.md §2: a closed list of
// codes, each with its sentence; the "why" travels in typed fields).

/** One reason an input was refused or looked suspicious. */
export interface Issue {
  /** Stable machine code, e.g. `invalid_type`, `invalid_reference`, `invalid_json`. */
  readonly code: string;
  /** Dotted path into the input, e.g. `conditions.users.includeUsers[0]`; `''` for the whole input. */
  readonly path: string;
  /** One sentence for people. */
  readonly message: string;
}

export interface Ok<T> {
  readonly ok: true;
  readonly value: T;
  /** Accepted, but worth telling the operator (placeholders, unknown enum members...). */
  readonly warnings: readonly Issue[];
}

export interface Refused {
  readonly ok: false;
  readonly errors: readonly Issue[];
}

export type Result<T> = Ok<T> | Refused;

/** A member of an enum this version of Monban does not know yet (the reference says: importers accept them). */
export type UnknownMember = string & {};

export function ok<T>(value: T, warnings: readonly Issue[] = []): Ok<T> {
  return { ok: true, value, warnings };
}

export function refused(errors: readonly Issue[]): Refused {
  return { ok: false, errors };
}

/** A dotted path under a prefix (`[3]` + `conditions.users` = `[3].conditions.users`). */
export function underPath(prefix: string, path: string): string {
  if (path === '') return prefix;
  return path.startsWith('[') ? `${prefix}${path}` : `${prefix}.${path}`;
}

/** Formats a path of keys and indexes as `a.b[0].c`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    // A key that would not read back from a dotted path (empty, dots, spaces, brackets...) is quoted.
    else if (typeof key !== 'string' || !/^[\w@$#:-]+$/.test(key)) out += `[${JSON.stringify(String(key))}]`;
    else out += out === '' ? key : `.${key}`;
  }
  return out;
}
