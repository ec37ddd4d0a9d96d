// Scenario S20: a policy set exported from the reference system (j0eyv's Conditional
// Access baseline, an IntuneManagement export in UTF-16LE) is imported and evaluated for a
// table of sign-ins.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  compilePolicies,
  evaluate,
  lintPolicies,
  parseNamedLocationFile,
  parsePolicyFile,
  type ConditionalAccessPolicy,
  type DirectoryView,
  type NamedLocation,
  type SignInContext,
} from '../src/index.js';
import { HOUR, NOW, SHAREPOINT } from './fixtures.js';

const base = fileURLToPath(new URL('../../../../shared/corpus/j0eyv__ConditionalAccessBaseline/Config/', import.meta.url));

const INTERNALS = 'ceeac9b8-ddf5-48cb-afcb-e2ab8bfd1a57';
const INTUNE_ENROLLMENT = 'd4ebce55-015a-49b5-a083-c84d1797ae8c';
const SOME_APP = '11111111-aaaa-bbbb-cccc-000000000001';

interface Row {
  readonly name: string;
  readonly context: Partial<SignInContext>;
  readonly outcome: 'grant' | 'block' | 'interrupt';
  readonly errorCode: number;
  /** Policies (by display-name prefix) whose result must be `failure`. */
  readonly failing?: readonly string[];
}

const internal = { id: 'aaaaaaaa-1111-0000-0000-000000000001', groupIds: [INTERNALS], userType: 'member' as const };
const guest = { id: 'aaaaaaaa-2222-0000-0000-000000000001', userType: 'guest' as const, guestOrExternalUserTypes: ['b2bCollaborationGuest' as const] };
const compliantPc = { deviceId: 'pc', isCompliant: true, trustType: 'AzureAd', deviceOwnership: 'Company', operatingSystem: 'Windows' };
const prtMfa = { methods: ['windowsHelloForBusiness'], mfa: true, authTime: NOW - HOUR, mfaSource: 'primaryRefreshToken' as const };

const rows: Row[] = [
  { name: 'internal user, compliant PC, Hello PRT, allowed country', context: {}, outcome: 'grant', errorCode: 0 },
  { name: 'same, from a country outside the allow-list', context: { location: { country: 'US' } }, outcome: 'block', errorCode: 53003, failing: ['CA001'] },
  { name: 'Exchange ActiveSync (legacy authentication)', context: { clientAppType: 'exchangeActiveSync' }, outcome: 'block', errorCode: 53003, failing: ['CA000', 'CA002', 'CA205'] }, // legacy clients meet no grant control
  { name: 'device code flow', context: { authenticationFlow: { transferMethod: 'deviceCodeFlow' } }, outcome: 'block', errorCode: 53003, failing: ['CA004', 'CA205'] }, // device grants cannot be met over device code
  { name: 'unknown platform', context: { devicePlatform: undefined }, outcome: 'block', errorCode: 53003, failing: ['CA204'] },
  { name: 'Windows device neither compliant nor hybrid joined', context: { device: { deviceId: 'byod', isCompliant: false, trustType: 'Workplace', deviceOwnership: 'Personal' } }, outcome: 'block', errorCode: 53000, failing: ['CA205'] },
  { name: 'password only on a compliant PC', context: { proven: { methods: ['password'], mfa: false, authTime: NOW - 60 } }, outcome: 'interrupt', errorCode: 50076, failing: ['CA000', 'CA200'] },
  { name: 'high user risk', context: { userRiskLevel: 'high' }, outcome: 'block', errorCode: 53003, failing: ['CA201'] },
  // Sign-in frequency every time: the PRT's MFA claim is too old for every MFA policy that applies.
  { name: 'Intune enrolment needs a fresh sign-in every time', context: { application: { appId: INTUNE_ENROLLMENT } }, outcome: 'interrupt', errorCode: 50078, failing: ['CA000', 'CA200', 'CA203'] },
  { name: 'guest opening a non-Microsoft 365 app', context: { user: guest, device: undefined, proven: { methods: ['password', 'sms'], mfa: true, authTime: NOW - 60 } }, outcome: 'block', errorCode: 53003, failing: ['CA401'] },
  { name: 'guest opening SharePoint with MFA', context: { user: guest, device: undefined, application: { appId: SHAREPOINT }, proven: { methods: ['password', 'sms'], mfa: true, authTime: NOW - 60 } }, outcome: 'grant', errorCode: 0 },
  { name: 'registering a device with MFA', context: { userAction: 'urn:user:registerdevice', application: undefined }, outcome: 'grant', errorCode: 0 },
];

function readPolicies(): ConditionalAccessPolicy[] {
  const dir = join(base, 'ConditionalAccess');
  return readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const r = parsePolicyFile(readFileSync(join(dir, f)));
      assert.ok(r.ok, `${f}: ${JSON.stringify(!r.ok && r.errors)}`);
      return r.value.policies;
    });
}

function readLocations(): NamedLocation[] {
  const dir = join(base, 'NamedLocations');
  return readdirSync(dir).flatMap((f) => {
    const r = parseNamedLocationFile(readFileSync(join(dir, f)));
    return r.ok ? r.value.items : [];
  });
}

if (!existsSync(base)) {
  test('S20 corpus policy set', { skip: `corpus not found at ${base}` }, () => {});
} else {
  describe('S20: an exported policy set evaluated for a table of sign-ins', () => {
    const policies = readPolicies();
    const directory: DirectoryView = { namedLocations: readLocations() };
    const set = compilePolicies(policies);

    test('the whole set compiles without issues', () => {
      assert.equal(policies.length, 36);
      assert.deepEqual(set.issues, []);
    });

    for (const row of rows) {
      test(row.name, () => {
        const context: SignInContext = {
          user: internal,
          application: { appId: SOME_APP },
          clientAppType: 'browser',
          devicePlatform: 'windows',
          location: { country: 'NL' },
          device: compliantPc,
          proven: prtMfa,
          now: NOW,
          ...row.context,
        };
        const d = evaluate({ policies: set, context, directory });
        assert.equal(d.outcome, row.outcome, d.explanation);
        assert.equal(d.errorCode, row.errorCode, d.explanation);
        const failing = d.policies.filter((p) => p.result === 'failure').map((p) => p.displayName.slice(0, 5));
        assert.deepEqual(failing, [...(row.failing ?? [])], d.explanation);
        // Report-only policies of the set are evaluated but never enforced.
        assert.ok(d.policies.filter((p) => p.state === 'enabledForReportingButNotEnforced').every((p) => p.result.startsWith('reportOnly')));
      });
    }

    test('lint finds no lock-out in the baseline', () => {
      const findings = lintPolicies(policies);
      assert.deepEqual(findings.filter((f) => f.code === 'locks_out_everyone' || f.code === 'locks_out_admins'), []);
    });
  });
}
