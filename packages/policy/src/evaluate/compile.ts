// Policies are compiled once into matchers (sets, predicates, resolved strengths) so that
// one sign-in is evaluated against hundreds of policies in microseconds.
import type { DirectoryView } from '../directory.js';
import { compileDeviceFilter, type DevicePredicate } from '../device-filter/evaluate.js';
import { parseDeviceFilter } from '../device-filter/parser.js';
import { splitFlags } from '../schema/common.js';
import type { ConditionalAccessPolicy, ConditionalAccessGuestsOrExternalUsers } from '../schema/policy.js';
import { BUILT_IN_AUTHENTICATION_STRENGTHS, type AuthenticationStrengthPolicy, type AuthenticationCombinationConfiguration } from '../schema/strength.js';
import { validatePolicy } from '../schema/validate.js';
import { underPath, type Issue } from '../types.js';
import { ADMIN_PORTAL_APP_IDS, OFFICE365_APP_IDS } from './app-groups.js';
import type { SignInContext, SignInDevice } from './context.js';
import type { AnalysisReason, ConditionName, MissingControl } from './decision.js';

/** The per-sign-in facts, lower-cased and indexed once per evaluation. */
export interface Prepared {
  readonly ctx: SignInContext;
  readonly isUser: boolean;
  readonly userId: string;
  readonly groups: ReadonlySet<string>;
  readonly roles: ReadonlySet<string>;
  readonly isGuestOrExternal: boolean;
  readonly guestTypes: ReadonlySet<string>;
  readonly externalTenantId: string | undefined;
  readonly servicePrincipalId: string | undefined;
  readonly resource: string | undefined;
  readonly userAction: string | undefined;
  readonly acrs: ReadonlySet<string>;
  readonly clientAppType: string | undefined;
  readonly platform: string | undefined;
  readonly namedLocationIds: ReadonlySet<string>;
  readonly isTrustedLocation: boolean;
  readonly device: SignInDevice | undefined;
  readonly transferMethods: ReadonlySet<string>;
  readonly methods: ReadonlySet<string>;
  readonly now: number;
  readonly authTime: number | undefined;
  readonly mfaTime: number | undefined;
  readonly legacyClient: boolean;
  readonly deviceCodeFlow: boolean;
}

/**
 * What a condition's outcome depends on, so that evaluation can share work between policies
 * and sign-ins (applicability.ts): `situation` = only the facts in situationKey() (kind of
 * principal, service principal, resource, user action, contexts, client type, platform,
 * location, transfer methods, risk levels); `user` = the user's id, groups, roles, guest
 * kind (indexed through `users`); `device` = the device (tested per policy).
 */
export type ConditionDependency = 'situation' | 'user' | 'device';

/** Who a users condition names, kept in a form that can be indexed. */
export interface PrincipalTargets {
  readonly all: boolean;
  readonly ids: readonly string[];
  readonly groups: readonly string[];
  readonly roles: readonly string[];
  /** The `GuestsOrExternalUsers` keyword. */
  readonly guestKeyword: boolean;
  readonly guests?: (p: Prepared) => boolean;
}

interface ConditionMatcher {
  readonly name: ConditionName;
  readonly dependsOn: ConditionDependency;
  /** Only the application condition: its reason depends on the sign-in (the others' is CONDITION_REASONS[name]). */
  readonly reasonFor?: (p: Prepared) => AnalysisReason;
  /** Conditions with the same key give the same result for any one sign-in (tested once). */
  readonly sameAs?: string;
  /** For the users condition: the targets its test reads. */
  readonly users?: { readonly include: PrincipalTargets; readonly exclude: PrincipalTargets };
  /** true: matched; false: not matched; undefined: does not concern this kind of sign-in. */
  test(p: Prepared): boolean | undefined;
}

export interface CompiledCondition extends ConditionMatcher {
  /** Position in CONDITION_ORDER: evaluation keeps matched / not matched conditions as bit masks. */
  readonly bit: number;
}

