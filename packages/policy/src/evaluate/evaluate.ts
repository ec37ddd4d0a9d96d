// evaluate(): which policies apply to a sign-in, whether each is satisfied, and what the
// pipeline must do. Semantics: entra-reference.md §3 and model.md "Conditional access".
import type { DirectoryView } from '../directory.js';
import type { NamedLocation } from '../schema/named-location.js';
import type { ConditionalAccessPolicy } from '../schema/policy.js';
import type { AuthenticationStrengthPolicy } from '../schema/strength.js';
import { formatPath, type Issue } from '../types.js';
import {
  compilePolicies,
  controlOrder,
  isCompiledPolicySet,
  CONDITION_ORDER,
  CONDITION_REASONS,
  type CompiledControl,
  type CompiledPolicy,
  type CompiledPolicySet,
  type CompiledStrength,
  type Prepared,
} from './compile.js';
import { APPLICATION_REASONS, indexedPass, type FirstPass, type ResultMaker } from './applicability.js';
import { isSignInContext, signInContextSchema, toEpochSeconds, type SignInContext, type SignInLocation } from './context.js';
import {
  ERROR_CODES,
  MFA_SATISFIED_BY_DETAIL,
  type AnalysisReason,
  type CombinedSessionControls,
  type ConditionName,
  type Decision,
  type MfaSatisfiedBy,
  type Missing,
  type MissingControl,
  type PolicyEvaluation,
  type PolicyResult,
  type StrengthRequirement,
} from './decision.js';
import { createLocationResolver, type LocationResolver } from './location.js';

export interface EvaluateInput {
  /** Policies as Graph JSON, or a set made once by compilePolicies (much faster). */
  readonly policies: readonly ConditionalAccessPolicy[] | CompiledPolicySet;
  /** Custom authentication strengths (ignored when policies are already compiled). */
  readonly strengths?: readonly AuthenticationStrengthPolicy[];
  readonly context: SignInContext;
  readonly directory?: DirectoryView;
}

const NONE: readonly never[] = Object.freeze([]);
const NOTHING_MISSING: Missing = Object.freeze({ controls: NONE, strengths: NONE, sessionControls: NONE });
const NOT_SET: readonly AnalysisReason[] = Object.freeze(['notSet']);
const NOT_ENABLED: readonly AnalysisReason[] = Object.freeze(['policyNotEnabled']);
const INVALID: readonly AnalysisReason[] = Object.freeze(['invalidPolicy']);

/** Methods that make a user able to do MFA (for "enrol a second factor" versus "prove it"). */
const SECOND_FACTORS = new Set([
  'sms',
  'voice',
  'microsoftAuthenticatorPush',
  'deviceBasedPush',
  'softwareOath',
  'hardwareOath',
  'fido2',
  'windowsHelloForBusiness',
  'x509CertificateMultiFactor',
  'temporaryAccessPassOneTime',
  'temporaryAccessPassMultiUse',
  'federatedMultiFactor',
]);

const resolverCache = new WeakMap<readonly NamedLocation[], LocationResolver>();

function resolveLocation(ctx: SignInContext, directory: DirectoryView | undefined): SignInLocation | undefined {
  const given = ctx.location;
  if (given?.namedLocationIds !== undefined) return given;
  const locations = directory?.namedLocations;
  if (locations === undefined || (ctx.ipAddress === undefined && given?.country === undefined)) return given;
  let resolver = resolverCache.get(locations);
  if (resolver === undefined) {
    resolver = createLocationResolver(locations);
    resolverCache.set(locations, resolver);
  }
  const resolved = resolver.resolve(ctx.ipAddress, given?.country);
  return { ...resolved, isTrusted: resolved.isTrusted === true || given?.isTrusted === true };
}

const EMPTY_SET: ReadonlySet<string> = new Set();

// A frozen list cannot change, so its set is made once: the server hands out a user's groups
// and roles as frozen lists from its directory cache, shared by the requests within its lifetime.
const setsOfFrozenLists = new WeakMap<readonly string[], ReadonlySet<string>>();

/** Lower-cased ids as a set; most lists in a sign-in are empty, and share one empty set. */
function lowerSet(values: readonly string[] | undefined): ReadonlySet<string> {
  if (values === undefined || values.length === 0) return EMPTY_SET;
  const frozen = Object.isFrozen(values);
  const known = frozen ? setsOfFrozenLists.get(values) : undefined;
  if (known !== undefined) return known;
  const set = new Set<string>();
  for (const v of values) set.add(v.toLowerCase());
  if (frozen) setsOfFrozenLists.set(values, set);
  return set;
}

class EvaluationError extends Error {
  constructor(readonly issue: Issue) {
    super(issue.message);
  }
}

