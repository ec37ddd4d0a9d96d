// The first pass of an evaluation: which policies of a set apply to one sign-in, and the
// finished result of every policy that does not (or is not enabled). referencePass() tests
// every condition of every policy in turn; indexedPass() gives the same answer (the property
// tests hold the two equal) without visiting every policy:
//  - conditions that depend only on the sign-in's situation (resource, client type, platform,
//    location, risk, ...) are tested once per distinct situation and their masks kept;
//  - equal device conditions are tested once per sign-in;
//  - for a situation and the device outcomes, the results of all policies with the users
//    outcome that `All` gives are made once (a baseline) and copied;
//  - users conditions are answered through an index from user id, group and role to the
//    policies naming them, so only the policies that name the user, one of its groups or
//    roles (in an inclusion or an exclusion) are visited.
// Masks are bit sets over CONDITION_ORDER.
import { CONDITION_ORDER, type CompiledCondition, type CompiledPolicy, type CompiledPolicySet, type PrincipalTargets, type Prepared } from './compile.js';
import type { AnalysisReason, PolicyEvaluation } from './decision.js';

/** The application condition's reason depends on the sign-in; index into this list. */
export const APPLICATION_REASONS: readonly AnalysisReason[] = ['application', 'userActions', 'authenticationContext'];

/** Makes the result of a policy that is not enabled, or does not apply with these masks. */
export type ResultMaker = (cp: CompiledPolicy, matched: number, notMatched: number, applicationReason: number) => PolicyEvaluation;

export interface Applying {
  readonly index: number;
  /** Bits of the conditions that matched. */
  readonly matched: number;
}

export interface FirstPass {
  /** Per policy: its result, unless it applies (then undefined, to be filled by the caller). */
  readonly results: (PolicyEvaluation | undefined)[];
  /** The policies that apply, in the set's order. */
  readonly applying: readonly Applying[];
}

interface ConditionMasks {
  readonly matched: Int32Array;
  readonly notMatched: Int32Array;
  /** APPLICATION_REASONS index, when the application condition did not match. */
  readonly applicationReason: Uint8Array;
}

const USERS_BIT = 1 << CONDITION_ORDER.indexOf('users');
const DEVICE_BIT = 1 << CONDITION_ORDER.indexOf('deviceState');

/** Policies that take part (not disabled, readable): the others have no conditions to test. */
const takesPart = (cp: CompiledPolicy): boolean => cp.state !== 'disabled' && cp.issues === undefined;

function record(masks: ConditionMasks, i: number, c: CompiledCondition, p: Prepared): void {
  const r = c.test(p);
  if (r === undefined) return;
  if (r) masks.matched[i] = (masks.matched[i] ?? 0) | (1 << c.bit);
  else {
    masks.notMatched[i] = (masks.notMatched[i] ?? 0) | (1 << c.bit);
    if (c.reasonFor !== undefined) masks.applicationReason[i] = Math.max(0, APPLICATION_REASONS.indexOf(c.reasonFor(p)));
  }
}

function emptyMasks(n: number): ConditionMasks {
  return { matched: new Int32Array(n), notMatched: new Int32Array(n), applicationReason: new Uint8Array(n) };
}

/** The reference: every condition of every policy tested in turn, nothing kept. */
export function referencePass(set: CompiledPolicySet, p: Prepared, make: ResultMaker): FirstPass {
  const masks = emptyMasks(set.policies.length);
  const results: (PolicyEvaluation | undefined)[] = [];
  const applying: Applying[] = [];
  set.policies.forEach((cp, i) => {
    if (takesPart(cp)) for (const c of cp.conditions) record(masks, i, c, p);
    const matched = masks.matched[i] ?? 0;
    const notMatched = masks.notMatched[i] ?? 0;
    if (cp.state === 'disabled' || notMatched !== 0) results.push(make(cp, matched, notMatched, masks.applicationReason[i] ?? 0));
    else {
      results.push(undefined);
      applying.push({ index: i, matched });
    }
  });
  return { results, applying };
}

// ---------------------------------------------------------------------------------------

interface TargetIndex {
  readonly all: number[];
  readonly byId: Map<string, number[]>;
  readonly byGroup: Map<string, number[]>;
  readonly byRole: Map<string, number[]>;
  readonly guestKeyword: number[];
  readonly guestMatchers: { readonly index: number; readonly test: (p: Prepared) => boolean }[];
}

interface DeviceGroup {
  /** One of the equal conditions (they give the same result). */
  readonly condition: CompiledCondition;
  readonly indexes: number[];
}

/** How the users and device conditions came out: 0 not concerned, 1 matched, 2 not matched. */
const OUTCOMES = 3;
const SLOTS_PER_POLICY = OUTCOMES * OUTCOMES;

