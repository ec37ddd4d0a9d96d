import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  camelCaseKey,
  exportPolicy,
  exportPolicies,
  findUnknownReferences,
  parseNamedLocationFile,
  parsePolicyFile,
  type ConditionalAccessPolicy,
} from '../src/index.js';

const G1 = '11111111-1111-1111-1111-111111111111';
const G2 = '22222222-2222-2222-2222-222222222222';

const policyJson = {
  id: 'abc',
  displayName: 'Require MFA',
  state: 'enabled',
  createdDateTime: '2024-01-01T00:00:00Z',
  conditions: {
    users: { includeUsers: ['All'], excludeGroups: [G1] },
    applications: { includeApplications: ['All'] },
    clientAppTypes: ['all'],
    authenticationFlows: { transferMethods: 'deviceCodeFlow,authenticationTransfer' },
    platforms: null,
  },
  grantControls: { operator: 'OR', builtInControls: ['mfa'] },
};

function utf16(text: string, littleEndian: boolean, bom: boolean): Uint8Array {
  const out = new Uint8Array((bom ? 2 : 0) + text.length * 2);
  let o = 0;
  if (bom) {
    out[o++] = littleEndian ? 0xff : 0xfe;
    out[o++] = littleEndian ? 0xfe : 0xff;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[o++] = littleEndian ? c & 0xff : c >> 8;
    out[o++] = littleEndian ? c >> 8 : c & 0xff;
  }
  return out;
}

describe('import: encodings', () => {
  const text = JSON.stringify(policyJson);
  const cases: Array<[string, Uint8Array | string, string]> = [
    ['UTF-8 without BOM', new TextEncoder().encode(text), 'utf-8'],
    ['UTF-8 with BOM', new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]), 'utf-8-bom'],
    ['UTF-16LE with BOM', utf16(text, true, true), 'utf-16le'],
    ['UTF-16BE with BOM', utf16(text, false, true), 'utf-16be'],
    ['UTF-16LE without BOM', utf16(text, true, false), 'utf-16le'],
    ['a string', text, 'utf-8'],
    ['a string with BOM', '\ufeff' + text, 'utf-8'],
  ];
  for (const [name, input, encoding] of cases) {
    test(name, () => {
      const r = parsePolicyFile(input);
      assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
      assert.equal(r.value.encoding, encoding);
      assert.equal(r.value.policies[0]?.displayName, 'Require MFA');
    });
  }
  test('invalid UTF-8 is refused', () => {
    const r = parsePolicyFile(new Uint8Array([0x7b, 0xff, 0x7d]));
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.errors[0]?.code, 'invalid_encoding');
  });
  test('invalid JSON is refused with invalid_json', () => {
    const r = parsePolicyFile('{"state": ');
    assert.equal(r.ok, false);
    if (!r.ok) assert.deepEqual([r.errors[0]?.code, r.errors[0]?.path], ['invalid_json', '']);
  });
});

describe('import: document shapes', () => {
  test('a single policy', () => {
    const r = parsePolicyFile(JSON.stringify(policyJson));
    assert.ok(r.ok);
    assert.equal(r.value.container, 'object');
  });
  test('an array of policies', () => {
    const r = parsePolicyFile(JSON.stringify([policyJson, policyJson]));
    assert.ok(r.ok);
    assert.equal(r.value.container, 'array');
    assert.equal(r.value.policies.length, 2);
  });
  test('a Graph collection with @odata.context', () => {
    const r = parsePolicyFile(JSON.stringify({ '@odata.context': 'x', value: [policyJson] }));
    assert.ok(r.ok);
    assert.equal(r.value.container, 'collection');
  });
  test('errors inside a collection carry the item index in the path', () => {
    const bad = { ...policyJson, conditions: { ...policyJson.conditions, users: { includeUsers: ['Everyone'] } } };
    const r = parsePolicyFile(JSON.stringify({ value: [policyJson, bad] }));
    assert.equal(r.ok, false);
    if (!r.ok) assert.deepEqual([r.errors[0]?.code, r.errors[0]?.path], ['invalid_reference', 'value[1].conditions.users.includeUsers[0]']);
  });
  test('non-objects in an array are refused', () => {
    const r = parsePolicyFile('[1]');
    assert.equal(r.ok, false);
    if (!r.ok) assert.deepEqual([r.errors[0]?.code, r.errors[0]?.path], ['invalid_type', '[0]']);
  });
  test('a named location is not a policy', () => {
    const r = parsePolicyFile(JSON.stringify({ '@odata.type': '#microsoft.graph.ipNamedLocation', displayName: 'HQ', ipRanges: [] }));
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.errors[0]?.code, 'wrong_kind');
  });
});

