// The provider as a user meets it: `monban serve`, bootstrap.json, readiness, restart,
// client credentials with the bootstrap admin client, the admin API, the sign-in log.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { adminToken, graph, startMonban, type MonbanProcess } from './support/server.js';

describe('monban serve', () => {
  let m: MonbanProcess;
  before(async () => { m = await startMonban(); });
  after(async () => { await m.dispose(); });

  test('bootstrap.json has exactly the promised fields, mode 0600', () => {
    const file = join(m.dataDir, 'bootstrap.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(Object.keys(m.bootstrap).sort(), ['adminClient', 'adminUser', 'caCertFile', 'issuer', 'tenantId']);
    assert.deepEqual(Object.keys(m.bootstrap.adminClient).sort(), ['clientId', 'clientSecret']);
    assert.deepEqual(Object.keys(m.bootstrap.adminUser).sort(), ['password', 'userPrincipalName']);
    assert.equal(m.bootstrap.issuer, `${m.origin}/${m.bootstrap.tenantId}/v2.0`);
    assert.match(m.output(), new RegExp(`listening on https://127\\.0\\.0\\.1:${m.port}`));
  });

  test('discovery answers on the tenant GUID, the verified domain, organizations and common', async () => {
    for (const alias of [m.bootstrap.tenantId, 'monban.local', 'organizations', 'common']) {
      const res = await fetch(`${m.origin}/${alias}/v2.0/.well-known/openid-configuration`);
      assert.equal(res.status, 200, alias);
      const doc = await res.json() as Record<string, unknown>;
      assert.equal(doc.issuer, m.bootstrap.issuer);
      assert.equal(doc.token_endpoint, `${m.origin}/${m.bootstrap.tenantId}/oauth2/v2.0/token`);
      assert.equal(doc.jwks_uri, `${m.origin}/${m.bootstrap.tenantId}/discovery/v2.0/keys`);
    }
  });

  test('client credentials for Graph: app token with roles, and one success record in the sign-in log', async () => {
    const token = await adminToken(m);
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
    assert.equal(claims.idtyp, 'app');
    assert.equal(claims.ver, '2.0');
    assert.equal(claims.tid, m.bootstrap.tenantId);
    assert.equal(claims.azp, m.bootstrap.adminClient.clientId);
    assert.ok(Array.isArray(claims.roles) && claims.roles.includes('AuditLog.Read.All'));
    const log = await graph<{ value: { appId: string; status: { errorCode: number }; signInEventTypes: string[] }[] }>(m, token, 'GET', `/auditLogs/signIns?$filter=${encodeURIComponent(`appId eq '${m.bootstrap.adminClient.clientId}'`)}`);
    assert.equal(log.status, 200);
    assert.ok(log.body.value.length >= 1);
    assert.ok(log.body.value.every((r) => r.signInEventTypes[0] === 'servicePrincipal' && r.status.errorCode === 0));
  });

  test('a wrong client secret is refused with AADSTS7000215 and logged as a failure', async () => {
    const res = await fetch(`${m.origin}/organizations/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: m.bootstrap.adminClient.clientId, client_secret: 'not-the-secret', scope: 'https://graph.microsoft.com/.default' }),
    });
    assert.equal(res.status, 401);
    const body = await res.json() as { error: string; error_codes: number[]; error_description: string; correlation_id: string; trace_id: string };
    assert.equal(body.error, 'invalid_client');
    assert.deepEqual(body.error_codes, [7000215]);
    assert.match(body.error_description, /^AADSTS7000215: /);
    const token = await adminToken(m);
    const log = await graph<{ value: { correlationId: string; status: { errorCode: number } }[] }>(m, token, 'GET', `/auditLogs/signIns?$filter=${encodeURIComponent(`correlationId eq '${body.correlation_id}'`)}`);
    assert.equal(log.body.value.length, 1);
    assert.equal(log.body.value[0]?.status.errorCode, 7000215);
  });

  test('admin API: create a user, filter, page with nextLink, Graph errors for bad input', async () => {
    const token = await adminToken(m);
    for (let i = 0; i < 3; i++) {
      const created = await graph(m, token, 'POST', '/users', { userPrincipalName: `paging${i}@monban.local`, displayName: `Paging ${i}`, passwordProfile: { password: 'Str0ng-Passw0rd!' } });
      assert.equal(created.status, 201);
    }
    const first = await graph<{ value: { userPrincipalName: string }[]; '@odata.nextLink'?: string }>(m, token, 'GET', `/users?$filter=${encodeURIComponent("startswith(userPrincipalName,'paging')")}&$top=2`);
    assert.equal(first.body.value.length, 2);
    assert.ok(first.body['@odata.nextLink']);
    const nextPath = new URL(first.body['@odata.nextLink'] ?? '').toString().replace(`${m.origin}/v1.0`, '');
    const second = await graph<{ value: { userPrincipalName: string }[]; '@odata.nextLink'?: string }>(m, token, 'GET', nextPath);
    assert.equal(second.body.value.length, 1);
    assert.equal(second.body['@odata.nextLink'], undefined);
    const bad = await graph<{ error: { code: string; message: string } }>(m, token, 'POST', '/users', { userPrincipalName: 'no-at-sign', displayName: '' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'BadRequest');
    assert.match(bad.body.error.message, /userPrincipalName/);
    const dup = await graph<{ error: { code: string } }>(m, token, 'POST', '/users', { userPrincipalName: 'paging0@monban.local', displayName: 'Dup' });
    assert.equal(dup.status, 409);
    const unauth = await fetch(`${m.origin}/v1.0/users`);
    assert.equal(unauth.status, 401);
  });

  test('access tokens are ES256 by default and RS256 for a resource application that asks for it', async () => {
    const token = await adminToken(m);
    assert.equal(JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()).alg, 'ES256');
    const api = await graph<{ appId: string; id: string }>(m, token, 'POST', '/applications', {
      displayName: 'RS256 API', identifierUris: ['api://rs256-api'], tokenSigningAlgorithm: 'RS256',
      appRoles: [{ id: '6f1b6a4e-0000-4000-8000-000000000001', value: 'Data.Read', allowedMemberTypes: ['Application'] }],
    });
    assert.equal(api.status, 201);
    const res = await fetch(`${m.origin}/${m.bootstrap.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: m.bootstrap.adminClient.clientId, client_secret: m.bootstrap.adminClient.clientSecret, scope: 'api://rs256-api/.default' }),
    });
    const body = await res.json() as { access_token: string };
    assert.equal(res.status, 200, JSON.stringify(body));
    const [header, payload] = body.access_token.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>);
    assert.equal(header?.alg, 'RS256');
    assert.equal(payload?.aud, api.body.appId);
    const jwks = await (await fetch(`${m.origin}/${m.bootstrap.tenantId}/discovery/v2.0/keys`)).json() as { keys: { kid: string; alg: string; d?: string }[] };
    assert.ok(jwks.keys.some((k) => k.kid === header?.kid && k.alg === 'RS256'));
    assert.ok(jwks.keys.every((k) => k.d === undefined), 'no private parts published');
  });

  test('scopes for two resources in one request are refused with AADSTS70011/700022', async () => {
    const res = await fetch(`${m.origin}/${m.bootstrap.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: m.bootstrap.adminClient.clientId, client_secret: m.bootstrap.adminClient.clientSecret, scope: 'https://graph.microsoft.com/.default api://rs256-api/.default' }),
    });
    const body = await res.json() as { error: string; error_codes: number[] };
    assert.equal(res.status, 400);
    assert.equal(body.error, 'invalid_scope');
    assert.deepEqual(body.error_codes, [700022]);
  });

  test('SIGTERM exits 0; a second start reuses tenant, keys and bootstrap', async () => {
    const { tenantId, adminClient } = m.bootstrap;
    const dataDir = m.dataDir;
    const databaseUrl = m.databaseUrl;
    const token = await adminToken(m);
    assert.equal(await m.stop(), 0);
    const again = await startMonban({ dataDir, databaseUrl, port: m.port });
    try {
      assert.equal(again.bootstrap.tenantId, tenantId);
      assert.equal(again.bootstrap.adminClient.clientId, adminClient.clientId);
      const me = await graph(again, token, 'GET', '/organization');
      assert.equal(me.status, 200, 'a token from the first run is still valid: same keys');
    } finally {
      await again.stop();
    }
  });
});
