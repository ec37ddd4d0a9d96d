// Which conditions of every policy in a set match one sign-in, as bit masks over
// CONDITION_ORDER. The result is what testing each condition of each policy gives
// (testedMasks() does exactly that, and the property tests hold the two equal), computed
// without visiting every condition of every policy:
//  - conditions that depend only on the sign-in's situation (resource, client type, platform,
//    location, risk, ...) are tested once per distinct situation and the masks reused;
//  - users conditions are answered through an index from user id, group and role to the
//    policies naming them, so a sign-in costs its own groups, not the policies' count;
//  - device conditions are tested per policy that has one.
import { CONDITION_ORDER, type CompiledCondition, type CompiledPolicySet, type PrincipalTargets, type Prepared } from './compile.js';
import type { AnalysisReason, PolicyEvaluation } from './decision.js';

/** The application condition's reason depends on the sign-in; index into this list. */
export const APPLICATION_REASONS: readonly AnalysisReason[] = ['application', 'userActions', 'authenticationContext'];

export interface ConditionMasks {
  /** Per policy: bits of the conditions that matched. */
  readonly matched: Int32Array;
  /** Per policy: bits of the conditions that did not match (0: the policy applies). */
  readonly notMatched: Int32Array;
  /** Per policy: APPLICATION_REASONS index, when the application condition did not match. */
  readonly applicationReason: Uint8Array;
}

/** How the users and device conditions came out: 0 not concerned, 1 matched, 2 not matched. */
const OUTCOMES = 3;
export const SLOTS_PER_POLICY = OUTCOMES * OUTCOMES;

export interface SignInMasks extends ConditionMasks {
  /**
   * Per policy: the users and device outcomes (0 to 8), policy i's slot in `results` being
   * i * SLOTS_PER_POLICY + slot[i]. Within one situation a policy's masks differ only by these
   * outcomes, so a policy that does not apply (or is not enabled) has one result per slot,
   * made once and shared by every such sign-in.
   */
  readonly slot: Int32Array;
  readonly results: (PolicyEvaluation | undefined)[];
}

interface Situation extends ConditionMasks {
  readonly results: (PolicyEvaluation | undefined)[];
}

/** Policies that take part (not disabled, readable): the others have no conditions to test. */
const takesPart = (set: CompiledPolicySet, i: number): boolean => {
  const cp = set.policies[i];
  return cp !== undefined && cp.state !== 'disabled' && cp.issues === undefined;
};

function record(masks: ConditionMasks, i: number, c: CompiledCondition, p: Prepared): void {
  const r = c.test(p);
  if (r === undefined) return;
  if (r) masks.matched[i] = (masks.matched[i] ?? 0) | (1 << c.bit);
  else {
    masks.notMatched[i] = (masks.notMatched[i] ?? 0) | (1 << c.bit);
    if (typeof c.reason === 'function') masks.applicationReason[i] = Math.max(0, APPLICATION_REASONS.indexOf(c.reason(p)));
  }
}

function emptyMasks(n: number): ConditionMasks {
  return { matched: new Int32Array(n), notMatched: new Int32Array(n), applicationReason: new Uint8Array(n) };
}

/** The reference: every condition of every policy tested in turn. */
export function testedMasks(set: CompiledPolicySet, p: Prepared): ConditionMasks {
  const masks = emptyMasks(set.policies.length);
  set.policies.forEach((cp, i) => {
    if (takesPart(set, i)) for (const c of cp.conditions) record(masks, i, c, p);
  });
  return masks;
}

// ---------------------------------------------------------------------------------------

interface TargetIndex {
  /** 1 for policies whose targets include everyone (`All`). */
  readonly all: Uint8Array;
  readonly byId: Map<string, number[]>;
  readonly byGroup: Map<string, number[]>;
  readonly byRole: Map<string, number[]>;
  readonly guestKeyword: number[];
  readonly guestMatchers: { readonly index: number; readonly test: (p: Prepared) => boolean }[];
}

interface SetIndex {
  readonly include: TargetIndex;
  readonly exclude: TargetIndex;
  /** Policies with a users condition (all that take part). */
  readonly withUsers: Uint8Array;
  readonly situation: { readonly index: number; readonly condition: CompiledCondition }[];
  /** Device conditions, those that give the same result grouped: each group is tested once. */
  readonly device: { readonly indexes: number[]; readonly condition: CompiledCondition }[];
  /** Masks of the situation conditions and shared results, by situationKey(); bounded, cleared when full. */
  readonly situations: Map<string, Situation>;
  /**
   * Buffers reused by every evaluation of the set (evaluation is synchronous and the masks
   * are read before the next one starts): typed arrays of this size live outside the heap
   * and cost more to allocate than to fill.
   */
  readonly scratch: { readonly masks: ConditionMasks; readonly slot: Int32Array; readonly included: Uint8Array; readonly excluded: Uint8Array };
}

const SITUATIONS_KEPT = 128;
const indexes = new WeakMap<CompiledPolicySet, SetIndex>();

function targetIndex(n: number): TargetIndex {
  return { all: new Uint8Array(n), byId: new Map(), byGroup: new Map(), byRole: new Map(), guestKeyword: [], guestMatchers: [] };
}