/** The sign-in facts, checked and indexed once per evaluation (exported for the tests). */
export function prepare(input: unknown, directory: DirectoryView | undefined): Prepared {
  const checked = isSignInContext(input) ? { success: true as const } : signInContextSchema.safeParse(input, { reportInput: true });
  if (!checked.success) {
    const first = checked.error.issues[0];
    throw new EvaluationError({
      code: 'invalid_context',
      path: formatPath(['context', ...(first?.path ?? [])]),
      message: `the sign-in context is not valid: ${first?.message ?? 'unknown problem'}`,
    });
  }
  const ctx = input as SignInContext;
  if (ctx.user === undefined && ctx.servicePrincipal === undefined) {
    throw new EvaluationError({ code: 'missing_identity', path: 'context.user', message: 'the sign-in context names neither a user nor a service principal' });
  }
  const now = toEpochSeconds(ctx.now);
  if (now === undefined) throw new EvaluationError({ code: 'invalid_time', path: 'context.now', message: 'context.now is not a valid time' });
  const authTime = toEpochSeconds(ctx.proven.authTime);
  const mfaTime = ctx.proven.mfa ? (toEpochSeconds(ctx.proven.mfaTime) ?? authTime) : undefined;
  const user = ctx.user;
  const guestTypes = new Set<string>(user?.guestOrExternalUserTypes ?? []);
  guestTypes.delete('none');
  if (user?.userType === 'guest' && guestTypes.size === 0) guestTypes.add('b2bCollaborationGuest');
  const location = resolveLocation(ctx, directory);
  const transferMethods = new Set<string>();
  const flow = ctx.authenticationFlow;
  if (flow !== undefined) {
    if (flow.transferMethod !== 'none') transferMethods.add(flow.transferMethod);
    if (flow.originalTransferMethod !== undefined && flow.originalTransferMethod !== 'none') transferMethods.add(flow.originalTransferMethod);
  }
  return {
    ctx,
    isUser: user !== undefined,
    userId: (user?.id ?? '').toLowerCase(),
    groups: lowerSet(user?.groupIds),
    roles: lowerSet(user?.roleTemplateIds),
    isGuestOrExternal: user?.userType === 'guest' || guestTypes.size > 0,
    guestTypes,
    externalTenantId: user?.externalTenantId?.toLowerCase(),
    servicePrincipalId: ctx.servicePrincipal?.id.toLowerCase(),
    resource: ctx.application?.appId.toLowerCase(),
    userAction: ctx.userAction?.toLowerCase(),
    acrs: lowerSet(ctx.authenticationContextClassReferences),
    clientAppType: ctx.clientAppType,
    platform: ctx.devicePlatform,
    namedLocationIds: lowerSet(location?.namedLocationIds),
    isTrustedLocation: location?.isTrusted === true,
    device: ctx.device,
    transferMethods,
    methods: new Set(ctx.proven.methods),
    now,
    authTime,
    mfaTime,
    legacyClient: ctx.clientAppType === 'exchangeActiveSync' || ctx.clientAppType === 'other',
    deviceCodeFlow: flow?.transferMethod === 'deviceCodeFlow',
  };
}

// ---------------------------------------------------------------------------------------
// Applicability, kept as bit masks over CONDITION_ORDER so that a policy that does not apply
// costs nothing once its result has been made: results are shared (see applicability.ts).

interface Applicability {
  readonly applies: boolean;
  readonly matched: readonly ConditionName[];
  readonly notMatched: readonly ConditionName[];
  readonly reasons: readonly AnalysisReason[];
}

const CONDITION_COUNT = CONDITION_ORDER.length;
const MASK_SPAN = 2 ** CONDITION_COUNT;
const APPLICATION_BIT = CONDITION_ORDER.indexOf('application');

const namesByMask = new Map<number, readonly ConditionName[]>();
function conditionNames(mask: number): readonly ConditionName[] {
  if (mask === 0) return NONE;
  let names = namesByMask.get(mask);
  if (names === undefined) {
    names = Object.freeze(CONDITION_ORDER.filter((_, bit) => (mask & (1 << bit)) !== 0));
    namesByMask.set(mask, names);
  }
  return names;
}

const reasonsByKey = new Map<number, readonly AnalysisReason[]>();
function analysisReasons(notMatched: number, applicationReason: number): readonly AnalysisReason[] {
  const key = notMatched | (applicationReason << CONDITION_COUNT);
  let reasons = reasonsByKey.get(key);
  if (reasons === undefined) {
    const list: AnalysisReason[] = [];
    CONDITION_ORDER.forEach((name, bit) => {
      if ((notMatched & (1 << bit)) === 0) return;
      const reason = bit === APPLICATION_BIT ? (APPLICATION_REASONS[applicationReason] ?? 'application') : CONDITION_REASONS[name];
      if (!list.includes(reason)) list.push(reason);
    });
    reasons = Object.freeze(list);
    reasonsByKey.set(key, reasons);
  }
  return reasons;
}

