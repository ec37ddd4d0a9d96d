import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lintPolicies, parsePolicyFile, type ConditionalAccessPolicy, type DirectoryView, type LintCode } from '../src/index.js';
import { APP_R, BREAK_GLASS, DRS, G_EXCLUDED, G_STAFF, MFA_STRENGTH, PASSWORDLESS, ROLE_GA, U1, U2, block, policy, strength } from './fixtures.js';

function codes(policies: readonly unknown[], directory?: DirectoryView): LintCode[] {
  return lintPolicies(policies, directory).map((f) => f.code);
}

describe('lint: lock-outs', () => {
  test('blocking all users from all resources with no exclusion locks out everyone', () => {
    const f = lintPolicies([policy({ id: 'x', grantControls: block })]);
    const lockout = f.find((x) => x.code === 'locks_out_everyone');
    assert.ok(lockout);
    assert.equal(lockout.severity, 'error');
    assert.equal(lockout.policyId, 'x');
  });
  test('report-only lock-out is a warning', () => {
    const f = lintPolicies([policy({ state: 'enabledForReportingButNotEnforced', grantControls: block })]);
    assert.equal(f.find((x) => x.code === 'locks_out_everyone')?.severity, 'warning');
  });
  test('an exclusion removes the lock-out', () => {
    assert.ok(!codes([policy({ conditions: { users: { includeUsers: ['All'], excludeUsers: [BREAK_GLASS] } }, grantControls: block })]).includes('locks_out_everyone'));
  });
  test('a narrowing condition removes the lock-out', () => {
    assert.ok(!codes([policy({ conditions: { clientAppTypes: ['exchangeActiveSync', 'other'] }, grantControls: block })]).includes('locks_out_everyone'));
  });
  test('blocking the Global Administrator role without exclusions locks out all admins', () => {
    assert.ok(codes([policy({ conditions: { users: { includeRoles: [ROLE_GA] } }, grantControls: block })]).includes('locks_out_admins'));
  });
  test('a disabled policy locks out nobody', () => {
    assert.deepEqual(codes([policy({ state: 'disabled', grantControls: block })]), []);
  });
});

describe('lint: emergency access', () => {
  const directory: DirectoryView = { emergencyAccess: { userIds: [BREAK_GLASS] }, users: [{ id: BREAK_GLASS, groupIds: [G_EXCLUDED] }] };
  test('a broad policy that does not exclude the emergency account', () => {
    const f = lintPolicies([policy({ id: 'mfa-all' })], directory).filter((x) => x.code === 'no_emergency_access_exclusion');
    assert.equal(f.length, 1);
    assert.match(f[0]?.message ?? '', new RegExp(BREAK_GLASS));
  });
  test('excluded by id', () => {
    assert.ok(!codes([policy({ conditions: { users: { includeUsers: ['All'], excludeUsers: [BREAK_GLASS] } } })], directory).includes('no_emergency_access_exclusion'));
  });
  test('excluded through a group it belongs to', () => {
    assert.ok(!codes([policy({ conditions: { users: { includeUsers: ['All'], excludeGroups: [G_EXCLUDED] } } })], directory).includes('no_emergency_access_exclusion'));
  });
  test('without a directory: all users and no exclusion at all', () => {
    assert.ok(codes([policy()]).includes('no_emergency_access_exclusion'));
  });
  test('session-only policies are not concerned', () => {
    assert.ok(!codes([policy({ grantControls: null, sessionControls: { persistentBrowser: { isEnabled: true, mode: 'never' } } })]).includes('no_emergency_access_exclusion'));
  });
});

