// Conditional access end to end against a real server: S16 (report-only never enforces,
// but is logged), enforcement on the token path with the reference's error shape and claims
// challenge, the interactive "cannot satisfy" page, and S20 (a policy set exported from the
// reference, imported through the Graph API with its ids remapped, evaluated for a table of
// sign-ins; the live token endpoint agrees with What If).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodeText, parseNamedLocationFile, parsePolicyFile } from '@monban/policy';
import * as client from 'openid-client';
import type { Browser } from 'playwright-core';
import { launchBrowser, newContext, signInInBrowser } from './support/browser.js';
import { adminToken, graph, startMonban, type MonbanProcess } from './support/server.js';

interface SignInRow {
  correlationId: string;
  userId: string | null;
  isInteractive: boolean;
  conditionalAccessStatus: string;
  status: { errorCode: number; additionalDetails: string | null };
  appliedConditionalAccessPolicies: { id: string; displayName: string; result: string; enforcedGrantControls: string[] }[];
}

const redirectUri = 'https://ca.example.test/callback';

async function setup(m: MonbanProcess, admin: string, username: string, password: string): Promise<{ config: client.Configuration; userId: string }> {
  const created = await graph<{ id: string }>(m, admin, 'POST', '/users', { userPrincipalName: username, displayName: username, passwordProfile: { password } });
  assert.equal(created.status, 201);
  const app = await graph<{ id: string; appId: string }>(m, admin, 'POST', '/applications', { displayName: `App for ${username}`, web: { redirectUris: [redirectUri] } });
  const secret = await graph<{ secretText: string }>(m, admin, 'POST', `/applications/${app.body.id}/addPassword`, {});
  return { config: await client.discovery(new URL(m.bootstrap.issuer), app.body.appId, secret.body.secretText), userId: created.body.id };
}

async function interactiveSignIn(browser: Browser, config: client.Configuration, username: string, password: string): Promise<client.TokenEndpointResponse> {
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid profile offline_access', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state: 'x' });
  const context = await newContext(browser);
  try {
    const landed = await signInInBrowser(await context.newPage(), url.href, redirectUri, { username, password });
    return await client.authorizationCodeGrant(config, new URL(landed), { pkceCodeVerifier: verifier, expectedState: 'x' });
  } finally {
    await context.close();
  }
}

async function refresh(m: MonbanProcess, config: client.Configuration, refreshToken: string, secret: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${m.origin}/${m.bootstrap.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: config.clientMetadata().client_id, client_secret: secret }),
  });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
}

async function signInsOf(m: MonbanProcess, admin: string, userId: string): Promise<SignInRow[]> {
  const r = await graph<{ value: SignInRow[] }>(m, admin, 'GET', `/auditLogs/signIns?$filter=${encodeURIComponent(`userId eq '${userId}'`)}`);
  return r.body.value;
}