/** The map of results kept for `owner` in `kept`, made on first use. */
function keptFor<Owner extends object, Key, Value>(kept: WeakMap<Owner, Map<Key, Value>>, owner: Owner): Map<Key, Value> {
  let known = kept.get(owner);
  if (known === undefined) {
    known = new Map();
    kept.set(owner, known);
  }
  return known;
}

/**
 * The result of a policy that is not enabled or does not apply; shared, so frozen. One object
 * per policy and distinct masks, whichever situation asks (applicability.ts keeps references
 * per situation; the objects themselves stay few).
 */
const resultsByPolicy = new WeakMap<CompiledPolicy, Map<number, PolicyEvaluation>>();
const sharedResult: ResultMaker = (cp, matched, notMatched, applicationReason) => {
  const key = cp.state === 'disabled' ? -1 : matched + notMatched * MASK_SPAN + applicationReason * MASK_SPAN * MASK_SPAN;
  const known = keptFor(resultsByPolicy, cp);
  let result = known.get(key);
  if (result === undefined) {
    result = Object.freeze(cp.state === 'disabled' ? toEvaluation({ cp, result: 'notEnabled' }) : notApplied(cp, matched, notMatched, applicationReason));
    known.set(key, result);
  }
  return result;
};

function notApplied(cp: CompiledPolicy, matched: number, notMatched: number, applicationReason: number): PolicyEvaluation {
  return toEvaluation({
    cp,
    app: { applies: false, matched: conditionNames(matched), notMatched: conditionNames(notMatched), reasons: analysisReasons(notMatched, applicationReason) },
    result: cp.state === 'enabledForReportingButNotEnforced' ? 'reportOnlyNotApplied' : 'notApplied',
  });
}

function fresh(time: number | undefined, now: number, window: number | undefined): boolean {
  if (window === undefined) return true;
  return time !== undefined && now - time <= window;
}

function strengthMet(strength: CompiledStrength, methods: ReadonlySet<string>, p: Prepared): boolean {
  const proven = p.ctx.proven;
  for (const c of strength.combinations) {
    if (!c.modes.every((m) => methods.has(m))) continue;
    if (c.allowedAaguids !== undefined && !c.allowedAaguids.has((proven.fido2Aaguid ?? '').toLowerCase())) continue;
    if (c.allowedIssuerSkis !== undefined && !c.allowedIssuerSkis.has((proven.certificate?.issuerSki ?? '').toLowerCase())) continue;
    if (c.allowedPolicyOids !== undefined && !(proven.certificate?.policyOids ?? []).some((o) => c.allowedPolicyOids?.has(o))) continue;
    return true;
  }
  return false;
}

function controlMet(c: CompiledControl, p: Prepared, window: number | undefined): boolean {
  // Legacy authentication (Exchange ActiveSync, other clients) can meet no grant control.
  if (p.legacyClient) return false;
  const proven = p.ctx.proven;
  switch (c.kind) {
    case 'mfa':
      return proven.mfa && fresh(p.mfaTime, p.now, window);
    case 'authenticationStrength':
      return c.strength !== undefined && fresh(p.mfaTime ?? p.authTime, p.now, window) && strengthMet(c.strength, p.methods, p);
    case 'compliantDevice':
      // Device code flow: the device asking is not the one the user is on, so device grants cannot be met.
      return !p.deviceCodeFlow && p.device?.isCompliant === true;
    case 'domainJoinedDevice':
      return !p.deviceCodeFlow && (p.device?.trustType ?? '').toLowerCase() === 'serverad';
    case 'approvedApplication':
      return p.ctx.clientApp?.approvedApplication === true;
    case 'compliantApplication':
      return p.ctx.clientApp?.compliantApplication === true;
    case 'passwordChange':
      return proven.passwordChanged === true;
    case 'termsOfUse':
      return c.id !== undefined && (proven.acceptedTermsOfUse ?? []).includes(c.id);
    case 'customAuthenticationFactor':
      return c.id !== undefined && (proven.customFactors ?? []).includes(c.id);
    case 'unsupportedControl':
      return false;
  }
}

function interactive(c: CompiledControl, p: Prepared): boolean {
  if (p.legacyClient) return false;
  switch (c.kind) {
    case 'mfa':
    case 'passwordChange':
    case 'termsOfUse':
    case 'customAuthenticationFactor':
      return true;
    case 'authenticationStrength':
      return c.strength !== undefined && c.strength.combinations.length > 0;
    default:
      return false;
  }
}

interface GrantOutcome {
  readonly satisfied: boolean;
  /** Every failing path can be completed by the user in this sign-in. */
  readonly interactive: boolean;
  readonly missing: Missing;
  /** MFA (or a strength) is this policy's way through. */
  readonly mfaPath: boolean;
  readonly reauthentication: boolean;
}

function strengthRequirement(c: CompiledControl): StrengthRequirement {
  return {
    id: c.strengthId ?? '',
    displayName: c.strengthName ?? c.strengthId ?? '',
    allowedCombinations: c.strength?.allowedCombinations ?? NONE,
  };
}

