// Property: for random policy sets and sign-ins, What If (the admin's preview) decides
// exactly what the sign-in pipeline enforces, and report-only policies never change the
// outcome. Real storage, the real pipeline and the real What If; time from a test clock.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { whatIf } from '@monban/policy';
import fc from 'fast-check';
import { ManualClock } from '../src/clock.js';
import { directoryUser } from '../src/conditional-access/directory-view.js';
import { ConditionalAccessStore } from '../src/conditional-access/store.js';
import { Directory } from '../src/directory/directory.js';
import { globalAdministratorRoleId, graphAppId } from '../src/directory/well-known.js';
import { runInAttempt, type SignInAttempt } from '../src/signin/attempt.js';
import { SignInRefused, type Decision } from '../src/signin/decision.js';
import { SmartLockout } from '../src/signin/lockout.js';
import { SignInPipeline } from '../src/signin/pipeline.js';
import { createTestStore, testDatabase } from './support/database.js';

const sharePoint = '00000003-0000-0ff1-ce00-000000000000';
const userAgents = { windows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)', linux: 'Mozilla/5.0 (X11; Linux x86_64)', unknown: 'curl/8' } as const;

describe(`What If equals the pipeline on ${testDatabase()}`, () => {
  let store: Awaited<ReturnType<typeof createTestStore>>;
  let dir: Directory;
  let ca: ConditionalAccessStore;
  let pipeline: SignInPipeline;
  const clock = new ManualClock(new Date('2026-11-24T12:00:00Z'));
  const ids = { users: [] as string[], groups: [] as string[], clientAppId: '' };

  before(async () => {
    store = await createTestStore();
    dir = new Directory(store, clock);
    await dir.ensureBuiltInResources();
    ca = new ConditionalAccessStore(store.db, clock);
    pipeline = new SignInPipeline(dir, new SmartLockout(store, clock), ca, clock);
    const g1 = await dir.createGroup({ displayName: 'G1' });
    const g2 = await dir.createGroup({ displayName: 'G2' });
    await dir.addMember(g1.id, g2.id);
    const u1 = await dir.createUser({ userPrincipalName: 'u1@monban.local', displayName: 'U1' });
    const u2 = await dir.createUser({ userPrincipalName: 'u2@monban.local', displayName: 'U2' });
    const u3 = await dir.createUser({ userPrincipalName: 'u3@monban.local', displayName: 'U3' });
    await dir.addMember(g1.id, u1.id);
    await dir.addMember(g2.id, u2.id);
    await dir.assignRole(globalAdministratorRoleId, u3.id);
    ids.users = [u1.id, u2.id, u3.id];
    ids.groups = [g1.id, g2.id];
    ids.clientAppId = (await dir.createApplication({ displayName: 'Native', publicClient: true, redirectUris: ['http://localhost'] })).application.app_id;
  });
  after(async () => { await store.dispose(); });

  const policyArb = () => fc.record({
    state: fc.constantFrom('enabled', 'disabled', 'enabledForReportingButNotEnforced'),
    includeUsers: fc.constantFrom<string[]>(['All'], ['u0'], ['u1'], ['None']),
    excludeUsers: fc.constantFrom<string[]>([], ['u2']),
    includeGroups: fc.constantFrom<string[]>([], ['g0'], ['g1']),
    includeRoles: fc.constantFrom<string[]>([], [globalAdministratorRoleId]),
    includeApplications: fc.constantFrom<string[]>(['All'], [graphAppId], [sharePoint], ['Office365']),
    clientAppTypes: fc.constantFrom<string[]>(['all'], ['browser'], ['mobileAppsAndDesktopClients']),
    platforms: fc.constantFrom<string[] | undefined>(undefined, ['windows'], ['all'], ['linux']),
    grant: fc.constantFrom<string[]>(['block'], ['mfa'], ['compliantDevice'], ['mfa', 'compliantDevice']),
    operator: fc.constantFrom('AND', 'OR'),
  });
  const signInArb = fc.record({
    user: fc.integer({ min: 0, max: 2 }),
    resource: fc.constantFrom(graphAppId, sharePoint),
    platform: fc.constantFrom<keyof typeof userAgents>('windows', 'linux', 'unknown'),
    flow: fc.constantFrom<'interactive' | 'refresh_token'>('interactive', 'refresh_token'),
  });

  type PolicySpec = ReturnType<typeof policyArb> extends fc.Arbitrary<infer T> ? T : never;
  const toGraph = (p: PolicySpec, i: number, state = p.state): Record<string, unknown> => {
    const sub = (list: string[]): string[] => list.map((v) => (v.startsWith('u') && v.length === 2 ? ids.users[Number(v[1])] ?? v : v.startsWith('g') && v.length === 2 ? ids.groups[Number(v[1])] ?? v : v));
    return {
      displayName: `P${i}`, state,
      conditions: {
        users: { includeUsers: sub(p.includeUsers), excludeUsers: sub(p.excludeUsers), includeGroups: sub(p.includeGroups), includeRoles: p.includeRoles },
        applications: { includeApplications: p.includeApplications },
        clientAppTypes: p.clientAppTypes,
        ...(p.platforms ? { platforms: { includePlatforms: p.platforms } } : {}),
      },
      grantControls: { operator: p.operator, builtInControls: p.grant },
    };
  };

  const replacePolicies = async (policies: Record<string, unknown>[]): Promise<void> => {
    await store.db.deleteFrom('ca_policies').execute();
    for (const p of policies) await ca.createPolicy(p);
  };

  const enforced = async (s: { user: number; resource: string; platform: keyof typeof userAgents; flow: 'interactive' | 'refresh_token' }): Promise<Decision> => {
    const attempt: SignInAttempt = {
      correlationId: randomUUID(), startedAt: clock.now(), ipAddress: '127.0.0.1', userAgent: userAgents[s.platform],
      flow: s.flow === 'interactive' ? 'interactive' : 'refresh_token', isInteractive: s.flow === 'interactive', reuseDetected: false,
      incomingTokenType: 'none', authenticationMethods: ['pwd'], logged: false,
    };
    return runInAttempt(attempt, async () => {
      try {
        return await pipeline.run({ flow: s.flow, clientAppId: ids.clientAppId, userId: ids.users[s.user], amr: ['pwd'], authTime: Math.floor(clock.now().getTime() / 1000), resource: s.resource });
      } catch (e) {
        if (e instanceof SignInRefused) return e.decision;
        throw e;
      }
    });
  };

  test('for random policy sets and sign-ins, What If decides what the pipeline enforces; report-only never changes it', async () => {
    await fc.assert(fc.asyncProperty(fc.array(policyArb(), { minLength: 1, maxLength: 5 }), signInArb, async (specs, s) => {
      await replacePolicies(specs.map((p, i) => toGraph(p, i)));
      const decision = await enforced(s);
      const snapshot = await ca.snapshot();
      const userId = ids.users[s.user] ?? '';
      const answer = whatIf({
        signInIdentity: { '@odata.type': '#microsoft.graph.userSignIn', userId },
        signInContext: { '@odata.type': '#microsoft.graph.applicationContext', includeApplications: [s.resource] },
        signInConditions: {
          clientAppType: s.flow === 'interactive' ? 'browser' : 'mobileAppsAndDesktopClients',
          ipAddress: '127.0.0.1',
          ...(s.platform === 'unknown' ? {} : { devicePlatform: s.platform }),
        },
        monban: { proven: { methods: ['password'], mfa: false, authTime: Math.floor(clock.now().getTime() / 1000) }, now: Math.floor(clock.now().getTime() / 1000) },
      }, snapshot.compiled, { users: [await directoryUser(dir, userId)].filter((u) => u !== undefined), namedLocations: snapshot.namedLocations, authenticationStrengths: snapshot.strengths });
      assert.ok(answer.ok, JSON.stringify(!answer.ok && answer.errors));
      const expected = answer.value.monban.decision;
      assert.equal(decision.allowed, expected.outcome === 'grant', `${JSON.stringify(expected)} vs ${JSON.stringify(decision)}`);
      assert.equal(decision.errorCode, expected.errorCode);
      for (const v of answer.value.value) {
        const applied = decision.appliedConditionalAccessPolicies.find((p) => p.id === v.id);
        assert.equal(applied?.result, v.monban.result, `policy ${String(v.displayName)}`);
      }

      // Same sign-in with the report-only policies removed: the same outcome.
      await replacePolicies(specs.map((p, i) => toGraph(p, i)).filter((p) => p.state !== 'enabledForReportingButNotEnforced'));
      const withoutReportOnly = await enforced(s);
      assert.equal(withoutReportOnly.allowed, decision.allowed);
      assert.equal(withoutReportOnly.errorCode, decision.errorCode);
    }), { numRuns: 30 });
  });
});
