// @azure/msal-node (the reference's own Node library) against a real server process, with no
// network beyond loopback: the authority is declared known, so MSAL asks Monban itself for its
// metadata and never the reference's cloud. Confidential clients with a secret and with a
// certificate; a public client with a port-agnostic loopback redirect, code + PKCE through
// Chromium, and a silent refresh that the sign-in log records as non-interactive.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ConfidentialClientApplication, CryptoProvider, LogLevel, PublicClientApplication, type AccountInfo, type Configuration } from '@azure/msal-node';
import * as x509 from '@peculiar/x509';
import { decodeJwt } from 'jose';
import type { Browser } from 'playwright-core';
import { launchBrowser, newContext, signInInBrowser } from './support/browser.js';
import { adminToken, freePort, graph, startMonban, type MonbanProcess } from './support/server.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const graphAppId = '00000003-0000-0000-c000-000000000000';

interface SignIn { id: string; isInteractive: boolean; userId: string | null; appId: string | null; status: { errorCode: number }; incomingTokenType: string; monban?: { flow: string } }

describe('msal-node: confidential clients (secret, certificate), public client code + PKCE, silent refresh', () => {
  let m: MonbanProcess;
  let browser: Browser;
  let admin: string;
  let auth: (clientId: string) => Pick<Configuration['auth'], 'clientId' | 'authority' | 'knownAuthorities'>;
  const errors: string[] = [];
  const system: Configuration['system'] = {
    loggerOptions: { logLevel: LogLevel.Warning, piiLoggingEnabled: false, loggerCallback: (_level, message) => { errors.push(message); } },
  };
  const user = { username: 'msal.user@monban.local', password: 'Corr3ct-Horse-Battery' };
  let userId: string;

  before(async () => {
    m = await startMonban();
    browser = await launchBrowser();
    admin = await adminToken(m);
    // The authority's host is declared known: MSAL then skips the reference cloud's instance
    // discovery and reads Monban's own OpenID configuration under the authority.
    auth = (clientId) => ({ clientId, authority: `${m.origin}/${m.bootstrap.tenantId}`, knownAuthorities: [`localhost:${m.port}`] });
    userId = (await graph<{ id: string }>(m, admin, 'POST', '/users', { userPrincipalName: user.username, displayName: 'MSAL User', passwordProfile: { password: user.password } })).body.id;
  });
  after(async () => { await browser?.close(); await m?.dispose(); });

  test('ConfidentialClientApplication with a secret: client credentials for Graph, and the token works on the admin API', async () => {
    const cca = new ConfidentialClientApplication({ auth: { ...auth(m.bootstrap.adminClient.clientId), clientSecret: m.bootstrap.adminClient.clientSecret }, system });
    const result = await cca.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] });
    assert.ok(result?.accessToken);
    assert.equal(result.tokenType, 'Bearer');
    assert.ok(result.expiresOn && result.expiresOn.getTime() > Date.now() + 50 * 60_000, 'an hour or more');
    const claims = decodeJwt(result.accessToken);
    assert.equal(claims.azpacr, '1');
    assert.equal(claims.idtyp, 'app');
    assert.ok(!('scope' in claims) && !('client_id' in claims), JSON.stringify(claims));
    const org = await graph<{ value: { id: string }[] }>(m, result.accessToken, 'GET', '/organization');
    assert.equal(org.status, 200);
    assert.equal(org.body.value[0]?.id, m.bootstrap.tenantId);

    const cached = await cca.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] });
    assert.equal(cached?.accessToken, result.accessToken, 'MSAL serves the second call from its cache');
    assert.equal(cached?.fromCache, true);
  });

  test('ConfidentialClientApplication with a certificate (PS256, x5t#S256): azpacr 2; an app without permissions is refused by Graph', async () => {
    const app = (await graph<{ id: string; appId: string }>(m, admin, 'POST', '/applications', { displayName: 'MSAL certificate daemon' })).body;
    const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
    const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: '01', name: 'CN=msal daemon', notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 86_400_000), keys, signingAlgorithm: alg,
    });
    const uploaded = await graph(m, admin, 'PATCH', `/applications/${app.id}`, { keyCredentials: [{ type: 'AsymmetricX509Cert', usage: 'Verify', key: Buffer.from(cert.rawData).toString('base64'), displayName: 'CN=msal daemon' }] });
    assert.equal(uploaded.status, 204);
    const privateKey = x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
    const cca = new ConfidentialClientApplication({
      auth: { ...auth(app.appId), clientCertificate: { thumbprintSha256: Buffer.from(await cert.getThumbprint('SHA-256')).toString('hex'), privateKey } },
      system,
    });
    const result = await cca.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] });
    assert.ok(result?.accessToken);
    const claims = decodeJwt(result.accessToken);
    assert.equal(claims.azpacr, '2', 'authenticated with the certificate');
    assert.equal(claims.azp, app.appId);
    assert.equal(claims.aud, graphAppId);
    assert.equal(claims.roles, undefined, 'no application permission was granted');
    const denied = await graph<{ error: { code: string } }>(m, result.accessToken, 'GET', '/users');
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error.code, 'Authorization_RequestDenied');
  });

  test('PublicClientApplication: loopback redirect on any port, code + PKCE in Chromium, account from client_info; silent refresh is logged as non-interactive', async () => {
    const app = (await graph<{ id: string; appId: string }>(m, admin, 'POST', '/applications', {
      displayName: 'MSAL desktop app', isFallbackPublicClient: true, publicClient: { redirectUris: ['http://localhost'] },
    })).body;
    const pca = new PublicClientApplication({ auth: auth(app.appId), system });
    // RFC 8252 §7.3: the registration names no port; the app listens wherever it can.
    const redirectUri = `http://localhost:${await freePort()}`;
    const crypto = new CryptoProvider();
    const { verifier, challenge } = await crypto.generatePkceCodes();
    const state = crypto.createNewGuid();
    const scopes = ['User.Read'];
    const url = await pca.getAuthCodeUrl({ scopes, redirectUri, codeChallenge: challenge, codeChallengeMethod: 'S256', state });
    assert.ok(url.startsWith(`${m.origin}/${m.bootstrap.tenantId}/oauth2/v2.0/authorize?`), url);

    const context = await newContext(browser);
    let landed: string;
    try {
      landed = await signInInBrowser(await context.newPage(), url, redirectUri, user);
    } finally {
      await context.close();
    }
    const callback = new URL(landed);
    assert.equal(callback.searchParams.get('state'), state);
    const code = callback.searchParams.get('code') ?? '';
    const result = await pca.acquireTokenByCode({ code, scopes, redirectUri, codeVerifier: verifier, state }, { code, state });
    assert.ok(result.account);
    const account: AccountInfo = result.account;
    assert.equal(account.homeAccountId, `${userId}.${m.bootstrap.tenantId}`, 'homeAccountId = uid.utid from client_info');
    assert.equal(account.localAccountId, userId);
    assert.equal(account.tenantId, m.bootstrap.tenantId);
    assert.equal(account.username, user.username);
    assert.equal(account.name, 'MSAL User');
    assert.equal(account.environment, `localhost:${m.port}`);
    assert.ok(result.scopes.includes('User.Read') || result.scopes.includes('https://graph.microsoft.com/User.Read'), `scopes: ${result.scopes.join(' ')}`);
    const first = decodeJwt(result.accessToken);
    assert.equal(first.aud, graphAppId);
    assert.equal(first.scp, 'User.Read');
    assert.equal(first.oid, userId);
    assert.equal(first.azpacr, '0', 'a public client');
    assert.ok(result.idToken);

    const accounts = await pca.getTokenCache().getAllAccounts();
    assert.deepEqual(accounts.map((a) => a.homeAccountId), [account.homeAccountId], 'the account is in the cache');

    const silentFromCache = await pca.acquireTokenSilent({ account, scopes });
    assert.equal(silentFromCache.accessToken, result.accessToken);
    assert.equal(silentFromCache.fromCache, true);

    const refreshed = await pca.acquireTokenSilent({ account, scopes, forceRefresh: true });
    assert.equal(refreshed.fromCache, false);
    assert.notEqual(refreshed.accessToken, result.accessToken, 'a new access token');
    assert.equal(decodeJwt(refreshed.accessToken).oid, userId);
    assert.equal(refreshed.account?.homeAccountId, account.homeAccountId);

    const filter = `userId eq '${userId}' and appId eq '${app.appId}'`;
    const log = await graph<{ value: SignIn[] }>(m, admin, 'GET', `/auditLogs/signIns?$filter=${encodeURIComponent(filter)}`);
    assert.equal(log.status, 200);
    const interactive = log.body.value.filter((r) => r.isInteractive);
    const refreshes = log.body.value.filter((r) => !r.isInteractive && r.incomingTokenType === 'refreshToken');
    assert.equal(interactive.length, 1, `one interactive sign-in: ${JSON.stringify(log.body.value.map((r) => [r.isInteractive, r.incomingTokenType, r.status.errorCode]))}`);
    assert.equal(interactive[0]?.status.errorCode, 0);
    assert.equal(refreshes.length, 1, 'one non-interactive refresh');
    assert.equal(refreshes[0]?.status.errorCode, 0);
    assert.ok(log.body.value.every((r) => r.appId === app.appId && r.userId === userId));
    assert.deepEqual(errors.filter((e) => /error/i.test(e)), [], 'MSAL logged no error');
  });
});