const BLOCK_MISSING: Missing = Object.freeze({ controls: Object.freeze(['block'] as MissingControl[]), strengths: NONE, sessionControls: NONE });
const BLOCK_KEY = -1;

/**
 * A policy's grant outcome is fixed by which of its controls are met, whether its sign-in
 * frequency asks for re-authentication and whether the client is a legacy one: that is the
 * key of the outcome, made once per policy and key, frozen and shared between sign-ins (each
 * object belongs to one policy, which appliedEvaluation relies on).
 */
const outcomesByPolicy = new WeakMap<CompiledPolicy, Map<number, GrantOutcome>>();
const OUTCOMES_KEPT = 256;

function grant(cp: CompiledPolicy, p: Prepared, window: number | undefined): GrantOutcome {
  const known = keptFor(outcomesByPolicy, cp);
  if (cp.block) {
    let blocked = known.get(BLOCK_KEY);
    if (blocked === undefined) {
      blocked = Object.freeze({ satisfied: false, interactive: false, missing: BLOCK_MISSING, mfaPath: false, reauthentication: false });
      known.set(BLOCK_KEY, blocked);
    }
    return blocked;
  }
  const controls = cp.controls;
  // Sign-in frequency of this policy: re-authentication when its window has passed.
  let reauthentication = false;
  const sif = cp.session.signInFrequency;
  if (sif !== undefined) {
    reauthentication = sif.authenticationType === 'secondaryAuthentication'
      ? p.ctx.proven.mfa && !fresh(p.mfaTime, p.now, sif.seconds)
      : !fresh(p.authTime, p.now, sif.seconds);
  }
  // One bit per control; a policy with more than 30 (none real has) is worked out uncached.
  if (controls.length > 30) return Object.freeze(grantOutcome(cp, p, controls.map((c) => controlMet(c, p, window)), reauthentication));
  let met = 0;
  for (let i = 0; i < controls.length; i++) if (controlMet(controls[i] as CompiledControl, p, window)) met |= 1 << i;
  const key = met + (reauthentication ? 2 ** 30 : 0) + (p.legacyClient ? 2 ** 31 : 0);
  let outcome = known.get(key);
  if (outcome === undefined) {
    outcome = Object.freeze(grantOutcome(cp, p, controls.map((_, i) => (met & (1 << i)) !== 0), reauthentication));
    // Bounded: a policy with many controls could otherwise keep 2^n outcomes.
    if (known.size < OUTCOMES_KEPT) known.set(key, outcome);
  }
  return outcome;
}

function grantOutcome(cp: CompiledPolicy, p: Prepared, met: readonly boolean[], reauthentication: boolean): GrantOutcome {
  let satisfied = true;
  let isInteractive = true;
  let mfaPath = false;
  let unmet: CompiledControl[] = [];
  if (cp.controls.length > 0) {
    if (cp.operator === 'OR') {
      const first = met.indexOf(true);
      satisfied = first !== -1;
      if (satisfied) {
        const c = cp.controls[first];
        mfaPath = c !== undefined && (c.kind === 'mfa' || c.kind === 'authenticationStrength');
      } else {
        unmet = [...cp.controls];
        isInteractive = cp.controls.some((c) => interactive(c, p));
        mfaPath = cp.asksForMfa;
      }
    } else {
      unmet = cp.controls.filter((_, i) => !met[i]);
      satisfied = unmet.length === 0;
      isInteractive = unmet.every((c) => interactive(c, p));
      mfaPath = cp.asksForMfa;
    }
  }
  if (reauthentication) {
    satisfied = false;
    if (p.legacyClient) isInteractive = false;
  }
  if (satisfied) return { satisfied, interactive: true, missing: NOTHING_MISSING, mfaPath, reauthentication: false };
  const kinds = [...new Set(unmet.map((c) => c.kind))].sort((a, b) => controlOrder(a) - controlOrder(b));
  return {
    satisfied: false,
    interactive: isInteractive,
    missing: interned({
      controls: Object.freeze(kinds),
      strengths: Object.freeze(unmet.filter((c) => c.kind === 'authenticationStrength').map(strengthRequirement)),
      sessionControls: reauthentication ? SIGN_IN_FREQUENCY : NONE,
    }),
    mfaPath,
    reauthentication,
  };
}

// Equal "missing" lists are one frozen object, so that the union over a sign-in's failed
// policies (often dozens asking for the same thing) works on the few distinct ones.
const internedMissing = new Map<string, Missing>();
const INTERNED_KEPT = 1024;
function interned(m: Missing): Missing {
  const key = JSON.stringify(m);
  const known = internedMissing.get(key);
  if (known !== undefined) return known;
  const frozen = Object.freeze(m);
  if (internedMissing.size < INTERNED_KEPT) internedMissing.set(key, frozen);
  return frozen;
}

