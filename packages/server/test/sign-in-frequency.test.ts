// Sign-in frequency on the refresh path, with time moved by the server's injected clock: a
// refresh token keeps working inside the window and is refused (interaction required, with
// the reference's code) once the last interactive sign-in is older than the policy allows.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ConditionalAccessStore } from '../src/conditional-access/store.js';
import { Directory } from '../src/directory/directory.js';
import { SignInLogQuery } from '../src/logs/query.js';
import { testDatabase } from './support/database.js';
import { FormSession, startInProcess, type InProcessServer } from './support/in-process.js';

const redirectUri = 'https://sif.example.test/cb';

describe(`sign-in frequency on ${testDatabase()}`, () => {
  let s: InProcessServer;
  let clientId = '';
  let clientSecret = '';
  let refreshToken = '';

  const tokenRequest = async (form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${s.origin}/${s.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` },
      body: new URLSearchParams(form),
    });
    return { status: res.status, body: await res.json() as Record<string, unknown> };
  };

  before(async () => {
    s = await startInProcess(new Date());
    const dir = new Directory(s.store, s.clock);
    const user = await dir.createUser({ userPrincipalName: 'sif@monban.local', displayName: 'SIF', password: 'Sif-Passw0rd!' });
    const { application } = await dir.createApplication({ displayName: 'SIF app', redirectUris: [redirectUri] });
    clientId = application.app_id;
    clientSecret = (await dir.addSecret(application.id, 'test')).secretText;
    await new ConditionalAccessStore(s.store.db, s.clock).createPolicy({
      displayName: 'Re-authenticate every 4 hours', state: 'enabled',
      conditions: { users: { includeUsers: [user.id] }, applications: { includeApplications: ['All'] }, clientAppTypes: ['all'] },
      sessionControls: { signInFrequency: { isEnabled: true, value: 4, type: 'hours', authenticationType: 'primaryAndSecondaryAuthentication', frequencyInterval: 'timeBased' } },
    });

    // Password sign-in through the real pages, then the code redemption.
    const session = new FormSession();
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const authorize = `${s.origin}/${s.tenantId}/oauth2/v2.0/authorize?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: redirectUri, scope: 'openid offline_access', code_challenge: challenge, code_challenge_method: 'S256', state: 'x' }).toString()}`;
    const login = await session.follow(authorize);
    assert.match(await login.res.text(), /Sign in/);
    const kmsi = await session.request(login.url, { form: { username: 'sif@monban.local', password: 'Sif-Passw0rd!' } });
    assert.match(await kmsi.text(), /Stay signed in\?/);
    const finished = await session.request(`${login.url}/kmsi`, { form: { remember: 'no' } });
    const done = await session.follow(new URL(finished.headers.get('location') ?? '', login.url).toString());
    const code = new URL(done.url).searchParams.get('code');
    assert.ok(code, `a code comes back: ${done.url}`);
    const tokens = await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier });
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    refreshToken = String(tokens.body.refresh_token);
  });
  after(async () => { await s.dispose(); });

  test('inside the window the refresh token works (3 hours later)', async () => {
    s.clock.advance(3 * 3600_000);
    const res = await tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    refreshToken = String(res.body.refresh_token);
  });

  test('past the window (5 hours after the sign-in) a fresh sign-in is demanded, and the log says why', async () => {
    s.clock.advance(2 * 3600_000);
    const res = await tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.error, 'invalid_grant');
    const codes = res.body.error_codes as number[];
    assert.ok([70043, 50078].includes(codes[0] ?? 0), `sign-in frequency code: ${JSON.stringify(codes)}`);
    assert.equal(res.body.suberror, 'basic_action', 'the user can fix it by signing in again');
    const page = await new SignInLogQuery(s.store.db).page({ top: 1 });
    const record = page.records[0];
    assert.equal(record?.status.errorCode, codes[0]);
    assert.equal(record?.appliedConditionalAccessPolicies[0]?.displayName, 'Re-authenticate every 4 hours');
    assert.equal(record?.appliedConditionalAccessPolicies[0]?.result, 'failure');
  });
});
