// Two `monban serve` processes on one PostgreSQL database and one data directory (same
// master key), behind one public origin as a load balancer would present them: a token from
// one is accepted by the other, and a refresh token redeemed on both at once succeeds
// exactly once, the loser logged as reuse.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { signInWithPassword, type TokenResponse } from './support/browserless-sign-in.js';
import { adminToken, freePort, graph, startMonban, type MonbanProcess } from './support/server.js';

const onPostgres = process.env.MONBAN_TEST_DATABASE === 'postgres';
const name = 'two provider processes on one PostgreSQL database';

if (!onPostgres) test(name, { skip: 'several processes on one database needs PostgreSQL (SQLite is one process\'s embedded store); run with --db postgres' }, () => undefined);

interface SignInLogPage { value: { correlationId: string; appId: string; status: { errorCode: number }; monban?: { reason?: string; flow?: string } }[] }

if (onPostgres) describe(name, () => {
  let a: MonbanProcess;
  let b: MonbanProcess;
  const redirectUri = 'http://127.0.0.1/callback';
  const user = { username: 'two.nodes@monban.local', password: 'Tw0-Nodes-One-Database' };
  let clientId = '';

  before(async () => {
    const portA = await freePort();
    // One public origin for both, so both have the same issuer (as behind a load balancer).
    const env = { MONBAN_PUBLIC_ORIGIN: `https://localhost:${portA}` };
    a = await startMonban({ port: portA, env });
    b = await startMonban({ dataDir: a.dataDir, databaseUrl: a.databaseUrl, env });
    const admin = await adminToken(a);
    const created = await graph(a, admin, 'POST', '/users', { userPrincipalName: user.username, displayName: 'Two Nodes', passwordProfile: { password: user.password } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const app = await graph<{ appId: string }>(a, admin, 'POST', '/applications', { displayName: 'Native app', isFallbackPublicClient: true, publicClient: { redirectUris: [redirectUri] } });
    assert.equal(app.status, 201, JSON.stringify(app.body));
    clientId = app.body.appId;
  });
  after(async () => {
    await b?.dispose();
    await a?.dispose();
  });

  const refresh = async (m: MonbanProcess, refreshToken: string): Promise<{ status: number; body: TokenResponse; correlationId: string }> => {
    const res = await fetch(`${m.origin}/${m.bootstrap.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      // No scope: the refresh token's own scopes (a scope naming offline_access is refused
      // with invalid_scope today, as oidc-provider drops offline_access without prompt=consent).
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: clientId, refresh_token: refreshToken }),
    });
    return { status: res.status, body: await res.json() as TokenResponse, correlationId: res.headers.get('client-request-id') ?? '' };
  };

  const signIn = async (m: MonbanProcess): Promise<string> => {
    const result = await signInWithPassword(m, { clientId, redirectUri, ...user, scope: 'openid profile offline_access' });
    assert.equal(result.status, 200, `${JSON.stringify(result.body)}\n${result.trail.join('\n')}`);
    assert.ok(result.body.refresh_token, 'offline_access gives a refresh token');
    return result.body.refresh_token;
  };

  test('both processes serve the same tenant and issuer', async () => {
    assert.equal(b.bootstrap.tenantId, a.bootstrap.tenantId);
    for (const m of [a, b]) {
      const res = await fetch(`${m.origin}/${m.bootstrap.tenantId}/v2.0/.well-known/openid-configuration`);
      assert.equal(res.status, 200);
      assert.equal((await res.json() as { issuer: string }).issuer, `${a.origin}/${a.bootstrap.tenantId}/v2.0`);
    }
  });

  test('a token issued by one process is accepted by the other, both ways', async () => {
    const fromA = await adminToken(a);
    const fromB = await adminToken(b);
    const onB = await graph<{ value: { userPrincipalName: string }[] }>(b, fromA, 'GET', '/users');
    assert.equal(onB.status, 200, JSON.stringify(onB.body));
    assert.ok(onB.body.value.some((u) => u.userPrincipalName === user.username), 'B sees the user created through A');
    const onA = await graph(a, fromB, 'GET', '/organization');
    assert.equal(onA.status, 200, JSON.stringify(onA.body));
  });

  test('a refresh token redeemed on both processes at once succeeds exactly once; the loser is logged as reuse', async () => {
    const token = await signIn(a);
    const results = await Promise.all([refresh(a, token), refresh(b, token)]);
    const winners = results.filter((r) => r.status === 200);
    const losers = results.filter((r) => r.status !== 200);
    assert.equal(winners.length, 1, `exactly one redemption succeeds: ${JSON.stringify(results.map((r) => [r.status, r.body.error, r.body.error_description]))}`);
    assert.equal(losers.length, 1);
    const loser = losers[0];
    const winner = winners[0];
    assert.ok(loser && winner);
    assert.equal(loser.status, 400);
    assert.equal(loser.body.error, 'invalid_grant');
    assert.match(loser.body.error_description ?? '', /^AADSTS\d+: /);
    assert.ok(winner.body.access_token && winner.body.refresh_token && winner.body.refresh_token !== token, 'the winner gets a rotated refresh token');

    const admin = await adminToken(b);
    const log = await graph<SignInLogPage>(a, admin, 'GET', `/auditLogs/signIns?$filter=${encodeURIComponent(`correlationId eq '${loser.correlationId}'`)}`);
    assert.equal(log.status, 200);
    assert.equal(log.body.value.length, 1, 'one record for the losing request');
    const record = log.body.value[0];
    assert.ok(record);
    assert.notEqual(record.status.errorCode, 0);
    assert.equal(record.monban?.reason, 'refresh_token_reuse');
    assert.equal(record.appId, clientId);
    const won = await graph<SignInLogPage>(a, admin, 'GET', `/auditLogs/signIns?$filter=${encodeURIComponent(`correlationId eq '${winner.correlationId}'`)}`);
    assert.equal(won.body.value.length, 1);
    assert.equal(won.body.value[0]?.status.errorCode, 0);
    // Reuse revokes the family, grant included: the token the winner just got is dead too.
    const after = await refresh(a, winner.body.refresh_token ?? '');
    assert.equal(after.status, 400, `the winner's rotated token is revoked with its family: ${JSON.stringify(after.body)}`);
    assert.equal(after.body.error, 'invalid_grant');
  });

  test('a rotated refresh token replayed on the other process revokes the family', async () => {
    const first = await signIn(b);
    const rotated = await refresh(a, first);
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    const second = rotated.body.refresh_token ?? '';
    assert.ok(second && second !== first);
    const replay = await refresh(b, first);
    assert.equal(replay.status, 400);
    assert.equal(replay.body.error, 'invalid_grant');
    assert.match(replay.body.error_description ?? '', /^AADSTS70000: /);
    const family = await refresh(a, second);
    assert.equal(family.status, 400, `the newest token of the family is revoked: ${JSON.stringify(family.body)}`);
    assert.equal(family.body.error, 'invalid_grant');
    const admin = await adminToken(a);
    const log = await graph<SignInLogPage>(b, admin, 'GET', `/auditLogs/signIns?$filter=${encodeURIComponent(`correlationId eq '${replay.correlationId}'`)}`);
    assert.equal(log.body.value[0]?.monban?.reason, 'refresh_token_reuse');
    assert.notEqual(log.body.value[0]?.status.errorCode, 0);
  });
});
