// Store.prepare: a query compiled once, run with new slot values each time. It must behave as
// the same query built by Kysely would: same rows, NUL replaced, and never inside a
// transaction another caller has open on SQLite's one connection.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { slot } from '../src/store/database.js';
import { createTestStore, testDatabase } from './support/database.js';

describe(`prepared queries on ${testDatabase()}`, () => {
  let store: Awaited<ReturnType<typeof createTestStore>>;
  before(async () => { store = await createTestStore(); });
  after(async () => { await store.dispose(); });

  const insert = () => store.prepare(store.db.insertInto('oidc_payloads').values({
    model: slot('model'), id: slot('id'), payload: '{}', grant_id: null, user_code: null, uid: slot('uid'), expires_at: sql<number>`${slot('exp')}`, consumed_at: null,
  }));
  const byId = () => store.prepare(store.db.selectFrom('oidc_payloads').select(['uid', 'expires_at']).where('model', '=', slot('model')).where('id', '=', slot('id')));

  test('one statement serves different values; writes report affected rows', async () => {
    const ins = insert();
    const read = byId();
    await ins.execute({ model: 'Test', id: 'a', uid: 'ua', exp: 10 });
    await ins.execute({ model: 'Test', id: 'b', uid: 'ub', exp: 20 });
    assert.deepEqual((await read.execute({ model: 'Test', id: 'a' })).rows, [{ uid: 'ua', expires_at: 10 }]);
    assert.deepEqual((await read.execute({ model: 'Test', id: 'b' })).rows, [{ uid: 'ub', expires_at: 20 }]);
    assert.deepEqual((await read.execute({ model: 'Test', id: 'c' })).rows, []);
    const consume = store.prepare(store.db.updateTable('oidc_payloads').set({ consumed_at: sql<number>`${slot('now')}` })
      .where('model', '=', slot('model')).where('id', '=', slot('id')).where('consumed_at', 'is', null));
    assert.equal((await consume.execute({ model: 'Test', id: 'a', now: 5 })).numAffectedRows, 1n);
    assert.equal((await consume.execute({ model: 'Test', id: 'a', now: 6 })).numAffectedRows, 0n);
    await assert.rejects(read.execute({ model: 'Test' }), /no value for slot "id"/);
  });

  test('a NUL in a value is stored and looked up as U+FFFD, as with built queries', async () => {
    await insert().execute({ model: 'Test', id: 'nul\u0000id', uid: 'u\u0000v', exp: 1 });
    const row = await store.db.selectFrom('oidc_payloads').select('uid').where('model', '=', 'Test').where('id', '=', 'nul\ufffdid').executeTakeFirst();
    assert.equal(row?.uid, 'u\ufffdv');
    assert.deepEqual((await byId().execute({ model: 'Test', id: 'nul\u0000id' })).rows, [{ uid: 'u\ufffdv', expires_at: 1 }]);
  });

  test('a prepared write while another transaction is open does not join it (that one rolls back alone)', async () => {
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => { release = resolve; });
    let began = (): void => undefined;
    const begun = new Promise<void>((resolve) => { began = resolve; });
    const transaction = store.db.transaction().execute(async (trx) => {
      await trx.insertInto('oidc_payloads').values({ model: 'Test', id: 'in-trx', payload: '{}' }).execute();
      began();
      await held;
      throw new Error('roll back');
    });
    await begun;
    const outside = insert().execute({ model: 'Test', id: 'outside', uid: null, exp: 1 });
    release();
    await assert.rejects(transaction, /roll back/);
    await outside;
    const ids = (await store.db.selectFrom('oidc_payloads').select('id').where('model', '=', 'Test').where('id', 'in', ['in-trx', 'outside']).execute()).map((r) => r.id);
    assert.deepEqual(ids, ['outside']);
  });
});
