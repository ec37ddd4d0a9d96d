// Smart lockout through the real sign-in page, with time moved by the test's clock:
// failures per user and source lock for a growing interval, and while locked even the
// right password is refused (AADSTS50053). Every attempt is one sign-in record.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Directory } from '../src/directory/directory.js';
import { SignInLogQuery } from '../src/logs/query.js';
import { FormSession, startInProcess, type InProcessServer } from './support/in-process.js';
import { testDatabase } from './support/database.js';

describe(`smart lockout on ${testDatabase()}`, () => {
  let s: InProcessServer;
  let loginUrl: string;
  let session: FormSession;
  const password = 'Right-Passw0rd!';

  before(async () => {
    s = await startInProcess();
    const dir = new Directory(s.store, s.clock);
    await dir.createUser({ userPrincipalName: 'lock@monban.local', displayName: 'Lock', password });
    const { application } = await dir.createApplication({ displayName: 'Lockout app', redirectUris: ['https://lock.example.test/cb'] });
    session = new FormSession();
    const authorize = new URL(`${s.origin}/${s.tenantId}/oauth2/v2.0/authorize`);
    authorize.search = new URLSearchParams({ client_id: application.app_id, response_type: 'code', redirect_uri: 'https://lock.example.test/cb', scope: 'openid', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' }).toString();
    const landed = await session.follow(authorize.toString());
    assert.equal(landed.res.status, 200);
    assert.match(landed.url, /\/login\//);
    loginUrl = landed.url;
  });
  after(async () => { await s.dispose(); });

  const attempt = async (pw: string): Promise<string> => (await session.request(loginUrl, { form: { username: 'lock@monban.local', password: pw } })).text();

  test('nine wrong passwords: refused with 50126 each time, not locked yet', async () => {
    for (let i = 0; i < 9; i++) assert.match(await attempt('wrong'), /AADSTS50126/);
  });

  test('the tenth locks the account for this source; the right password is refused while locked', async () => {
    assert.match(await attempt('wrong'), /AADSTS50126/);
    assert.match(await attempt(password), /AADSTS50053/);
    s.clock.advance(59_000);
    assert.match(await attempt(password), /AADSTS50053/, 'still locked after 59 s');
  });

  test('after the lockout period the right password works', async () => {
    s.clock.advance(2_000);
    assert.match(await attempt(password), /Stay signed in\?/);
  });

  test('the next lockout lasts twice as long', async () => {
    const fresh = new FormSession();
    const dir = new Directory(s.store, s.clock);
    const app = (await dir.listApplications()).find((a) => a.display_name === 'Lockout app');
    assert.ok(app);
    const authorize = `${s.origin}/${s.tenantId}/oauth2/v2.0/authorize?${new URLSearchParams({ client_id: app.app_id, response_type: 'code', redirect_uri: 'https://lock.example.test/cb', scope: 'openid', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' }).toString()}`;
    const landed = await fresh.follow(authorize);
    const post = async (pw: string): Promise<string> => (await fresh.request(landed.url, { form: { username: 'lock@monban.local', password: pw } })).text();
    for (let i = 0; i < 10; i++) await post('wrong');
    s.clock.advance(61_000);
    assert.match(await post(password), /AADSTS50053/, 'a second lockout outlasts the first one');
    s.clock.advance(60_000);
    assert.match(await post(password), /Stay signed in\?/);
  });

  test('every attempt is one sign-in record with its code', async () => {
    const page = await new SignInLogQuery(s.store.db).page({ top: 999 });
    const codes = page.records.map((r) => r.status.errorCode);
    assert.equal(codes.filter((c) => c === 50053).length, 3);
    assert.equal(codes.filter((c) => c === 0).length, 2);
    assert.equal(codes.filter((c) => c === 50126).length, 20);
    assert.ok(page.records.every((r) => r.isInteractive && r.userPrincipalName === 'lock@monban.local'));
  });
});