function add(map: Map<string, number[]>, keys: readonly string[], index: number): void {
  for (const key of keys) {
    const list = map.get(key);
    if (list === undefined) map.set(key, [index]);
    else if (list[list.length - 1] !== index) list.push(index);
  }
}

function addTargets(to: TargetIndex, t: PrincipalTargets, index: number): void {
  if (t.all) to.all[index] = 1;
  add(to.byId, t.ids, index);
  add(to.byGroup, t.groups, index);
  add(to.byRole, t.roles, index);
  if (t.guestKeyword) to.guestKeyword.push(index);
  if (t.guests !== undefined) to.guestMatchers.push({ index, test: t.guests });
}

function buildIndex(set: CompiledPolicySet): SetIndex {
  const n = set.policies.length;
  const index: SetIndex = {
    include: targetIndex(n),
    exclude: targetIndex(n),
    withUsers: new Uint8Array(n),
    situation: [],
    device: [],
    situations: new Map(),
    scratch: { masks: emptyMasks(n), slot: new Int32Array(n), included: new Uint8Array(n), excluded: new Uint8Array(n) },
  };
  const deviceGroups = new Map<string, { indexes: number[]; condition: CompiledCondition }>();
  set.policies.forEach((cp, i) => {
    if (!takesPart(set, i)) return;
    for (const condition of cp.conditions) {
      if (condition.dependsOn === 'user' && condition.users !== undefined) {
        index.withUsers[i] = 1;
        addTargets(index.include, condition.users.include, i);
        addTargets(index.exclude, condition.users.exclude, i);
      } else if (condition.dependsOn === 'device' || condition.dependsOn === 'user') {
        const group = condition.sameAs === undefined ? undefined : deviceGroups.get(condition.sameAs);
        if (group !== undefined) group.indexes.push(i);
        else {
          const made = { indexes: [i], condition };
          index.device.push(made);
          if (condition.sameAs !== undefined) deviceGroups.set(condition.sameAs, made);
        }
      } else {
        index.situation.push({ index: i, condition });
      }
    }
  });
  return index;
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
    situation = { ...emptyMasks(n), results: new Array<PolicyEvaluation | undefined>(n * SLOTS_PER_POLICY).fill(undefined) };
    for (const { index: i, condition } of index.situation) record(situation, i, condition, p);
    if (index.situations.size >= SITUATIONS_KEPT) index.situations.clear();
    index.situations.set(key, situation);
  }
  return situation;
}

function mark(into: Uint8Array, lists: Map<string, number[]>, keys: Iterable<string>): void {
  for (const key of keys) {
    const list = lists.get(key);
    if (list !== undefined) for (let k = 0; k < list.length; k++) into[list[k] as number] = 1;
  }
}

function targetedPolicies(t: TargetIndex, p: Prepared, hit: Uint8Array): Uint8Array {
  hit.set(t.all);
  if (p.userId !== '') mark(hit, t.byId, [p.userId]);
  mark(hit, t.byGroup, p.groups);
  mark(hit, t.byRole, p.roles);
  if (p.isGuestOrExternal) for (const i of t.guestKeyword) hit[i] = 1;
  for (const { index, test } of t.guestMatchers) if (hit[index] === 0 && test(p)) hit[index] = 1;
  return hit;
}

/**
 * The same masks as testedMasks(), through the set's indexes. The answer is only valid until
 * the next call for the same set.
 */
export function conditionMasks(set: CompiledPolicySet, p: Prepared): SignInMasks {
  let index = indexes.get(set);
  if (index === undefined) {
    index = buildIndex(set);
    indexes.set(set, index);
  }
  const shared = situationFor(set, index, p);
  const { masks, slot, included: includedBuffer, excluded: excludedBuffer } = index.scratch;
  masks.matched.set(shared.matched);
  masks.notMatched.set(shared.notMatched);
  masks.applicationReason.set(shared.applicationReason);
  slot.fill(0);
  if (p.isUser) {
    const included = targetedPolicies(index.include, p, includedBuffer);
    const excluded = targetedPolicies(index.exclude, p, excludedBuffer);
    const usersBit = 1 << CONDITION_ORDER.indexOf('users');
    const withUsers = index.withUsers;
    for (let i = 0; i < withUsers.length; i++) {
      if (withUsers[i] === 0) continue;
      // Exclusions beat inclusions.
      if (included[i] === 1 && excluded[i] === 0) {
        masks.matched[i] = (masks.matched[i] ?? 0) | usersBit;
        slot[i] = 1 * OUTCOMES;
      } else {
        masks.notMatched[i] = (masks.notMatched[i] ?? 0) | usersBit;
        slot[i] = 2 * OUTCOMES;
      }
    }
  }
  for (const { indexes: list, condition } of index.device) {
    const r = condition.test(p);
    if (r === undefined) continue;
    const bit = 1 << condition.bit;
    const into = r ? masks.matched : masks.notMatched;
    const outcome = r ? 1 : 2;
    for (let k = 0; k < list.length; k++) {
      const i = list[k] as number;
      into[i] = (into[i] ?? 0) | bit;
      slot[i] = (slot[i] ?? 0) + outcome;
    }
  }
  return { ...masks, slot, results: shared.results };
}
