// Property-based tests (fast-check): report-only policies never change the decision, and
// import/evaluate are total on random and malformed input.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  compilePolicies,
  evaluate,
  exportPolicy,
  parsePolicyFile,
  validatePolicy,
  type ConditionalAccessPolicy,
  type Decision,
  type Issue,
  type SignInContext,
} from '../src/index.js';
import { indexedPass, referencePass } from '../src/evaluate/applicability.js';
import { isSignInContext, signInContextSchema } from '../src/evaluate/context.js';
import { evaluateWith } from '../src/evaluate/evaluate.js';
import {
  APP_R,
  APP_X,
  EXCHANGE,
  G_STAFF,
  HOUR,
  LOC_HQ,
  MFA_STRENGTH,
  NOW,
  PASSWORDLESS,
  PHISHING_RESISTANT,
  ROLE_GA,
  TOU,
  U1,
  U2,
} from './fixtures.js';

// ---------------------------------------------------------------------------------------
// Arbitraries of realistic policies and sign-ins

const SP_ID = '5e6f7a8b-0000-4000-8000-00000000005b';

const users = fc.constantFrom<NonNullable<ConditionalAccessPolicy['conditions']['users']>>(
  { includeUsers: ['All'] },
  { includeUsers: [U1] },
  { includeUsers: ['All'], excludeUsers: [U1] },
  { includeGroups: [G_STAFF] },
  { includeRoles: [ROLE_GA] },
  { includeUsers: ['GuestsOrExternalUsers'] },
  { includeUsers: ['None'] },
  { includeUsers: ['All'], excludeGroups: [G_STAFF] },
  { includeGroups: [G_STAFF], excludeRoles: [ROLE_GA] },
  { includeUsers: [U2], includeGroups: [G_STAFF] },
  { includeGuestsOrExternalUsers: { guestOrExternalUserTypes: 'b2bCollaborationGuest,internalGuest', externalTenants: { membershipKind: 'all' } } },
  { includeUsers: ['All'], excludeGuestsOrExternalUsers: { guestOrExternalUserTypes: 'b2bCollaborationGuest', externalTenants: { membershipKind: 'all' } } },
  { includeGroups: [G_STAFF], excludeUsers: ['All'] },
  { includeUsers: ['All'], excludeUsers: ['All'] },
  { includeUsers: ['All'], excludeRoles: [ROLE_GA] },
);
const applications = fc.constantFrom<NonNullable<ConditionalAccessPolicy['conditions']['applications']>>(
  { includeApplications: ['All'] },
  { includeApplications: [APP_R] },
  { includeApplications: ['All'], excludeApplications: [APP_R] },
  { includeApplications: ['Office365'] },
  { includeUserActions: ['urn:user:registersecurityinfo'] },
  { includeAuthenticationContextClassReferences: ['c1'] },
);
const grants = fc.constantFrom<ConditionalAccessPolicy['grantControls']>(
  { operator: 'OR', builtInControls: ['block'] },
  { operator: 'OR', builtInControls: ['mfa'] },
  { operator: 'OR', builtInControls: ['mfa', 'compliantDevice'] },
  { operator: 'AND', builtInControls: ['mfa', 'compliantDevice'] },
  { operator: 'OR', builtInControls: ['domainJoinedDevice'] },
  { operator: 'AND', builtInControls: ['mfa', 'passwordChange'] },
  { operator: 'OR', authenticationStrength: { id: MFA_STRENGTH } },
  { operator: 'OR', authenticationStrength: { id: PASSWORDLESS } },
  { operator: 'OR', authenticationStrength: { id: PHISHING_RESISTANT } },
  { operator: 'AND', termsOfUse: [TOU] },
  null,
);
const sessions = fc.oneof(
  fc.constant(undefined),
  fc.integer({ min: 1, max: 23 }).map((value) => ({ signInFrequency: { isEnabled: true, value, type: 'hours' as const, frequencyInterval: 'timeBased' as const } })),
  fc.constant({ signInFrequency: { isEnabled: true, frequencyInterval: 'everyTime' as const, value: null, type: null } }),
  fc.constantFrom<'always' | 'never'>('always', 'never').map((mode) => ({ persistentBrowser: { isEnabled: true, mode } })),
);
const optionalConditions = fc.record(
  {
    clientAppTypes: fc.constantFrom(['all'], ['browser'], ['mobileAppsAndDesktopClients'], ['exchangeActiveSync', 'other']),
    platforms: fc.constantFrom({ includePlatforms: ['windows'] }, { includePlatforms: ['all'], excludePlatforms: ['android', 'iOS', 'windows', 'macOS'] }),
    locations: fc.constantFrom({ includeLocations: ['All'], excludeLocations: ['AllTrusted'] }, { includeLocations: [LOC_HQ] }),
    signInRiskLevels: fc.constantFrom(['high'], ['medium', 'high']),
    authenticationFlows: fc.constantFrom({ transferMethods: 'deviceCodeFlow' }, { transferMethods: 'deviceCodeFlow,authenticationTransfer' }),
    devices: fc.constantFrom({ deviceFilter: { mode: 'exclude' as const, rule: 'device.isCompliant -eq True' } }, { deviceFilter: { mode: 'include' as const, rule: 'device.trustType -eq "ServerAD"' } }),
    clientApplications: fc.constantFrom({ includeServicePrincipals: ['ServicePrincipalsInMyTenant'] }, { includeServicePrincipals: [SP_ID], excludeServicePrincipals: [] }, { includeServicePrincipals: ['ServicePrincipalsInMyTenant'], excludeServicePrincipals: [SP_ID] }),
  },
  { requiredKeys: [] },
);

