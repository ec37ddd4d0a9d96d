// Opens the store: SQLite (the embedded default) or PostgreSQL, and brings the schema up to
// date. SQLite runs in WAL mode with synchronous=NORMAL: a commit reaches the operating system
// at once (it survives kill -9) and `sync()` makes everything committed so far durable against
// power loss with one fdatasync of the WAL, off the event loop. The sign-in log calls it once
// per group commit, before any response leaves (docs/decisions/0006-sign-in-log-durability.md).
import { mkdirSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  Kysely, Migrator, OperationNodeTransformer, PostgresDialect, SqliteDialect,
  type Compilable, type KyselyPlugin, type PrimitiveValueListNode, type SqliteDatabase, type ValueNode,
} from 'kysely';
import type Pg from 'pg';
import { MonbanError } from '../errors/catalogue.js';
import { migrationsFor } from './migrations.js';
import type { Database } from './schema.js';

export type DialectName = 'sqlite' | 'postgres';

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: DialectName;
  readonly location: string;
  /** Makes every transaction committed so far durable (PostgreSQL commits already are). */
  sync(): Promise<void>;
  /** A query built and compiled once, run with new values in its `slot`s (hot paths). */
  prepare<R>(query: Compilable<R>): PreparedQuery<R>;
  close(): Promise<void>;
}

export type SlotValue = string | number | null;
export interface PreparedResult<R> { rows: R[]; numAffectedRows: bigint | undefined }
export interface PreparedQuery<R> {
  /** Runs the statement with `values` by slot name (every slot needs one). */
  execute(values: Readonly<Record<string, SlotValue>>): Promise<PreparedResult<R>>;
}

const slotPrefix = '\u0001monban-slot:';
/**
 * A placeholder value for `Store.prepare`: the query is built with it, and each `execute` puts
 * the named value in its place. (Building and compiling a Kysely query cost about as much as
 * running a short SQLite statement; the token path runs the same few statements on every request.)
 */
export const slot = (name: string): string => `${slotPrefix}${name}`;

// pg is loaded only for PostgreSQL URLs (it costs ~15 MB resident on the SQLite default).
let pgModule: Promise<typeof Pg> | undefined;
function loadPg(): Promise<typeof Pg> {
  pgModule ??= import('pg').then(({ default: pg }) => {
    // PostgreSQL returns bigint as string by default; our bigints are epoch values that fit a number.
    pg.types.setTypeParser(20, (v: string) => Number(v));
    return pg;
  });
  return pgModule;
}

export function dialectOf(url: string): DialectName {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return 'postgres';
  if (url.startsWith('sqlite:') || !url.includes('://')) return 'sqlite';
  throw new MonbanError('config_invalid', `The database URL must start with postgres://, postgresql:// or sqlite: (got "${url.split('://')[0]}://").`);
}

// PostgreSQL text cannot hold U+0000: a parameter containing it fails the whole statement.
// No stored value contains one, so such a parameter becomes U+FFFD on both dialects: a lookup
// by it finds nothing (instead of failing), and SQLite and PostgreSQL store the same text.
const withoutNul = (v: unknown): unknown => (typeof v === 'string' && v.includes('\u0000') ? v.replaceAll('\u0000', '\ufffd') : v);
class WithoutNul extends OperationNodeTransformer {
  protected override transformValue(node: ValueNode): ValueNode {
    return { ...super.transformValue(node), value: withoutNul(node.value) };
  }
  protected override transformPrimitiveValueList(node: PrimitiveValueListNode): PrimitiveValueListNode {
    return { ...super.transformPrimitiveValueList(node), values: node.values.map(withoutNul) };
  }
}
// Rebuilding every query tree to find a NUL that is almost never there cost more than the
// query itself; a read-only scan finds the rare query that needs the rebuild.
function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return false;
  if (Array.isArray(value)) return value.some(containsNul);
  for (const key in value) if (containsNul((value as Record<string, unknown>)[key])) return true;
  return false;
}
const withoutNulPlugin: KyselyPlugin = (() => {
  const transformer = new WithoutNul();
  return { transformQuery: (args) => (containsNul(args.node) ? transformer.transformNode(args.node) : args.node), transformResult: async (args) => args.result };
})();

