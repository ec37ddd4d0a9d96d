import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parsePolicyFile, whatIf, type DirectoryView } from '../src/index.js';
import { APP_R, G_STAFF, LOC_HQ, ROLE_GA, SHAREPOINT, U1, policy, block, strength, PASSWORDLESS } from './fixtures.js';

const examples = fileURLToPath(new URL('../../../../shared/corpus/microsoftgraph__microsoft-graph-docs-contrib/beta/', import.meta.url));
const WI_USER = '15dc174b-f34c-4588-ac45-61d6e05dce93';
const WI_SP = 'c65b94a5-0049-439a-a6fd-bce307077730';

const wiDirectory: DirectoryView = {
  users: [{ id: WI_USER, userType: 'member', roleTemplateIds: [ROLE_GA], groupIds: [] }],
  servicePrincipals: [{ id: WI_SP, appId: '11111111-2222-3333-4444-555555555555' }],
};

describe('whatIf: the reference examples (conditionalaccessroot-evaluate)', () => {
  for (const n of [1, 2, 3, 4]) {
    const requestFile = `${examples}conditionalaccessroot-evaluate.example${n}.request.json`;
    const responseFile = `${examples}conditionalaccessroot-evaluate.example${n}.response.json`;
    if (!existsSync(requestFile) || !existsSync(responseFile)) {
      test(`example ${n}`, { skip: `corpus example not found at ${requestFile}` }, () => {});
      continue;
    }
    test(`example ${n}: every policy of the response applies, with analysisReasons notSet`, () => {
      const request: unknown = JSON.parse(readFileSync(requestFile, 'utf8'));
      const response = JSON.parse(readFileSync(responseFile, 'utf8')) as { value: Array<{ id: string; policyApplies: boolean; analysisReasons: string }> };
      const imported = parsePolicyFile(readFileSync(responseFile));
      assert.ok(imported.ok, JSON.stringify(!imported.ok && imported.errors));
      const r = whatIf(request, imported.value.policies, wiDirectory);
      assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
      assert.deepEqual(
        r.value.value.map((v) => [v['id'], v.policyApplies, v.analysisReasons]),
        response.value.map((v) => [v.id, v.policyApplies, v.analysisReasons]),
      );
    });
  }
});

const directory: DirectoryView = {
  users: [{ id: U1, userType: 'member', groupIds: [G_STAFF], roleTemplateIds: [] }],
  namedLocations: [{ '@odata.type': '#microsoft.graph.ipNamedLocation', id: LOC_HQ, displayName: 'HQ', isTrusted: true, ipRanges: [{ cidrAddress: '203.0.113.0/24' }] }],
};
const request = (o: Record<string, unknown> = {}): Record<string, unknown> => ({
  signInIdentity: { '@odata.type': '#microsoft.graph.userSignIn', userId: U1 },
  signInContext: { '@odata.type': '#microsoft.graph.applicationContext', includeApplications: [APP_R] },
  signInConditions: { devicePlatform: 'windows', clientAppType: 'browser', ipAddress: '198.51.100.7' },
  ...o,
});

describe('whatIf', () => {
  const policies = [
    policy({ id: 'applies', displayName: 'applies' }),
    policy({ id: 'ios-only', conditions: { platforms: { includePlatforms: ['iOS'] } } }),
    policy({ id: 'off', state: 'disabled', grantControls: block }),
    policy({ id: 'outside-hq', conditions: { locations: { includeLocations: ['All'], excludeLocations: ['AllTrusted'] } }, grantControls: block }),
    policy({ id: 'report-only', state: 'enabledForReportingButNotEnforced', grantControls: strength(PASSWORDLESS) }),
  ];

  test('lists every policy with policyApplies and the failing conditions', () => {
    const r = whatIf(request(), policies, directory);
    assert.ok(r.ok);
    assert.deepEqual(
      r.value.value.map((v) => [v['id'], v.policyApplies, v.analysisReasons]),
      [
        ['applies', true, 'notSet'],
        ['ios-only', false, 'devicePlatform'],
        ['off', false, 'policyNotEnabled'],
        ['outside-hq', true, 'notSet'],
        ['report-only', true, 'notSet'],
      ],
    );
    assert.equal(r.value.monban.decision.outcome, 'block');
    assert.equal(r.value.value[0]?.monban.result, 'failure');
  });

  test('appliedPoliciesOnly keeps only the policies that apply', () => {
    const r = whatIf(request({ appliedPoliciesOnly: true }), policies, directory);
    assert.ok(r.ok);
    assert.deepEqual(r.value.value.map((v) => v['id']), ['applies', 'outside-hq', 'report-only']);
  });

  test('the IP is resolved to named locations of the directory', () => {
    const r = whatIf(request({ signInConditions: { devicePlatform: 'windows', clientAppType: 'browser', ipAddress: '203.0.113.9' } }), policies, directory);
    assert.ok(r.ok);
    assert.deepEqual(r.value.value.find((v) => v['id'] === 'outside-hq')?.analysisReasons, 'location');
  });

  test('an omitted input does not match: no platform given', () => {
    const r = whatIf(request({ signInConditions: {} }), policies, directory);
    assert.ok(r.ok);
    assert.equal(r.value.value.find((v) => v['id'] === 'ios-only')?.analysisReasons, 'devicePlatform');
  });

  test('user actions map to their URNs', () => {
    const r = whatIf(
      request({ signInContext: { '@odata.type': '#microsoft.graph.userActionContext', userAction: 'registerOrJoinDevices' } }),
      [policy({ id: 'register', conditions: { applications: { includeUserActions: ['urn:user:registerdevice'] } } })],
      directory,
    );
    assert.ok(r.ok);
    assert.equal(r.value.value[0]?.policyApplies, true);
  });

  test('Monban extension: proven methods preview the grant', () => {
    const r = whatIf(request({ monban: { proven: { methods: ['password', 'sms'], mfa: true, authTime: 0 }, now: 60 } }), [policies[0]!], directory);
    assert.ok(r.ok);
    assert.equal(r.value.monban.decision.outcome, 'grant');
  });

  test('an unknown user is refused', () => {
    const r = whatIf(request({ signInIdentity: { userId: 'aaaaaaaa-9999-0000-0000-000000000000' } }), policies, directory);
    assert.equal(r.ok, false);
    if (!r.ok) assert.deepEqual([r.errors[0]?.code, r.errors[0]?.path], ['unknown_user', 'signInIdentity.userId']);
  });

  test('a malformed request is refused with a path', () => {
    for (const bad of [null, {}, { signInIdentity: { userId: U1 } }, request({ signInContext: { includeApplications: [] } })]) {
      const r = whatIf(bad, policies, directory);
      assert.equal(r.ok, false);
      if (!r.ok) for (const e of r.errors) assert.ok(e.code.length > 0 && typeof e.path === 'string');
    }
  });

  test('several applications: a policy applies if it applies to one of them', () => {
    const r = whatIf(
      request({ signInContext: { includeApplications: [APP_R, SHAREPOINT] } }),
      [policy({ id: 'o365', conditions: { applications: { includeApplications: ['Office365'] } } })],
      directory,
    );
    assert.ok(r.ok);
    assert.equal(r.value.value[0]?.policyApplies, true);
  });
});