let nextId = 0;
function policyArbitrary(state: fc.Arbitrary<ConditionalAccessPolicy['state']>): fc.Arbitrary<ConditionalAccessPolicy> {
  return fc.record({ state, users, applications, optional: optionalConditions, grant: grants, session: sessions }).map(({ state: s, users: u, applications: a, optional, grant, session }) => {
    nextId++;
    const p: ConditionalAccessPolicy = {
      id: `prop-${nextId}`,
      displayName: `prop ${nextId}`,
      state: s,
      conditions: { clientAppTypes: ['all'], users: u, applications: a, ...optional },
      grantControls: grant,
    };
    return session === undefined ? p : { ...p, sessionControls: session };
  });
}

const enforcedOrDisabled = policyArbitrary(fc.constantFrom('enabled', 'enabled', 'disabled'));
const reportOnly = policyArbitrary(fc.constant('enabledForReportingButNotEnforced'));

const methods = fc.subarray(['password', 'sms', 'microsoftAuthenticatorPush', 'deviceBasedPush', 'fido2', 'windowsHelloForBusiness', 'x509CertificateMultiFactor', 'temporaryAccessPassOneTime']);

const contexts: fc.Arbitrary<SignInContext> = fc
  .record({
    user: fc.constantFrom(
      { id: U1, groupIds: [G_STAFF], userType: 'member' as const },
      { id: U2, userType: 'guest' as const },
      { id: U2, roleTemplateIds: [ROLE_GA] },
    ),
    app: fc.constantFrom(APP_R, APP_X, EXCHANGE),
    userAction: fc.constantFrom(undefined, 'urn:user:registersecurityinfo'),
    acrs: fc.constantFrom(undefined, ['c1']),
    clientAppType: fc.constantFrom('browser' as const, 'mobileAppsAndDesktopClients' as const, 'exchangeActiveSync' as const, 'other' as const),
    platform: fc.constantFrom('windows' as const, 'iOS' as const, 'linux' as const, undefined),
    trusted: fc.boolean(),
    device: fc.constantFrom(undefined, { isCompliant: true, trustType: 'AzureAd' }, { isCompliant: false, trustType: 'ServerAd' }),
    risk: fc.constantFrom(undefined, 'low' as const, 'high' as const),
    flow: fc.constantFrom(undefined, 'none' as const, 'deviceCodeFlow' as const),
    original: fc.constantFrom(undefined, 'deviceCodeFlow' as const),
    methods,
    ageHours: fc.integer({ min: 0, max: 48 }),
    passwordChanged: fc.boolean(),
    tou: fc.boolean(),
  })
  .map((r) => {
    const mfa = r.methods.length > 1 || (r.methods.length === 1 && r.methods[0] !== 'password');
    const ctx: SignInContext = {
      user: r.user,
      application: { appId: r.app },
      clientAppType: r.clientAppType,
      location: { namedLocationIds: r.trusted ? [LOC_HQ] : [], isTrusted: r.trusted },
      proven: { methods: r.methods, mfa, authTime: NOW - r.ageHours * HOUR, passwordChanged: r.passwordChanged, acceptedTermsOfUse: r.tou ? [TOU] : [] },
      now: NOW,
      ...(r.userAction ? { userAction: r.userAction } : {}),
      ...(r.acrs ? { authenticationContextClassReferences: r.acrs } : {}),
      ...(r.platform ? { devicePlatform: r.platform } : {}),
      ...(r.device ? { device: r.device } : {}),
      ...(r.risk ? { signInRiskLevel: r.risk } : {}),
      ...(r.flow ? { authenticationFlow: { transferMethod: r.flow, ...(r.original ? { originalTransferMethod: r.original } : {}) } } : {}),
    };
    return ctx;
  });

