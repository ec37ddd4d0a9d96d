// fast-check against a real server process: random and hostile token requests, authorize
// queries, admin API bodies and list queries. Whatever arrives, the server answers without a
// 5xx, without a stack trace or a source path, with a stable error code and a sentence in
// the endpoint's own shape, and writes nothing for a request it refused.
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import {
  anyJson, b64url, encodeBody, fakeJwt, fieldValue, malformedJson, nastyText, paramPairs, pathSegment, pkceVerifier, tokenBody,
} from './support/fuzz-arbitraries.js';
import { answerOf, assertAuthorizeAnswer, assertGraphAnswer, assertTokenAnswer, type Answer } from './support/fuzz-checks.js';
import { adminToken, graph, startMonban, type MonbanProcess } from './support/server.js';

const numRuns = Number(process.env.MONBAN_FUZZ_RUNS ?? 150);
const graphId = '00000003-0000-0000-c000-000000000000';
const headerSafe = (s: string): boolean => /^[\x20-\x7e]*$/.test(s);

interface Listed { id: string; [k: string]: unknown }

describe('fuzz: hostile input against a real server', () => {
  let m: MonbanProcess;
  let token: string;
  const publicRedirect = 'http://127.0.0.1/callback';
  const webRedirect = 'https://app.example.test/callback';
  let publicClientId = '';
  let webClientId = '';
  let webClientSecret = '';
  const redirectsOf = new Map<string, string[]>();
  // What the admin fuzz created (2xx answers only), and what existed before it.
  const initial = { users: new Set<string>(), groups: new Set<string>(), applications: new Set<string>(), servicePrincipals: new Set<string>() };
  const created = { users: new Map<string, string>(), groups: new Set<string>(), applications: new Set<string>(), servicePrincipals: new Set<string>() };
  const memberships = new Map<string, Set<string>>();

  const listAll = async (path: string): Promise<Listed[]> => {
    const out: Listed[] = [];
    let next: string | undefined = `${path}${path.includes('?') ? '&' : '?'}$top=999`;
    while (next) {
      const page: { status: number; body: { value: Listed[]; '@odata.nextLink'?: string } } = await graph(m, token, 'GET', next);
      assert.equal(page.status, 200, `${path}: ${JSON.stringify(page.body)}`);
      out.push(...page.body.value);
      const link = page.body['@odata.nextLink'];
      next = link ? link.slice(link.indexOf('/v1.0') + 5) : undefined;
    }
    return out;
  };

  before(async () => {
    m = await startMonban();
    token = await adminToken(m);
    const pub = await graph<{ appId: string }>(m, token, 'POST', '/applications', { displayName: 'Fuzz native', isFallbackPublicClient: true, publicClient: { redirectUris: [publicRedirect] } });
    const web = await graph<{ id: string; appId: string }>(m, token, 'POST', '/applications', { displayName: 'Fuzz web', web: { redirectUris: [webRedirect] } });
    const secret = await graph<{ secretText: string }>(m, token, 'POST', `/applications/${web.body.id}/addPassword`, {});
    publicClientId = pub.body.appId;
    webClientId = web.body.appId;
    webClientSecret = secret.body.secretText;
    redirectsOf.set(publicClientId, [publicRedirect]);
    redirectsOf.set(webClientId, [webRedirect]);
    redirectsOf.set(m.bootstrap.adminClient.clientId, ['http://localhost']);
    for (const u of await listAll('/users')) initial.users.add(u.id);
    for (const g of await listAll('/groups')) initial.groups.add(g.id);
    for (const a of await listAll('/applications')) initial.applications.add(a.id);
    for (const s of await listAll('/servicePrincipals')) initial.servicePrincipals.add(s.id);
  });
  after(async () => { await m?.dispose(); });

  const send = async (method: string, url: string, init: { body?: string | Uint8Array; contentType?: string | undefined; headers?: Record<string, string> } = {}): Promise<Answer> => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.contentType !== undefined) headers['content-type'] = init.contentType;
    try {
      const res = await fetch(url, { method, headers, redirect: 'manual', signal: AbortSignal.timeout(15_000), ...(init.body === undefined ? {} : { body: init.body }) });
      return await answerOf(res);
    } catch (e) {
      const cause = e instanceof Error && e.cause instanceof Error ? `${e.message}: ${e.cause.message}` : String(e);
      return assert.fail(`${method} ${url.slice(0, 200)}: no answer (${cause})`);
    }
  };

  const admin = (method: string, path: string, body?: { json: unknown } | { raw: string; contentType?: string }): Promise<Answer> => {
    if (!body) return send(method, `${m.origin}/v1.0${path}`, { headers: { authorization: `Bearer ${token}` } });
    if ('json' in body) return send(method, `${m.origin}/v1.0${path}`, { body: JSON.stringify(body.json) ?? 'null', contentType: 'application/json', headers: { authorization: `Bearer ${token}` } });
    return send(method, `${m.origin}/v1.0${path}`, { body: body.raw, contentType: body.contentType ?? 'application/json', headers: { authorization: `Bearer ${token}` } });
  };

  /** A body for an admin POST/PATCH: a plausible object, any JSON, or not JSON at all. */
  const adminBody = (object: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<{ json: unknown } | { raw: string; contentType?: string }> => fc.oneof(
    { weight: 8, arbitrary: fc.tuple(object, fc.dictionary(fc.string({ maxLength: 10 }), anyJson, { maxKeys: 3 })).map(([o, extra]) => ({ json: { ...extra, ...o } })) },
    { weight: 1, arbitrary: anyJson.map((json) => ({ json })) },
    { weight: 2, arbitrary: malformedJson.map((raw) => ({ raw })) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'application/json; charset=utf-16'), fc.string({ maxLength: 40 })).map(([contentType, raw]) => ({ raw, contentType })) },
  );

  test('token endpoint: random form fields, content types, garbage bytes and oversized bodies', async () => {
    const { tenantId, adminClient } = m.bootstrap;
    const ids = [adminClient.clientId, publicClientId, webClientId];
    const pairs = paramPairs({
      grant_type: fc.oneof(fc.constantFrom('client_credentials', 'authorization_code', 'refresh_token', 'password', 'implicit', 'urn:ietf:params:oauth:grant-type:device_code', 'urn:ietf:params:oauth:grant-type:jwt-bearer', 'urn:ietf:params:oauth:grant-type:token-exchange'), nastyText),
      client_id: fc.oneof(fc.constantFrom(...ids), fc.uuid(), nastyText),
      client_secret: fc.oneof(fc.constantFrom(adminClient.clientSecret, webClientSecret), nastyText),
      scope: fc.oneof(fc.constantFrom('https://graph.microsoft.com/.default', `${graphId}/.default`, 'openid profile offline_access', 'User.Read', 'api://unknown/.default https://graph.microsoft.com/.default', 'https://graph.microsoft.com/.default openid'), nastyText),
      refresh_token: fc.oneof(fc.base64String({ maxLength: 60 }), nastyText),
      code: fc.oneof(fc.base64String({ maxLength: 60 }), nastyText),
      code_verifier: fc.oneof(pkceVerifier, nastyText),
      redirect_uri: fc.oneof(fc.constantFrom(publicRedirect, webRedirect), fc.webUrl(), nastyText),
      resource: fc.oneof(fc.constantFrom('https://graph.microsoft.com', graphId, 'https://unknown.example'), nastyText),
      client_assertion: fc.oneof(fakeJwt(ids), nastyText),
      client_assertion_type: fc.oneof(fc.constant('urn:ietf:params:oauth:client-assertion-type:jwt-bearer'), nastyText),
    });
    const authorization = fc.option(fc.oneof(
      fc.tuple(fc.oneof(fc.constantFrom(...ids), nastyText), fc.oneof(fc.constantFrom(adminClient.clientSecret, webClientSecret), nastyText))
        .map(([id, secret]) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`),
      fc.tuple(fc.constantFrom('%', '%zz', '%E0%A4%A', 'a%2', ''), fc.string({ maxLength: 10 })).map(([id, secret]) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`),
      nastyText.filter(headerSafe).map((s) => `Basic ${s}`),
      fc.constantFrom('Bearer x', 'Basic', 'basic Og==', 'Digest x'),
    ), { nil: undefined });
    const alias = fc.constantFrom(tenantId, 'organizations', 'common', 'monban.local', tenantId.toUpperCase());

    const statuses = new Map<number, number>();
    await fc.assert(fc.asyncProperty(alias, tokenBody(pairs), authorization, async (tenant, body, auth) => {
      const { body: payload, contentType } = encodeBody(body);
      const answer = await send('POST', `${m.origin}/${tenant}/oauth2/v2.0/token`, { body: payload, contentType, headers: auth ? { authorization: auth } : {} });
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      assertTokenAnswer(answer, `POST /${tenant}/oauth2/v2.0/token (${body.kind})`);
    }), { numRuns });
    assert.ok([...statuses.keys()].some((s) => s >= 400), 'the fuzz reached error answers');
  });

  test('authorize endpoint: random query strings', async () => {
    const { tenantId } = m.bootstrap;
    const ids = [publicClientId, webClientId];
    const pairs = paramPairs({
      response_type: fc.oneof(fc.constantFrom('code', 'token', 'id_token', 'code id_token', 'none', ''), nastyText),
      client_id: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...ids) }, fc.uuid(), nastyText),
      redirect_uri: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(publicRedirect, webRedirect) }, fc.webUrl(), fc.constantFrom('http://127.0.0.1:9/callback', 'http://127.0.0.1/callback/../evil', 'https://evil.example/callback', 'javascript:alert(1)'), nastyText),
      scope: fc.oneof(fc.constantFrom('openid', 'openid profile offline_access', 'openid https://graph.microsoft.com/User.Read', 'https://graph.microsoft.com/.default', 'api://unknown/.default openid', 'openid email profile'), nastyText),
      code_challenge: fc.oneof(pkceVerifier, nastyText),
      code_challenge_method: fc.oneof(fc.constantFrom('S256', 'plain', 's256'), nastyText),
      prompt: fc.oneof(fc.constantFrom('none', 'login', 'consent', 'select_account', 'create', 'none login', 'login consent'), nastyText),
      max_age: fc.oneof(fc.integer({ min: -10, max: 1_000_000 }).map(String), fc.constantFrom('abc', '1e10', '1.5', ''), nastyText),
      login_hint: fc.oneof(fc.emailAddress(), nastyText),
      state: fc.oneof(fc.base64String({ maxLength: 30 }), nastyText),
      nonce: fc.oneof(fc.base64String({ maxLength: 30 }), nastyText),
      response_mode: fc.oneof(fc.constantFrom('query', 'fragment', 'form_post', 'jwt', 'web_message', 'query.jwt'), nastyText),
      claims: fc.oneof(anyJson.map((v) => JSON.stringify(v) ?? 'null'), nastyText),
      id_token_hint: fc.oneof(fakeJwt(ids), nastyText),
      request: fc.oneof(fakeJwt(ids), nastyText),
      request_uri: fc.oneof(fc.webUrl(), nastyText),
      domain_hint: nastyText,
      ui_locales: fc.oneof(fc.constantFrom('en', 'de-DE fr', 'xx'), nastyText),
    });
    const alias = fc.constantFrom(tenantId, 'organizations', 'common', 'monban.local');
    const seen = new Map<string, number>();
    await fc.assert(fc.asyncProperty(alias, pairs, async (tenant, query) => {
      const url = `${m.origin}/${tenant}/oauth2/v2.0/authorize?${new URLSearchParams(query).toString()}`;
      const answer = await send('GET', url);
      const named = query.filter(([k]) => k === 'client_id').map(([, v]) => v);
      const redirectUris = named.flatMap((id) => redirectsOf.get(id) ?? []);
      const kind = assertAuthorizeAnswer(answer, `GET ${url.slice(0, 300)}`, { origin: m.origin, loginPath: `/${tenantId}/login/`, redirectUris });
      seen.set(kind, (seen.get(kind) ?? 0) + 1);
    }), { numRuns });
    assert.ok((seen.get('page') ?? 0) > 0 && (seen.get('redirected-error') ?? 0) + (seen.get('login') ?? 0) > 0, `both error pages and redirects were reached: ${JSON.stringify([...seen])}`);
  });

  test('admin API: POST /users with random and malformed bodies', async () => {
    const upn = fc.oneof(fc.integer({ min: 0, max: 25 }).map((n) => `fuzz${n}@monban.local`), fc.integer({ min: 0, max: 25 }).map((n) => `FUZZ${n}@Monban.Local`), fc.emailAddress());
    const user = fc.record({
      userPrincipalName: fieldValue(upn),
      displayName: fieldValue(fc.string({ minLength: 1, maxLength: 40 })),
      accountEnabled: fieldValue(fc.boolean()),
      mail: fieldValue(fc.oneof(fc.emailAddress(), fc.constant(null))),
      givenName: fieldValue(fc.string({ maxLength: 70 })),
      surname: fieldValue(fc.string({ maxLength: 70 })),
      passwordProfile: fc.oneof(fc.record({ password: fieldValue(fc.string({ minLength: 6, maxLength: 30 })), forceChangePasswordNextSignIn: fieldValue(fc.boolean()) }, { requiredKeys: [] }), anyJson),
      userType: fieldValue(fc.constantFrom('Member', 'Guest')),
      id: fieldValue(fc.uuid()),
    }, { requiredKeys: [] });
    await fc.assert(fc.asyncProperty(adminBody(user), async (body) => {
      const answer = await admin('POST', '/users', body);
      const created201 = assertGraphAnswer(answer, 'POST /v1.0/users', [201, 400, 409]) as { id?: unknown; userPrincipalName?: unknown } | undefined;
      if (answer.status === 201) {
        assert.ok(created201 && typeof created201.id === 'string' && typeof created201.userPrincipalName === 'string');
        if ('json' in body) assert.equal(created201.userPrincipalName, (body.json as { userPrincipalName?: unknown }).userPrincipalName, 'the created user has the UPN that was sent');
        assert.ok(!initial.users.has(created201.id) && !created.users.has(created201.id), 'a new id');
        created.users.set(created201.id, created201.userPrincipalName);
      }
    }), { numRuns });
  });

  test('admin API: POST /groups with random and malformed bodies', async () => {
    const group = fc.record({
      displayName: fieldValue(fc.string({ minLength: 1, maxLength: 40 })),
      description: fieldValue(fc.oneof(fc.string({ maxLength: 80 }), fc.constant(null))),
      mailNickname: fieldValue(fc.string({ maxLength: 70 })),
      securityEnabled: fieldValue(fc.boolean()),
      mailEnabled: fieldValue(fc.boolean()),
      groupTypes: fieldValue(fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 })),
    }, { requiredKeys: [] });
    await fc.assert(fc.asyncProperty(adminBody(group), async (body) => {
      const answer = await admin('POST', '/groups', body);
      const g = assertGraphAnswer(answer, 'POST /v1.0/groups', [201, 400]) as { id?: unknown } | undefined;
      if (answer.status === 201) {
        assert.ok(g && typeof g.id === 'string');
        created.groups.add(g.id);
      }
    }), { numRuns });
  });

  test('admin API: POST /applications with random and malformed bodies', async () => {
    const uris = fc.array(fc.oneof(fc.webUrl(), fc.constantFrom('http://127.0.0.1/cb', 'ms-app://x', 'not a url'), nastyText), { maxLength: 3 });
    const app = fc.record({
      displayName: fieldValue(fc.string({ minLength: 1, maxLength: 40 })),
      isFallbackPublicClient: fieldValue(fc.boolean()),
      web: fieldValue(fc.record({ redirectUris: fieldValue(uris) }, { requiredKeys: [] })),
      publicClient: fieldValue(fc.record({ redirectUris: fieldValue(uris) }, { requiredKeys: [] })),
      spa: fieldValue(fc.record({ redirectUris: fieldValue(uris) }, { requiredKeys: [] })),
      identifierUris: fieldValue(fc.array(fc.oneof(fc.webUrl(), nastyText), { maxLength: 3 })),
      appRoles: fieldValue(fc.array(fc.record({ id: fieldValue(fc.uuid()), value: fieldValue(fc.string({ minLength: 1, maxLength: 20 })), displayName: fieldValue(fc.string()) }, { requiredKeys: [] }), { maxLength: 2 })),
      api: fieldValue(fc.record({ oauth2PermissionScopes: fieldValue(fc.array(fc.record({ id: fieldValue(fc.uuid()), value: fieldValue(fc.string({ minLength: 1, maxLength: 20 })) }, { requiredKeys: [] }), { maxLength: 2 })) }, { requiredKeys: [] })),
      tokenSigningAlgorithm: fieldValue(fc.constantFrom('ES256', 'RS256', 'HS256', 'none')),
      appId: fieldValue(fc.uuid()),
    }, { requiredKeys: [] });
    await fc.assert(fc.asyncProperty(adminBody(app), async (body) => {
      const answer = await admin('POST', '/applications', body);
      const a = assertGraphAnswer(answer, 'POST /v1.0/applications', [201, 400, 409]) as { id?: unknown } | undefined;
      if (answer.status === 201) {
        assert.ok(a && typeof a.id === 'string');
        created.applications.add(a.id);
      }
    }), { numRuns });
  });

  test('admin API: PATCH /users/{id} changes everything it was asked to or nothing', async () => {
    const ids = (): string[] => [...created.users.keys()];
    const patch = fc.record({
      userPrincipalName: fieldValue(fc.oneof(fc.integer({ min: 0, max: 25 }).map((n) => `fuzz${n}@monban.local`), fc.emailAddress())),
      displayName: fieldValue(fc.string({ minLength: 1, maxLength: 40 })),
      accountEnabled: fieldValue(fc.boolean()),
      mail: fieldValue(fc.oneof(fc.emailAddress(), fc.constant(null))),
      givenName: fieldValue(fc.string({ maxLength: 70 })),
      surname: fieldValue(fc.string({ maxLength: 70 })),
      passwordProfile: fc.oneof(fc.record({ password: fieldValue(fc.string({ minLength: 6, maxLength: 30 })) }, { requiredKeys: [] }), anyJson),
    }, { requiredKeys: [] });
    await fc.assert(fc.asyncProperty(pathSegment(ids), adminBody(patch), async (id, body) => {
      const known = created.users.has(id);
      const before = known ? await admin('GET', `/users/${id}`) : undefined;
      const answer = await admin('PATCH', `/users/${id}`, body);
      assertGraphAnswer(answer, `PATCH /v1.0/users/${id.slice(0, 60)}`, [204, 400, 404, 409]);
      if (!known || !before) return;
      const afterwards = await admin('GET', `/users/${id}`);
      const was = JSON.parse(before.text) as Record<string, unknown>;
      const now = JSON.parse(afterwards.text) as Record<string, unknown>;
      if (answer.status !== 204) {
        assert.deepEqual(now, was, 'a refused PATCH changed nothing');
        return;
      }
      if (typeof now.userPrincipalName === 'string') created.users.set(id, now.userPrincipalName);
      if (!('json' in body)) return; // a raw body the parser still read (a BOM, a form): no field expectations
      const sent = body.json as Record<string, unknown>;
      for (const field of ['userPrincipalName', 'displayName', 'accountEnabled', 'mail', 'givenName', 'surname']) {
        if (field in sent) assert.deepEqual(now[field], sent[field], `PATCH set ${field}`);
        else assert.deepEqual(now[field], was[field], `PATCH left ${field} alone`);
      }
    }), { numRuns });
  });

  test('admin API: POST /groups/{id}/members/$ref with random references', async () => {
    const groups = (): string[] => [...created.groups];
    const members = (): string[] => [...created.users.keys(), ...created.groups];
    const ref = fc.oneof(
      { weight: 4, arbitrary: pathSegment(members).map((id) => `https://graph.microsoft.com/v1.0/directoryObjects/${id}`) },
      { weight: 1, arbitrary: pathSegment(members) },
      { weight: 1, arbitrary: nastyText },
    );
    const body = fc.oneof(
      { weight: 6, arbitrary: fc.record({ '@odata.id': fieldValue(ref) }, { requiredKeys: [] }).map((json) => ({ json })) },
      { weight: 1, arbitrary: anyJson.map((json) => ({ json })) },
      { weight: 1, arbitrary: malformedJson.map((raw) => ({ raw })) },
    );
    let added = 0;
    await fc.assert(fc.asyncProperty(pathSegment(groups), body, async (groupId, b) => {
      const answer = await admin('POST', `/groups/${groupId}/members/$ref`, b);
      assertGraphAnswer(answer, `POST /v1.0/groups/${groupId.slice(0, 60)}/members/$ref`, [204, 400, 404, 409]);
      if (answer.status === 204) {
        const target = String(('json' in b ? (b.json as Record<string, unknown>)['@odata.id'] : '') ?? '').split('/').pop() ?? '';
        const set = memberships.get(groupId) ?? new Set<string>();
        assert.ok(!set.has(target), 'a second add of the same member is refused, not accepted');
        set.add(target);
        memberships.set(groupId, set);
        added++;
      }
    }), { numRuns });
    assert.ok(added > 0, 'some references were valid and added');
  });

  test('admin API: random $filter, $top, $skiptoken on /users and /auditLogs/signIns', async () => {
    const prop = fc.constantFrom('id', 'userPrincipalName', 'displayName', 'accountEnabled', 'createdDateTime', 'appId', 'status/errorCode', 'correlationId', 'userId', 'signInEventTypes', 'monban/reason', 'nonexistent', 'a/b/c/d', 'status');
    const literal = fc.oneof(
      fc.string({ maxLength: 10 }).map((s) => `'${s.replace(/'/g, "''")}'`),
      fc.integer().map(String),
      fc.double().map(String),
      fc.uuid(),
      fc.constantFrom('true', 'false', 'null', '2024-01-01', '2024-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '0000-01-01', '2024-13-45T99:99:99Z', '2024-01-01T00:00+14:00'),
    );
    const { expr } = fc.letrec<{ expr: string }>((tie) => ({
      expr: fc.oneof({ depthSize: 'small', withCrossShrink: true },
        fc.tuple(prop, fc.constantFrom('eq', 'ne', 'gt', 'ge', 'lt', 'le', 'EQ', 'has', 'any'), literal).map(([p, o, v]) => `${p} ${o} ${v}`),
        fc.tuple(prop, fc.array(literal, { maxLength: 4 })).map(([p, vs]) => `${p} in (${vs.join(',')})`),
        fc.tuple(prop, literal).map(([p, v]) => `startswith(${p},${v})`),
        fc.tuple(tie('expr'), fc.constantFrom('and', 'or', 'AND', 'xor'), tie('expr')).map(([a, o, b]) => `${a} ${o} ${b}`),
        tie('expr').map((e) => `not ${e}`),
        tie('expr').map((e) => `(${e})`),
      ),
    }));
    const filter = fc.oneof(
      { weight: 5, arbitrary: expr },
      { weight: 2, arbitrary: nastyText },
      { weight: 1, arbitrary: fc.integer({ min: 40, max: 1500 }).map((n) => `${'('.repeat(n)}id eq 'x'${')'.repeat(n)}`) },
      { weight: 1, arbitrary: fc.integer({ min: 40, max: 600 }).map((n) => `${'not '.repeat(n)}id eq 'x'`) },
      { weight: 1, arbitrary: fc.integer({ min: 10, max: 300 }).map((n) => Array.from({ length: n }, () => "id eq 'x'").join(' and ')) },
    );
    const top = fc.oneof(fc.integer({ min: -5, max: 1200 }).map(String), fc.constantFrom('', '1.5', 'abc', '1e2', ' 5', '0x10', '999', '1000', '-0', '00001'), nastyText);
    const skiptoken = fc.oneof(
      fc.oneof(fc.integer().map(String), fc.double().map(String), fc.bigInt().map(String), fc.constantFrom('1e300', '-1', '1.5', '9007199254740993', '0')).map(b64url),
      fc.base64String({ maxLength: 20 }),
      nastyText,
    );
    const query = paramPairs({ $filter: filter, $top: top, $skiptoken: skiptoken, $select: fc.oneof(fc.constantFrom('id,displayName', 'id', '', ',,', 'status/errorCode'), nastyText), $count: fc.oneof(fc.constantFrom('true', 'false'), nastyText), $orderby: nastyText });
    const path = fc.constantFrom('/users', '/auditLogs/signIns', '/groups', '/applications', '/servicePrincipals');
    const seen = new Map<number, number>();
    await fc.assert(fc.asyncProperty(path, query, async (p, q) => {
      const answer = await admin('GET', `${p}?${new URLSearchParams(q).toString()}`);
      const body = assertGraphAnswer(answer, `GET /v1.0${p}?${new URLSearchParams(q).toString().slice(0, 300)}`, [200, 400]);
      seen.set(answer.status, (seen.get(answer.status) ?? 0) + 1);
      if (answer.status === 200) assert.ok(body && typeof body === 'object' && Array.isArray((body as { value?: unknown }).value), 'a list answer has a value array');
    }), { numRuns });
    assert.ok((seen.get(200) ?? 0) > 0 && (seen.get(400) ?? 0) > 0, `both answers were reached: ${JSON.stringify([...seen])}`);
  });

  test('no partial writes: exactly the objects whose creation answered 2xx exist', async () => {
    const users = new Map((await listAll('/users')).map((u) => [u.id, u]));
    const expectedUsers = new Set([...initial.users, ...created.users.keys()]);
    assert.deepEqual(new Set(users.keys()), expectedUsers, 'users: the initial ones plus the 201s, nothing else');
    for (const [id, upn] of created.users) assert.equal(users.get(id)?.userPrincipalName, upn, `user ${id} has the UPN of its last successful write`);

    const groups = new Set((await listAll('/groups')).map((g) => g.id));
    assert.deepEqual(groups, new Set([...initial.groups, ...created.groups]), 'groups: the initial ones plus the 201s');

    const apps = await listAll('/applications');
    assert.deepEqual(new Set(apps.map((a) => a.id)), new Set([...initial.applications, ...created.applications]), 'applications: the initial ones plus the 201s');
    const sps = await listAll('/servicePrincipals');
    assert.equal(sps.length, initial.servicePrincipals.size + created.applications.size, 'one service principal per created application, none for refused ones');
    const appIds = new Set(apps.map((a) => a.appId));
    for (const sp of sps) if (!initial.servicePrincipals.has(sp.id)) assert.ok(appIds.has(sp.appId), `service principal ${sp.id} belongs to an application`);

    for (const groupId of created.groups) {
      const members = new Set((await listAll(`/groups/${groupId}/members`)).map((x) => x.id));
      assert.deepEqual(members, memberships.get(groupId) ?? new Set<string>(), `members of ${groupId}: exactly the 204s`);
    }
  });
});
