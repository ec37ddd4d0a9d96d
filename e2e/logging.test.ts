// Operations: pino JSON logs carry a correlation id per request and never a secret, a
// password, a code or a token, whatever the flow.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { signInWithPassword } from './support/browserless-sign-in.js';
import { adminToken, graph, startMonban, type MonbanProcess } from './support/server.js';

describe('logs', () => {
  let m: MonbanProcess;
  before(async () => { m = await startMonban({ env: { MONBAN_LOG_LEVEL: 'info' } }); });
  after(async () => { await m.dispose(); });

  test('every request is one JSON line with its correlation id; no secret ever appears', async () => {
    const admin = await adminToken(m);
    const password = 'Log-Passw0rd-Secret!';
    await graph(m, admin, 'POST', '/users', { userPrincipalName: 'logs@monban.local', displayName: 'Logs', passwordProfile: { password } });
    const app = await graph<{ appId: string; id: string }>(m, admin, 'POST', '/applications', { displayName: 'Log app', isFallbackPublicClient: true, publicClient: { redirectUris: ['http://127.0.0.1/cb'] } });
    const signedIn = await signInWithPassword(m, { clientId: app.body.appId, redirectUri: 'http://127.0.0.1/cb', username: 'logs@monban.local', password, scope: 'openid offline_access' });
    const wrong = await fetch(`${m.origin}/${m.bootstrap.tenantId}/oauth2/v2.0/token`, { method: 'POST', headers: { 'client-request-id': '0f0f0f0f-1111-4222-8333-444455556666' }, body: new URLSearchParams({ grant_type: 'client_credentials', client_id: m.bootstrap.adminClient.clientId, client_secret: 'WrongSecretValue123', scope: 'https://graph.microsoft.com/.default' }) });
    assert.equal(wrong.status, 401);
    await new Promise((r) => setTimeout(r, 100));

    const lines = m.output().split('\n').filter((l) => l.startsWith('{'));
    const entries = lines.map((l) => JSON.parse(l) as { msg: string; correlationId?: string; route?: string; status?: number });
    const requests = entries.filter((e) => e.msg === 'request');
    assert.ok(requests.length >= 8, `request lines: ${requests.length}`);
    assert.ok(requests.every((e) => typeof e.correlationId === 'string' && typeof e.route === 'string' && typeof e.status === 'number'));
    assert.ok(requests.some((e) => e.correlationId === '0f0f0f0f-1111-4222-8333-444455556666' && e.status === 401), 'the client-request-id is the correlation id');
    const everything = m.output();
    assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
    const code = signedIn.trail.map((u) => /[?&]code=([^&\s]+)/.exec(u)?.[1]).find((c) => c) ?? 'no-code-seen';
    assert.notEqual(code, 'no-code-seen', signedIn.trail.join(' '));
    for (const secret of [m.bootstrap.adminClient.clientSecret, 'WrongSecretValue123', password, admin, signedIn.body.access_token ?? 'no-access-token', signedIn.body.refresh_token ?? 'no-refresh-token', code]) {
      assert.ok(!everything.includes(secret), `a secret leaked into the log: ${secret.slice(0, 6)}...`);
    }
  });
});