function enforcedPart(d: Decision): unknown {
  return {
    outcome: d.outcome,
    errorCode: d.errorCode,
    status: d.conditionalAccessStatus,
    requirement: d.authenticationRequirement,
    missing: d.missing,
    mfaSatisfiedBy: d.mfaSatisfiedBy,
    sessionControls: d.sessionControls,
  };
}

describe('properties: report-only', () => {
  test('adding report-only policies never changes the decision', () => {
    fc.assert(
      fc.property(fc.array(enforcedOrDisabled, { maxLength: 6 }), fc.array(reportOnly, { minLength: 1, maxLength: 4 }), contexts, fc.nat(), (enforced, reports, ctx, seed) => {
        const without = evaluate({ policies: enforced, context: ctx });
        const mixed = [...enforced];
        for (const [i, r] of reports.entries()) mixed.splice((seed + i * 7) % (mixed.length + 1), 0, r);
        const withReports = evaluate({ policies: mixed, context: ctx });
        assert.deepEqual(enforcedPart(withReports), enforcedPart(without));
        for (const p of withReports.policies) {
          if (p.state === 'enabledForReportingButNotEnforced') assert.ok(p.result.startsWith('reportOnly'), p.result);
        }
      }),
      { numRuns: 600 },
    );
  });

  test('turning an enforced policy into report-only never makes the outcome stricter', () => {
    const rank = { grant: 0, interrupt: 1, block: 2 } as const;
    fc.assert(
      fc.property(fc.array(enforcedOrDisabled, { minLength: 1, maxLength: 6 }), contexts, fc.nat(), (policies, ctx, pick) => {
        const i = pick % policies.length;
        const before = evaluate({ policies, context: ctx });
        const relaxed = policies.map((p, j) => (j === i && p.state === 'enabled' ? { ...p, state: 'enabledForReportingButNotEnforced' as const } : p));
        const after = evaluate({ policies: relaxed, context: ctx });
        assert.ok(rank[after.outcome] <= rank[before.outcome], `${before.outcome} -> ${after.outcome}`);
      }),
      { numRuns: 400 },
    );
  });

  test('a block in any applicable enforced policy wins', () => {
    fc.assert(
      fc.property(fc.array(enforcedOrDisabled, { maxLength: 6 }), contexts, (policies, ctx) => {
        const d = evaluate({ policies, context: ctx });
        const blocking = d.policies.some((p, i) => p.result === 'failure' && policies[i]?.grantControls?.builtInControls?.includes('block'));
        if (blocking) assert.deepEqual([d.outcome, d.errorCode], ['block', 53003]);
        if (d.outcome === 'grant') assert.ok(d.policies.every((p) => p.result !== 'failure'));
      }),
      { numRuns: 400 },
    );
  });
});

// ---------------------------------------------------------------------------------------
// Fuzzing: random and malformed JSON

function assertIssues(errors: readonly Issue[]): void {
  assert.ok(errors.length > 0, 'a refusal has at least one reason');
  for (const e of errors) {
    assert.equal(typeof e.code, 'string');
    assert.ok(e.code.length > 0, 'code');
    assert.equal(typeof e.path, 'string');
    assert.ok(!e.path.startsWith('.') && !e.path.includes('..'), `dotted path: ${e.path}`);
    assert.ok(e.message.length > 0, 'message');
  }
}

const validPolicyJson = {
  displayName: 'base',
  state: 'enabled',
  conditions: {
    users: { includeUsers: ['All'], excludeGroups: [G_STAFF] },
    applications: { includeApplications: ['All'] },
    clientAppTypes: ['all'],
    platforms: { includePlatforms: ['all'], excludePlatforms: ['iOS'] },
    devices: { deviceFilter: { mode: 'exclude', rule: 'device.isCompliant -eq True' } },
    authenticationFlows: { transferMethods: 'deviceCodeFlow' },
  },
  grantControls: { operator: 'OR', builtInControls: ['mfa'] },
  sessionControls: { signInFrequency: { isEnabled: true, value: 4, type: 'hours' } },
};

