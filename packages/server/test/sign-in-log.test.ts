// The sign-in log store: group commit keeps one record per append, queries page newest first
// with $filter, and retention removes only what is older than the period.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../src/clock.js';
import { SignInLogQuery } from '../src/logs/query.js';
import type { SignInRecord } from '../src/logs/sign-in-record.js';
import { SignInLogWriter } from '../src/logs/writer.js';
import { parseFilter } from '../src/odata/filter.js';
import { createTestStore, testDatabase } from './support/database.js';

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