/** The order in which conditions are tested and listed (the sign-in log's order). */
export const CONDITION_ORDER: readonly ConditionName[] = [
  'users',
  'servicePrincipals',
  'application',
  'clientType',
  'devicePlatform',
  'location',
  'deviceState',
  'signInRisk',
  'userRisk',
  'servicePrincipalRisk',
  'insiderRisk',
  'authenticationFlows',
];
const CONDITION_BITS = new Map(CONDITION_ORDER.map((name, bit) => [name, bit]));

/** What-If's reason for each condition that did not match (the application condition's: see reasonFor). */
export const CONDITION_REASONS: Readonly<Record<ConditionName, AnalysisReason>> = {
  users: 'users',
  servicePrincipals: 'workloadIdentities',
  application: 'application',
  clientType: 'clientApps',
  devicePlatform: 'devicePlatform',
  location: 'location',
  deviceState: 'devices',
  signInRisk: 'signInRisk',
  userRisk: 'userRisk',
  servicePrincipalRisk: 'workloadIdentities',
  insiderRisk: 'insiderRisk',
  authenticationFlows: 'authenticationFlow',
};

export interface CompiledStrength {
  readonly id: string;
  readonly displayName: string;
  readonly allowedCombinations: readonly string[];
  readonly combinations: readonly CompiledCombination[];
}

interface CompiledCombination {
  readonly modes: readonly string[];
  readonly allowedAaguids?: ReadonlySet<string>;
  readonly allowedIssuerSkis?: ReadonlySet<string>;
  readonly allowedPolicyOids?: ReadonlySet<string>;
}

export type ControlKind = Exclude<MissingControl, 'block'>;

export interface CompiledControl {
  readonly kind: ControlKind;
  /** Terms-of-use or custom control id. */
  readonly id?: string;
  /** For `authenticationStrength`: undefined when the id resolves to no known strength. */
  readonly strength?: CompiledStrength;
  readonly strengthId?: string;
  readonly strengthName?: string;
}

export interface CompiledSignInFrequency {
  readonly frequencyInterval: 'timeBased' | 'everyTime';
  readonly authenticationType: 'primaryAndSecondaryAuthentication' | 'secondaryAuthentication';
  readonly seconds: number;
  readonly value?: number;
  readonly type?: 'hours' | 'days';
}

export interface CompiledSession {
  readonly signInFrequency?: CompiledSignInFrequency;
  readonly persistentBrowser?: 'always' | 'never';
  readonly applicationEnforcedRestrictions: boolean;
  readonly cloudAppSecurity?: string;
  readonly disableResilienceDefaults: boolean;
  readonly continuousAccessEvaluation?: string;
  readonly secureSignInSession: boolean;
  /** Sign-in log names of the enabled session controls. */
  readonly logNames: readonly string[];
}

export interface CompiledPolicy {
  readonly id: string;
  readonly displayName: string;
  readonly state: 'enabled' | 'disabled' | 'enabledForReportingButNotEnforced';
  readonly source: ConditionalAccessPolicy | undefined;
  /** Set when the policy could not be understood: it then fails closed when enabled. */
  readonly issues: readonly Issue[] | undefined;
  readonly conditions: readonly CompiledCondition[];
  readonly block: boolean;
  readonly operator: 'AND' | 'OR';
  readonly controls: readonly CompiledControl[];
  /** mfa or an authentication strength is among the controls. */
  readonly asksForMfa: boolean;
  readonly grantLogNames: readonly string[];
  readonly session: CompiledSession;
}

export interface CompiledPolicySet {
  readonly kind: 'monban.compiledPolicySet';
  readonly policies: readonly CompiledPolicy[];
  /** Problems found while compiling, with the policy index in the path. */
  readonly issues: readonly Issue[];
  /** Strengths known to this set, by lower-cased id. */
  readonly strengths: ReadonlyMap<string, CompiledStrength>;
}

export interface CompileOptions {
  /** Custom authentication strengths (the built-in ones are always known). */
  readonly strengths?: readonly AuthenticationStrengthPolicy[];
  readonly applicationGroups?: DirectoryView['applicationGroups'];
}

