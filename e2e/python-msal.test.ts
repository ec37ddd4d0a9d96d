// MSAL for Python (Debian's python3-msal, run by /usr/bin/python3) against a real server
// process: client credentials with a secret, a wrong secret refused in the reference's shape,
// and a refresh token (from a sign-in in Chromium) redeemed by MSAL. The script is
// e2e/support/python/msal_client.py; it prints MSAL's results as JSON.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import * as oauth from 'oauth4webapi';
import type { Browser } from 'playwright-core';
import { launchBrowser, newContext, signInInBrowser } from './support/browser.js';
import { adminToken, graph, startMonban, testCaFile, type MonbanProcess } from './support/server.js';

const python = '/usr/bin/python3'; // Debian's, with python3-msal; the python3 on PATH may be another one
const script = new URL('./support/python/msal_client.py', import.meta.url).pathname;
const graphAppId = '00000003-0000-0000-c000-000000000000';

// Python's environment: only what it needs, so another interpreter's settings cannot leak in.
const pythonEnv = (): NodeJS.ProcessEnv => ({
  PATH: '/usr/bin:/bin',
  HOME: process.env.HOME ?? '/tmp',
  LANG: 'C.UTF-8',
  REQUESTS_CA_BUNDLE: process.env.REQUESTS_CA_BUNDLE ?? testCaFile(),
  SSL_CERT_FILE: process.env.SSL_CERT_FILE ?? testCaFile(),
});

const probe = spawnSync(python, ['-c', 'import msal; print(msal.__version__)'], { env: pythonEnv(), encoding: 'utf8' });
const skip = probe.status === 0 ? false
  : `${python} cannot import msal (install Debian's python3-msal): ${(probe.error?.message ?? probe.stderr ?? '').trim().split('\n').pop() ?? ''}`;

interface MsalResult { access_token?: string; refresh_token?: string; token_type?: string; expires_in?: number; id_token_claims?: Record<string, unknown>; error?: string; error_codes?: number[]; error_description?: string; correlation_id?: string }
interface ScriptOutput {
  msal_version: string;
  client_credentials: MsalResult;
  client_credentials_cached_same_token: boolean;
  refresh?: MsalResult;
  accounts?: { home_account_id: string; environment: string; username: string; local_account_id: string; realm: string }[];
  wrong_secret?: MsalResult;
}