const SIGN_IN_FREQUENCY: readonly 'signInFrequency'[] = Object.freeze(['signInFrequency'] as const);

// ---------------------------------------------------------------------------------------

interface Row {
  readonly cp: CompiledPolicy;
  readonly app?: Applicability;
  readonly grant?: GrantOutcome;
  readonly result: PolicyResult;
}

function unionMissing(list: readonly Missing[]): Missing {
  // One policy's missing list is already in order and without repeats (see grant()), and equal
  // lists are one object (interned): the union is over the distinct objects.
  const distinct: Missing[] = [];
  for (const m of list) if (!distinct.includes(m)) distinct.push(m);
  if (distinct.length === 0) return NOTHING_MISSING;
  if (distinct.length === 1) return distinct[0] ?? NOTHING_MISSING;
  const controls = new Set<MissingControl>();
  const strengths = new Map<string, StrengthRequirement>();
  let reauth = false;
  for (const m of distinct) {
    for (const c of m.controls) controls.add(c);
    for (const s of m.strengths) strengths.set(s.id, s);
    if (m.sessionControls.length > 0) reauth = true;
  }
  if (controls.size === 0 && strengths.size === 0 && !reauth) return NOTHING_MISSING;
  return {
    controls: [...controls].sort((a, b) => controlOrder(a) - controlOrder(b)),
    strengths: [...strengths.values()],
    sessionControls: reauth ? ['signInFrequency'] : NONE,
  };
}

const NO_SESSION_CONTROLS: CombinedSessionControls = Object.freeze({});

function combineSessions(rows: readonly Row[]): CombinedSessionControls {
  if (rows.every((r) => r.cp.session.logNames.length === 0)) return NO_SESSION_CONTROLS;
  let signInFrequency: CombinedSessionControls['signInFrequency'];
  let persistentBrowser: 'always' | 'never' | undefined;
  let applicationEnforcedRestrictions = false;
  let disableResilienceDefaults = false;
  let secureSignInSession = false;
  const cloudAppSecurity = new Set<string>();
  const cae = new Set<string>();
  for (const { cp } of rows) {
    const s = cp.session;
    const sif = s.signInFrequency;
    if (sif !== undefined) {
      const stricter =
        signInFrequency === undefined ||
        sif.seconds < signInFrequency.seconds ||
        (sif.seconds === signInFrequency.seconds && sif.frequencyInterval === 'everyTime' && signInFrequency.frequencyInterval !== 'everyTime');
      if (stricter) {
        signInFrequency = {
          frequencyInterval: sif.frequencyInterval,
          authenticationType: sif.authenticationType,
          seconds: sif.seconds,
          ...(sif.value !== undefined ? { value: sif.value } : {}),
          ...(sif.type !== undefined ? { type: sif.type } : {}),
          policyId: cp.id,
        };
      }
    }
    if (s.persistentBrowser === 'never') persistentBrowser = 'never';
    else if (s.persistentBrowser === 'always' && persistentBrowser === undefined) persistentBrowser = 'always';
    applicationEnforcedRestrictions ||= s.applicationEnforcedRestrictions;
    disableResilienceDefaults ||= s.disableResilienceDefaults;
    secureSignInSession ||= s.secureSignInSession;
    if (s.cloudAppSecurity !== undefined) cloudAppSecurity.add(s.cloudAppSecurity);
    if (s.continuousAccessEvaluation !== undefined) cae.add(s.continuousAccessEvaluation);
  }
  return {
    ...(signInFrequency ? { signInFrequency } : {}),
    ...(persistentBrowser ? { persistentBrowser } : {}),
    ...(applicationEnforcedRestrictions ? { applicationEnforcedRestrictions } : {}),
    ...(cloudAppSecurity.size > 0 ? { cloudAppSecurity: [...cloudAppSecurity] } : {}),
    ...(disableResilienceDefaults ? { disableResilienceDefaults } : {}),
    ...(cae.size > 0 ? { continuousAccessEvaluation: [...cae] } : {}),
    ...(secureSignInSession ? { secureSignInSession } : {}),
  };
}

const CONTROL_WORDS: Record<MissingControl, string> = {
  block: 'blocks access',
  mfa: 'multi-factor authentication',
  authenticationStrength: 'an authentication strength',
  compliantDevice: 'a compliant device',
  domainJoinedDevice: 'a hybrid joined device',
  approvedApplication: 'an approved client app',
  compliantApplication: 'an app protection policy',
  passwordChange: 'a password change',
  termsOfUse: 'acceptance of the terms of use',
  customAuthenticationFactor: 'a custom control',
  unsupportedControl: 'a control Monban does not support',
};