describe('lint: strengths users cannot meet', () => {
  const directory: DirectoryView = {
    users: [
      { id: U1, displayName: 'sms-only', groupIds: [G_STAFF], registeredMethods: ['password', 'sms'] },
      { id: U2, displayName: 'phone sign-in', groupIds: [G_STAFF], registeredMethods: ['password', 'deviceBasedPush'] },
    ],
  };
  test('S4: SMS-only users under Passwordless MFA are named', () => {
    const f = lintPolicies([policy({ conditions: { users: { includeGroups: [G_STAFF] } }, grantControls: strength(PASSWORDLESS) })], directory).filter((x) => x.code === 'strength_without_registered_method');
    assert.equal(f.length, 1);
    assert.match(f[0]?.message ?? '', /sms-only/);
    assert.doesNotMatch(f[0]?.message ?? '', /phone sign-in/);
    assert.match(f[0]?.message ?? '', /Windows Hello/);
  });
  test('the MFA strength is met by password + SMS', () => {
    assert.ok(!codes([policy({ grantControls: strength(MFA_STRENGTH) })], directory).includes('strength_without_registered_method'));
  });
  test('users out of scope are not named', () => {
    const f = lintPolicies([policy({ conditions: { users: { includeUsers: [U2] } }, grantControls: strength(PASSWORDLESS) })], directory);
    assert.ok(!f.some((x) => x.code === 'strength_without_registered_method'));
  });
  test('Hello alone cannot provision Hello on a new device when DRS is in scope', () => {
    const f = lintPolicies([policy({ grantControls: strength(PASSWORDLESS) })], { users: [{ id: U1, registeredMethods: ['windowsHelloForBusiness'] }] });
    assert.ok(f.some((x) => x.code === 'strength_without_registered_method'));
  });
  test('passwordless for all resources warns about the bootstrap method', () => {
    assert.ok(codes([policy({ grantControls: strength(PASSWORDLESS) })]).includes('passwordless_bootstrap'));
  });
});

describe('lint: device code flow and the Device Registration Service', () => {
  const blockDeviceCode = (exclude: string[]): ConditionalAccessPolicy =>
    policy({ conditions: { users: { includeUsers: ['All'], excludeUsers: [BREAK_GLASS] }, applications: { includeApplications: ['All'], excludeApplications: exclude }, authenticationFlows: { transferMethods: 'deviceCodeFlow,authenticationTransfer' } }, grantControls: block });
  test('blocking device code without excluding DRS', () => {
    assert.ok(codes([blockDeviceCode([])]).includes('device_code_blocks_device_registration'));
  });
  test('DRS excluded', () => {
    assert.ok(!codes([blockDeviceCode([DRS])]).includes('device_code_blocks_device_registration'));
  });
});

describe('lint: policies that can never apply', () => {
  const cases: Array<[string, ConditionalAccessPolicy]> = [
    ['no users', policy({ conditions: { users: { includeUsers: ['None'] } } })],
    ['all users excluded', policy({ conditions: { users: { includeUsers: ['All'], excludeUsers: ['All'] } } })],
    ['the only included user is excluded', policy({ conditions: { users: { includeUsers: [U1], excludeUsers: [U1] } } })],
    ['no resources', policy({ conditions: { applications: { includeApplications: ['None'] } } })],
    ['the only included app is excluded', policy({ conditions: { applications: { includeApplications: [APP_R], excludeApplications: [APP_R] } } })],
    ['the only platform is excluded', policy({ conditions: { platforms: { includePlatforms: ['iOS'], excludePlatforms: ['iOS'] } } })],
    ['all locations excluded', policy({ conditions: { locations: { includeLocations: ['All'], excludeLocations: ['All'] } } })],
    ['service principal risk on a user policy', policy({ conditions: { servicePrincipalRiskLevels: ['high'] } })],
  ];
  for (const [name, p] of cases) {
    test(name, () => {
      assert.ok(codes([p]).includes('never_applies'), JSON.stringify(lintPolicies([p])));
    });
  }
  test('a workload identity policy applies (to service principals)', () => {
    assert.ok(!codes([policy({ conditions: { users: { includeUsers: ['None'] }, clientApplications: { includeServicePrincipals: ['ServicePrincipalsInMyTenant'] } } })]).includes('never_applies'));
  });
});

