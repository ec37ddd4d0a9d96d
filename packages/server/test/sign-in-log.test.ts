// The sign-in log store: group commit keeps one record per append, queries page newest first
// with $filter, and retention removes only what is older than the period.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../src/clock.js';
import { SignInLogQuery } from '../src/logs/query.js';
import type { AppliedConditionalAccessPolicy, SignInRecord } from '../src/logs/sign-in-record.js';
import { SignInLogWriter } from '../src/logs/writer.js';
import { timeOrderedId } from '../src/signin/record.js';
import { parseFilter } from '../src/odata/filter.js';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, sql, SqliteDialect } from 'kysely';
import pg from 'pg';
import { openStore } from '../src/store/database.js';
import { migrationsFor } from '../src/store/migrations.js';
import { createTestDatabaseUrl, createTestStore, dropTestDatabase, testDatabase } from './support/database.js';

const record = (createdDateTime: string, errorCode: number, appId: string): SignInRecord => ({
  id: randomUUID(), createdDateTime, correlationId: randomUUID(), userId: null, userPrincipalName: null, userDisplayName: null,
  appId, appDisplayName: null, resourceId: null, resourceDisplayName: null, servicePrincipalId: null, ipAddress: '127.0.0.1',
  clientAppUsed: 'Browser', isInteractive: false, signInEventTypes: ['servicePrincipal'], authenticationProtocol: 'oAuth2',
  incomingTokenType: 'none', originalTransferMethod: 'none', authenticationRequirement: 'singleFactorAuthentication',
  authenticationRequirementPolicies: [], conditionalAccessStatus: 'notApplied', appliedConditionalAccessPolicies: [], authenticationDetails: [],
  status: { errorCode, failureReason: errorCode ? 'failed' : null, additionalDetails: null },
  deviceDetail: { deviceId: '', displayName: '', operatingSystem: '', browser: '', isCompliant: false, isManaged: false, trustType: '' },
});

describe(`sign-in log on ${testDatabase()}`, () => {
  let store: Awaited<ReturnType<typeof createTestStore>>;
  const clock = new ManualClock(new Date('2026-11-24T12:00:00Z'));
  before(async () => { store = await createTestStore(); });
  after(async () => { await store.dispose(); });

  test('500 concurrent appends: every one stored exactly once, in fewer transactions than records', async () => {
    const writer = new SignInLogWriter(store.db);
    const records = Array.from({ length: 500 }, (_, i) => record(new Date(Date.parse('2026-11-01T00:00:00Z') + i * 60_000).toISOString(), i % 5 === 0 ? 50126 : 0, i % 2 ? 'app-a' : 'app-b'));
    await Promise.all(records.map((r) => writer.append(r)));
    assert.equal(writer.written, 500);
    assert.ok(writer.batches < 50, `group commit: ${writer.batches} transactions for 500 records`);
    assert.equal(await new SignInLogQuery(store.db).count(), 500);
    const ids = await store.db.selectFrom('sign_ins').select('id').execute();
    assert.equal(new Set(ids.map((r) => r.id)).size, 500);
  });

  test('pages newest first with a cursor; $filter on nested fields and date ranges', async () => {
    const q = new SignInLogQuery(store.db);
    const first = await q.page({ top: 100, filter: parseFilter("status/errorCode eq 50126 and appId eq 'app-b'") });
    assert.equal(first.records.length, 50);
    assert.ok(first.records.every((r) => r.status.errorCode === 50126 && r.appId === 'app-b'));
    const times = first.records.map((r) => r.createdDateTime);
    assert.deepEqual(times, [...times].sort().reverse());
    const a = await q.page({ top: 30 });
    const b = await q.page({ top: 30, before: a.nextCursor });
    assert.equal(a.records.length + b.records.length, 60);
    assert.equal(new Set([...a.records, ...b.records].map((r) => r.id)).size, 60);
    const ranged = await q.page({ top: 999, filter: parseFilter('createdDateTime ge 2026-11-01T01:00:00Z and createdDateTime lt 2026-11-01T02:00:00Z') });
    assert.equal(ranged.records.length, 60);
  });

  test('retention removes records older than the period and nothing newer', async () => {
    const q = new SignInLogQuery(store.db);
    const writer = new SignInLogWriter(store.db);
    await writer.append(record('2026-11-24T11:00:00.000Z', 0, 'fresh'));
    const removed = await q.applyRetention(clock, 7); // cutoff 2026-11-17T12:00Z: the 500 from Nov 1 go
    assert.equal(removed, 500);
    const left = await q.page({ top: 10 });
    assert.deepEqual(left.records.map((r) => r.appId), ['fresh']);
  });
});