const lower = (s: string): string => s.toLowerCase();
const lowerSet = (values: readonly string[] | null | undefined): Set<string> => new Set((values ?? []).map(lower));
const nonEmpty = (values: readonly string[] | null | undefined): values is readonly string[] => Array.isArray(values) && values.length > 0;

function hasAny(set: ReadonlySet<string>, values: ReadonlySet<string>): boolean {
  if (set.size === 0 || values.size === 0) return false;
  const [small, large] = set.size <= values.size ? [set, values] : [values, set];
  for (const v of small) if (large.has(v)) return true;
  return false;
}

/** Whether any of a policy's (short, lower-cased) ids is among the sign-in's. */
function anyIn(ids: readonly string[], values: ReadonlySet<string>): boolean {
  for (let i = 0; i < ids.length; i++) if (values.has(ids[i] as string)) return true;
  return false;
}
const lowerList = (values: readonly string[] | null | undefined): string[] => [...lowerSet(values)];

// ---------------------------------------------------------------------------------------
// Strengths

export function compileStrength(s: {
  id: string;
  displayName?: string | null;
  allowedCombinations?: readonly string[] | null;
  combinationConfigurations?: readonly AuthenticationCombinationConfiguration[] | null;
}): CompiledStrength {
  const configs = s.combinationConfigurations ?? [];
  const allowed = s.allowedCombinations ?? [];
  return {
    id: s.id,
    displayName: s.displayName ?? s.id,
    allowedCombinations: [...allowed],
    combinations: allowed.map((combination) => {
      const modes = splitFlags(combination);
      const applying = configs.filter((c) => (c.appliesToCombinations ?? []).includes(combination));
      const aaguids = applying.flatMap((c) => c.allowedAAGUIDs ?? []);
      const skis = applying.flatMap((c) => c.allowedIssuerSkis ?? []);
      const oids = applying.flatMap((c) => c.allowedPolicyOIDs ?? []);
      return {
        modes,
        ...(aaguids.length > 0 ? { allowedAaguids: lowerSet(aaguids) } : {}),
        ...(skis.length > 0 ? { allowedIssuerSkis: lowerSet(skis) } : {}),
        ...(oids.length > 0 ? { allowedPolicyOids: new Set(oids) } : {}),
      };
    }),
  };
}

const BUILT_IN_COMPILED = new Map(BUILT_IN_AUTHENTICATION_STRENGTHS.map((s) => [s.id.toLowerCase(), compileStrength(s)]));

// ---------------------------------------------------------------------------------------
// Conditions

function guestsMatcher(g: ConditionalAccessGuestsOrExternalUsers | null | undefined): ((p: Prepared) => boolean) | undefined {
  if (!g) return undefined;
  const types = new Set(splitFlags(g.guestOrExternalUserTypes ?? ''));
  types.delete('none');
  if (types.size === 0) return undefined;
  const kind = g.externalTenants?.membershipKind ?? 'all';
  const members = lowerSet(g.externalTenants?.members);
  return (p) => {
    if (!hasAny(types, p.guestTypes)) return false;
    if (kind === 'enumerated') {
      // internalGuest users have no external tenant; enumerated tenants do not constrain them.
      if (p.externalTenantId === undefined) return p.guestTypes.has('internalGuest');
      return members.has(p.externalTenantId);
    }
    return true;
  };
}

function principalTargets(users: readonly string[] | null | undefined, groups: readonly string[] | null | undefined, roles: readonly string[] | null | undefined, guests: ConditionalAccessGuestsOrExternalUsers | null | undefined): PrincipalTargets {
  const keywords = new Set(users ?? []);
  const matcher = guestsMatcher(guests);
  return {
    all: keywords.has('All'),
    ids: lowerList(users),
    groups: lowerList(groups),
    roles: lowerList(roles),
    guestKeyword: keywords.has('GuestsOrExternalUsers'),
    ...(matcher ? { guests: matcher } : {}),
  };
}