describe('lint: combinations Graph refuses', () => {
  test('mfa combined with a strength in one policy', () => {
    const f = lintPolicies([policy({ grantControls: { operator: 'OR', builtInControls: ['mfa'], authenticationStrength: { id: MFA_STRENGTH } } })]);
    assert.equal(f.find((x) => x.code === 'mfa_with_strength')?.severity, 'error');
  });
  test('block with other controls', () => {
    assert.ok(codes([policy({ grantControls: { operator: 'OR', builtInControls: ['block', 'mfa'] } })]).includes('block_with_other_controls'));
  });
  test('user actions accept only mfa or a strength', () => {
    assert.ok(codes([policy({ conditions: { applications: { includeUserActions: ['urn:user:registerdevice'] } }, grantControls: { operator: 'OR', builtInControls: ['compliantDevice'] } })]).includes('user_action_controls'));
  });
  test('report-only is not allowed on user actions', () => {
    assert.ok(codes([policy({ state: 'enabledForReportingButNotEnforced', conditions: { applications: { includeUserActions: ['urn:user:registersecurityinfo'] } } })]).includes('report_only_user_action'));
  });
  test('passwordChange needs AND, mfa, all resources and user risk', () => {
    assert.ok(codes([policy({ grantControls: { operator: 'OR', builtInControls: ['passwordChange'] } })]).includes('password_change_requirements'));
    assert.ok(!codes([policy({ conditions: { userRiskLevels: ['high'] }, grantControls: { operator: 'AND', builtInControls: ['mfa', 'passwordChange'] } })]).includes('password_change_requirements'));
  });
  test('legacy clients can meet no grant control', () => {
    assert.ok(codes([policy({ conditions: { clientAppTypes: ['exchangeActiveSync', 'other'] } })]).includes('legacy_clients_cannot_satisfy'));
  });
  test('an unparsable device filter', () => {
    const f = lintPolicies([policy({ conditions: { devices: { deviceFilter: { mode: 'exclude', rule: 'device.isCompliant -eq' } } } })]);
    assert.equal(f.find((x) => x.code === 'invalid_device_filter')?.path, 'conditions.devices.deviceFilter.rule');
  });
  test('invalid policies are reported, not thrown', () => {
    const f = lintPolicies([{ state: 'on' }, 42, null]);
    assert.ok(f.length >= 3);
    assert.ok(f.every((x) => x.code === 'invalid_policy' && x.severity === 'error'));
  });
  test('unknown references and placeholders, with a directory', () => {
    const f = lintPolicies([policy({ conditions: { users: { includeUsers: ['All'], excludeGroups: ['<BreakGlass>', G_EXCLUDED] } } })], { groups: [] });
    assert.deepEqual(f.filter((x) => x.code.endsWith('_reference')).map((x) => x.code), ['placeholder_reference', 'unknown_reference']);
  });
  test('a well-formed policy set has no errors', () => {
    const f = lintPolicies(
      [policy({ conditions: { users: { includeUsers: ['All'], excludeUsers: [BREAK_GLASS] } }, grantControls: strength(MFA_STRENGTH) })],
      { emergencyAccess: { userIds: [BREAK_GLASS] } },
    );
    assert.deepEqual(f, []);
  });
});

const corpus = fileURLToPath(new URL('../../../../shared/corpus', import.meta.url));
describe('lint: the corpus', () => {
  test('linting every importable corpus policy never throws and every finding is well formed', { skip: existsSync(corpus) ? false : `corpus not found at ${corpus}` }, () => {
    const walk = (dir: string, out: string[] = []): string[] => {
      for (const name of readdirSync(dir)) {
        const full = join(dir, name);
        if (statSync(full).isDirectory()) walk(full, out);
        else if (name.endsWith('.json')) out.push(full);
      }
      return out;
    };
    let count = 0;
    for (const file of walk(corpus)) {
      const r = parsePolicyFile(readFileSync(file));
      if (!r.ok) continue;
      for (const f of lintPolicies(r.value.policies)) {
        count++;
        assert.ok(f.code && f.severity && f.policyId && f.message);
      }
    }
    assert.ok(count > 0);
  });
});
