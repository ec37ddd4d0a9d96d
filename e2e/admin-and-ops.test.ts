// Admin API with delegated admin tokens and directory roles, operations endpoints, and the
// monban CLI on the same data directory.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import * as client from 'openid-client';
import type { Browser } from 'playwright-core';
import { launchBrowser, newContext, signInInBrowser } from './support/browser.js';
import { adminToken, graph, startMonban, type MonbanProcess } from './support/server.js';

const root = new URL('../', import.meta.url).pathname;
const redirectUri = 'https://admin-tool.example.test/cb';

describe('admin API, roles, operations and CLI', () => {
  let m: MonbanProcess;
  let browser: Browser;
  let admin: string;
  before(async () => { m = await startMonban(); browser = await launchBrowser(); admin = await adminToken(m); });
  after(async () => { await browser?.close(); await m?.dispose(); });

  async function delegatedToken(appId: string, secret: string, username: string, password: string): Promise<string> {
    const config = await client.discovery(new URL(m.bootstrap.issuer), appId, secret);
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid https://graph.microsoft.com/.default', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state: 's' });
    const context = await newContext(browser);
    try {
      const landed = await signInInBrowser(await context.newPage(), url.href, redirectUri, { username, password });
      const tokens = await client.authorizationCodeGrant(config, new URL(landed), { pkceCodeVerifier: verifier, expectedState: 's' });
      return tokens.access_token;
    } finally {
      await context.close();
    }
  }

  test('delegated Graph tokens: an admin may act, a user with the same scopes may not', async () => {
    const app = await graph<{ id: string; appId: string }>(m, admin, 'POST', '/applications', { displayName: 'Admin tool', web: { redirectUris: [redirectUri] } });
    const secret = await graph<{ secretText: string }>(m, admin, 'POST', `/applications/${app.body.id}/addPassword`, {});
    const adminAt = await delegatedToken(app.body.appId, secret.body.secretText, m.bootstrap.adminUser.userPrincipalName, m.bootstrap.adminUser.password);
    const claims = JSON.parse(Buffer.from(adminAt.split('.')[1] ?? '', 'base64url').toString()) as { scp?: string; idtyp?: string; aud?: string };
    assert.equal(claims.idtyp, 'user');
    // The reference's access tokens carry scp and azp, not OAuth's scope and client_id.
    assert.ok(!('scope' in claims) && !('client_id' in claims), JSON.stringify(claims));
    assert.equal(claims.aud, '00000003-0000-0000-c000-000000000000');
    assert.match(claims.scp ?? '', /User\.ReadWrite\.All/);
    assert.equal((await graph(m, adminAt, 'GET', '/users')).status, 200);

    await graph(m, admin, 'POST', '/users', { userPrincipalName: 'plain@monban.local', displayName: 'Plain', passwordProfile: { password: 'Plain-Passw0rd!' } });
    const userAt = await delegatedToken(app.body.appId, secret.body.secretText, 'plain@monban.local', 'Plain-Passw0rd!');
    const denied = await graph<{ error: { code: string; message: string } }>(m, userAt, 'GET', '/users');
    assert.equal(denied.status, 403);
    const me = await graph<{ userPrincipalName: string }>(m, userAt, 'GET', '/me');
    assert.equal(me.status, 200, 'any signed-in user may read /me');
    assert.equal(me.body.userPrincipalName, 'plain@monban.local');
    assert.equal((await graph(m, admin, 'GET', '/me')).status, 400, 'an app-only token has no /me');
    assert.equal(denied.body.error.code, 'Authorization_RequestDenied');
  });

  test('consent: a user is asked; an administrator consents for the organization; then nobody is asked', async () => {
    const app = await graph<{ id: string; appId: string }>(m, admin, 'POST', '/applications', { displayName: 'Mail reader', web: { redirectUris: [redirectUri] } });
    const secret = await graph<{ secretText: string }>(m, admin, 'POST', `/applications/${app.body.id}/addPassword`, {});
    const config = await client.discovery(new URL(m.bootstrap.issuer), app.body.appId, secret.body.secretText);
    for (const [upn, pw] of [['consent1@monban.local', 'Consent-Passw0rd!'], ['consent2@monban.local', 'Consent-Passw0rd!']] as const) {
      await graph(m, admin, 'POST', '/users', { userPrincipalName: upn, displayName: upn, passwordProfile: { password: pw } });
    }
    const signIn = async (username: string, password: string, options: { consentForOrganization?: boolean }): Promise<{ consent: boolean; landed: string }> => {
      const url = client.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid https://graph.microsoft.com/User.Read', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' });
      const context = await newContext(browser);
      const seen = { consent: false };
      try {
        const landed = await signInInBrowser(await context.newPage(), url.href, redirectUri, { username, password }, { ...options, seen });
        return { consent: seen.consent, landed };
      } finally {
        await context.close();
      }
    };
    const first = await signIn('consent1@monban.local', 'Consent-Passw0rd!', {});
    assert.equal(first.consent, true, 'a user consents for themselves');
    await assert.rejects(signIn('consent2@monban.local', 'Consent-Passw0rd!', { consentForOrganization: true }), /AADSTS90094/, 'a user may not consent for the organization');
    const byAdmin = await signIn(m.bootstrap.adminUser.userPrincipalName, m.bootstrap.adminUser.password, { consentForOrganization: true });
    assert.equal(byAdmin.consent, true);
    const grants = await graph<{ value: { clientId: string; consentType: string; scope: string }[] }>(m, admin, 'GET', '/oauth2PermissionGrants');
    assert.ok(grants.body.value.some((g) => g.clientId === app.body.appId && g.consentType === 'AllPrincipals' && g.scope.includes('User.Read')));
    const second = await signIn('consent2@monban.local', 'Consent-Passw0rd!', {});
    assert.equal(second.consent, false, 'covered by admin consent: no prompt');
    assert.ok(new URL(second.landed).searchParams.get('code'));
  });

  test('directory roles: assignments are created, listed and checked', async () => {
    const u = await graph<{ id: string }>(m, admin, 'POST', '/users', { userPrincipalName: 'reader@monban.local', displayName: 'Reader' });
    const created = await graph<{ id: string; roleDefinitionId: string }>(m, admin, 'POST', '/roleManagement/directory/roleAssignments', { roleDefinitionId: '5d6b6bb7-de71-4623-b4af-96380a352509', principalId: u.body.id, directoryScopeId: '/' });
    assert.equal(created.status, 201);
    const again = await graph(m, admin, 'POST', '/roleManagement/directory/roleAssignments', { roleDefinitionId: '5d6b6bb7-de71-4623-b4af-96380a352509', principalId: u.body.id });
    assert.equal(again.status, 409);
    const unknown = await graph(m, admin, 'POST', '/roleManagement/directory/roleAssignments', { roleDefinitionId: 'not-a-role', principalId: u.body.id });
    assert.equal(unknown.status, 400);
    const roles = await graph<{ value: { displayName: string }[] }>(m, admin, 'GET', '/directoryRoles');
    assert.deepEqual(roles.body.value.map((r) => r.displayName).sort(), ['Global Administrator', 'Security Reader']);
    const members = await graph<{ value: { id: string }[] }>(m, admin, 'GET', '/directoryRoles/5d6b6bb7-de71-4623-b4af-96380a352509/members');
    assert.deepEqual(members.body.value.map((x) => x.id), [u.body.id]);
    assert.equal((await graph(m, admin, 'DELETE', `/roleManagement/directory/roleAssignments/${created.body.id}`)).status, 204);
  });

  test('/healthz, /readyz and /metrics (requests by route and status, sign-ins by result and code)', async () => {
    assert.equal((await fetch(`${m.origin}/healthz`)).status, 200);
    assert.equal((await fetch(`${m.origin}/readyz`)).status, 200);
    const text = await (await fetch(`${m.origin}/metrics`)).text();
    assert.match(text, /monban_http_requests_total\{route="\/:id\/oauth2\/v2\.0\/token",status="200"\} \d+/);
    assert.match(text, /monban_sign_ins_total\{result="success",error_code="0"\} \d+/);
    assert.match(text, /monban_http_request_duration_seconds_bucket/);
  });

  // Asynchronous on purpose: a blocked event loop would let pooled HTTPS connections go stale.
  const cli = (...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> => new Promise((resolve) => {
    execFile(process.execPath, [`${root}packages/server/dist/bundle/monban.js`, ...args, '--data', m.dataDir, '--database', m.databaseUrl], { encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });

  test('CLI: users, apps, secrets, logs and keys with --json, errors with codes', async () => {
    const created = (await cli('users', 'create', '--upn', 'cli@monban.local', '--name', 'CLI User', '--password', 'Cli-Passw0rd!', '--json'));
    assert.equal(created.status, 0, created.stderr);
    const user = JSON.parse(created.stdout) as { id: string; userPrincipalName: string };
    assert.equal(user.userPrincipalName, 'cli@monban.local');
    const list = JSON.parse((await cli('users', 'list', '--json')).stdout) as { value: { id: string }[] };
    assert.ok(list.value.some((u) => u.id === user.id));
    const dup = (await cli('users', 'create', '--upn', 'cli@monban.local', '--name', 'Again', '--json'));
    assert.equal(dup.status, 1);
    const err = JSON.parse(dup.stderr) as { error: { code: string; message: string; innerError: { 'monban-code': string } } };
    assert.equal(err.error.innerError['monban-code'], 'conflict');
    assert.match(err.error.message, /already exists/);
    assert.equal((await cli('users', 'delete', user.id, '--json')).status, 0);

    const app = JSON.parse((await cli('apps', 'create', '--name', 'CLI app', '--redirect-uri', 'https://cli.example.test/cb', '--json')).stdout) as { appId: string };
    const secret = JSON.parse((await cli('apps', 'secret', 'add', app.appId, '--json')).stdout) as { secretText: string; keyId: string };
    assert.ok(secret.secretText.length >= 32);
    const groups = (await cli('groups', 'create', '--name', 'CLI group', '--json'));
    assert.equal(groups.status, 0);

    const logs = JSON.parse((await cli('logs', '--top', '5', '--json')).stdout) as { value: { status: { errorCode: number } }[] };
    assert.ok(logs.value.length > 0 && logs.value.length <= 5);
    const badFilter = (await cli('logs', '--filter', "appId eq 'unterminated", '--json'));
    assert.equal(badFilter.status, 1);
    assert.match(badFilter.stderr, /invalid_filter/);
    const rotated = JSON.parse((await cli('keys', 'rotate', '--json')).stdout) as { created: string[] };
    assert.equal(rotated.created.length, 2);
    const unknown = (await cli('frobnicate'));
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /monban: validation_failed: .*Unknown command/);
  });

  test('a secret added by the CLI works at the token endpoint at once', async () => {
    const app = JSON.parse((await cli('apps', 'create', '--name', 'Daemon via CLI', '--json')).stdout) as { appId: string };
    const secret = JSON.parse((await cli('apps', 'secret', 'add', app.appId, '--json')).stdout) as { secretText: string };
    const res = await fetch(`${m.origin}/${m.bootstrap.tenantId}/oauth2/v2.0/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: app.appId, client_secret: secret.secretText, scope: 'https://graph.microsoft.com/.default' }) });
    assert.equal(res.status, 200);
  });
});