/** Replaces the value at a random path of a JSON value with another value. */
function mutate(value: unknown, path: readonly number[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path as [number, ...number[]];
  if (Array.isArray(value) && value.length > 0) {
    const i = head % value.length;
    return value.map((v, j) => (j === i ? mutate(v, rest, replacement) : v));
  }
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value);
    if (keys.length === 0) return replacement;
    const key = keys[head % keys.length] as string;
    return { ...value, [key]: mutate((value as Record<string, unknown>)[key], rest, replacement) };
  }
  return replacement;
}

describe('properties: fuzzing import and evaluate', () => {
  test('parsePolicyFile never throws on random text or bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.uint8Array({ maxLength: 200 }), fc.jsonValue().map((v) => JSON.stringify(v))), (input) => {
        const r = parsePolicyFile(input);
        if (!r.ok) assertIssues(r.errors);
        else for (const p of r.value.policies) assert.ok(validatePolicy(exportPolicy(p)).ok);
      }),
      { numRuns: 1500 },
    );
  });

  test('parsePolicyFile never throws on mutated policies, and every refusal has a code and a dotted path', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 5 }), fc.jsonValue(), fc.boolean(), (path, replacement, pascal) => {
        const mutated = mutate(validPolicyJson, path, replacement);
        const text = JSON.stringify(pascal ? { value: [mutated] } : mutated);
        const r = parsePolicyFile(text);
        if (!r.ok) assertIssues(r.errors);
      }),
      { numRuns: 1500, ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}) },
    );
  });

  test('a refusal under empty keys still has a readable dotted path (fast-check seed -1842616611)', () => {
    const r = parsePolicyFile(JSON.stringify({ ...validPolicyJson, displayName: { '': { '': { n: 0, N: 0 } } } }));
    assert.equal(r.ok, false);
    if (!r.ok) {
      assertIssues(r.errors);
      assert.deepEqual(r.errors.map((e) => e.path), ['displayName[""][""].n']);
    }
  });

  test('evaluate never throws, and never grants when evaluation fails', () => {
    const anyPolicies = fc.oneof(fc.array(fc.jsonValue(), { maxLength: 3 }), fc.jsonValue());
    fc.assert(
      fc.property(anyPolicies, fc.oneof(fc.jsonValue(), contexts), (policies, ctx) => {
        const d = evaluate({ policies: policies as unknown as ConditionalAccessPolicy[], context: ctx as SignInContext });
        assert.ok(['grant', 'block', 'interrupt'].includes(d.outcome));
        if (d.error !== undefined) {
          assert.equal(d.outcome, 'block');
          assertIssues([d.error]);
        }
        if (d.policies.some((p) => p.state === 'enabled' && p.analysisReasons.includes('invalidPolicy'))) assert.equal(d.outcome, 'block');
      }),
      { numRuns: 1500 },
    );
  });

  test('evaluate with mutated policies never grants through an unreadable enabled policy', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 5 }), fc.jsonValue(), contexts, (path, replacement, ctx) => {
        const mutated = mutate(validPolicyJson, path, replacement);
        const set = compilePolicies([mutated]);
        const d = evaluate({ policies: set, context: ctx });
        const invalid = set.policies[0]?.issues !== undefined && set.policies[0]?.state === 'enabled';
        if (invalid) assert.equal(d.outcome, 'block');
      }),
      { numRuns: 800 },
    );
  });
});

// ---------------------------------------------------------------------------------------
// The indexed evaluation (applicability.ts) against testing every condition of every policy

// A compiled set used for a sequence of sign-ins, each drawn with a flag the test gives a meaning.
const policySets = fc.array(fc.oneof(enforcedOrDisabled, reportOnly), { maxLength: 14 });
const signInSequences = fc.array(fc.tuple(contexts, fc.boolean()), { minLength: 1, maxLength: 12 });

describe('properties: indexed evaluation equals testing every condition', () => {
  const servicePrincipalSignIn = (ctx: SignInContext): SignInContext => {
    const { user: _user, ...rest } = ctx;
    return { ...rest, servicePrincipal: { id: SP_ID, appId: APP_X }, proven: { methods: [], mfa: false } };
  };
  test('on one compiled set used for many sign-ins, the indexed first pass decides exactly as testing every condition of every policy', () => {
    fc.assert(
      fc.property(policySets, signInSequences, (policies, drawn) => {
        const set = compilePolicies(policies);
        const signIns = drawn.map(([ctx, asServicePrincipal]) => (asServicePrincipal ? servicePrincipalSignIn(ctx) : ctx));
        // Each sign-in twice, so that the second answer comes from what the set keeps.
        for (const ctx of [...signIns, ...signIns]) {
          assert.deepEqual(evaluateWith({ policies: set, context: ctx }, indexedPass), evaluateWith({ policies: set, context: ctx }, referencePass));
        }
      }),
      { numRuns: 600 },
    );
  });
});