// Lists of applied policies as the pipeline makes them: shared frozen entries for policies that do
// not apply, fresh objects for those that do.
const entry = (n: number, result: AppliedConditionalAccessPolicy['result'], frozen: boolean): AppliedConditionalAccessPolicy => {
  const e: AppliedConditionalAccessPolicy = {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, displayName: `CA${n} "quoted" \u00e9 policy`,
    enforcedGrantControls: result === 'failure' ? ['Block'] : [], enforcedSessionControls: n % 7 === 0 ? ['SignInFrequency'] : [],
    result, analysisReasons: result === 'notApplied' ? 'Users,Application' : '',
  };
  return frozen ? Object.freeze(e) : e;
};
const shared = Array.from({ length: 50 }, (_, i) => entry(i, 'notApplied', true));
const withPolicies = (r: SignInRecord, list: AppliedConditionalAccessPolicy[]): SignInRecord => ({ ...r, conditionalAccessStatus: 'success', appliedConditionalAccessPolicies: list, monban: { flow: 'client_credentials' } });

describe(`sign-in policy lists on ${testDatabase()}`, () => {
  let store: Awaited<ReturnType<typeof createTestStore>>;
  before(async () => { store = await createTestStore(); });
  after(async () => { await store.dispose(); });
  const listRows = async (): Promise<{ hash: string; entries: string }[]> => store.db.selectFrom('sign_in_policy_lists').select(['hash', 'entries']).orderBy('hash').execute();

  test('records sharing a list store it once; each reads back byte for byte as written', async () => {
    const clock = new ManualClock(new Date('2026-11-24T12:00:00Z'));
    const writer = new SignInLogWriter(store.db, async () => undefined, clock);
    const t = (i: number): string => new Date(Date.parse('2026-11-24T11:00:00Z') + i * 1000).toISOString();
    const applied = (): AppliedConditionalAccessPolicy[] => shared.map((e, i) => (i === 3 ? entry(3, 'failure', false) : e));
    const written: SignInRecord[] = [];
    for (let i = 0; i < 300; i++) {
      const base = record(t(i), i % 3 === 2 ? 53003 : 0, 'lists');
      // 0: the shared frozen list, 1: a list with a fresh 'failure' entry each time (same content), 2: no policies
      written.push(i % 3 === 0 ? withPolicies(base, [...shared]) : i % 3 === 1 ? withPolicies(base, applied()) : base);
    }
    await Promise.all(written.slice(0, 150).map((r) => writer.append(r)));
    await Promise.all(written.slice(150).map((r) => writer.append(r)));
    assert.ok(writer.batches >= 2);

    const rows = await listRows();
    assert.equal(rows.length, 2, 'two distinct lists, each stored once');
    assert.equal(writer.listsStored, 2, 'the second batch neither hashed nor inserted a known list');
    assert.deepEqual(new Set(rows.map((r) => r.entries)), new Set([JSON.stringify(shared), JSON.stringify(applied())]));
    const refs = await store.db.selectFrom('sign_ins').select(['policy_list']).where('app_id', '=', 'lists').execute();
    assert.equal(refs.filter((r) => r.policy_list === null).length, 100, 'records without policies refer to no list');

    const page = await new SignInLogQuery(store.db).page({ top: 999, filter: parseFilter("appId eq 'lists'") });
    assert.equal(page.records.length, 300);
    const byId = new Map(written.map((r) => [r.id, JSON.stringify(r)]));
    for (const r of page.records) assert.equal(JSON.stringify(r), byId.get(r.id));

    // $filter on the list's contents still sees the list.
    const failed = await new SignInLogQuery(store.db).page({ top: 999, filter: parseFilter("appliedConditionalAccessPolicies/3/result eq 'failure'") });
    assert.equal(failed.records.length, 100);
    const none = await new SignInLogQuery(store.db).page({ top: 999, filter: parseFilter("appId eq 'lists' and appliedConditionalAccessPolicies/0/id eq null") });
    assert.equal(none.records.length, 100);
  });

  test('a known list is confirmed again after a while, not per batch', async () => {
    const clock = new ManualClock(new Date('2026-11-24T12:00:00Z'));
    const writer = new SignInLogWriter(store.db, async () => undefined, clock);
    await writer.append(withPolicies(record(clock.now().toISOString(), 0, 'confirm'), [...shared]));
    await writer.append(withPolicies(record(clock.now().toISOString(), 0, 'confirm'), [...shared]));
    assert.equal(writer.listsStored, 1);
    clock.advance(11 * 60_000);
    await writer.append(withPolicies(record(clock.now().toISOString(), 0, 'confirm'), [...shared]));
    assert.equal(writer.listsStored, 2);
    const row = await store.db.selectFrom('sign_in_policy_lists').select(['seen_at', 'created_at']).where('entries', '=', JSON.stringify(shared)).executeTakeFirstOrThrow();
    assert.equal(row.seen_at, clock.now().toISOString());
    assert.notEqual(row.created_at, row.seen_at);
  });

  test('records stored with their list inline (before migration 0005) read back unchanged', async () => {
    const old = withPolicies(record('2026-11-24T11:30:00.000Z', 0, 'inline'), [entry(900, 'success', false), entry(901, 'notApplied', false)]);
    await store.db.insertInto('sign_ins').values({
      id: old.id, created_at: old.createdDateTime, user_id: old.userId, app_id: old.appId, error_code: 0, correlation_id: old.correlationId, record: JSON.stringify(old),
    }).execute();
    const page = await new SignInLogQuery(store.db).page({ top: 10, filter: parseFilter("appId eq 'inline'") });
    assert.equal(page.records.length, 1);
    assert.equal(JSON.stringify(page.records[0]), JSON.stringify(old));
  });

  test('a database written before migration 0005 is migrated and its records read back unchanged', async () => {
    const url = await createTestDatabaseUrl();
    try {
      const dialect = testDatabase();
      const db = new Kysely<unknown>({
        dialect: dialect === 'postgres' ? new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }) : new SqliteDialect({ database: new BetterSqlite3(url.slice('sqlite:'.length)) }),
      });
      const migrated = await new Migrator({ db, provider: migrationsFor(dialect) }).migrateTo('0004_oidc_payloads_partial_indexes');
      assert.equal(migrated.error, undefined);
      const old = [
        withPolicies(record('2026-11-20T10:00:00.000Z', 0, 'pre-0005'), [entry(910, 'success', false), entry(911, 'notApplied', false)]),
        record('2026-11-20T10:00:01.000Z', 50126, 'pre-0005'),
      ];
      for (const r of old) {
        await sql`insert into sign_ins (id, created_at, user_id, app_id, error_code, correlation_id, record) values (${r.id}, ${r.createdDateTime}, ${null}, ${r.appId}, ${r.status.errorCode}, ${r.correlationId}, ${JSON.stringify(r)})`.execute(db);
      }
      await db.destroy();
      const upgraded = await openStore(url);
      try {
        const page = await new SignInLogQuery(upgraded.db).page({ top: 10 });
        assert.deepEqual(page.records.map((r) => JSON.stringify(r)), [...old].reverse().map((r) => JSON.stringify(r)));
        // New records with the same list next to the old ones: stored once, old rows untouched.
        const writer = new SignInLogWriter(upgraded.db);
        const fresh = withPolicies(record('2026-11-24T10:00:00.000Z', 0, 'pre-0005'), old[0]?.appliedConditionalAccessPolicies ?? []);
        await writer.append(fresh);
        const after = await new SignInLogQuery(upgraded.db).page({ top: 10 });
        assert.deepEqual(after.records.map((r) => JSON.stringify(r)), [fresh, ...[...old].reverse()].map((r) => JSON.stringify(r)));
        assert.equal((await upgraded.db.selectFrom('sign_in_policy_lists').select('hash').execute()).length, 1);
      } finally {
        await upgraded.close();
      }
    } finally {
      await dropTestDatabase(url);
    }
  });

  test('retention removes lists no record refers to and keeps referenced and recently confirmed ones', async () => {
    const clock = new ManualClock(new Date('2026-10-01T12:00:00Z'));
    const writer = new SignInLogWriter(store.db, async () => undefined, clock);
    const oldOnly = [entry(500, 'notApplied', true), entry(501, 'success', true)];
    const oldAndNew = [entry(600, 'notApplied', true)];
    await writer.append(withPolicies(record(clock.now().toISOString(), 0, 'retention'), oldOnly));
    await writer.append(withPolicies(record(clock.now().toISOString(), 0, 'retention'), oldAndNew));
    // A list last confirmed recently whose only record has gone too (a writer may still trust it).
    const recent = [entry(700, 'notApplied', true)];
    clock.set(new Date('2026-11-24T11:50:00Z'));
    await writer.append(withPolicies(record('2026-10-01T12:00:01.000Z', 0, 'retention'), recent));
    await writer.append(withPolicies(record(clock.now().toISOString(), 0, 'retention'), [...oldAndNew]));
    const before = new Set((await listRows()).map((r) => r.entries));
    for (const l of [oldOnly, oldAndNew, recent]) assert.ok(before.has(JSON.stringify(l)));

    clock.set(new Date('2026-11-24T12:00:00Z'));
    const removed = await new SignInLogQuery(store.db).applyRetention(clock, 7);
    assert.ok(removed >= 3);
    const after = new Set((await listRows()).map((r) => r.entries));
    assert.ok(!after.has(JSON.stringify(oldOnly)), 'unreferenced, not confirmed within the period: removed');
    assert.ok(after.has(JSON.stringify(oldAndNew)), 'referenced by a newer record: kept');
    assert.ok(after.has(JSON.stringify(recent)), 'confirmed within the period: kept');
    assert.ok(after.has(JSON.stringify(shared)), 'referenced: kept');
    const left = await new SignInLogQuery(store.db).page({ top: 999, filter: parseFilter("appId eq 'retention'") });
    assert.deepEqual(left.records.map((r) => JSON.stringify(r.appliedConditionalAccessPolicies)), [JSON.stringify(oldAndNew)]);
  });

  test('two writers on their own connections write the same new lists at once without failing', async () => {
    const second = await openStore(store.url);
    try {
      const clock = new ManualClock(new Date('2026-11-24T12:00:00Z'));
      const lists = Array.from({ length: 8 }, (_, k) => Array.from({ length: 50 }, (_, i) => entry(1000 + k * 100 + i, i === k ? 'failure' : 'notApplied', true)));
      const a = new SignInLogWriter(store.db, async () => undefined, clock);
      const b = new SignInLogWriter(second.db, async () => undefined, clock);
      for (let round = 0; round < 5; round++) {
        const appends: Promise<void>[] = [];
        for (let i = 0; i < 80; i++) {
          // Opposite orders in the two writers: the lists are inserted in hash order all the same.
          appends.push(a.append(withPolicies(record(clock.now().toISOString(), 0, 'concurrent'), lists[i % 8] ?? [])));
          appends.push(b.append(withPolicies(record(clock.now().toISOString(), 0, 'concurrent'), lists[7 - (i % 8)] ?? [])));
        }
        await Promise.all(appends);
        clock.advance(11 * 60_000); // both confirm every list again next round
      }
      assert.equal(a.written + b.written, 800);
      const stored = new Set((await listRows()).map((r) => r.entries));
      for (const l of lists) assert.ok(stored.has(JSON.stringify(l)));
      const page = await new SignInLogQuery(store.db).page({ top: 999, filter: parseFilter("appId eq 'concurrent'") });
      assert.equal(page.records.length, 800);
      assert.ok(page.records.every((r) => r.appliedConditionalAccessPolicies.length === 50));
    } finally {
      await second.close();
    }
  });
});


describe('sign-in record ids', () => {
  test('UUID version 7 layout: the time in the first 48 bits, version 7, RFC variant, random rest', () => {
    const at = new Date('2026-11-29T23:59:59.123Z');
    const ids = Array.from({ length: 2000 }, () => timeOrderedId(at));
    for (const id of ids) {
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16), at.getTime());
    }
    assert.equal(new Set(ids).size, ids.length, 'ids made in the same millisecond differ');
    const later = timeOrderedId(new Date(at.getTime() + 1));
    assert.ok(ids.every((id) => id < later), 'a later millisecond sorts after');
  });
});