function targeted(t: PrincipalTargets, p: Prepared): boolean {
  return (
    t.all ||
    t.ids.includes(p.userId) ||
    (t.guestKeyword && p.isGuestOrExternal) ||
    anyIn(t.groups, p.groups) ||
    anyIn(t.roles, p.roles) ||
    (t.guests !== undefined && t.guests(p))
  );
}

function usersCondition(policy: ConditionalAccessPolicy): ConditionMatcher {
  const u = policy.conditions.users;
  const include = principalTargets(u?.includeUsers, u?.includeGroups, u?.includeRoles, u?.includeGuestsOrExternalUsers);
  const exclude = principalTargets(u?.excludeUsers, u?.excludeGroups, u?.excludeRoles, u?.excludeGuestsOrExternalUsers);
  return {
    name: 'users',
    dependsOn: 'user',
    users: { include, exclude },
    // Exclusions beat inclusions.
    test: (p) => (p.isUser ? targeted(include, p) && !targeted(exclude, p) : undefined),
  };
}

function servicePrincipalsCondition(policy: ConditionalAccessPolicy): ConditionMatcher {
  const ca = policy.conditions.clientApplications;
  const inc = new Set(ca?.includeServicePrincipals ?? []);
  const exc = new Set(ca?.excludeServicePrincipals ?? []);
  const incIds = lowerSet(ca?.includeServicePrincipals);
  const excIds = lowerSet(ca?.excludeServicePrincipals);
  const includeAll = inc.has('All') || inc.has('ServicePrincipalsInMyTenant');
  const excludeAll = exc.has('All') || exc.has('ServicePrincipalsInMyTenant');
  return {
    name: 'servicePrincipals',
    dependsOn: 'situation',
    test(p) {
      if (p.isUser) return undefined;
      const id = p.servicePrincipalId ?? '';
      // A policy without clientApplications targets users only.
      if (!(includeAll || incIds.has(id))) return false;
      return !(excludeAll || excIds.has(id));
    },
  };
}

function applicationCondition(policy: ConditionalAccessPolicy, options: CompileOptions): ConditionMatcher {
  const a = policy.conditions.applications;
  const inc = new Set(a?.includeApplications ?? []);
  const exc = new Set(a?.excludeApplications ?? []);
  const incIds = lowerSet(a?.includeApplications);
  const excIds = lowerSet(a?.excludeApplications);
  const office = lowerSet(options.applicationGroups?.Office365 ?? OFFICE365_APP_IDS);
  const portals = lowerSet(options.applicationGroups?.MicrosoftAdminPortals ?? ADMIN_PORTAL_APP_IDS);
  const includeAll = inc.has('All');
  const incOffice = inc.has('Office365');
  const incPortals = inc.has('MicrosoftAdminPortals');
  const excOffice = exc.has('Office365');
  const excPortals = exc.has('MicrosoftAdminPortals');
  const actions = lowerSet(a?.includeUserActions);
  const acrs = lowerSet(a?.includeAuthenticationContextClassReferences);
  const targetsOnlyContexts = acrs.size > 0 && inc.size === 0 && actions.size === 0;

  const excluded = (r: string): boolean => excIds.has(r) || (excOffice && office.has(r)) || (excPortals && portals.has(r));
  const included = (r: string): boolean => includeAll || incIds.has(r) || (incOffice && office.has(r)) || (incPortals && portals.has(r));

  return {
    name: 'application',
    dependsOn: 'situation',
    reasonFor: (p) => (p.userAction !== undefined ? 'userActions' : targetsOnlyContexts || (p.acrs.size > 0 && p.resource === undefined) ? 'authenticationContext' : 'application'),
    test(p) {
      const r = p.resource;
      if (p.userAction !== undefined) {
        if (actions.has(p.userAction)) return true;
        // User actions request tokens too, so All-resources policies apply (entra-reference.md §3).
        if (includeAll && (r === undefined || !excluded(r))) return true;
      } else if (r !== undefined && included(r) && !excluded(r)) {
        return true;
      }
      return hasAny(acrs, p.acrs);
    },
  };
}