describe('properties: what a compiled set keeps between sign-ins never changes an answer', () => {
  // Grant outcomes, results of applying policies and the sets of frozen group lists are kept
  // per compiled set and shared between sign-ins; a set compiled afresh for each sign-in keeps nothing.
  const frozenGroups = (ctx: SignInContext): SignInContext => (ctx.user ? { ...ctx, user: { ...ctx.user, groupIds: Object.freeze([...(ctx.user.groupIds ?? [])]) } } : ctx);
  test('a long-used compiled set answers every sign-in exactly as a set compiled for it alone', () => {
    fc.assert(
      fc.property(policySets, signInSequences, (policies, drawn) => {
        const kept = compilePolicies(policies);
        const signIns = drawn.map(([ctx, frozen]) => (frozen ? frozenGroups(ctx) : ctx));
        for (const ctx of [...signIns, ...signIns]) {
          assert.deepEqual(evaluate({ policies: kept, context: ctx }), evaluate({ policies: compilePolicies(policies), context: ctx }));
        }
      }),
      { numRuns: 400 },
    );
  });

  test('beyond what is kept per policy (256 grant outcomes) answers stay those of a fresh set', () => {
    // Nine terms of use, AND: 512 combinations of accepted ones, each a grant outcome of its own.
    const terms = Array.from({ length: 9 }, (_, i) => `7e7e7e7e-0000-4000-8000-00000000000${i}`);
    const policy: ConditionalAccessPolicy = {
      id: '0a0a0a0a-0000-4000-8000-000000000002', displayName: 'Accept every term', state: 'enabled',
      conditions: { users: { includeUsers: ['All'] }, applications: { includeApplications: ['All'] }, clientAppTypes: ['all'] },
      grantControls: { operator: 'AND', termsOfUse: terms },
    };
    const kept = compilePolicies([policy]);
    for (let round = 0; round < 2; round++) {
      for (let accepted = 0; accepted < 2 ** terms.length; accepted++) {
        const ctx: SignInContext = {
          user: { id: 'c0c0c0c0-0000-4000-8000-000000000002', groupIds: [], roleTemplateIds: [], userType: 'member' },
          application: { appId: APP_X },
          proven: { methods: ['password'], mfa: false, acceptedTermsOfUse: terms.filter((_, i) => (accepted & (1 << i)) !== 0) },
          now: 1_795_503_600,
        };
        const answer = evaluate({ policies: kept, context: ctx });
        assert.deepEqual(answer, evaluate({ policies: compilePolicies([policy]), context: ctx }));
        assert.equal(answer.outcome, accepted === 2 ** terms.length - 1 ? 'grant' : 'interrupt');
      }
    }
  });

  test('a group list changed in place between two sign-ins is read again (only frozen lists are kept)', () => {
    const policy: ConditionalAccessPolicy = {
      id: '0a0a0a0a-0000-4000-8000-000000000001', displayName: 'Staff need MFA', state: 'enabled',
      conditions: { users: { includeGroups: [G_STAFF] }, applications: { includeApplications: ['All'] }, clientAppTypes: ['all'] },
      grantControls: { operator: 'OR', builtInControls: ['mfa'] },
    };
    const set = compilePolicies([policy]);
    const groupIds: string[] = [G_STAFF];
    const ctx: SignInContext = { user: { id: 'c0c0c0c0-0000-4000-8000-000000000001', groupIds, roleTemplateIds: [], userType: 'member' }, application: { appId: APP_X }, proven: { methods: ['password'], mfa: false }, now: 1_795_503_600 };
    assert.equal(evaluate({ policies: set, context: ctx }).outcome, 'interrupt');
    groupIds.length = 0;
    assert.equal(evaluate({ policies: set, context: ctx }).outcome, 'grant');
    groupIds.push(G_STAFF.toUpperCase());
    assert.equal(evaluate({ policies: set, context: ctx }).outcome, 'interrupt');
  });
});

