// A guard, not a benchmark (bench/ measures): one sign-in against 300 compiled policies
// must stay well under 10 µs per policy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePolicies, evaluate, type ConditionalAccessPolicy } from '../src/index.js';
import { G_STAFF, HOUR, NOW, ROLE_GA, context, policy } from './fixtures.js';

function policySet(n: number): ConditionalAccessPolicy[] {
  const out: ConditionalAccessPolicy[] = [];
  for (let i = 0; i < n; i++) {
    const k = i % 6;
    const suffix = String(i).padStart(12, '0');
    out.push(
      policy({
        state: i % 10 === 0 ? 'enabledForReportingButNotEnforced' : 'enabled',
        conditions: {
          users:
            k === 0
              ? { includeUsers: ['All'], excludeGroups: [`bbbbbbbb-0000-0000-0000-${suffix}`] }
              : k === 1
                ? { includeRoles: [ROLE_GA] }
                : { includeGroups: [G_STAFF, `bbbbbbbb-1111-0000-0000-${suffix}`] },
          applications: k === 2 ? { includeApplications: [`cccccccc-0000-0000-0000-${suffix}`] } : { includeApplications: ['All'] },
          platforms: k === 3 ? { includePlatforms: ['all'], excludePlatforms: ['iOS'] } : null,
          locations: k === 4 ? { includeLocations: ['All'], excludeLocations: ['AllTrusted'] } : null,
          devices: k === 5 ? { deviceFilter: { mode: 'exclude', rule: 'device.isCompliant -eq True -and device.trustType -eq "AzureAD"' } } : null,
        },
        grantControls:
          k === 3 ? { operator: 'OR', authenticationStrength: { id: '00000000-0000-0000-0000-000000000002' } } : { operator: 'OR', builtInControls: ['mfa', 'compliantDevice'] },
        sessionControls: k === 4 ? { signInFrequency: { isEnabled: true, value: 12, type: 'hours' } } : null,
      }),
    );
  }
  return out;
}

test('one sign-in against 300 compiled policies takes well under 10 µs per policy', () => {
  const set = compilePolicies(policySet(300));
  assert.equal(set.issues.length, 0);
  const ctx = context({
    user: { id: 'u', groupIds: [...Array.from({ length: 50 }, (_, i) => `g${i}`), G_STAFF], roleTemplateIds: [ROLE_GA] },
    device: { isCompliant: true, trustType: 'AzureAd' },
    proven: { methods: ['password', 'sms'], mfa: true, authTime: NOW - HOUR, mfaSource: 'token' },
  });
  for (let i = 0; i < 300; i++) evaluate({ policies: set, context: ctx });
  const runs = 1000;
  const start = performance.now();
  let outcome = '';
  for (let i = 0; i < runs; i++) outcome = evaluate({ policies: set, context: ctx }).outcome;
  const microsPerPolicy = ((performance.now() - start) * 1000) / runs / 300;
  assert.equal(outcome, 'grant');
  // Measured around 0.4 µs; the bound leaves room for slow CI machines.
  assert.ok(microsPerPolicy < 5, `${microsPerPolicy.toFixed(3)} µs per policy`);
});
