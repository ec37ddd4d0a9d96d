import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { evaluateDeviceFilter, parseDeviceFilter, type FilterableDevice } from '../src/index.js';

const joined: FilterableDevice = {
  deviceId: 'd1b2c3d4-0000-0000-0000-000000000001',
  displayName: 'KIOSK-042',
  deviceOwnership: 'Company',
  isCompliant: true,
  manufacturer: 'Contoso',
  model: 'Surface Laptop 5',
  operatingSystem: 'Windows',
  operatingSystemVersion: '10.0.22631',
  trustType: 'AzureAd',
  profileType: 'Shared',
  physicalIds: ['[ZTDID]:abc', '[OrderId]:Kiosks'],
  systemLabels: ['M365Managed'],
  extensionAttribute1: 'Finance',
  mdmAppId: '0000000a-0000-0000-c000-000000000000',
};
const personal: FilterableDevice = { deviceId: 'p1', displayName: 'my-phone', deviceOwnership: 'Personal', isCompliant: false, trustType: 'Workplace', operatingSystem: 'Android' };

// [rule, device, expected, what it checks]
const cases: Array<[string, FilterableDevice | undefined, boolean, string]> = [
  ['device.isCompliant -eq True', joined, true, 'unquoted boolean True'],
  ['device.isCompliant -eq "True"', joined, true, 'quoted boolean'],
  ['device.isCompliant -eq "true"', joined, true, 'values are case-insensitive'],
  ['device.isCompliant -eq True', personal, false, 'non-compliant device'],
  ['device.isCompliant -ne True', personal, true, '-ne'],
  ['device.trustType -eq "AzureAD"', joined, true, 'filter AzureAD matches Graph AzureAd'],
  ['device.trustType -eq "ServerAD"', joined, false, 'joined is not hybrid'],
  ['device.trustType -eq "AzureAD"', { trustType: 'EntraID' }, true, 'What If EntraID is an alias of AzureAD'],
  ['device.displayName -startsWith "kiosk"', joined, true, '-startsWith case-insensitive'],
  ['device.displayName -notStartsWith "KIOSK"', joined, false, '-notStartsWith'],
  ['device.displayName -endsWith "-042"', joined, true, '-endsWith'],
  ['device.displayName -notEndsWith "-042"', joined, false, '-notEndsWith'],
  ['device.model -contains "Laptop"', joined, true, '-contains substring on strings'],
  ['device.model -notContains "Laptop"', joined, false, '-notContains'],
  ['device.manufacturer -in ["Fabrikam","Contoso"]', joined, true, '-in list'],
  ['device.manufacturer -notIn ["Fabrikam","Contoso"]', joined, false, '-notIn list'],
  ['device.deviceId -in ["d1b2c3d4-0000-0000-0000-000000000001"]', joined, true, 'deviceId -in'],
  ['device.physicalIds -contains "[OrderId]:Kiosks"', joined, true, 'collection -contains whole element'],
  ['device.physicalIds -contains "[OrderId]"', joined, false, 'collection -contains is not substring'],
  ['device.systemLabels -notContains "M365Managed"', joined, false, 'systemLabels -notContains'],
  ['device.extensionAttribute1 -eq "finance"', joined, true, 'extension attribute'],
  ['device.extensionAttribute2 -eq "finance"', joined, false, 'unset extension attribute never equals'],
  ['device.extensionAttribute2 -ne "finance"', joined, true, 'unset extension attribute is not equal'],
  ['device.isCompliant -eq True -and device.deviceOwnership -eq "Company"', joined, true, '-and'],
  ['device.isCompliant -eq True -and device.deviceOwnership -eq "Company"', personal, false, '-and false'],
  ['device.isCompliant -eq True -or device.deviceOwnership -eq "Personal"', personal, true, '-or'],
  ['device.isCompliant -eq True -or device.trustType -eq "Workplace" -and device.operatingSystem -eq "iOS"', personal, false, '-and binds tighter than -or'],
  ['(device.isCompliant -eq True -or device.trustType -eq "Workplace") -and device.operatingSystem -eq "Android"', personal, true, 'parentheses'],
  ['-not device.isCompliant -eq True', personal, true, '-not'],
  ['-not (device.isCompliant -eq True)', joined, false, '-not with parentheses'],
  ['device.isCompliant -EQ true -AND device.profileType -Eq "shared"', joined, true, 'operators case-insensitive'],
  ['device.ISCOMPLIANT -eq True', joined, true, 'property names case-insensitive'],
  ['device.isCompliant -eq True', undefined, false, 'unregistered device: positive operators never match'],
  ['device.isCompliant -ne True', undefined, true, 'unregistered device: negative operators always match'],
  ['device.displayName -notIn ["x"]', undefined, true, 'unregistered device: -notIn matches'],
  ['device.physicalIds -notContains "x"', undefined, true, 'unregistered device: -notContains matches'],
  ['device.mdmAppId -eq "0000000a-0000-0000-c000-000000000000"', joined, true, 'mdmAppId'],
  ['device.operatingSystemVersion -startsWith "10.0.2"', joined, true, 'operatingSystemVersion'],
  ['device.enrollmentProfileName -eq "x"', joined, false, 'missing enrollmentProfileName'],
  ['device.displayName -eq "say \\"hi\\""', { displayName: 'say "hi"' }, true, 'escaped quote in a string'],
];