function describeMissing(m: Missing, p: Prepared): string {
  const parts: string[] = [];
  for (const c of m.controls) {
    if (c === 'authenticationStrength') {
      for (const s of m.strengths) {
        const proven = [...p.methods].join(', ') || 'none';
        parts.push(
          s.allowedCombinations.length === 0
            ? `authentication strength '${s.displayName}', which is not defined`
            : `authentication strength '${s.displayName}' (proven methods: ${proven}; none of its combinations is met)`,
        );
      }
    } else if (c !== 'block') {
      parts.push(CONTROL_WORDS[c]);
    }
  }
  if (m.sessionControls.length > 0) parts.push('fresh authentication (sign-in frequency elapsed)');
  return parts.join(' and ');
}

// A grant outcome belongs to one policy and is shared between sign-ins, so what it misses reads
// the same every time, except that a missing authentication strength names the proven methods:
// those are part of the key then (a few distinct method lists per policy at most are kept).
const phrasesByOutcome = new WeakMap<GrantOutcome, Map<string, string>>();
const PHRASES_PER_OUTCOME = 16;

/** `methodsKey`: the proven methods as a key, made at most once per sign-in by the caller. */
function requirementPhrase(r: Row, p: Prepared, methodsKey: () => string): string {
  const g = r.grant;
  const missing = g?.missing ?? NOTHING_MISSING;
  if (g === undefined) return `'${r.cp.displayName}' requires ${describeMissing(missing, p)}`;
  const key = missing.strengths.length === 0 ? '' : methodsKey();
  const known = keptFor(phrasesByOutcome, g);
  let phrase = known.get(key);
  if (phrase === undefined) {
    phrase = `'${r.cp.displayName}' requires ${describeMissing(missing, p)}`;
    if (known.size < PHRASES_PER_OUTCOME) known.set(key, phrase);
  }
  return phrase;
}

function mfaErrorCode(kind: 'mfa' | 'authenticationStrength', missing: Missing, p: Prepared, enforcedWindow: number | undefined): number {
  const proven = p.ctx.proven;
  // MFA held but older than a sign-in frequency allows: "MFA expired by policy".
  if (proven.mfa && enforcedWindow !== undefined && !fresh(p.mfaTime, p.now, enforcedWindow)) return ERROR_CODES.mfaExpiredByPolicy.code;
  const registered = p.ctx.registeredMethods;
  if (registered !== undefined) {
    const have = new Set<string>([...registered, ...p.methods]);
    if (kind === 'authenticationStrength') {
      const registrable = missing.strengths.every((s) => s.allowedCombinations.some((comb) => comb.split(',').every((m) => have.has(m.trim()))));
      if (!registrable) return ERROR_CODES.mustRegisterSecurityInfo.code;
    } else if (![...have].some((m) => SECOND_FACTORS.has(m))) {
      return ERROR_CODES.mustEnrolSecondFactor.code;
    }
  }
  return ERROR_CODES.mfaRequired.code;
}

/** `missing`: the union of what the failed policies miss. */
function errorCodeFor(failed: readonly Row[], missing: Missing, p: Prepared, outcome: 'block' | 'interrupt', enforcedWindow: number | undefined): number {
  if (p.legacyClient || failed.some((r) => r.cp.block)) return ERROR_CODES.blocked.code;
  if (outcome === 'block') {
    // Name the first control the user cannot meet in this sign-in.
    const stuck = unionMissing(failed.filter((r) => r.grant?.interactive === false).map((r) => r.grant?.missing ?? NOTHING_MISSING));
    for (const c of stuck.controls) {
      if (c === 'compliantDevice') return ERROR_CODES.deviceNotCompliant.code;
      if (c === 'domainJoinedDevice') return ERROR_CODES.deviceNotHybridJoined.code;
      if (c === 'approvedApplication' || c === 'compliantApplication') return ERROR_CODES.appNotApproved.code;
    }
    return ERROR_CODES.blocked.code;
  }
  // Interrupt: the first step to ask for, in the reference's order.
  for (const c of missing.controls) {
    if (c === 'mfa' || c === 'authenticationStrength') return mfaErrorCode(c, missing, p, enforcedWindow);
    if (c === 'passwordChange') return ERROR_CODES.passwordChangeRequired.code;
    if (c === 'termsOfUse' || c === 'customAuthenticationFactor') return ERROR_CODES.customControlRequired.code;
  }
  if (missing.sessionControls.length > 0) {
    return p.ctx.proven.mfa && enforcedWindow !== undefined && !fresh(p.mfaTime, p.now, enforcedWindow)
      ? ERROR_CODES.mfaExpiredByPolicy.code
      : ERROR_CODES.reauthenticationRequired.code;
  }
  return ERROR_CODES.blocked.code;
}

function mfaSatisfiedBy(source: SignInContext['proven']['mfaSource']): MfaSatisfiedBy | undefined {
  switch (source) {
    case 'token':
    case 'primaryRefreshToken':
      return 'claimInTheToken';
    case 'rememberMfa':
      return 'rememberedMfa';
    case 'thisSignIn':
      return 'thisSignIn';
    default:
      return undefined;
  }
}

