// openid-client (a certified RP library) against a real server process: authorization code
// with PKCE through Chromium, refresh with rotation and reuse detection, userinfo, logout.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as client from 'openid-client';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchBrowser, newContext, signInInBrowser } from './support/browser.js';
import { adminToken, graph, startMonban, type MonbanProcess } from './support/server.js';

describe('openid-client: code + PKCE in Chromium, refresh, userinfo, logout', () => {
  let m: MonbanProcess;
  let browser: Browser;
  let context: BrowserContext;
  let config: client.Configuration;
  const redirectUri = 'https://app.example.test/callback';
  const user = { username: 'oidc.user@monban.local', password: 'Corr3ct-Horse-Battery' };
  let tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;
  let userId: string;

  before(async () => {
    m = await startMonban();
    browser = await launchBrowser();
    const admin = await adminToken(m);
    const created = await graph<{ id: string }>(m, admin, 'POST', '/users', { userPrincipalName: user.username, displayName: 'OIDC User', passwordProfile: { password: user.password } });
    userId = created.body.id;
    const app = await graph<{ id: string; appId: string }>(m, admin, 'POST', '/applications', { displayName: 'Web app', web: { redirectUris: [redirectUri] } });
    const secret = await graph<{ secretText: string }>(m, admin, 'POST', `/applications/${app.body.id}/addPassword`, { passwordCredential: { displayName: 'test' } });
    config = await client.discovery(new URL(m.bootstrap.issuer), app.body.appId, secret.body.secretText);
  });
  after(async () => { await context?.close(); await browser?.close(); await m?.dispose(); });

  test('authorization code with PKCE: ID token with oid, tid, preferred_username, name', async () => {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri, scope: 'openid profile offline_access', state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    context = await newContext(browser);
    const landed = await signInInBrowser(await context.newPage(), url.href, redirectUri, user);
    tokens = await client.authorizationCodeGrant(config, new URL(landed), { pkceCodeVerifier: verifier, expectedState: state });
    const claims = tokens.claims();
    assert.ok(claims);
    assert.equal(claims.oid, userId);
    assert.equal(claims.tid, m.bootstrap.tenantId);
    assert.equal(claims.preferred_username, user.username);
    assert.equal(claims.name, 'OIDC User');
    assert.ok(tokens.refresh_token, 'offline_access gives a refresh token');
  });

  test('userinfo answers for the access token', async () => {
    const info = await client.fetchUserInfo(config, tokens.access_token, tokens.claims()?.sub ?? '');
    assert.equal(info.preferred_username, user.username);
  });

  test('prompt=login, prompt=select_account and max_age=0 ask for the password despite the session; login_hint fills in the username', async () => {
    const build = (extra: Record<string, string>): string => client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri, scope: 'openid', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', ...extra,
    }).href;
    for (const extra of [{ prompt: 'login' }, { max_age: '0' }, { prompt: 'select_account' }] as Record<string, string>[]) {
      const page = await context.newPage();
      await page.goto(build(extra));
      assert.equal(await page.locator('#password').count(), 1, `${JSON.stringify(extra)} shows the password page`);
      await page.close();
    }
    const fresh = await newContext(browser);
    const page = await fresh.newPage();
    await page.goto(build({ login_hint: user.username }));
    assert.equal(await page.locator('#username').inputValue(), user.username);
    await fresh.close();
    // select_account completes like a sign-in and returns a code.
    const other = await newContext(browser);
    const landed = await signInInBrowser(await other.newPage(), build({ prompt: 'select_account', state: 'sa' }), redirectUri, user);
    assert.ok(new URL(landed).searchParams.get('code'), landed);
    await other.close();
  });

  test('single sign-on while the session lives; RP-initiated logout ends it', async () => {
    const page = await context.newPage();
    let landed: string | undefined;
    page.on('request', (r) => { if (r.url().startsWith(redirectUri)) landed = r.url(); });
    const ssoVerifier = client.randomPKCECodeVerifier();
    const ssoChallenge = await client.calculatePKCECodeChallenge(ssoVerifier);
    const silent = (): string => client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri, scope: 'openid', prompt: 'none', state: 's1',
      code_challenge: ssoChallenge, code_challenge_method: 'S256',
    }).href;
    await page.goto(silent()).catch(() => undefined);
    const ssoCode = landed ? new URL(landed).searchParams.get('code') : null;
    assert.ok(ssoCode, `prompt=none gives a code while signed in: ${landed}`);
    // Redeemed, the single sign-on is one sign-in record, satisfied by the browser session.
    const before = Date.now();
    const sso = await client.authorizationCodeGrant(config, new URL(landed ?? ''), { pkceCodeVerifier: ssoVerifier, expectedState: 's1' });
    assert.ok(sso.access_token);
    const admin = await adminToken(m);
    const log = await graph<{ value: { createdDateTime: string; isInteractive: boolean; monban?: { flow: string }; authenticationDetails: { authenticationMethod: string; authenticationStepResultDetail: string }[] }[] }>(m, admin, 'GET', `/auditLogs/signIns?$filter=${encodeURIComponent(`userId eq '${userId}'`)}`);
    const ssoRecord = log.body.value.find((r) => r.monban?.flow === 'single_sign_on' && Date.parse(r.createdDateTime) >= before - 1000);
    assert.ok(ssoRecord, JSON.stringify(log.body.value.map((r) => r.monban)));
    assert.equal(ssoRecord.isInteractive, false);
    assert.equal(ssoRecord.authenticationDetails[0]?.authenticationMethod, 'Previously satisfied');

    const logout = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token ?? '', post_logout_redirect_uri: redirectUri, state: 'bye' });
    landed = undefined;
    const logoutPage = await context.newPage();
    logoutPage.on('request', (r) => { if (r.url().startsWith(redirectUri)) landed = r.url(); });
    await logoutPage.goto(logout.href);
    assert.match(await logoutPage.content(), /sign out/i);
    await logoutPage.click('button[name=logout]');
    await logoutPage.waitForLoadState('load');
    for (let i = 0; i < 20 && !landed; i++) await logoutPage.waitForTimeout(50);
    assert.ok(landed && new URL(landed).searchParams.get('state') === 'bye', `redirected back after logout: ${landed}`);

    landed = undefined;
    await page.goto(silent()).catch(() => undefined);
    assert.equal(landed && new URL(landed).searchParams.get('error'), 'login_required', 'the session is gone');
    const errorParams = new URL(landed ?? '').searchParams;
    assert.match(errorParams.get('error_description') ?? '', /^AADSTS50058: /, 'the reference code travels with the error');
    assert.match(errorParams.get('correlation_id') ?? '', /^[0-9a-f-]{36}$/);
  });

  test('refresh rotates the token; replaying the old one is refused and revokes the family', async () => {
    const first = tokens.refresh_token ?? '';
    // As MSAL does: ask for offline_access again on refresh.
    const refreshed = await client.refreshTokenGrant(config, first, { scope: 'openid profile offline_access' });
    assert.ok(refreshed.refresh_token && refreshed.refresh_token !== first, 'rotated');
    await assert.rejects(client.refreshTokenGrant(config, first), (e: unknown) => e instanceof client.ResponseBodyError && e.error === 'invalid_grant');
    await assert.rejects(client.refreshTokenGrant(config, refreshed.refresh_token ?? ''), (e: unknown) => e instanceof client.ResponseBodyError && e.error === 'invalid_grant', 'the whole family is revoked');
    const admin = await adminToken(m);
    const log = await graph<{ value: { monban?: { reason?: string }; status: { errorCode: number }; userId: string }[] }>(m, admin, 'GET', `/auditLogs/signIns?$filter=${encodeURIComponent(`userId eq '${userId}'`)}`);
    assert.ok(log.body.value.some((r) => r.monban?.reason === 'refresh_token_reuse' && r.status.errorCode !== 0), `the reuse is in the sign-in log: ${JSON.stringify(log.body.value.map((r) => [r.status, r.monban]))}`);
    assert.ok(log.body.value.some((r) => r.status.errorCode === 0 && r.monban?.reason === undefined), 'the interactive and refresh successes are logged');
  });

});