interface Baseline {
  /** Per policy: its result, or undefined when it applies; for user sign-ins with the users outcome of matchesUnlessNamed. */
  readonly results: readonly (PolicyEvaluation | undefined)[];
  readonly applying: readonly Applying[];
  /** For user sign-ins, per policy, when its users condition matches: its result, or undefined when it then applies. */
  readonly ifUsersMatch: readonly (PolicyEvaluation | undefined)[];
  readonly ifUsersMatchApplying: readonly (Applying | undefined)[];
  /** For user sign-ins, per policy, when its users condition does not match (never applies then). */
  readonly ifUsersDoNotMatch: readonly (PolicyEvaluation | undefined)[];
}

interface Situation extends ConditionMasks {
  /**
   * Results of policies that do not apply, by i * SLOTS_PER_POLICY + users outcome * 3 +
   * device outcome: within one situation a policy's masks differ only by these outcomes.
   */
  readonly results: (PolicyEvaluation | undefined)[];
  /** By device outcomes (one digit per device group). */
  readonly baselines: Map<string, Baseline>;
}

interface SetIndex {
  readonly include: TargetIndex;
  readonly exclude: TargetIndex;
  readonly situation: { readonly index: number; readonly condition: CompiledCondition }[];
  readonly deviceGroups: DeviceGroup[];
  /** Per policy: its device group, or -1. */
  readonly deviceGroupOf: Int32Array;
  /** Masks of the situation conditions and shared results, by situationKey(); bounded. */
  readonly situations: Map<string, Situation>;
  /**
   * Per policy: 1 when its users condition matches every user the index does not name in an
   * exclusion (it includes `All` and does not exclude `All`). The baseline assumes this
   * outcome, so a sign-in revisits only the policies its user is named in.
   */
  readonly matchesUnlessNamed: Uint8Array;
  /** Per policy: 1 when it excludes `All` (its users condition never matches). */
  readonly excludesEveryone: Uint8Array;
  /** Per policy: the evaluation (generation) in which the users index last named it. */
  readonly includedIn: Int32Array;
  readonly excludedIn: Int32Array;
  generation: number;
  /** Per device group: its outcome in the current evaluation (reused: evaluation is synchronous). */
  readonly deviceOutcomes: Uint8Array;
}

const SITUATIONS_KEPT = 64;
const BASELINES_KEPT = 8;
const indexes = new WeakMap<CompiledPolicySet, SetIndex>();

function targetIndex(): TargetIndex {
  return { all: [], byId: new Map(), byGroup: new Map(), byRole: new Map(), guestKeyword: [], guestMatchers: [] };
}

function add(map: Map<string, number[]>, keys: readonly string[], index: number): void {
  for (const key of keys) {
    const list = map.get(key);
    if (list === undefined) map.set(key, [index]);
    else if (list[list.length - 1] !== index) list.push(index);
  }
}

function addTargets(to: TargetIndex, t: PrincipalTargets, index: number): void {
  if (t.all) to.all.push(index);
  add(to.byId, t.ids, index);
  add(to.byGroup, t.groups, index);
  add(to.byRole, t.roles, index);
  if (t.guestKeyword) to.guestKeyword.push(index);
  if (t.guests !== undefined) to.guestMatchers.push({ index, test: t.guests });
}

function buildIndex(set: CompiledPolicySet): SetIndex {
  const n = set.policies.length;
  const index: Omit<SetIndex, 'deviceOutcomes'> = {
    include: targetIndex(),
    exclude: targetIndex(),
    situation: [],
    deviceGroups: [],
    deviceGroupOf: new Int32Array(n).fill(-1),
    situations: new Map(),
    matchesUnlessNamed: new Uint8Array(n),
    excludesEveryone: new Uint8Array(n),
    includedIn: new Int32Array(n),
    excludedIn: new Int32Array(n),
    generation: 0,
  };
  const groupsByKey = new Map<string, number>();
  set.policies.forEach((cp, i) => {
    if (!takesPart(cp)) return;
    for (const condition of cp.conditions) {
      if (condition.dependsOn === 'user') {
        // The users condition is the only one read through the index (see compile.ts).
        if (condition.users === undefined) throw new Error(`policy ${cp.id}: a user condition without targets cannot be indexed`);
        addTargets(index.include, condition.users.include, i);
        addTargets(index.exclude, condition.users.exclude, i);
      } else if (condition.dependsOn === 'device') {
        if (condition.bit !== CONDITION_ORDER.indexOf('deviceState')) throw new Error(`policy ${cp.id}: only deviceState depends on the device`);
        const known = condition.sameAs === undefined ? undefined : groupsByKey.get(condition.sameAs);
        const g = known ?? index.deviceGroups.push({ condition, indexes: [] }) - 1;
        if (known === undefined && condition.sameAs !== undefined) groupsByKey.set(condition.sameAs, g);
        index.deviceGroups[g]?.indexes.push(i);
        index.deviceGroupOf[i] = g;
      } else {
        index.situation.push({ index: i, condition });
      }
    }
  });
  for (const i of index.exclude.all) index.excludesEveryone[i] = 1;
  for (const i of index.include.all) if (index.excludesEveryone[i] === 0) index.matchesUnlessNamed[i] = 1;
  return { ...index, deviceOutcomes: new Uint8Array(index.deviceGroups.length) };
}