function clientAppTypesCondition(policy: ConditionalAccessPolicy): ConditionMatcher | undefined {
  const types = policy.conditions.clientAppTypes;
  if (!nonEmpty(types) || types.includes('all')) return undefined;
  const set = new Set<string>(types);
  if (set.has('easSupported')) set.add('exchangeActiveSync');
  return {
    name: 'clientType',
    dependsOn: 'situation',
    test: (p) => p.clientAppType !== undefined && set.has(p.clientAppType),
  };
}

function platformsCondition(policy: ConditionalAccessPolicy): ConditionMatcher | undefined {
  const pl = policy.conditions.platforms;
  if (!pl || !nonEmpty(pl.includePlatforms)) return undefined;
  const inc = new Set<string>(pl.includePlatforms);
  const exc = new Set<string>(pl.excludePlatforms ?? []);
  return {
    name: 'devicePlatform',
    dependsOn: 'situation',
    test(p) {
      if (!p.isUser) return undefined;
      // An unknown platform is matched only by `all` and never excluded.
      const platform = p.platform;
      const included = inc.has('all') || (platform !== undefined && inc.has(platform));
      if (!included) return false;
      return !(exc.has('all') || (platform !== undefined && exc.has(platform)));
    },
  };
}

function locationsCondition(policy: ConditionalAccessPolicy): ConditionMatcher | undefined {
  const l = policy.conditions.locations;
  if (!l || !nonEmpty(l.includeLocations)) return undefined;
  const inc = new Set(l.includeLocations);
  const exc = new Set(l.excludeLocations ?? []);
  const incIds = lowerSet(l.includeLocations);
  const excIds = lowerSet(l.excludeLocations);
  const incAll = inc.has('All');
  const incTrusted = inc.has('AllTrusted');
  const excAll = exc.has('All');
  const excTrusted = exc.has('AllTrusted');
  return {
    name: 'location',
    dependsOn: 'situation',
    test(p) {
      const included = incAll || (incTrusted && p.isTrustedLocation) || hasAny(incIds, p.namedLocationIds);
      if (!included) return false;
      return !(excAll || (excTrusted && p.isTrustedLocation) || hasAny(excIds, p.namedLocationIds));
    },
  };
}

function deviceCondition(policy: ConditionalAccessPolicy, issues: Issue[]): ConditionMatcher | undefined {
  const d = policy.conditions.devices;
  const states = policy.conditions.deviceStates;
  let filter: { mode: 'include' | 'exclude'; predicate: DevicePredicate } | undefined;
  if (d?.deviceFilter) {
    const parsed = parseDeviceFilter(d.deviceFilter.rule);
    if (!parsed.ok) {
      issues.push({
        code: 'invalid_device_filter',
        path: 'conditions.devices.deviceFilter.rule',
        message: `${parsed.error.code} at ${parsed.error.position}: ${parsed.error.message}`,
      });
      return undefined;
    }
    filter = { mode: d.deviceFilter.mode, predicate: compileDeviceFilter(parsed.expression) };
  }
  // Legacy device states: include `All`, exclude `Compliant` / `DomainJoined`.
  const legacyExclude = new Set([...(d?.excludeDevices ?? []), ...(states?.excludeStates ?? [])].map(lower));
  const legacyInclude = [...(d?.includeDevices ?? []), ...(states?.includeStates ?? [])];
  const legacy = legacyInclude.length > 0 || legacyExclude.size > 0;
  if (filter === undefined && !legacy) return undefined;
  return {
    name: 'deviceState',
    dependsOn: 'device',
    sameAs: JSON.stringify([filter?.mode ?? null, d?.deviceFilter?.rule ?? null, [...legacyExclude].sort()]),
    test(p) {
      if (!p.isUser) return undefined;
      if (filter !== undefined) {
        const hit = filter.predicate(p.device);
        if (filter.mode === 'include' ? !hit : hit) return false;
      }
      if (legacy) {
        if (legacyExclude.has('compliant') && p.device?.isCompliant === true) return false;
        if (legacyExclude.has('domainjoined') && (p.device?.trustType ?? '').toLowerCase() === 'serverad') return false;
      }
      return true;
    },
  };
}

