import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  BUILT_IN_AUTHENTICATION_STRENGTHS,
  validateAuthenticationStrength,
  validateNamedLocation,
  validatePolicy,
} from '../src/index.js';

const base = {
  displayName: 'p',
  state: 'enabled',
  conditions: {
    users: { includeUsers: ['All'] },
    applications: { includeApplications: ['All'] },
    clientAppTypes: ['all'],
  },
  grantControls: { operator: 'OR', builtInControls: ['mfa'] },
};

describe('schema: conditionalAccessPolicy', () => {
  test('accepts a minimal Graph policy and keeps unknown properties', () => {
    const r = validatePolicy({ ...base, partialEnablementStrategy: null, conditions: { ...base.conditions, times: null } });
    assert.equal(r.ok, true);
    if (r.ok) {
      assert.equal((r.value as unknown as Record<string, unknown>)['partialEnablementStrategy'], null);
      assert.ok('times' in r.value.conditions);
    }
  });

  test('null and missing are kept apart', () => {
    const r = validatePolicy({ ...base, sessionControls: null });
    assert.ok(r.ok);
    if (r.ok) {
      assert.equal(r.value.sessionControls, null);
      assert.equal('templateId' in r.value, false);
    }
  });

  test('display names in id slots are refused with a dotted path', () => {
    const r = validatePolicy({ ...base, conditions: { ...base.conditions, users: { includeUsers: ['All'], excludeGroups: ['a', 'CA-01 - Exclusion'] } } });
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.deepEqual(r.errors.map((e) => [e.code, e.path]), [
        ['invalid_reference', 'conditions.users.excludeGroups[0]'],
        ['invalid_reference', 'conditions.users.excludeGroups[1]'],
      ]);
    }
  });

  test('enum members are case-sensitive: "All" is not a client app type', () => {
    const r = validatePolicy({ ...base, conditions: { ...base.conditions, clientAppTypes: ['All'] } });
    assert.equal(r.ok, false);
    if (!r.ok) assert.deepEqual(r.errors[0], {
      code: 'invalid_enum_case',
      path: 'conditions.clientAppTypes[0]',
      message: "'All' is not a client app type; enum members are case-sensitive, did you mean 'all'?",
    });
  });

  test('unknown future enum members are accepted with a warning', () => {
    const r = validatePolicy({ ...base, grantControls: { operator: 'OR', builtInControls: ['verifiedID'] } });
    assert.ok(r.ok);
    if (r.ok) assert.deepEqual(r.warnings.map((w) => [w.code, w.path]), [['unknown_enum_member', 'grantControls.builtInControls[0]']]);
  });

  test('placeholders are accepted with a warning', () => {
    const r = validatePolicy({ ...base, conditions: { ...base.conditions, users: { includeUsers: ['All'], excludeGroups: ['<BreakGlass>'] } } });
    assert.ok(r.ok);
    if (r.ok) assert.deepEqual(r.warnings.map((w) => [w.code, w.path]), [['placeholder_reference', 'conditions.users.excludeGroups[0]']]);
  });

  test('state is required and closed', () => {
    const r = validatePolicy({ ...base, state: 'on' });
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.errors[0]?.path, 'state');
    const r2 = validatePolicy({ conditions: {} });
    assert.equal(r2.ok, false);
    if (!r2.ok) assert.deepEqual(r2.errors.map((e) => [e.code, e.path]), [['required', 'state']]);
  });

  test('wrong types are refused, never thrown', () => {
    for (const input of [null, 42, 'x', [], { state: 'enabled', conditions: { users: { includeUsers: 'All' } } }]) {
      const r = validatePolicy(input);
      assert.equal(r.ok, false);
      if (!r.ok) for (const e of r.errors) assert.ok(e.code.length > 0 && typeof e.path === 'string' && e.message.length > 0);
    }
  });

  test('sign-in frequency outside 1-23 hours / 1-365 days is refused', () => {
    const r = validatePolicy({ ...base, sessionControls: { signInFrequency: { value: 24, type: 'hours', isEnabled: true } } });
    assert.equal(r.ok, false);
    if (!r.ok) assert.deepEqual(r.errors.map((e) => [e.code, e.path]), [['out_of_range', 'sessionControls.signInFrequency.value']]);
  });
});

describe('schema: authentication strengths', () => {
  test('built-in strengths match entra-reference.md §2.2', () => {
    assert.deepEqual(BUILT_IN_AUTHENTICATION_STRENGTHS.map((s) => [s.id, s.displayName, s.allowedCombinations.length]), [
      ['00000000-0000-0000-0000-000000000002', 'Multifactor authentication', 19],
      ['00000000-0000-0000-0000-000000000003', 'Passwordless MFA', 4],
      ['00000000-0000-0000-0000-000000000004', 'Phishing-resistant MFA', 3],
    ]);
    assert.deepEqual(BUILT_IN_AUTHENTICATION_STRENGTHS[2]?.allowedCombinations, ['windowsHelloForBusiness', 'fido2', 'x509CertificateMultiFactor']);
    assert.deepEqual(BUILT_IN_AUTHENTICATION_STRENGTHS[1]?.allowedCombinations, ['windowsHelloForBusiness', 'fido2', 'x509CertificateMultiFactor', 'deviceBasedPush']);
    for (const s of BUILT_IN_AUTHENTICATION_STRENGTHS) {
      assert.equal(s.requirementsSatisfied, 'mfa');
      assert.equal(s.policyType, 'builtIn');
      assert.ok(validateAuthenticationStrength(s).ok);
    }
  });

  test('a misspelt method mode is refused', () => {
    const r = validateAuthenticationStrength({ id: 'x', displayName: 'x', allowedCombinations: ['password,SMS'] });
    assert.equal(r.ok, false);
    if (!r.ok) assert.deepEqual(r.errors.map((e) => [e.code, e.path]), [['invalid_enum_case', 'allowedCombinations[0]']]);
  });
});

describe('schema: named locations', () => {
  test('IP and country locations', () => {
    assert.ok(validateNamedLocation({ '@odata.type': '#microsoft.graph.ipNamedLocation', displayName: 'HQ', isTrusted: true, ipRanges: [{ cidrAddress: '203.0.113.0/24' }, { cidrAddress: '2001:db8::/32' }] }).ok);
    assert.ok(validateNamedLocation({ '@odata.type': '#microsoft.graph.countryNamedLocation', displayName: 'EU', countriesAndRegions: ['BE', 'NL'], includeUnknownCountriesAndRegions: false }).ok);
  });
  test('a bad CIDR is refused with its path', () => {
    const r = validateNamedLocation({ '@odata.type': '#microsoft.graph.ipNamedLocation', displayName: 'HQ', ipRanges: [{ cidrAddress: '300.1.1.1/8' }] });
    assert.equal(r.ok, false);
    if (!r.ok) assert.deepEqual(r.errors.map((e) => [e.code, e.path]), [['invalid_cidr', 'ipRanges[0].cidrAddress']]);
  });
});
