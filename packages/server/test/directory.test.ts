import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../src/clock.js';
import { Directory } from '../src/directory/directory.js';
import { globalAdministratorRoleId, graphAppId } from '../src/directory/well-known.js';
import { MonbanError } from '../src/errors/catalogue.js';
import { createTestStore, testDatabase } from './support/database.js';

describe(`directory on ${testDatabase()}`, () => {
  let store: Awaited<ReturnType<typeof createTestStore>>;
  let dir: Directory;
  const clock = new ManualClock(new Date('2026-11-24T10:00:00Z'));
  before(async () => {
    store = await createTestStore();
    dir = new Directory(store, clock);
  });
  after(async () => store.dispose());

  test('users: created with an argon2id hash, found case-insensitively, duplicate UPN is a conflict', async () => {
    const u = await dir.createUser({ userPrincipalName: 'Alice@monban.local', displayName: 'Alice', password: 'correct horse' });
    assert.match(u.password_hash ?? '', /^\$argon2id\$/);
    assert.equal(u.password_last_changed, '2026-11-24T10:00:00.000Z');
    const found = await dir.findUserByUpn('alice@MONBAN.local');
    assert.equal(found?.id, u.id);
    assert.equal(await dir.checkPassword(u, 'correct horse'), true);
    assert.equal(await dir.checkPassword(u, 'wrong'), false);
    await assert.rejects(dir.createUser({ userPrincipalName: 'alice@monban.local', displayName: 'Other' }),
      (e: unknown) => e instanceof MonbanError && e.code === 'conflict');
  });

  test('groups: nested membership is transitive and cycles are refused', async () => {
    const u = await dir.createUser({ userPrincipalName: 'bob@monban.local', displayName: 'Bob' });
    const inner = await dir.createGroup({ displayName: 'Inner' });
    const middle = await dir.createGroup({ displayName: 'Middle' });
    const outer = await dir.createGroup({ displayName: 'Outer' });
    await dir.addMember(inner.id, u.id);
    await dir.addMember(middle.id, inner.id);
    await dir.addMember(outer.id, middle.id);
    assert.deepEqual(new Set(await dir.transitiveGroupIds(u.id)), new Set([inner.id, middle.id, outer.id]));
    await assert.rejects(dir.addMember(inner.id, outer.id), (e: unknown) => e instanceof MonbanError && e.code === 'validation_failed');
    await assert.rejects(dir.addMember(inner.id, u.id), (e: unknown) => e instanceof MonbanError && e.code === 'conflict');
    await assert.rejects(dir.addMember(inner.id, '00000000-0000-0000-0000-00000000dead'), (e: unknown) => e instanceof MonbanError && e.code === 'not_found');
  });

  test('roles: assigned directly or through a group', async () => {
    const u = await dir.createUser({ userPrincipalName: 'carol@monban.local', displayName: 'Carol' });
    const admins = await dir.createGroup({ displayName: 'Admins' });
    await dir.addMember(admins.id, u.id);
    await dir.assignRole(globalAdministratorRoleId, admins.id);
    assert.deepEqual(await dir.roleTemplateIdsOf(u.id), [globalAdministratorRoleId]);
  });

  test('applications: secrets are stored hashed and verified; expired secrets fail', async () => {
    const { application } = await dir.createApplication({ displayName: 'Daemon' });
    const secret = await dir.addSecret(application.id, 'ci', 1);
    const stored = await store.db.selectFrom('app_secrets').selectAll().where('key_id', '=', secret.keyId).executeTakeFirstOrThrow();
    assert.notEqual(stored.secret_hash, secret.secretText);
    assert.ok(!stored.secret_hash.includes(secret.secretText));
    assert.equal(await dir.verifyClientSecret(application.app_id, secret.secretText), true);
    assert.equal(await dir.verifyClientSecret(application.app_id, `${secret.secretText}x`), false);
    clock.advance(2 * 86_400_000);
    assert.equal(await dir.verifyClientSecret(application.app_id, secret.secretText), false);
  });

  test('built-in resources keep the reference ids and resolve by identifier URI', async () => {
    await dir.ensureBuiltInResources();
    await dir.ensureBuiltInResources();
    const graph = await dir.findResource('https://graph.microsoft.com/');
    assert.equal(graph?.app_id, graphAppId);
    const drs = await dir.findResource('urn:ms-drs:enterpriseregistration.windows.net');
    assert.equal(drs?.app_id, '01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9');
    await assert.rejects(dir.deleteApplication(graphAppId), (e: unknown) => e instanceof MonbanError && e.code === 'forbidden');
  });

  test('app-role grants give the client application permissions on a resource', async () => {
    const { application, servicePrincipal } = await dir.createApplication({ displayName: 'Admin tool' });
    const graph = await dir.findResource('https://graph.microsoft.com');
    assert.ok(graph);
    const graphSp = await dir.getServicePrincipalByAppId(graph.app_id);
    assert.ok(graphSp);
    await dir.grantAppRole(servicePrincipal.id, graphSp.id, '741f803b-c850-494e-b5df-cde7c675a1ca');
    assert.deepEqual(await dir.appRolesGranted(application.app_id, graph), ['User.ReadWrite.All']);
  });
});