describe('import: normalisations', () => {
  test('PascalCase keys from PowerShell exports become camelCase', () => {
    assert.equal(camelCaseKey('IncludeUsers'), 'includeUsers');
    assert.equal(camelCaseKey('IPRanges'), 'ipRanges');
    assert.equal(camelCaseKey('ID'), 'id');
    assert.equal(camelCaseKey('state'), 'state');
    const r = parsePolicyFile(
      JSON.stringify({
        Id: 'x',
        DisplayName: 'P',
        State: 'enabled',
        CreatedDateTime: '/Date(1647536088205)/',
        Conditions: { Users: { IncludeUsers: ['All'] }, Applications: { IncludeApplications: ['All'] }, ClientAppTypes: ['all'] },
        GrantControls: { Operator: 'OR', BuiltInControls: ['mfa'], 'AuthenticationStrength@odata.context': 'x', AuthenticationStrength: null },
      }),
    );
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    const p = r.value.policies[0];
    assert.deepEqual(p?.conditions.users?.includeUsers, ['All']);
    assert.equal(p?.grantControls?.authenticationStrength, null);
    assert.equal(p?.createdDateTime, '2022-03-17T16:54:48.205Z');
  });
  test('the same key in two cases is refused', () => {
    const r = parsePolicyFile(JSON.stringify({ ...policyJson, State: 'disabled' }));
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.errors[0]?.code, 'duplicate_property');
  });
  test('comma-joined strings where Graph has arrays become arrays', () => {
    const r = parsePolicyFile(JSON.stringify({ ...policyJson, conditions: { ...policyJson.conditions, clientAppTypes: 'browser,mobileAppsAndDesktopClients', users: { includeUsers: 'All', excludeGroups: `${G1}, ${G2}` } } }));
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    const c = r.value.policies[0]?.conditions;
    assert.deepEqual(c?.clientAppTypes, ['browser', 'mobileAppsAndDesktopClients']);
    assert.deepEqual(c?.users?.excludeGroups, [G1, G2]);
  });
  test('arrays where Graph has a flags string become the comma-joined string', () => {
    const r = parsePolicyFile(JSON.stringify({ ...policyJson, conditions: { ...policyJson.conditions, authenticationFlows: { transferMethods: ['deviceCodeFlow', 'authenticationTransfer'] } } }));
    assert.ok(r.ok);
    assert.equal(r.value.policies[0]?.conditions.authenticationFlows?.transferMethods, 'deviceCodeFlow,authenticationTransfer');
  });
  test('@odata annotations and action blocks are dropped', () => {
    const r = parsePolicyFile(JSON.stringify({ '@odata.type': '#microsoft.graph.conditionalAccessPolicy', 'state@odata.type': '#x', '#microsoft.graph.restore': { title: 'x' }, ...policyJson }));
    assert.ok(r.ok);
    const exported = exportPolicy(r.value.policies[0] as ConditionalAccessPolicy);
    assert.equal(Object.keys(exported).some((k) => k.includes('@odata') || k.startsWith('#')), false);
  });
  test('null and missing are preserved through the round trip', () => {
    const r = parsePolicyFile(JSON.stringify(policyJson));
    assert.ok(r.ok);
    const exported = exportPolicy(r.value.policies[0] as ConditionalAccessPolicy);
    assert.equal(exported['conditions'] !== null && typeof exported['conditions'] === 'object' && 'platforms' in exported['conditions'], true);
    assert.equal('sessionControls' in exported, false);
    assert.deepEqual(exported, policyJson);
  });
});