function riskCondition(
  values: readonly string[] | null | undefined,
  name: 'signInRisk' | 'userRisk' | 'servicePrincipalRisk',
  read: (ctx: SignInContext) => string | undefined,
  forUsers: boolean,
): ConditionMatcher | undefined {
  if (!nonEmpty(values)) return undefined;
  const set = new Set(values);
  return {
    name,
    dependsOn: 'situation',
    test(p) {
      if (p.isUser !== forUsers) return undefined;
      const level = read(p.ctx);
      return level !== undefined && set.has(level);
    },
  };
}

function insiderRiskCondition(policy: ConditionalAccessPolicy): ConditionMatcher | undefined {
  const set = new Set(splitFlags(policy.conditions.insiderRiskLevels ?? ''));
  if (set.size === 0) return undefined;
  return {
    name: 'insiderRisk',
    dependsOn: 'situation',
    test: (p) => (p.isUser ? p.ctx.insiderRiskLevel !== undefined && set.has(p.ctx.insiderRiskLevel) : undefined),
  };
}

function authenticationFlowsCondition(policy: ConditionalAccessPolicy): ConditionMatcher | undefined {
  const set = new Set(splitFlags(policy.conditions.authenticationFlows?.transferMethods ?? ''));
  set.delete('none');
  if (set.size === 0) return undefined;
  return {
    name: 'authenticationFlows',
    dependsOn: 'situation',
    // The current flow or the session's protocol-tracking mark (entra-reference.md §4.5).
    test: (p) => hasAny(set, p.transferMethods),
  };
}

// ---------------------------------------------------------------------------------------
// Grant and session controls

const CONTROL_ORDER: Record<ControlKind, number> = {
  mfa: 0,
  authenticationStrength: 0,
  compliantDevice: 1,
  domainJoinedDevice: 2,
  approvedApplication: 3,
  compliantApplication: 4,
  passwordChange: 5,
  termsOfUse: 6,
  customAuthenticationFactor: 7,
  unsupportedControl: 8,
};

export function controlOrder(kind: MissingControl): number {
  return kind === 'block' ? -1 : CONTROL_ORDER[kind];
}

const BUILT_IN_CONTROL_KINDS: Partial<Record<string, ControlKind>> = {
  mfa: 'mfa',
  compliantDevice: 'compliantDevice',
  domainJoinedDevice: 'domainJoinedDevice',
  approvedApplication: 'approvedApplication',
  compliantApplication: 'compliantApplication',
  passwordChange: 'passwordChange',
  // Beta "require risk remediation": met, like passwordChange, by a secure password change [D].
  riskRemediation: 'passwordChange',
};

const LOG_NAMES: Record<string, string> = {
  block: 'Block',
  mfa: 'Mfa',
  compliantDevice: 'RequireCompliantDevice',
  domainJoinedDevice: 'RequireDomainJoinedDevice',
  approvedApplication: 'RequireApprovedApp',
  compliantApplication: 'RequireCompliantApp',
  passwordChange: 'RequirePasswordChange',
  riskRemediation: 'RequireRiskRemediation',
};