describe('conditional access enforced in the sign-in pipeline', () => {
  let m: MonbanProcess;
  let browser: Browser;
  let admin: string;
  before(async () => { m = await startMonban(); browser = await launchBrowser(); admin = await adminToken(m); });
  after(async () => { await browser?.close(); await m?.dispose(); });

  test('S16: a report-only policy that would block is evaluated and logged, never enforced', async () => {
    const { config, userId } = await setup(m, admin, 's16@monban.local', 'S16-Passw0rd!');
    const policy = await graph<{ id: string; '@monban.lint': unknown[] }>(m, admin, 'POST', '/identity/conditionalAccess/policies', {
      displayName: 'S16 report-only block', state: 'enabledForReportingButNotEnforced',
      conditions: { users: { includeUsers: [userId] }, applications: { includeApplications: ['All'] }, clientAppTypes: ['all'] },
      grantControls: { operator: 'OR', builtInControls: ['block'] },
    });
    assert.equal(policy.status, 201, JSON.stringify(policy.body));
    const tokens = await interactiveSignIn(browser, config, 's16@monban.local', 'S16-Passw0rd!');
    assert.ok(tokens.access_token, 'allowed');
    const rows = await signInsOf(m, admin, userId);
    const interactive = rows.find((r) => r.isInteractive);
    assert.ok(interactive);
    assert.equal(interactive.status.errorCode, 0);
    const applied = interactive.appliedConditionalAccessPolicies.find((p) => p.id === policy.body.id);
    assert.equal(applied?.result, 'reportOnlyFailure');
    assert.equal(interactive.conditionalAccessStatus, 'notApplied', 'report-only results do not count as applied');
    await graph(m, admin, 'DELETE', `/identity/conditionalAccess/policies/${policy.body.id}`);
  });

  test('an enforced policy applies on the token path: refresh refused with 53003, the reference body and a claims challenge', async () => {
    const { config, userId } = await setup(m, admin, 'blocked@monban.local', 'Bl0cked-Passw0rd!');
    const secret = await graph<{ secretText: string }>(m, admin, 'POST', `/applications/${(await graph<{ value: { id: string; appId: string }[] }>(m, admin, 'GET', `/applications?$filter=${encodeURIComponent(`appId eq '${config.clientMetadata().client_id}'`)}`)).body.value[0]?.id ?? ''}/addPassword`, {});
    const tokens = await interactiveSignIn(browser, config, 'blocked@monban.local', 'Bl0cked-Passw0rd!');
    const policy = await graph<{ id: string }>(m, admin, 'POST', '/identity/conditionalAccess/policies', {
      displayName: 'Block this user', state: 'enabled',
      conditions: { users: { includeUsers: [userId] }, applications: { includeApplications: ['All'] }, clientAppTypes: ['all'] },
      grantControls: { operator: 'OR', builtInControls: ['block'] },
    });
    assert.equal(policy.status, 201);
    const res = await refresh(m, config, tokens.refresh_token ?? '', secret.body.secretText);
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'invalid_grant');
    assert.deepEqual(res.body.error_codes, [53003]);
    assert.match(String(res.body.error_description), /^AADSTS53003: /);
    assert.equal(res.body.suberror, 'message_only');
    assert.deepEqual(JSON.parse(String(res.body.claims)), { access_token: { capolids: { essential: true, values: [policy.body.id] } } });
    const row = (await signInsOf(m, admin, userId)).find((r) => r.correlationId === res.body.correlation_id);
    assert.ok(row, 'the refused refresh is in the sign-in log');
    assert.equal(row.status.errorCode, 53003);
    assert.equal(row.conditionalAccessStatus, 'failure');
    assert.deepEqual(row.appliedConditionalAccessPolicies.find((p) => p.id === policy.body.id)?.enforcedGrantControls, ['Block']);
    await graph(m, admin, 'DELETE', `/identity/conditionalAccess/policies/${policy.body.id}`);
    const after = await refresh(m, config, tokens.refresh_token ?? '', secret.body.secretText);
    assert.equal(after.status, 200, 'policy removed: the same refresh token works (it was not consumed by the refusal)');
  });

  test('require MFA: the interactive page says what is needed and why, with the code; the log names the policy', async () => {
    const { config, userId } = await setup(m, admin, 'mfa@monban.local', 'Mfa-Passw0rd!1');
    const policy = await graph<{ id: string }>(m, admin, 'POST', '/identity/conditionalAccess/policies', {
      displayName: 'Require MFA for mfa@', state: 'enabled',
      conditions: { users: { includeUsers: [userId] }, applications: { includeApplications: ['All'] }, clientAppTypes: ['all'] },
      grantControls: { operator: 'OR', builtInControls: ['mfa'] },
    });
    await assert.rejects(interactiveSignIn(browser, config, 'mfa@monban.local', 'Mfa-Passw0rd!1'), /AADSTS50076/);
    const rows = await signInsOf(m, admin, userId);
    const interactive = rows.find((r) => r.isInteractive);
    assert.equal(interactive?.status.errorCode, 50076);
    assert.equal(interactive?.appliedConditionalAccessPolicies.find((p) => p.id === policy.body.id)?.result, 'failure');
    await graph(m, admin, 'DELETE', `/identity/conditionalAccess/policies/${policy.body.id}`);
  });

  test('README Policy A is accepted; lint warns that users in scope have no passwordless method (S4)', async () => {
    const policyA = {
      displayName: 'Policy A: passwordless MFA on Windows', state: 'enabled',
      conditions: { users: { includeUsers: ['All'] }, applications: { includeApplications: ['All'] }, platforms: { includePlatforms: ['windows'] }, clientAppTypes: ['all'] },
      grantControls: { operator: 'OR', authenticationStrength: { id: '00000000-0000-0000-0000-000000000003' } },
    };
    const created = await graph<{ id: string; state: string; '@monban.lint': { code: string; message: string }[] }>(m, admin, 'POST', '/identity/conditionalAccess/policies', policyA);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const codes = created.body['@monban.lint'].map((f) => f.code);
    assert.ok(codes.includes('strength_without_registered_method'), JSON.stringify(codes));
    assert.equal((await graph(m, admin, 'DELETE', `/identity/conditionalAccess/policies/${created.body.id}`)).status, 204);
  });

  test('a disabled user is refused with 50057, interactively and on refresh', async () => {
    const { config, userId } = await setup(m, admin, 'disabled@monban.local', 'Dis-Passw0rd!1');
    const app = (await graph<{ value: { id: string }[] }>(m, admin, 'GET', `/applications?$filter=${encodeURIComponent(`appId eq '${config.clientMetadata().client_id}'`)}`)).body.value[0];
    const secret = await graph<{ secretText: string }>(m, admin, 'POST', `/applications/${app?.id ?? ''}/addPassword`, {});
    const tokens = await interactiveSignIn(browser, config, 'disabled@monban.local', 'Dis-Passw0rd!1');
    assert.equal((await graph(m, admin, 'PATCH', `/users/${userId}`, { accountEnabled: false })).status, 204);
    const res = await refresh(m, config, tokens.refresh_token ?? '', secret.body.secretText);
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.error_codes, [50057]);
    await assert.rejects(interactiveSignIn(browser, config, 'disabled@monban.local', 'Dis-Passw0rd!1'), /AADSTS50057/);
    const rows = await signInsOf(m, admin, userId);
    assert.equal(rows.filter((r) => r.status.errorCode === 50057).length, 2);
  });

  test('custom authentication strengths and named locations: create, read, update, and no delete while a policy uses them', async () => {
    const strength = await graph<{ id: string; policyType: string; allowedCombinations: string[] }>(m, admin, 'POST', '/identity/conditionalAccess/authenticationStrength/policies', {
      displayName: 'Authenticator or key', description: 'push or FIDO2', allowedCombinations: ['password,microsoftAuthenticatorPush', 'fido2'],
    });
    assert.equal(strength.status, 201, JSON.stringify(strength.body));
    assert.equal(strength.body.policyType, 'custom');
    const base = `/identity/conditionalAccess/authenticationStrength/policies/${strength.body.id}`;
    assert.equal((await graph(m, admin, 'PATCH', base, { displayName: 'Authenticator or security key' })).status, 204);
    const updated = await graph<{ currentCombinations: string[] }>(m, admin, 'POST', `${base}/updateAllowedCombinations`, { allowedCombinations: ['fido2', 'windowsHelloForBusiness'] });
    assert.deepEqual(updated.body.currentCombinations, ['fido2', 'windowsHelloForBusiness']);
    const bad = await graph<{ error: { message: string } }>(m, admin, 'POST', `${base}/updateAllowedCombinations`, { allowedCombinations: ['carrierPigeon'] });
    assert.equal(bad.status, 400);
    assert.equal((await graph(m, admin, 'PATCH', '/identity/conditionalAccess/authenticationStrength/policies/00000000-0000-0000-0000-000000000003', { displayName: 'Mine now' })).status, 403);
    const modes = await graph<{ value: { id: string }[] }>(m, admin, 'GET', '/identity/conditionalAccess/authenticationStrength/authenticationMethodModes');
    assert.ok(modes.body.value.some((x) => x.id === 'fido2'));

    const location = await graph<{ id: string }>(m, admin, 'POST', '/identity/conditionalAccess/namedLocations', {
      '@odata.type': '#microsoft.graph.ipNamedLocation', displayName: 'Office', isTrusted: true, ipRanges: [{ '@odata.type': '#microsoft.graph.iPv4CidrRange', cidrAddress: '198.51.100.0/24' }],
    });
    assert.equal(location.status, 201, JSON.stringify(location.body));
    const locPath = `/identity/conditionalAccess/namedLocations/${location.body.id}`;
    assert.equal((await graph(m, admin, 'PATCH', locPath, { '@odata.type': '#microsoft.graph.ipNamedLocation', displayName: 'Head office' })).status, 204);
    assert.equal((await graph<{ displayName: string }>(m, admin, 'GET', locPath)).body.displayName, 'Head office');

    const policy = await graph<{ id: string }>(m, admin, 'POST', '/identity/conditionalAccess/policies', {
      displayName: 'Strong auth outside the office', state: 'enabledForReportingButNotEnforced',
      conditions: { users: { includeUsers: ['All'] }, applications: { includeApplications: ['All'] }, clientAppTypes: ['all'], locations: { includeLocations: ['All'], excludeLocations: [location.body.id] } },
      grantControls: { operator: 'OR', authenticationStrength: { id: strength.body.id } },
    });
    assert.equal(policy.status, 201, JSON.stringify(policy.body));
    assert.equal((await graph(m, admin, 'DELETE', base)).status, 409, 'a strength in use stays');
    assert.equal((await graph(m, admin, 'DELETE', locPath)).status, 409, 'a location in use stays');
    await graph(m, admin, 'DELETE', `/identity/conditionalAccess/policies/${policy.body.id}`);
    assert.equal((await graph(m, admin, 'DELETE', base)).status, 204);
    assert.equal((await graph(m, admin, 'DELETE', locPath)).status, 204);
  });

  test('persistent browser "never": no "stay signed in?" question, the session cookie dies with the browser', async () => {
    const { config, userId } = await setup(m, admin, 'kiosk@monban.local', 'Kiosk-Passw0rd!');
    const policy = await graph<{ id: string }>(m, admin, 'POST', '/identity/conditionalAccess/policies', {
      displayName: 'Never persist kiosk sessions', state: 'enabled',
      conditions: { users: { includeUsers: [userId] }, applications: { includeApplications: ['All'] }, clientAppTypes: ['all'] },
      sessionControls: { persistentBrowser: { isEnabled: true, mode: 'never' } },
    });
    assert.equal(policy.status, 201, JSON.stringify(policy.body));
    const url = client.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' });
    const context = await newContext(browser);
    const seen = { consent: false, staySignedIn: false };
    const landed = await signInInBrowser(await context.newPage(), url.href, redirectUri, { username: 'kiosk@monban.local', password: 'Kiosk-Passw0rd!' }, { seen });
    assert.ok(new URL(landed).searchParams.get('code'));
    assert.equal(seen.staySignedIn, false, 'the policy answered the question');
    const session = (await context.cookies()).find((c) => c.name === 'ESTSAUTH');
    assert.ok(session, 'a session cookie exists');
    assert.equal(session.expires, -1, 'and it is not persistent');
    await context.close();
    await graph(m, admin, 'DELETE', `/identity/conditionalAccess/policies/${policy.body.id}`);
    // Without the policy the user is asked, and "Yes" keeps the session across browser restarts.
    const again = await newContext(browser);
    const seenAgain = { consent: false, staySignedIn: false };
    await signInInBrowser(await again.newPage(), url.href, redirectUri, { username: 'kiosk@monban.local', password: 'Kiosk-Passw0rd!' }, { seen: seenAgain, staySignedIn: true });
    assert.equal(seenAgain.staySignedIn, true);
    const kept = (await again.cookies()).find((c) => c.name === 'ESTSAUTH');
    assert.ok(kept && kept.expires > Date.now() / 1000, 'persistent after "Yes"');
    await again.close();
  });

  test('policy validation errors name the dotted path; What If answers under /v1.0 and /beta', async () => {
    const bad = await graph<{ error: { code: string; message: string; innerError: { details?: { target: string }[] } } }>(m, admin, 'POST', '/identity/conditionalAccess/policies', {
      displayName: 'Broken', state: 'sometimes', conditions: { users: { includeUsers: 'All' } }, grantControls: { operator: 'XOR', builtInControls: ['mfa'] },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'BadRequest');
    const targets = (bad.body.error.innerError.details ?? []).map((d) => d.target);
    assert.ok(targets.includes('state'), JSON.stringify(targets));
    assert.ok(targets.some((t) => t.startsWith('grantControls.operator')), JSON.stringify(targets));
    const list = await graph<{ value: unknown[] }>(m, admin, 'GET', '/identity/conditionalAccess/policies');
    assert.ok(!JSON.stringify(list.body).includes('Broken'), 'nothing was written');
    const body = { signInIdentity: { '@odata.type': '#microsoft.graph.userSignIn', userId: '00000000-0000-0000-0000-0000000000aa' }, signInContext: { '@odata.type': '#microsoft.graph.applicationContext', includeApplications: ['00000003-0000-0000-c000-000000000000'] }, signInConditions: {} };
    for (const prefix of ['/v1.0', '/beta']) {
      const res = await fetch(`${m.origin}${prefix}/identity/conditionalAccess/evaluate`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.equal(res.status, 400, `${prefix}: an unknown user is refused`);
      const err = await res.json() as { error: { message: string } };
      assert.match(err.error.message, /signInIdentity\.userId/);
    }
  });
});