function quoteList(rows: readonly Row[]): string {
  return rows.map((r) => `'${r.cp.displayName}'`).join(', ');
}

function toEvaluation(row: Row): PolicyEvaluation {
  const { cp, app, grant: g, result } = row;
  const applied = app?.applies === true;
  return {
    id: cp.id,
    displayName: cp.displayName,
    state: cp.state,
    result,
    analysisReasons: cp.state === 'disabled' ? NOT_ENABLED : cp.issues ? INVALID : applied ? NOT_SET : (app?.reasons ?? NOT_SET),
    conditionsMatched: app?.matched ?? NONE,
    conditionsNotMatched: app?.notMatched ?? NONE,
    enforcedGrantControls: applied ? cp.grantLogNames : NONE,
    enforcedSessionControls: applied ? cp.session.logNames : NONE,
    missing: g?.missing ?? NOTHING_MISSING,
    ...(cp.issues ? { issues: cp.issues } : {}),
  };
}

const RESULT_INDEX: Readonly<Record<PolicyResult, number>> = {
  success: 0, failure: 1, reportOnlySuccess: 2, reportOnlyFailure: 3, reportOnlyInterrupted: 4, notApplied: 5, reportOnlyNotApplied: 6, notEnabled: 7,
};

/**
 * The result of a policy that applies, shared between sign-ins like those that do not: it is
 * fixed by the policy, the conditions matched, the result and the (shared) grant outcome.
 */
const appliedByOutcome = new WeakMap<GrantOutcome, Map<number, PolicyEvaluation>>();
const EVALUATIONS_KEPT = 64;
function appliedEvaluation(cp: CompiledPolicy, matched: number, result: PolicyResult, g: GrantOutcome): PolicyEvaluation {
  const known = keptFor(appliedByOutcome, g);
  const key = matched * 8 + RESULT_INDEX[result];
  const evaluation = known.get(key);
  if (evaluation !== undefined) return evaluation;
  const made = Object.freeze(toEvaluation({
    cp,
    app: cp.issues ? { applies: true, matched: NONE, notMatched: NONE, reasons: INVALID } : { applies: true, matched: conditionNames(matched), notMatched: NONE, reasons: NOT_SET },
    grant: g,
    result,
  }));
  if (known.size < EVALUATIONS_KEPT) known.set(key, made);
  return made;
}

type Pass = (set: CompiledPolicySet, p: Prepared, make: ResultMaker) => FirstPass;