/**
 * Kysely's SQLite driver prepares a statement for every query it runs; preparing (parsing and
 * planning the SQL) cost as much as running it. The same SQL text is prepared once and reused
 * (better-sqlite3 statements are re-prepared by SQLite itself after a schema change). Kysely
 * runs one statement at a time on the one connection, so a cached statement is never busy.
 */
function withStatementCache(sqlite: BetterSqlite3.Database, size = 256): SqliteDatabase & { prepare(sql: string): BetterSqlite3.Statement } {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => { statements.clear(); sqlite.close(); },
    prepare: (sql: string) => {
      const cached = statements.get(sql);
      if (cached) return cached;
      const statement = sqlite.prepare(sql);
      statements.set(sql, statement);
      // Oldest first: the texts that vary (multi-row inserts of different sizes) leave, the hot ones come back.
      if (statements.size > size) statements.delete(statements.keys().next().value ?? '');
      return statement;
    },
  };
}

/** `url`: postgres://... or sqlite:PATH or a bare file path. */
export async function openStore(url: string): Promise<Store> {
  const dialect = dialectOf(url);
  let db: Kysely<Database>;
  let location: string;
  // SQLite: a prepared query runs its statement at once, without Kysely's connection hand-over,
  // unless a transaction is open on the one connection (the query then waits for it through
  // Kysely, as any other query does, instead of joining it).
  let direct: ((sqlText: string, parameters: unknown[]) => PreparedResult<unknown> | undefined) | undefined;
  if (dialect === 'postgres') {
    const pg = await loadPg();
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    // An idle connection the server ends (restart, failover, DROP ... FORCE) must not crash the
    // process: the pool drops it and opens a new one on the next query.
    pool.on('error', () => undefined);
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [withoutNulPlugin] });
    location = url.replace(/\/\/[^@/]*@/, '//***@');
  } else {
    location = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url;
    if (location !== ':memory:') mkdirSync(dirname(location), { recursive: true });
    const sqlite = new BetterSqlite3(location);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    const statements = withStatementCache(sqlite);
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: statements }), plugins: [withoutNulPlugin] });
    direct = (sqlText, parameters) => {
      if (sqlite.inTransaction) return undefined;
      const statement = statements.prepare(sqlText);
      if (statement.reader) return { rows: statement.all(parameters), numAffectedRows: undefined };
      return { rows: [], numAffectedRows: BigInt(statement.run(parameters).changes) };
    };
  }
  const migrator = new Migrator({ db, provider: migrationsFor(dialect) });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    const why = error instanceof Error ? error.message : String(error);
    throw new MonbanError('config_invalid', `The database schema could not be brought up to date: ${why}`);
  }
  let sync = async (): Promise<void> => undefined;
  let closeWal = async (): Promise<void> => undefined;
  if (dialect === 'sqlite' && location !== ':memory:') {
    // fdatasync on our own descriptor of the WAL file flushes the pages SQLite wrote to it.
    let wal: Promise<FileHandle> | undefined;
    sync = async () => {
      wal ??= open(`${location}-wal`, 'r+');
      await (await wal).datasync();
    };
    closeWal = async () => { if (wal) await (await wal).close(); };
  }
  const prepare = <R>(query: Compilable<R>): PreparedQuery<R> => {
    const compiled = query.compile();
    const slots = compiled.parameters.map((p) => (typeof p === 'string' && p.startsWith(slotPrefix) ? p.slice(slotPrefix.length) : undefined));
    const run = direct;
    return {
      async execute(values) {
        const parameters = compiled.parameters.map((fixed, i) => {
          const name = slots[i];
          if (name === undefined) return fixed;
          const value = values[name];
          if (value === undefined) throw new Error(`prepared query: no value for slot "${name}"`);
          return withoutNul(value);
        });
        const ran = run?.(compiled.sql, parameters);
        if (ran) return ran as PreparedResult<R>;
        const result = await db.executeQuery<R>({ ...compiled, parameters });
        return { rows: result.rows, numAffectedRows: result.numAffectedRows };
      },
    };
  };
  return { db, dialect, location, sync, prepare, close: async () => { await closeWal(); await db.destroy(); } };
}