const joined = (values: ReadonlySet<string>): string => (values.size === 0 ? '' : values.size === 1 ? [...values].join('') : [...values].sort().join(','));

/** Every fact a `situation` condition may read (see ConditionDependency). */
function situationKey(p: Prepared): string {
  const ctx = p.ctx;
  return [
    p.isUser ? 'user' : `sp:${p.servicePrincipalId ?? ''}`,
    p.resource ?? '',
    p.userAction ?? '',
    joined(p.acrs),
    p.clientAppType ?? '',
    p.platform ?? '',
    joined(p.namedLocationIds),
    p.isTrustedLocation ? 'trusted' : '',
    joined(p.transferMethods),
    ctx.signInRiskLevel ?? '',
    ctx.userRiskLevel ?? '',
    ctx.servicePrincipalRiskLevel ?? '',
    ctx.insiderRiskLevel ?? '',
  ].join('\u0001');
}

function situationFor(set: CompiledPolicySet, index: SetIndex, p: Prepared): Situation {
  const key = situationKey(p);
  let situation = index.situations.get(key);
  if (situation === undefined) {
    const n = set.policies.length;
    situation = { ...emptyMasks(n), results: new Array<PolicyEvaluation | undefined>(n * SLOTS_PER_POLICY).fill(undefined), baselines: new Map() };
    for (const { index: i, condition } of index.situation) record(situation, i, condition, p);
    if (index.situations.size >= SITUATIONS_KEPT) index.situations.clear();
    index.situations.set(key, situation);
  }
  return situation;
}

/** The result of policy i when its users and device conditions came out as given, or undefined when it applies. */
function resultFor(set: CompiledPolicySet, s: Situation, i: number, users: number, device: number, make: ResultMaker): PolicyEvaluation | undefined {
  const cp = set.policies[i] as CompiledPolicy;
  const slot = i * SLOTS_PER_POLICY + users * OUTCOMES + device;
  const known = s.results[slot];
  if (known !== undefined) return known;
  if (cp.issues !== undefined && cp.state !== 'disabled') return undefined;
  const matched = matchedBits(s, i, users, device);
  const notMatched = (s.notMatched[i] ?? 0) | (users === 2 ? USERS_BIT : 0) | (device === 2 ? DEVICE_BIT : 0);
  if (cp.state !== 'disabled' && notMatched === 0) return undefined;
  const made = make(cp, matched, notMatched, s.applicationReason[i] ?? 0);
  s.results[slot] = made;
  return made;
}

function matchedBits(s: Situation, i: number, users: number, device: number): number {
  return (s.matched[i] ?? 0) | (users === 1 ? USERS_BIT : 0) | (device === 1 ? DEVICE_BIT : 0);
}

/** Every policy's result when the users condition does not match (users) or does not concern the sign-in (service principals). */
function baseline(set: CompiledPolicySet, index: SetIndex, s: Situation, devices: Uint8Array, isUser: boolean, make: ResultMaker): Baseline {
  const results: (PolicyEvaluation | undefined)[] = [];
  const applying: Applying[] = [];
  const ifUsersMatch: (PolicyEvaluation | undefined)[] = [];
  const ifUsersMatchApplying: (Applying | undefined)[] = [];
  const ifUsersDoNotMatch: (PolicyEvaluation | undefined)[] = [];
  set.policies.forEach((cp, i) => {
    const g = index.deviceGroupOf[i] ?? -1;
    const device = g < 0 ? 0 : (devices[g] ?? 0);
    // Only policies that take part have a users outcome (and can be named by the index).
    const named = isUser && takesPart(cp);
    const matches = named ? resultFor(set, s, i, 1, device, make) : undefined;
    const matchesApplying = named && matches === undefined ? { index: i, matched: matchedBits(s, i, 1, device) } : undefined;
    const doesNotMatch = named ? resultFor(set, s, i, 2, device, make) : undefined;
    ifUsersMatch.push(matches);
    ifUsersMatchApplying.push(matchesApplying);
    ifUsersDoNotMatch.push(doesNotMatch);
    if (named) {
      if (index.matchesUnlessNamed[i] === 1) {
        results.push(matches);
        if (matchesApplying !== undefined) applying.push(matchesApplying);
      } else {
        results.push(doesNotMatch);
      }
      return;
    }
    const result = resultFor(set, s, i, 0, device, make);
    results.push(result);
    if (result === undefined) applying.push({ index: i, matched: cp.issues === undefined ? matchedBits(s, i, 0, device) : 0 });
  });
  return { results, applying, ifUsersMatch, ifUsersMatchApplying, ifUsersDoNotMatch };
}