function decide(set: CompiledPolicySet, p: Prepared, pass: Pass): Decision {
  // Pass 1: which policies apply; the others' results are final (applicability.ts).
  const policies = set.policies;
  const first = pass(set, p, sharedResult);
  const results = first.results;
  const applying = first.applying;
  // The strictest sign-in frequency among applied enforced policies: the MFA claim counts only if younger than it.
  let enforcedWindow: number | undefined;
  for (const { index } of applying) {
    const cp = policies[index] as CompiledPolicy;
    const s = cp.session.signInFrequency;
    if (cp.state === 'enabled' && s !== undefined) enforcedWindow = enforcedWindow === undefined ? s.seconds : Math.min(enforcedWindow, s.seconds);
  }

  // Pass 2: grant controls of the policies that apply.
  const rows: Row[] = applying.map(({ index, matched }) => {
    const cp = policies[index] as CompiledPolicy;
    const reportOnly = cp.state === 'enabledForReportingButNotEnforced';
    const own = cp.session.signInFrequency?.seconds;
    const window = reportOnly && own !== undefined ? Math.min(own, enforcedWindow ?? own) : enforcedWindow;
    const g = grant(cp, p, window);
    const result: PolicyResult = reportOnly
      ? g.satisfied
        ? 'reportOnlySuccess'
        : g.interactive
          ? 'reportOnlyInterrupted'
          : 'reportOnlyFailure'
      : g.satisfied
        ? 'success'
        : 'failure';
    results[index] = appliedEvaluation(cp, cp.issues ? 0 : matched, result, g);
    return { cp, grant: g, result };
  });

  // Every row is a policy that applies; report-only ones never count from here on.
  const applied = rows.filter((r) => r.cp.state === 'enabled');
  const failed = applied.filter((r) => r.grant !== undefined && !r.grant.satisfied);
  const blocked = failed.filter((r) => r.cp.block);
  let outcome: Decision['outcome'];
  if (failed.length === 0) outcome = 'grant';
  else if (blocked.length === 0 && failed.every((r) => r.grant?.interactive === true)) outcome = 'interrupt';
  else outcome = 'block';
  const missing = unionMissing(failed.map((r) => r.grant?.missing ?? NOTHING_MISSING));
  const errorCode = outcome === 'grant' ? 0 : errorCodeFor(failed, missing, p, outcome, enforcedWindow);
  const requiresMfa = applied.some((r) => r.grant?.mfaPath === true);
  const satisfiedBy = outcome === 'grant' && requiresMfa && p.ctx.proven.mfa ? mfaSatisfiedBy(p.ctx.proven.mfaSource) : undefined;

  // Explanation.
  const sentences: string[] = [];
  if (outcome === 'grant') {
    if (applied.length === 0) sentences.push('Granted: no enabled policy applied to this sign-in.');
    else {
      const detail = satisfiedBy !== undefined ? ` ${MFA_SATISFIED_BY_DETAIL[satisfiedBy]}.` : '';
      sentences.push(`Granted: ${applied.length === 1 ? 'policy' : 'policies'} ${quoteList(applied)} applied and ${applied.length === 1 ? 'was' : 'were'} satisfied.${detail}`);
    }
  } else if (blocked.length > 0) {
    const invalid = blocked.filter((r) => r.cp.issues);
    sentences.push(
      invalid.length > 0
        ? `Blocked (AADSTS${errorCode}): ${invalid.length === 1 ? 'policy' : 'policies'} ${quoteList(invalid)} could not be read, and a policy that cannot be read never grants.`
        : `Blocked (AADSTS${errorCode}): ${blocked.length === 1 ? 'policy' : 'policies'} ${quoteList(blocked)} ${blocked.length === 1 ? 'blocks' : 'block'} access.`,
    );
  } else {
    const verb = outcome === 'interrupt' ? 'Interrupted' : 'Blocked';
    let methods: string | undefined;
    const methodsKey = (): string => (methods ??= JSON.stringify([...p.methods]));
    const parts = failed.map((r) => requirementPhrase(r, p, methodsKey));
    const legacy = p.legacyClient ? ' Legacy authentication clients cannot satisfy grant controls.' : '';
    sentences.push(`${verb} (AADSTS${errorCode}): ${parts.join('; ')}.${legacy}`);
  }
  const wouldFail = rows.filter((r) => r.result === 'reportOnlyFailure' || r.result === 'reportOnlyInterrupted');
  if (wouldFail.length > 0) {
    sentences.push(`Report-only ${wouldFail.length === 1 ? 'policy' : 'policies'} ${quoteList(wouldFail)} would not have been satisfied (not enforced).`);
  }

  const conditionalAccessStatus = failed.length > 0 ? 'failure' : applied.length > 0 ? 'success' : 'notApplied';
  return {
    outcome,
    errorCode,
    policies: results as PolicyEvaluation[],
    missing,
    conditionalAccessStatus,
    authenticationRequirement: requiresMfa ? 'multiFactorAuthentication' : 'singleFactorAuthentication',
    ...(satisfiedBy !== undefined ? { mfaSatisfiedBy: satisfiedBy } : {}),
    sessionControls: combineSessions(applied),
    explanation: sentences.join(' '),
  };
}

function failure(issue: Issue): Decision {
  return {
    outcome: 'block',
    errorCode: ERROR_CODES.blocked.code,
    policies: NONE,
    missing: NOTHING_MISSING,
    conditionalAccessStatus: 'failure',
    authenticationRequirement: 'singleFactorAuthentication',
    sessionControls: {},
    explanation: `Blocked (AADSTS${ERROR_CODES.blocked.code}): conditional access could not be evaluated (${issue.code} at ${issue.path || 'input'}: ${issue.message}), and an evaluation that fails never grants.`,
    error: issue,
  };
}

/**
 * Evaluates one sign-in. Pure and total: it never throws, and any error (a malformed
 * context, an unreadable policy) yields `block`, never `grant`.
 */
export function evaluate(input: EvaluateInput): Decision {
  return evaluateWith(input, indexedPass);
}

/** evaluate() with the first pass of choice: the tests compare indexedPass with referencePass. */
export function evaluateWith(input: EvaluateInput, pass: Pass): Decision {
  try {
    if (typeof input !== 'object' || input === null) {
      return failure({ code: 'invalid_input', path: '', message: 'evaluate expects { policies, context }' });
    }
    const directory = input.directory;
    const set = isCompiledPolicySet(input.policies)
      ? input.policies
      : compilePolicies(Array.isArray(input.policies) ? input.policies : [], {
          ...(input.strengths ?? directory?.authenticationStrengths ? { strengths: input.strengths ?? directory?.authenticationStrengths ?? [] } : {}),
          ...(directory?.applicationGroups ? { applicationGroups: directory.applicationGroups } : {}),
        });
    if (!isCompiledPolicySet(input.policies) && !Array.isArray(input.policies)) {
      return failure({ code: 'invalid_type', path: 'policies', message: 'policies must be an array or a compiled policy set' });
    }
    const prepared = prepare(input.context, directory);
    return decide(set, prepared, pass);
  } catch (error) {
    if (error instanceof EvaluationError) return failure(error.issue);
    return failure({ code: 'internal_error', path: '', message: error instanceof Error ? error.message : String(error) });
  }
}