describe('device filter: evaluation', () => {
  for (const [rule, device, expected, what] of cases) {
    test(`${what}: ${rule}`, () => {
      const parsed = parseDeviceFilter(rule);
      assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.error));
      assert.equal(evaluateDeviceFilter(parsed.expression, device), expected);
    });
  }
});

// [rule, code, position]
const errors: Array<[string, string, number]> = [
  ['', 'empty_rule', 0],
  ['   ', 'empty_rule', 0],
  ['device.isCompliant -eq "True', 'unterminated_string', 23],
  ['device.colour -eq "red"', 'unknown_property', 7],
  ['device.isCompliant -like "True"', 'unknown_operator', 19],
  ['device.isCompliant -contains "True"', 'operator_not_allowed', 19],
  ['device.deviceId -startsWith "a"', 'operator_not_allowed', 16],
  ['device.physicalIds -eq "x"', 'operator_not_allowed', 19],
  ['user.department -eq "x"', 'expected_property', 0],
  ['device.isCompliant "True"', 'expected_operator', 19],
  ['device.isCompliant -eq', 'expected_value', 22],
  ['device.manufacturer -in "a"', 'expected_list', 24],
  ['device.manufacturer -in ["a" "b"]', 'expected_list', 29],
  ['device.manufacturer -eq ["a"]', 'expected_value', 24],
  ['(device.isCompliant -eq True', 'unbalanced_parenthesis', 0],
  ['device.isCompliant -eq True)', 'unbalanced_parenthesis', 27],
  ['device.isCompliant -eq True device.model -eq "x"', 'unexpected_token', 28],
  ['device.isCompliant -eq True -and', 'expected_property', 32],
  ['device.isCompliant == True', 'unexpected_character', 19],
  ['device.isCompliant - eq True', 'unexpected_character', 19],
  ['device.model -eq unquoted', 'expected_value', 17],
  ['x'.repeat(3073), 'rule_too_long', 3072],
];

describe('device filter: parse errors carry a code and a position', () => {
  for (const [rule, code, position] of errors) {
    test(`${code}: ${rule.slice(0, 50)}`, () => {
      const parsed = parseDeviceFilter(rule);
      assert.equal(parsed.ok, false);
      if (!parsed.ok) {
        assert.equal(parsed.error.code, code);
        assert.equal(parsed.error.position, position);
        assert.ok(parsed.error.message.length > 0);
      }
    });
  }

  test('fuzz: arbitrary text never throws and errors point inside the rule', () => {
    const alphabet = fc.constantFrom('device.', 'isCompliant', 'model', ' ', '-eq', '-and', '-or', '-not', '(', ')', '"', 'True', '[', ']', ',', 'x', '-in', '\\');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(alphabet, { maxLength: 30 }).map((a) => a.join(''))), (rule) => {
        const parsed = parseDeviceFilter(rule);
        if (!parsed.ok) {
          assert.ok(parsed.error.position >= 0 && parsed.error.position <= Math.max(rule.length, 3072));
          assert.ok(parsed.error.code.length > 0);
        } else {
          evaluateDeviceFilter(parsed.expression, joined);
          evaluateDeviceFilter(parsed.expression, undefined);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
