// oauth4webapi (a certified, spec-strict OAuth client) against a real server process:
// discovery, application certificates uploaded through Graph keyCredentials, client
// credentials with private_key_jwt, code + PKCE through Chromium, introspection, revocation.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import * as x509 from '@peculiar/x509';
import { decodeJwt } from 'jose';
import * as oauth from 'oauth4webapi';
import type { Browser } from 'playwright-core';
import { launchBrowser, newContext, signInInBrowser } from './support/browser.js';
import { adminToken, graph, startMonban, type MonbanProcess } from './support/server.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const graphAppId = '00000003-0000-0000-c000-000000000000';
const rsa = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;

interface TestCert { cert: x509.X509Certificate; keys: webcrypto.CryptoKeyPair; der: string; sha1Hex: string; x5t: string }

async function selfSigned(opts: { alg?: webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams; notBefore?: Date; notAfter?: Date; name?: string } = {}): Promise<TestCert> {
  const alg = opts.alg ?? rsa;
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: now.toString(16), name: `CN=${opts.name ?? 'oauth4webapi test'}`,
    notBefore: opts.notBefore ?? new Date(now - 60_000), notAfter: opts.notAfter ?? new Date(now + 30 * 86_400_000),
    keys, signingAlgorithm: 'hash' in alg ? alg : { ...alg, hash: 'SHA-256' },
  });
  const sha1 = Buffer.from(await cert.getThumbprint('SHA-1'));
  return { cert, keys, der: Buffer.from(cert.rawData).toString('base64'), sha1Hex: sha1.toString('hex').toUpperCase(), x5t: sha1.toString('base64url') };
}

interface KeyCredential { customKeyIdentifier: string; displayName: string | null; key: null; keyId: string; type: string; usage: string; startDateTime: string; endDateTime: string }
interface GraphError { error: { code: string; message: string } }