// ---- S20 ------------------------------------------------------------------------------
const corpus = new URL('../../shared/corpus/j0eyv__ConditionalAccessBaseline/Config/', import.meta.url).pathname;
const guidPattern = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

describe('S20: an exported policy set imported through the Graph API and evaluated for a table of sign-ins', { skip: existsSync(corpus) ? false : `corpus not found at ${corpus}` }, () => {
  let m: MonbanProcess;
  let admin: string;
  let internalUser = '';
  const idMap = new Map<string, string>();
  const policyIdsByName = new Map<string, string>();

  before(async () => {
    m = await startMonban();
    admin = await adminToken(m);
    // Groups: the exported ones, plus any id the policies reference (the "Internals" group
    // lives only in the export's migration table): a new tenant means new ids.
    const groupNames = new Map<string, string>();
    for (const f of readdirSync(join(corpus, 'Groups'))) {
      const decoded = decodeText(readFileSync(join(corpus, 'Groups', f)));
      if (!decoded.ok) continue;
      const g = JSON.parse(decoded.value.text) as { id: string; displayName: string };
      groupNames.set(g.id.toLowerCase(), g.displayName);
    }
    const policies = readdirSync(join(corpus, 'ConditionalAccess')).sort().flatMap((f) => {
      const r = parsePolicyFile(readFileSync(join(corpus, 'ConditionalAccess', f)));
      assert.ok(r.ok, f);
      return r.value.policies;
    });
    const referencedGroups = new Set(policies.flatMap((p) => [...(p.conditions?.users?.includeGroups ?? []), ...(p.conditions?.users?.excludeGroups ?? [])]).map((g) => g.toLowerCase()));
    for (const oldId of referencedGroups) {
      const created = await graph<{ id: string }>(m, admin, 'POST', '/groups', { displayName: groupNames.get(oldId) ?? (oldId === 'ceeac9b8-ddf5-48cb-afcb-e2ab8bfd1a57' ? 'Internals' : `Imported ${oldId.slice(0, 8)}`) });
      assert.equal(created.status, 201);
      idMap.set(oldId, created.body.id);
    }
    for (const f of readdirSync(join(corpus, 'NamedLocations'))) {
      const r = parseNamedLocationFile(readFileSync(join(corpus, 'NamedLocations', f)));
      if (!r.ok) continue;
      for (const loc of r.value.items) {
        const { id: oldId, ...rest } = loc as typeof loc & { id?: string };
        const created = await graph<{ id: string }>(m, admin, 'POST', '/identity/conditionalAccess/namedLocations', rest);
        assert.equal(created.status, 201, JSON.stringify(created.body));
        if (oldId) idMap.set(oldId.toLowerCase(), created.body.id);
      }
    }
    for (const p of policies) {
      const remapped = JSON.parse(JSON.stringify(p).replace(guidPattern, (g) => idMap.get(g.toLowerCase()) ?? g)) as Record<string, unknown>;
      delete remapped.id;
      const created = await graph<{ id: string; displayName: string }>(m, admin, 'POST', '/identity/conditionalAccess/policies', remapped);
      assert.equal(created.status, 201, `${String(p.displayName)}: ${JSON.stringify(created.body)}`);
      policyIdsByName.set(created.body.displayName, created.body.id);
    }
    const user = await graph<{ id: string }>(m, admin, 'POST', '/users', { userPrincipalName: 'internal@monban.local', displayName: 'Internal', passwordProfile: { password: 'Internal-Passw0rd!' } });
    internalUser = user.body.id;
    await graph(m, admin, 'POST', `/groups/${idMap.get('ceeac9b8-ddf5-48cb-afcb-e2ab8bfd1a57') ?? ''}/members/$ref`, { '@odata.id': `${m.origin}/v1.0/directoryObjects/${internalUser}` });
  });
  after(async () => { await m?.dispose(); });

  test('all 36 policies imported', async () => {
    const list = await graph<{ value: unknown[] }>(m, admin, 'GET', '/identity/conditionalAccess/policies?$top=999');
    assert.equal(list.body.value.length, 36);
  });

  const now = '2026-11-24T12:00:00Z';
  const mfaProven = { methods: ['windowsHelloForBusiness'], mfa: true, authTime: '2026-11-24T11:00:00Z', mfaSource: 'primaryRefreshToken' };
  const compliantPc = { deviceId: 'pc', isCompliant: true, trustType: 'AzureAd', deviceOwnership: 'Company', operatingSystem: 'Windows' };
  const rows: { name: string; conditions: Record<string, unknown>; apps?: string[]; proven?: Record<string, unknown>; outcome: string; errorCode: number; failing?: string[] }[] = [
    { name: 'compliant Windows PC, Hello, allowed country', conditions: { devicePlatform: 'windows', clientAppType: 'browser', country: 'NL', deviceInfo: compliantPc }, outcome: 'grant', errorCode: 0 },
    { name: 'from a country outside the allow-list', conditions: { devicePlatform: 'windows', clientAppType: 'browser', country: 'US', deviceInfo: compliantPc }, outcome: 'block', errorCode: 53003, failing: ['CA001'] },
    { name: 'legacy authentication', conditions: { devicePlatform: 'windows', clientAppType: 'exchangeActiveSync', country: 'NL', deviceInfo: compliantPc }, outcome: 'block', errorCode: 53003, failing: ['CA002'] },
    { name: 'device code flow', conditions: { devicePlatform: 'windows', clientAppType: 'browser', country: 'NL', deviceInfo: compliantPc, authenticationFlow: { transferMethod: 'deviceCodeFlow' } }, outcome: 'block', errorCode: 53003, failing: ['CA004'] },
    { name: 'unknown platform', conditions: { clientAppType: 'browser', country: 'NL', deviceInfo: compliantPc }, outcome: 'block', errorCode: 53003, failing: ['CA204'] },
    { name: 'password only', conditions: { devicePlatform: 'windows', clientAppType: 'browser', country: 'NL', deviceInfo: compliantPc }, proven: { methods: ['password'], mfa: false, authTime: '2026-11-24T11:59:00Z' }, outcome: 'interrupt', errorCode: 50076, failing: ['CA000', 'CA200'] },
    { name: 'high user risk', conditions: { devicePlatform: 'windows', clientAppType: 'browser', country: 'NL', deviceInfo: compliantPc, userRiskLevel: 'high' }, outcome: 'block', errorCode: 53003, failing: ['CA201'] },
  ];

  for (const row of rows) {
    test(`What If: ${row.name} -> ${row.outcome}`, async () => {
      const res = await graph<{ value: { displayName: string; policyApplies: boolean; monban: { result: string } }[]; monban: { decision: { outcome: string; errorCode: number } } }>(m, admin, 'POST', '/identity/conditionalAccess/evaluate', {
        signInIdentity: { '@odata.type': '#microsoft.graph.userSignIn', userId: internalUser },
        signInContext: { '@odata.type': '#microsoft.graph.applicationContext', includeApplications: row.apps ?? ['00000003-0000-0ff1-ce00-000000000000'] },
        signInConditions: row.conditions,
        appliedPoliciesOnly: false,
        monban: { proven: row.proven ?? mfaProven, now },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.monban.decision.outcome, row.outcome, JSON.stringify(res.body.monban.decision));
      assert.equal(res.body.monban.decision.errorCode, row.errorCode);
      for (const prefix of row.failing ?? []) {
        const p = res.body.value.find((v) => v.displayName.startsWith(prefix));
        assert.equal(p?.monban.result, 'failure', `${prefix} fails`);
      }
    });
  }

  test('the live token endpoint agrees with What If for the same sign-in', async () => {
    // A client-credentials-free check: a user password sign-in from Node (no platform in the
    // user agent, loopback address = no country) for the internal user.
    const app = await graph<{ id: string; appId: string }>(m, admin, 'POST', '/applications', { displayName: 'S20 app', web: { redirectUris: [redirectUri] } });
    const whatIf = await graph<{ monban: { decision: { outcome: string; errorCode: number } } }>(m, admin, 'POST', '/identity/conditionalAccess/evaluate', {
      signInIdentity: { '@odata.type': '#microsoft.graph.userSignIn', userId: internalUser },
      signInContext: { '@odata.type': '#microsoft.graph.applicationContext', includeApplications: [app.body.appId] },
      signInConditions: { clientAppType: 'browser', ipAddress: '127.0.0.1' },
      monban: { proven: { methods: ['password'], mfa: false, authTime: now } },
    });
    const browser = await launchBrowser();
    try {
      const config = await client.discovery(new URL(m.bootstrap.issuer), app.body.appId, (await graph<{ secretText: string }>(m, admin, 'POST', `/applications/${app.body.id}/addPassword`, {})).body.secretText);
      const context = await browser.newContext({ ignoreHTTPSErrors: true, userAgent: 'Monban-e2e/1.0' });
      const url = client.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' });
      await assert.rejects(signInInBrowser(await context.newPage(), url.href, redirectUri, { username: 'internal@monban.local', password: 'Internal-Passw0rd!' }), new RegExp(`AADSTS${whatIf.body.monban.decision.errorCode}`));
      await context.close();
    } finally {
      await browser.close();
    }
    assert.equal(whatIf.body.monban.decision.outcome, 'block');
    const rows = await signInsOf(m, admin, internalUser);
    const live = rows.find((r) => r.isInteractive);
    assert.equal(live?.status.errorCode, whatIf.body.monban.decision.errorCode);
  });
});