function compileSession(policy: ConditionalAccessPolicy): CompiledSession {
  const s = policy.sessionControls;
  const logNames: string[] = [];
  let signInFrequency: CompiledSignInFrequency | undefined;
  const sif = s?.signInFrequency;
  if (sif && sif.isEnabled !== false) {
    const authenticationType = sif.authenticationType === 'secondaryAuthentication' ? 'secondaryAuthentication' : 'primaryAndSecondaryAuthentication';
    if (sif.frequencyInterval === 'everyTime') {
      // Fresh authentication, with the reference's 5 minutes of tolerance.
      signInFrequency = { frequencyInterval: 'everyTime', authenticationType, seconds: 300 };
    } else if (typeof sif.value === 'number' && (sif.type === 'hours' || sif.type === 'days')) {
      signInFrequency = {
        frequencyInterval: 'timeBased',
        authenticationType,
        seconds: sif.value * (sif.type === 'hours' ? 3600 : 86400),
        value: sif.value,
        type: sif.type,
      };
    }
    if (signInFrequency) logNames.push('SignInFrequency');
  }
  const pb = s?.persistentBrowser;
  const persistentBrowser = pb && pb.isEnabled !== false && (pb.mode === 'always' || pb.mode === 'never') ? pb.mode : undefined;
  if (persistentBrowser) logNames.push('PersistentBrowserSessionMode');
  const applicationEnforcedRestrictions = s?.applicationEnforcedRestrictions?.isEnabled === true;
  if (applicationEnforcedRestrictions) logNames.push('AppEnforcedRestrictions');
  const cas = s?.cloudAppSecurity;
  const cloudAppSecurity = cas && cas.isEnabled !== false && typeof cas.cloudAppSecurityType === 'string' ? cas.cloudAppSecurityType : undefined;
  if (cloudAppSecurity) logNames.push('CloudAppSecurity');
  const disableResilienceDefaults = s?.disableResilienceDefaults === true;
  if (disableResilienceDefaults) logNames.push('DisableResilienceDefaults');
  const cae = s?.continuousAccessEvaluation?.mode;
  const continuousAccessEvaluation = typeof cae === 'string' ? cae : undefined;
  if (continuousAccessEvaluation) logNames.push('ContinuousAccessEvaluation');
  const secureSignInSession = s?.secureSignInSession?.isEnabled === true;
  if (secureSignInSession) logNames.push('SecureSignInSession');
  return {
    ...(signInFrequency ? { signInFrequency } : {}),
    ...(persistentBrowser ? { persistentBrowser } : {}),
    applicationEnforcedRestrictions,
    ...(cloudAppSecurity ? { cloudAppSecurity } : {}),
    disableResilienceDefaults,
    ...(continuousAccessEvaluation ? { continuousAccessEvaluation } : {}),
    secureSignInSession,
    logNames,
  };
}

function compileControls(
  policy: ConditionalAccessPolicy,
  strengths: ReadonlyMap<string, CompiledStrength>,
): { block: boolean; controls: CompiledControl[]; logNames: string[] } {
  const g = policy.grantControls;
  const controls: CompiledControl[] = [];
  const logNames: string[] = [];
  let block = false;
  for (const name of g?.builtInControls ?? []) {
    if (name === 'block') {
      block = true;
      logNames.push('Block');
      continue;
    }
    const kind = BUILT_IN_CONTROL_KINDS[name] ?? 'unsupportedControl';
    controls.push(kind === 'unsupportedControl' ? { kind, id: name } : { kind });
    logNames.push(LOG_NAMES[name] ?? name);
  }
  const ref = g?.authenticationStrength;
  if (ref) {
    // Built-ins are keyed by id: older captures embed outdated combination lists (entra-reference.md §2.2).
    const key = ref.id.toLowerCase();
    const strength =
      BUILT_IN_COMPILED.get(key) ?? strengths.get(key) ?? (ref.allowedCombinations ? compileStrength(ref) : undefined);
    controls.push({
      kind: 'authenticationStrength',
      ...(strength ? { strength } : {}),
      strengthId: ref.id,
      strengthName: strength?.displayName ?? ref.displayName ?? ref.id,
    });
    logNames.push('RequireAuthenticationStrength');
  }
  for (const id of g?.termsOfUse ?? []) {
    controls.push({ kind: 'termsOfUse', id });
  }
  if ((g?.termsOfUse ?? []).length > 0) logNames.push('RequireTermsOfUse');
  for (const id of g?.customAuthenticationFactors ?? []) {
    controls.push({ kind: 'customAuthenticationFactor', id });
    logNames.push(id);
  }
  return { block, controls, logNames };
}

// ---------------------------------------------------------------------------------------

function rawString(raw: unknown, key: string): string | undefined {
  if (typeof raw === 'object' && raw !== null && key in raw) {
    const v: unknown = (raw as Record<string, unknown>)[key];
    return typeof v === 'string' ? v : undefined;
  }
  return undefined;
}