async function runScript(input: Record<string, unknown>): Promise<ScriptOutput> {
  const child = spawn(python, [script], { env: pythonEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  child.stdin.end(JSON.stringify(input));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  assert.equal(code, 0, `the script failed:\n${stderr}`);
  return JSON.parse(stdout) as ScriptOutput;
}

describe('MSAL for Python: client credentials, wrong secret, refresh token', { skip }, () => {
  let m: MonbanProcess;
  let browser: Browser;
  let admin: string;
  let app: { id: string; appId: string };
  let secret: string;
  let userId: string;
  let out: ScriptOutput;
  let refreshToken: string;
  const redirectUri = 'https://py.example.test/cb';
  const user = { username: 'py.user@monban.local', password: 'Corr3ct-Horse-Battery' };

  before(async () => {
    m = await startMonban();
    browser = await launchBrowser();
    admin = await adminToken(m);
    userId = (await graph<{ id: string }>(m, admin, 'POST', '/users', { userPrincipalName: user.username, displayName: 'Py User', passwordProfile: { password: user.password } })).body.id;
    app = (await graph<{ id: string; appId: string }>(m, admin, 'POST', '/applications', { displayName: 'Python web app', web: { redirectUris: [redirectUri] } })).body;
    secret = (await graph<{ secretText: string }>(m, admin, 'POST', `/applications/${app.id}/addPassword`, {})).body.secretText;

    // The browser half of a sign-in, done here: MSAL for Python then works with its refresh token.
    const issuer = new URL(m.bootstrap.issuer);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer));
    const client: oauth.Client = { client_id: app.appId };
    const verifier = oauth.generateRandomCodeVerifier();
    const url = new URL(as.authorization_endpoint ?? '');
    url.search = new URLSearchParams({
      client_id: app.appId, response_type: 'code', redirect_uri: redirectUri, scope: 'openid profile offline_access User.Read', state: 'py',
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    }).toString();
    const context = await newContext(browser);
    try {
      const landed = await signInInBrowser(await context.newPage(), url.href, redirectUri, user);
      const params = oauth.validateAuthResponse(as, client, new URL(landed), 'py');
      const tokens = await oauth.processAuthorizationCodeResponse(as, client,
        await oauth.authorizationCodeGrantRequest(as, client, oauth.ClientSecretPost(secret), params, redirectUri, verifier));
      refreshToken = tokens.refresh_token ?? '';
    } finally {
      await context.close();
    }
    assert.ok(refreshToken, 'the sign-in gave a refresh token');

    out = await runScript({
      authority: `${m.origin}/${m.bootstrap.tenantId}`, client_id: app.appId, client_secret: secret,
      app_scopes: ['https://graph.microsoft.com/.default'], refresh_token: refreshToken, user_scopes: ['User.Read'], wrong_secret: true,
    });
  });
  after(async () => { await browser?.close(); await m?.dispose(); });

  test('acquire_token_for_client: an app token for Graph, served from MSAL\'s cache the second time', () => {
    const r = out.client_credentials;
    assert.equal(r.error, undefined, JSON.stringify(r));
    assert.equal(r.token_type, 'Bearer');
    assert.ok((r.expires_in ?? 0) >= 3600);
    const claims = decodeJwt(r.access_token ?? '');
    assert.equal(claims.idtyp, 'app');
    assert.equal(claims.azp, app.appId);
    assert.equal(claims.azpacr, '1', 'a secret');
    assert.equal(claims.aud, graphAppId);
    assert.equal(claims.iss, m.bootstrap.issuer);
    assert.equal(out.client_credentials_cached_same_token, true);
  });

  test('a wrong secret: MSAL returns invalid_client with AADSTS7000215 and the correlation id', async () => {
    const r = out.wrong_secret;
    assert.ok(r);
    assert.equal(r.error, 'invalid_client');
    assert.deepEqual(r.error_codes, [7000215]);
    assert.match(r.error_description ?? '', /^AADSTS7000215: /);
    const log = await graph<{ value: { status: { errorCode: number } }[] }>(m, admin, 'GET', `/auditLogs/signIns?$filter=${encodeURIComponent(`correlationId eq '${r.correlation_id ?? ''}'`)}`);
    assert.equal(log.body.value[0]?.status.errorCode, 7000215, 'logged under the correlation id MSAL saw');
  });

  test('acquire_token_by_refresh_token: a user token for Graph, a rotated refresh token, the account in MSAL\'s cache', async () => {
    const r = out.refresh;
    assert.ok(r);
    assert.equal(r.error, undefined, JSON.stringify(r));
    const claims = decodeJwt(r.access_token ?? '');
    assert.equal(claims.oid, userId);
    assert.equal(claims.scp, 'User.Read');
    assert.equal(claims.aud, graphAppId);
    assert.equal(claims.idtyp, 'user');
    assert.ok(r.refresh_token && r.refresh_token !== refreshToken, 'rotated');
    assert.equal(r.id_token_claims?.oid, userId);
    assert.equal(r.id_token_claims?.preferred_username, user.username);
    assert.deepEqual(out.accounts, [{
      home_account_id: `${userId}.${m.bootstrap.tenantId}`, environment: 'localhost', username: user.username,
      local_account_id: userId, realm: m.bootstrap.tenantId,
    }]);
    const log = await graph<{ value: { isInteractive: boolean; incomingTokenType: string; status: { errorCode: number } }[] }>(m, admin, 'GET',
      `/auditLogs/signIns?$filter=${encodeURIComponent(`userId eq '${userId}' and appId eq '${app.appId}'`)}`);
    assert.ok(log.body.value.some((s) => !s.isInteractive && s.incomingTokenType === 'refreshToken' && s.status.errorCode === 0), 'the refresh is logged as a non-interactive sign-in');
  });
});