describe('export', () => {
  test('forCreate omits read-only properties', () => {
    const r = parsePolicyFile(JSON.stringify(policyJson));
    assert.ok(r.ok);
    const body = exportPolicy(r.value.policies[0] as ConditionalAccessPolicy, { forCreate: true, odataType: true });
    assert.equal('id' in body, false);
    assert.equal('createdDateTime' in body, false);
    assert.equal(body['@odata.type'], '#microsoft.graph.conditionalAccessPolicy');
    assert.equal(exportPolicies(r.value.policies).value.length, 1);
  });
  test('export does not alias the policy', () => {
    const r = parsePolicyFile(JSON.stringify(policyJson));
    assert.ok(r.ok);
    const p = r.value.policies[0] as ConditionalAccessPolicy;
    const body = exportPolicy(p);
    (body['conditions'] as Record<string, unknown>)['clientAppTypes'] = ['browser'];
    assert.deepEqual(p.conditions.clientAppTypes, ['all']);
  });
});

describe('findUnknownReferences', () => {
  const policy: ConditionalAccessPolicy = {
    state: 'enabled',
    conditions: {
      users: { includeUsers: ['All'], excludeUsers: [G1], excludeGroups: [G2, '<BreakGlass>'], includeRoles: ['62e90394-69f5-4237-9190-012177145e10'] },
      applications: { includeApplications: ['Office365'], excludeApplications: ['33333333-3333-3333-3333-333333333333'] },
      locations: { includeLocations: ['All'], excludeLocations: ['AllTrusted', '00000000-0000-0000-0000-000000000000', '44444444-4444-4444-4444-444444444444'] },
    },
    grantControls: { operator: 'OR', authenticationStrength: { id: '55555555-5555-5555-5555-555555555555' } },
  };
  test('reports what the given directory does not hold, and placeholders', () => {
    const found = findUnknownReferences(policy, {
      users: [{ id: G1 }],
      groups: [],
      roles: [{ id: '62e90394-69f5-4237-9190-012177145e10' }],
      applications: [],
      namedLocations: [],
      authenticationStrengths: [],
    });
    assert.deepEqual(
      found.map((f) => [f.code, f.kind, f.path]),
      [
        ['unknown_reference', 'group', 'conditions.users.excludeGroups[0]'],
        ['placeholder_reference', 'group', 'conditions.users.excludeGroups[1]'],
        ['unknown_reference', 'application', 'conditions.applications.excludeApplications[0]'],
        ['unknown_reference', 'namedLocation', 'conditions.locations.excludeLocations[2]'],
        ['unknown_reference', 'authenticationStrength', 'grantControls.authenticationStrength.id'],
      ],
    );
  });
  test('skips the parts of the directory that are not given', () => {
    const found = findUnknownReferences(policy, {});
    assert.deepEqual(found.map((f) => f.code), ['placeholder_reference', 'unknown_reference']);
  });
  test('a built-in strength id is always known', () => {
    const p: ConditionalAccessPolicy = { ...policy, grantControls: { authenticationStrength: { id: '00000000-0000-0000-0000-000000000003' } } };
    assert.deepEqual(findUnknownReferences(p, { authenticationStrengths: [] }).filter((f) => f.kind === 'authenticationStrength'), []);
  });
});

describe('named locations', () => {
  test('a location without @odata.type is typed by its fields', () => {
    const r = parseNamedLocationFile(JSON.stringify({ displayName: 'EU', countriesAndRegions: ['BE'] }));
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    assert.equal(r.value.items[0]?.['@odata.type'], '#microsoft.graph.countryNamedLocation');
  });
});