function compileOne(raw: unknown, index: number, options: CompileOptions, strengths: ReadonlyMap<string, CompiledStrength>, setIssues: Issue[]): CompiledPolicy {
  const validated = validatePolicy(raw);
  if (!validated.ok) {
    // Fail closed: an enabled policy that cannot be read blocks. Only an explicit
    // `disabled` or report-only state keeps it from doing so.
    const state = rawString(raw, 'state');
    setIssues.push(...validated.errors.map((e) => ({ ...e, path: underPath(`[${index}]`, e.path) })));
    return {
      id: rawString(raw, 'id') ?? `#${index}`,
      displayName: rawString(raw, 'displayName') ?? rawString(raw, 'id') ?? `policy #${index}`,
      state: state === 'disabled' || state === 'enabledForReportingButNotEnforced' ? state : 'enabled',
      source: undefined,
      issues: validated.errors,
      conditions: [],
      block: true,
      operator: 'AND',
      controls: [],
      asksForMfa: false,
      grantLogNames: [],
      session: { applicationEnforcedRestrictions: false, disableResilienceDefaults: false, secureSignInSession: false, logNames: [] },
    };
  }
  const policy = validated.value;
  const issues: Issue[] = [];
  const matchers: ConditionMatcher[] = [usersCondition(policy), servicePrincipalsCondition(policy), applicationCondition(policy, options)];
  const optional = [
    clientAppTypesCondition(policy),
    platformsCondition(policy),
    locationsCondition(policy),
    deviceCondition(policy, issues),
    riskCondition(policy.conditions.signInRiskLevels, 'signInRisk', (c) => c.signInRiskLevel, true),
    riskCondition(policy.conditions.userRiskLevels, 'userRisk', (c) => c.userRiskLevel, true),
    riskCondition(policy.conditions.servicePrincipalRiskLevels, 'servicePrincipalRisk', (c) => c.servicePrincipalRiskLevel, false),
    insiderRiskCondition(policy),
    authenticationFlowsCondition(policy),
  ];
  for (const c of optional) if (c !== undefined) matchers.push(c);
  const conditions: CompiledCondition[] = matchers.map((c) => Object.assign(c, { bit: CONDITION_BITS.get(c.name) ?? 0 }));
  const { block, controls, logNames } = compileControls(policy, strengths);
  setIssues.push(...issues.map((e) => ({ ...e, path: underPath(`[${index}]`, e.path) })));
  return {
    id: policy.id ?? `#${index}`,
    displayName: policy.displayName ?? policy.id ?? `policy #${index}`,
    state: policy.state,
    source: policy,
    issues: issues.length > 0 ? issues : undefined,
    conditions,
    block: block || issues.length > 0,
    operator: policy.grantControls?.operator === 'OR' ? 'OR' : 'AND',
    controls,
    asksForMfa: controls.some((c) => c.kind === 'mfa' || c.kind === 'authenticationStrength'),
    grantLogNames: logNames,
    session: compileSession(policy),
  };
}

/**
 * Compiles policies (validated here: anything that is not a valid policy becomes a
 * policy that fails closed) into a reusable set. Never throws.
 */
export function compilePolicies(policies: readonly unknown[], options: CompileOptions = {}): CompiledPolicySet {
  const strengths = new Map<string, CompiledStrength>(BUILT_IN_COMPILED);
  for (const s of options.strengths ?? []) {
    if (typeof s === 'object' && s !== null && typeof s.id === 'string' && !BUILT_IN_COMPILED.has(s.id.toLowerCase())) {
      strengths.set(s.id.toLowerCase(), compileStrength(s));
    }
  }
  const issues: Issue[] = [];
  const list = Array.isArray(policies) ? policies : [];
  if (!Array.isArray(policies)) issues.push({ code: 'invalid_type', path: '', message: 'policies must be an array' });
  const compiled = list.map((p, i) => compileOne(p, i, options, strengths, issues));
  return { kind: 'monban.compiledPolicySet', policies: compiled, issues, strengths };
}

export function isCompiledPolicySet(value: unknown): value is CompiledPolicySet {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'monban.compiledPolicySet';
}