function mark(stamps: Int32Array, generation: number, list: readonly number[] | undefined, named: number[]): void {
  if (list === undefined) return;
  for (let k = 0; k < list.length; k++) {
    const i = list[k] as number;
    if (stamps[i] !== generation) {
      stamps[i] = generation;
      named.push(i);
    }
  }
}

/** Marks the policies whose targets name the user (not through `All`) and lists them once each. */
function markTargeted(t: TargetIndex, p: Prepared, stamps: Int32Array, generation: number, named: number[]): void {
  // `All` is not marked: the baseline accounts for it (matchesUnlessNamed).
  if (p.userId !== '') mark(stamps, generation, t.byId.get(p.userId), named);
  if (t.byGroup.size > 0) for (const g of p.groups) mark(stamps, generation, t.byGroup.get(g), named);
  if (t.byRole.size > 0) for (const r of p.roles) mark(stamps, generation, t.byRole.get(r), named);
  if (p.isGuestOrExternal) mark(stamps, generation, t.guestKeyword, named);
  for (const { index, test } of t.guestMatchers) if (stamps[index] !== generation && test(p)) mark(stamps, generation, [index], named);
}

/** The same answer as referencePass(), through the set's indexes and kept results. */
export function indexedPass(set: CompiledPolicySet, p: Prepared, make: ResultMaker): FirstPass {
  let index = indexes.get(set);
  if (index === undefined) {
    index = buildIndex(set);
    indexes.set(set, index);
  }
  const s = situationFor(set, index, p);

  // Device conditions: each group of equal ones tested once.
  const groups = index.deviceGroups;
  const devices = index.deviceOutcomes;
  let deviceKey = '';
  for (let g = 0; g < groups.length; g++) {
    const r = (groups[g] as DeviceGroup).condition.test(p);
    const outcome = r === undefined ? 0 : r ? 1 : 2;
    devices[g] = outcome;
    deviceKey += outcome === 0 ? '0' : outcome === 1 ? '1' : '2';
  }
  let base = s.baselines.get(deviceKey);
  if (base === undefined) {
    base = baseline(set, index, s, devices, p.isUser, make);
    if (s.baselines.size < BASELINES_KEPT) s.baselines.set(deviceKey, base);
  }
  if (!p.isUser) return { results: base.results.slice(), applying: base.applying };

  // Users: only the policies that name this user in an inclusion or an exclusion (not
  // through `All`) can differ from the baseline.
  if (index.generation >= 0x3fffffff) {
    index.generation = 0;
    index.includedIn.fill(0);
    index.excludedIn.fill(0);
  }
  const generation = ++index.generation;
  // Fresh arrays: cheaper than truncating kept ones (setting length is a runtime call).
  const named: number[] = [];
  const excluded: number[] = [];
  markTargeted(index.include, p, index.includedIn, generation, named);
  markTargeted(index.exclude, p, index.excludedIn, generation, excluded);
  if (named.length === 0 && excluded.length === 0) return { results: base.results.slice(), applying: base.applying };
  const results = base.results.slice();
  const { ifUsersMatch, ifUsersMatchApplying, ifUsersDoNotMatch } = base;
  const { includedIn, excludedIn, matchesUnlessNamed, excludesEveryone } = index;
  let applying: Applying[] | undefined;
  let removed = false;
  // Named in an inclusion: matches unless excluded (exclusions beat inclusions).
  for (let k = 0; k < named.length; k++) {
    const i = named[k] as number;
    const matches = excludedIn[i] !== generation && excludesEveryone[i] === 0;
    if (matches === (matchesUnlessNamed[i] === 1)) continue;
    if (matches) {
      results[i] = ifUsersMatch[i];
      const applies = ifUsersMatchApplying[i];
      if (applies !== undefined) (applying ??= base.applying.slice()).push(applies);
    } else {
      results[i] = ifUsersDoNotMatch[i];
      removed ||= ifUsersMatchApplying[i] !== undefined;
    }
  }
  // Named only in an exclusion: a policy the baseline counted as matching (through `All`) does not.
  for (let k = 0; k < excluded.length; k++) {
    const i = excluded[k] as number;
    if (includedIn[i] === generation || matchesUnlessNamed[i] === 0) continue;
    results[i] = ifUsersDoNotMatch[i];
    removed ||= ifUsersMatchApplying[i] !== undefined;
  }
  if (removed) applying = (applying ?? base.applying.slice()).filter((a) => results[a.index] === undefined);
  if (applying === undefined) return { results, applying: base.applying };
  applying.sort((a, b) => a.index - b.index);
  return { results, applying };
}
