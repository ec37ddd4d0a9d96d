// kill -9 under load: every token response a client saw with 200 has its sign-in record
// after a restart on the same data directory and database (the record is durable before
// the response leaves: SQLite WAL with synchronous=FULL, PostgreSQL commit).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { adminToken, graph, startMonban, type MonbanProcess } from './support/server.js';

interface SignInPage { value: { correlationId: string; appId: string; status: { errorCode: number }; appliedConditionalAccessPolicies: { id: string }[] }[]; '@odata.nextLink'?: string }

describe('crash safety of the sign-in log', () => {
  let first: MonbanProcess;
  let second: MonbanProcess | undefined;

  before(async () => { first = await startMonban(); });
  after(async () => {
    await second?.stop();
    await first.dispose();
  });

  test('kill -9 during concurrent client credentials: every observed 200 has its sign-in record after restart', async (t) => {
    const { tenantId, adminClient } = first.bootstrap;
    // A report-only policy, so every record under load refers to a stored policy list (decision
    // 0010): a record must never survive the crash without its list.
    const policy = await graph<{ id: string }>(first, await adminToken(first), 'POST', '/identity/conditionalAccess/policies', {
      displayName: 'crash-safety report-only', state: 'enabledForReportingButNotEnforced',
      conditions: { users: { includeUsers: ['All'] }, applications: { includeApplications: ['All'] }, clientAppTypes: ['all'] },
      grantControls: { operator: 'OR', builtInControls: ['mfa'] },
    });
    assert.equal(policy.status, 201, JSON.stringify(policy.body));
    const url = `${first.origin}/${tenantId}/oauth2/v2.0/token`;
    const ok: string[] = [];
    const refusedWithStatus: { status: number; body: string }[] = [];
    const failed: string[] = [];
    let stopped = false;

    const loop = async (): Promise<void> => {
      while (!stopped) {
        // Our own correlation id on every request, so even the ones cut short are known.
        const requestId = randomUUID();
        try {
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'client-request-id': requestId },
            body: new URLSearchParams({ grant_type: 'client_credentials', client_id: adminClient.clientId, client_secret: adminClient.clientSecret, scope: 'https://graph.microsoft.com/.default' }),
          });
          const text = await res.text();
          if (res.status === 200) {
            assert.equal(res.headers.get('client-request-id'), requestId, 'the server answers with the correlation id it was given');
            assert.match(text, /"access_token"/);
            ok.push(requestId);
          } else {
            refusedWithStatus.push({ status: res.status, body: text.slice(0, 300) });
          }
        } catch (e) {
          if (e instanceof assert.AssertionError) throw e;
          failed.push(requestId); // connection reset or refused: the process is gone
        }
      }
    };

    const loops = Array.from({ length: 8 }, loop);
    await new Promise((r) => setTimeout(r, 1500));
    await first.kill();
    stopped = true;
    await Promise.all(loops);

    assert.equal(first.child.signalCode, 'SIGKILL', 'the first process died by SIGKILL, not by a clean shutdown');
    assert.deepEqual(refusedWithStatus, [], 'every answered request succeeded');
    assert.ok(ok.length >= 20, `enough load before the crash (${ok.length} successes)`);
    assert.ok(failed.length >= 1, 'requests were in flight when the process was killed');

    second = await startMonban({ dataDir: first.dataDir, databaseUrl: first.databaseUrl });
    assert.equal(second.bootstrap.tenantId, tenantId);
    const token = await adminToken(second);
    const logged = new Map<string, number>();
    const lists = new Map<string, string[]>();
    let path: string | undefined = `/auditLogs/signIns?$top=999&$filter=${encodeURIComponent(`appId eq '${adminClient.clientId}'`)}`;
    let pages = 0;
    while (path) {
      const page: { status: number; body: SignInPage } = await graph<SignInPage>(second, token, 'GET', path);
      assert.equal(page.status, 200, JSON.stringify(page.body));
      for (const r of page.body.value) {
        assert.equal(r.appId, adminClient.clientId);
        logged.set(r.correlationId, r.status.errorCode);
        lists.set(r.correlationId, r.appliedConditionalAccessPolicies.map((p) => p.id));
      }
      const next = page.body['@odata.nextLink'];
      path = next ? next.slice(next.indexOf('/v1.0') + '/v1.0'.length) : undefined;
      assert.ok(++pages < 100, 'paging ends');
    }

    t.diagnostic(`${ok.length} successes observed, ${failed.length} requests cut off by the kill, ${logged.size} records after restart`);
    const missing = ok.filter((id) => !logged.has(id));
    assert.deepEqual(missing, [], `${missing.length} of ${ok.length} observed successes have no sign-in record`);
    assert.ok(logged.size >= ok.length, 'at least as many records as observed successes');
    for (const id of ok) assert.equal(logged.get(id), 0, `the record of ${id} is a success`);
    for (const id of ok) assert.deepEqual(lists.get(id), [policy.body.id], `the record of ${id} has its policy list`);
  });
});