describe('oauth4webapi: discovery, private_key_jwt, code + PKCE, introspection, revocation', () => {
  let m: MonbanProcess;
  let browser: Browser;
  let admin: string;
  let as: oauth.AuthorizationServer;
  let app: { id: string; appId: string };
  let client: oauth.Client;
  let cert: TestCert;
  let secret: string;
  const redirectUri = 'https://rp.example.test/cb';
  const user = { username: 'o4w.user@monban.local', password: 'Corr3ct-Horse-Battery' };
  let userId: string;
  let userTokens: oauth.TokenEndpointResponse;
  let appToken: string;

  const withX5t = (c: TestCert): oauth.ClientAuth => oauth.PrivateKeyJwt(c.keys.privateKey, { [oauth.modifyAssertion]: (header) => { header.x5t = c.x5t; } });

  before(async () => {
    m = await startMonban();
    browser = await launchBrowser();
    admin = await adminToken(m);
    userId = (await graph<{ id: string }>(m, admin, 'POST', '/users', { userPrincipalName: user.username, displayName: 'O4W User', passwordProfile: { password: user.password } })).body.id;
    app = (await graph<{ id: string; appId: string }>(m, admin, 'POST', '/applications', { displayName: 'Certificate app', web: { redirectUris: [redirectUri] } })).body;
    secret = (await graph<{ secretText: string }>(m, admin, 'POST', `/applications/${app.id}/addPassword`, { passwordCredential: { displayName: 'also a secret' } })).body.secretText;
    client = { client_id: app.appId };
    cert = await selfSigned();
  });
  after(async () => { await browser?.close(); await m?.dispose(); });

  test('discovery: issuer, endpoints on the reference paths, private_key_jwt offered', async () => {
    const issuer = new URL(m.bootstrap.issuer);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer));
    const base = `${m.origin}/${m.bootstrap.tenantId}`;
    assert.equal(as.issuer, m.bootstrap.issuer);
    assert.equal(as.token_endpoint, `${base}/oauth2/v2.0/token`);
    assert.equal(as.introspection_endpoint, `${base}/oauth2/v2.0/introspect`);
    assert.equal(as.revocation_endpoint, `${base}/oauth2/v2.0/revoke`);
    assert.ok(as.token_endpoint_auth_methods_supported?.includes('private_key_jwt'));
    assert.ok(as.token_endpoint_auth_signing_alg_values_supported?.includes('RS256'));
  });

  test('PATCH keyCredentials: bad certificates are refused with Graph errors and nothing is written', async () => {
    const patch = (keyCredentials: unknown[]) => graph<GraphError>(m, admin, 'PATCH', `/applications/${app.id}`, { keyCredentials });
    const entry = (key: string, displayName = 'test') => ({ type: 'AsymmetricX509Cert', usage: 'Verify', key, displayName });
    const expired = await selfSigned({ notBefore: new Date(Date.now() - 10 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) });
    const p384 = await selfSigned({ alg: { name: 'ECDSA', namedCurve: 'P-384' } });
    const cases: [unknown[], RegExp][] = [
      [[entry('not base64 at all!')], /keyCredentials\.0\.key: is not valid base64/],
      [[entry(Buffer.from('hello, not a certificate').toString('base64'))], /keyCredentials\.0\.key: is not an X\.509 certificate/],
      [[entry(expired.der)], /keyCredentials\.0\.key: the certificate expired on /],
      [[entry(p384.der)], /keyCredentials\.0\.key: EC keys must be on the P-256 curve/],
      [[{ ...entry(cert.der), type: 'Symmetric' }], /keyCredentials\.0\.type: only "AsymmetricX509Cert"/],
      [[{ ...entry(cert.der), usage: 'Sign' }], /keyCredentials\.0\.usage: only "Verify"/],
      [[entry(cert.der), entry(expired.der)], /keyCredentials\.1\.key: the certificate expired/],
      [[entry(cert.der), entry(cert.der)], /keyCredentials\.1\.key: duplicates keyCredentials\.0/],
      [[{ type: 'AsymmetricX509Cert', usage: 'Verify', keyId: '6f1a52c8-5c55-4a3b-9d0e-0a7b1c2d3e4f' }], /keyCredentials\.0\.key: is required for a new key credential/],
    ];
    for (const [body, message] of cases) {
      const res = await patch(body);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.error.code, 'BadRequest');
      assert.match(res.body.error.message, message);
    }
    const shown = await graph<{ keyCredentials: KeyCredential[] }>(m, admin, 'GET', `/applications/${app.id}`);
    assert.deepEqual(shown.body.keyCredentials, [], 'no partial write: the good certificate of a refused set was not stored');
  });

  test('PATCH keyCredentials stores the certificate; GET shows it without the key bytes', async () => {
    const res = await graph(m, admin, 'PATCH', `/applications/${app.id}`, { keyCredentials: [{ type: 'AsymmetricX509Cert', usage: 'Verify', key: cert.der, displayName: 'CN=oauth4webapi test' }] });
    assert.equal(res.status, 204, JSON.stringify(res.body));
    const shown = await graph<{ keyCredentials: KeyCredential[]; passwordCredentials: unknown[] }>(m, admin, 'GET', `/applications/${app.id}`);
    assert.equal(shown.body.keyCredentials.length, 1);
    const [kc] = shown.body.keyCredentials;
    assert.ok(kc);
    assert.equal(kc.customKeyIdentifier, cert.sha1Hex);
    assert.equal(kc.key, null);
    assert.equal(kc.type, 'AsymmetricX509Cert');
    assert.equal(kc.usage, 'Verify');
    assert.equal(kc.displayName, 'CN=oauth4webapi test');
    assert.equal(kc.startDateTime, cert.cert.notBefore.toISOString());
    assert.equal(kc.endDateTime, cert.cert.notAfter.toISOString());
    assert.match(kc.keyId, /^[0-9a-f-]{36}$/);
    assert.equal(shown.body.passwordCredentials.length, 1, 'the secret is untouched');
    assert.ok(!JSON.stringify(shown.body).includes(cert.der.slice(0, 40)), 'the certificate bytes are not echoed');
  });

  test('client credentials with private_key_jwt (x5t header): app token with azpacr 2 and idtyp app', async () => {
    const res = await oauth.clientCredentialsGrantRequest(as, client, withX5t(cert), { scope: 'https://graph.microsoft.com/.default' });
    const tokens = await oauth.processClientCredentialsResponse(as, client, res);
    appToken = tokens.access_token;
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    const claims = decodeJwt(appToken);
    assert.equal(claims.azpacr, '2', 'client authenticated with a certificate');
    assert.equal(claims.idtyp, 'app');
    assert.equal(claims.azp, app.appId);
    assert.equal(claims.aud, graphAppId);
    assert.equal(claims.tid, m.bootstrap.tenantId);
    assert.equal(claims.iss, m.bootstrap.issuer);
  });

  test('the certificate is also found by kid = base64url SHA-1 thumbprint; an unknown key is refused with AADSTS700027', async () => {
    const byKid = await oauth.processClientCredentialsResponse(as, client,
      await oauth.clientCredentialsGrantRequest(as, client, oauth.PrivateKeyJwt({ key: cert.keys.privateKey, kid: cert.x5t }), { scope: 'https://graph.microsoft.com/.default' }));
    assert.equal(decodeJwt(byKid.access_token).azpacr, '2');

    const stranger = await selfSigned({ name: 'not registered' });
    const res = await oauth.clientCredentialsGrantRequest(as, client, withX5t(stranger), { scope: 'https://graph.microsoft.com/.default' });
    assert.equal(res.status, 401);
    const body = await res.json() as { error: string; error_codes: number[]; correlation_id: string };
    assert.equal(body.error, 'invalid_client');
    assert.deepEqual(body.error_codes, [700027]);
    const log = await graph<{ value: { status: { errorCode: number }; appId: string }[] }>(m, admin, 'GET', `/auditLogs/signIns?$filter=${encodeURIComponent(`correlationId eq '${body.correlation_id}'`)}`);
    assert.equal(log.body.value[0]?.status.errorCode, 700027, 'the refusal is in the sign-in log');
  });

  test('code + PKCE in Chromium, redeemed with private_key_jwt; the ID token checks out', async () => {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const url = new URL(as.authorization_endpoint ?? '');
    url.search = new URLSearchParams({
      client_id: app.appId, response_type: 'code', redirect_uri: redirectUri, scope: 'openid profile offline_access', state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    }).toString();
    const context = await newContext(browser);
    try {
      const landed = await signInInBrowser(await context.newPage(), url.href, redirectUri, user);
      const params = oauth.validateAuthResponse(as, client, new URL(landed), state);
      const res = await oauth.authorizationCodeGrantRequest(as, client, withX5t(cert), params, redirectUri, verifier);
      userTokens = await oauth.processAuthorizationCodeResponse(as, client, res, { requireIdToken: true });
    } finally {
      await context.close();
    }
    const idClaims = oauth.getValidatedIdTokenClaims(userTokens);
    assert.ok(idClaims);
    assert.equal(idClaims.sub, userId);
    assert.equal(idClaims.aud, app.appId);
    assert.equal(idClaims.preferred_username, user.username);
    assert.ok(userTokens.refresh_token, 'a refresh token for offline_access');
    const info = await oauth.processUserInfoResponse(as, client, idClaims.sub, await oauth.userInfoRequest(as, client, userTokens.access_token));
    assert.equal(info.preferred_username, user.username);
  });

  test('introspection (private_key_jwt): the refresh token and the opaque userinfo token are active; a JWT access token for a resource is not introspectable', async () => {
    const introspect = async (token: string) => oauth.processIntrospectionResponse(as, client, await oauth.introspectionRequest(as, client, withX5t(cert), token));
    const refresh = await introspect(userTokens.refresh_token ?? '');
    assert.equal(refresh.active, true);
    assert.equal(refresh.token_type, undefined, 'token_type (RFC 7662) is an access token type; none is given for a refresh token');
    assert.equal(refresh.client_id, app.appId);
    assert.equal(refresh.sub, userId);
    assert.equal(refresh.iss, m.bootstrap.issuer);
    assert.deepEqual(String(refresh.scope).split(' ').sort(), ['openid', 'profile'], 'the granted OIDC scopes (offline_access is what asked for the refresh token, not part of its grant)');

    assert.equal(userTokens.access_token.split('.').length, 1, 'the access token for userinfo alone is opaque');
    const access = await introspect(userTokens.access_token);
    assert.equal(access.active, true);
    assert.equal(access.token_type, 'Bearer');
    assert.equal(access.sub, userId);

    // oidc-provider only introspects tokens it stores: a JWT access token for a resource
    // server is validated by that resource with the keys, and introspection says so.
    await assert.rejects(introspect(appToken), (e: unknown) => e instanceof oauth.ResponseBodyError && e.error === 'unsupported_token_type' && /JWT/.test(e.error_description ?? ''));
    assert.equal((await introspect('not-a-token')).active, false);

    // A secret works at introspection too (the application holds both credentials).
    const bySecret = await oauth.processIntrospectionResponse(as, client, await oauth.introspectionRequest(as, client, oauth.ClientSecretPost(secret), userTokens.refresh_token ?? ''));
    assert.equal(bySecret.active, true);
  });

  test('revocation of the refresh token: refresh then fails with invalid_grant and introspection says inactive', async () => {
    const refreshToken = userTokens.refresh_token ?? '';
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, withX5t(cert), refreshToken, { additionalParameters: { token_type_hint: 'refresh_token' } }));
    const res = await oauth.refreshTokenGrantRequest(as, client, withX5t(cert), refreshToken);
    await assert.rejects(oauth.processRefreshTokenResponse(as, client, res), (e: unknown) => e instanceof oauth.ResponseBodyError && e.error === 'invalid_grant');
    const after = await oauth.processIntrospectionResponse(as, client, await oauth.introspectionRequest(as, client, withX5t(cert), refreshToken));
    assert.equal(after.active, false);
  });

  test('PATCH of other properties leaves keyCredentials and the other platform\'s redirect URIs alone', async () => {
    const res = await graph(m, admin, 'PATCH', `/applications/${app.id}`, { displayName: 'Certificate app (renamed)', publicClient: { redirectUris: ['http://localhost'] } });
    assert.equal(res.status, 204);
    const shown = await graph<{ displayName: string; keyCredentials: KeyCredential[]; web: { redirectUris: string[] }; publicClient: { redirectUris: string[] } }>(m, admin, 'GET', `/applications/${app.id}`);
    assert.equal(shown.body.displayName, 'Certificate app (renamed)');
    assert.deepEqual(shown.body.web.redirectUris, [redirectUri]);
    assert.deepEqual(shown.body.publicClient.redirectUris, ['http://localhost']);
    assert.equal(shown.body.keyCredentials.length, 1);
    const sps = await graph<{ value: { appId: string; displayName: string }[] }>(m, admin, 'GET', `/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${app.appId}'`)}`);
    assert.equal(sps.body.value[0]?.displayName, 'Certificate app (renamed)', 'the service principal follows');
  });

  test('replacing keyCredentials with an empty set removes the certificate: the assertion is refused', async () => {
    const res = await graph(m, admin, 'PATCH', `/applications/${app.id}`, { keyCredentials: [] });
    assert.equal(res.status, 204);
    const token = await oauth.clientCredentialsGrantRequest(as, client, withX5t(cert), { scope: 'https://graph.microsoft.com/.default' });
    assert.equal(token.status, 401);
    assert.equal((await token.json() as { error: string }).error, 'invalid_client');
  });
});
