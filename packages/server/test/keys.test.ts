// Kept keys are stored encrypted under the master key: the database alone reveals no private
// key; the wrong master key is refused with a clear error; rotation keeps the previous key.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../src/clock.js';
import { MasterKey } from '../src/crypto/master-key.js';
import { MonbanError } from '../src/errors/catalogue.js';
import { KeptKeys } from '../src/keys/kept-keys.js';
import { createTestStore, testDatabase } from './support/database.js';

describe(`kept keys on ${testDatabase()}`, () => {
  let store: Awaited<ReturnType<typeof createTestStore>>;
  const clock = new ManualClock(new Date('2026-11-24T12:00:00Z'));
  const dataDir = mkdtempSync(join(tmpdir(), 'monban-keys-'));
  let master: MasterKey;
  before(async () => { store = await createTestStore(); master = MasterKey.load(dataDir, {}); });
  after(async () => { await store.dispose(); });

  test('the master key file is created once, mode 0600', () => {
    assert.equal(statSync(join(dataDir, 'master.key')).mode & 0o777, 0o600);
    const again = MasterKey.load(dataDir, {});
    assert.ok(again);
  });

  test('signing and cookie keys are stored only as JWE under the master key', async () => {
    const keys = new KeptKeys(store.db, master, clock);
    await keys.ensure();
    await keys.ensure(); // idempotent
    const rows = await store.db.selectFrom('kept_keys').selectAll().execute();
    assert.deepEqual(rows.map((r) => `${r.kind}:${r.alg}`).sort(), ['cookie:HS256', 'signing:ES256', 'signing:RS256']);
    for (const row of rows) {
      assert.equal(row.encrypted_jwk.split('.').length, 5, 'compact JWE');
      assert.ok(!row.encrypted_jwk.includes('"d"') && !row.encrypted_jwk.includes('"kty"'));
      assert.equal(JSON.parse(Buffer.from(row.encrypted_jwk.split('.')[0] ?? '', 'base64url').toString()).enc, 'A256GCM');
    }
    const loaded = await keys.load();
    assert.equal(loaded.jwks.length, 2);
    assert.ok(loaded.jwks.every((k) => typeof k.d === 'string'), 'private parts come back decrypted');
  });

  test('another master key cannot open them, and says so', async () => {
    const wrong = new MasterKey(randomBytes(32));
    await assert.rejects(new KeptKeys(store.db, wrong, clock).load(), (e: unknown) => e instanceof MonbanError && e.code === 'config_invalid' && /master key/.test(e.message));
    assert.throws(() => new MasterKey(randomBytes(16)), (e: unknown) => e instanceof MonbanError && e.code === 'config_invalid');
  });

  test('rotation publishes new current keys first and keeps the previous ones', async () => {
    const keys = new KeptKeys(store.db, master, clock);
    const before = await keys.load();
    const created = await keys.rotate();
    const after = await keys.load();
    assert.deepEqual(after.jwks.slice(0, 2).map((k) => k.kid).sort(), [...created].sort());
    assert.deepEqual(after.jwks.slice(2).map((k) => k.kid).sort(), before.jwks.map((k) => k.kid).sort());
    await keys.rotate();
    assert.equal((await keys.load()).jwks.length, 4, 'keys two rotations old retire');
  });
});