describe('properties: the written-out context check', () => {
  const odd = fc.oneof(
    fc.jsonValue(),
    fc.constantFrom(undefined, null, Number.NaN, Number.POSITIVE_INFINITY, [], {}, [1], ['a'], 'member', 'guest', 'token', true, 0),
  );
  test('isSignInContext accepts exactly what signInContextSchema accepts', () => {
    fc.assert(
      fc.property(contexts, fc.array(fc.nat(), { maxLength: 4 }), odd, fc.boolean(), (ctx, path, replacement, withDevice) => {
        const base = withDevice ? { ...ctx, device: { deviceId: 'd', isCompliant: null, trustType: 'AzureAd', physicalIds: ['x'], systemLabels: null, extensionAttribute1: 'k' }, user: { ...ctx.user, externalTenantId: 't', guestOrExternalUserTypes: ['b2bCollaborationGuest'] }, proven: { ...ctx.proven, certificate: { issuerSki: 's', policyOids: ['1.2'] }, mfaSource: 'token' } } : ctx;
        for (const candidate of [base, mutate(base, path, replacement)]) {
          assert.equal(isSignInContext(candidate), signInContextSchema.safeParse(candidate).success, JSON.stringify(candidate));
        }
      }),
      { numRuns: 3000 },
    );
  });

  test('isSignInContext agrees with the schema on every single-member change of a full context', () => {
    const full: Record<string, unknown> = {
      user: { id: U1, groupIds: [G_STAFF], roleTemplateIds: [ROLE_GA], userType: 'member', guestOrExternalUserTypes: ['internalGuest'], externalTenantId: 't' },
      servicePrincipal: { id: 'sp', appId: APP_X },
      application: { appId: APP_R },
      clientAppId: APP_X,
      userAction: 'urn:user:registersecurityinfo',
      authenticationContextClassReferences: ['c1'],
      clientAppType: 'browser',
      devicePlatform: 'windows',
      ipAddress: '10.0.0.1',
      location: { namedLocationIds: [LOC_HQ], isTrusted: true, country: 'FR' },
      device: { deviceId: 'd', isCompliant: true, trustType: 'AzureAd', physicalIds: ['p'], systemLabels: ['s'] },
      signInRiskLevel: 'low',
      userRiskLevel: 'low',
      servicePrincipalRiskLevel: 'low',
      insiderRiskLevel: 'minor',
      authenticationFlow: { transferMethod: 'none', originalTransferMethod: 'deviceCodeFlow' },
      clientApp: { approvedApplication: true, compliantApplication: false },
      registeredMethods: ['password'],
      proven: { methods: ['password'], mfa: true, authTime: NOW, mfaTime: '2026-01-01T00:00:00Z', mfaSource: 'token', passwordChanged: false, acceptedTermsOfUse: [TOU], customFactors: ['x'], fido2Aaguid: 'a', certificate: { issuerSki: 's', policyOids: ['1.2'] } },
      now: NOW,
    };
    const odd: unknown[] = [undefined, null, 0, Number.NaN, 'x', true, [], {}, ['a'], [1], { id: 1 }];
    const paths: string[][] = [];
    const walk = (value: unknown, path: string[]): void => {
      if (path.length > 0) paths.push(path);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) for (const key of Object.keys(value)) walk((value as Record<string, unknown>)[key], [...path, key]);
    };
    walk(full, []);
    const changed = (path: readonly string[], replacement: unknown, remove: boolean): unknown => {
      const [head, ...rest] = path as [string, ...string[]];
      const copy: Record<string, unknown> = { ...(full as Record<string, unknown>) };
      let at = copy;
      let key = head;
      for (const next of rest) {
        at[key] = { ...(at[key] as Record<string, unknown>) };
        at = at[key] as Record<string, unknown>;
        key = next;
      }
      if (remove) delete at[key];
      else at[key] = replacement;
      return copy;
    };
    assert.equal(isSignInContext(full), true);
    let compared = 0;
    for (const path of paths) {
      for (const candidate of [changed(path, undefined, true), ...odd.map((o) => changed(path, o, false))]) {
        assert.equal(isSignInContext(candidate), signInContextSchema.safeParse(candidate).success, `${path.join('.')}: ${JSON.stringify(candidate)}`);
        compared++;
      }
    }
    assert.ok(compared > 500, `${compared} contexts compared`);
  });

  test('isSignInContext on random values', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        assert.equal(isSignInContext(value), signInContextSchema.safeParse(value).success);
      }),
      { numRuns: 1000 },
    );
  });
});
