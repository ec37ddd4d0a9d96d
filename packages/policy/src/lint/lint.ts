// Policy checks that catch what bites before it bites (model.md "Pitfalls"): lock-outs,
// missing emergency-access exclusions, strengths nobody can meet, device registration
// blocked with device code, policies that can never apply, combinations Graph refuses.
import type { DirectoryView, DirectoryUser } from '../directory.js';
import { parseDeviceFilter } from '../device-filter/parser.js';
import { findUnknownReferences } from '../import/references.js';
import { splitFlags } from '../schema/common.js';
import { DEVICE_REGISTRATION_SERVICE_APP_ID, GLOBAL_ADMINISTRATOR_ROLE_ID } from '../schema/enums.js';
import type { ConditionalAccessPolicy } from '../schema/policy.js';
import {
  BUILT_IN_AUTHENTICATION_STRENGTHS,
  PASSWORDLESS_MFA_STRENGTH_ID,
  PHISHING_RESISTANT_MFA_STRENGTH_ID,
  type AuthenticationStrengthPolicy,
} from '../schema/strength.js';
import { validatePolicy } from '../schema/validate.js';

export type LintSeverity = 'error' | 'warning' | 'info';

export type LintCode =
  | 'invalid_policy'
  | 'locks_out_everyone'
  | 'locks_out_admins'
  | 'no_emergency_access_exclusion'
  | 'strength_without_registered_method'
  | 'passwordless_bootstrap'
  | 'device_code_blocks_device_registration'
  | 'never_applies'
  | 'mfa_with_strength'
  | 'block_with_other_controls'
  | 'invalid_device_filter'
  | 'legacy_clients_cannot_satisfy'
  | 'user_action_controls'
  | 'report_only_user_action'
  | 'password_change_requirements'
  | 'unknown_reference'
  | 'placeholder_reference';

export interface LintFinding {
  readonly code: LintCode;
  readonly severity: LintSeverity;
  readonly policyId: string;
  readonly message: string;
  /** Dotted path into the policy, when the finding is about one property. */
  readonly path?: string;
}

interface RuleInput {
  readonly policy: ConditionalAccessPolicy;
  readonly id: string;
  readonly name: string;
  readonly directory: DirectoryView;
  readonly strengths: ReadonlyMap<string, AuthenticationStrengthPolicy>;
}

type Rule = (input: RuleInput) => LintFinding[];

const LEGACY_CLIENTS = new Set(['exchangeActiveSync', 'easSupported', 'other']);
const MAX_LISTED = 5;

const list = (v: readonly string[] | null | undefined): readonly string[] => v ?? [];
const isActive = (p: ConditionalAccessPolicy): boolean => p.state !== 'disabled';

function hasExclusions(p: ConditionalAccessPolicy): boolean {
  const u = p.conditions.users;
  return (
    list(u?.excludeUsers).length > 0 ||
    list(u?.excludeGroups).length > 0 ||
    list(u?.excludeRoles).length > 0 ||
    (u?.excludeGuestsOrExternalUsers !== null && u?.excludeGuestsOrExternalUsers !== undefined)
  );
}

/** Conditions other than users and applications that narrow who the policy hits. */
function isNarrowed(p: ConditionalAccessPolicy): boolean {
  const c = p.conditions;
  const clientTypes = list(c.clientAppTypes);
  return (
    (clientTypes.length > 0 && !clientTypes.includes('all')) ||
    list(c.platforms?.includePlatforms).some((x) => x !== 'all') ||
    list(c.platforms?.excludePlatforms).length > 0 ||
    list(c.locations?.includeLocations).some((x) => x !== 'All') ||
    list(c.locations?.excludeLocations).length > 0 ||
    (c.devices?.deviceFilter !== null && c.devices?.deviceFilter !== undefined) ||
    list(c.signInRiskLevels).length > 0 ||
    list(c.userRiskLevels).length > 0 ||
    splitFlags(c.insiderRiskLevels ?? '').length > 0 ||
    splitFlags(c.authenticationFlows?.transferMethods ?? '').some((m) => m !== 'none')
  );
}

function blocks(p: ConditionalAccessPolicy): boolean {
  return list(p.grantControls?.builtInControls).includes('block');
}

function allResources(p: ConditionalAccessPolicy): boolean {
  return list(p.conditions.applications?.includeApplications).includes('All');
}

function finding(input: RuleInput, code: LintCode, severity: LintSeverity, message: string, path?: string): LintFinding {
  return { code, severity, policyId: input.id, message, ...(path !== undefined ? { path } : {}) };
}

/** State-dependent severity: a report-only policy bites only once it is switched on. */
function stateSeverity(p: ConditionalAccessPolicy, whenEnabled: LintSeverity): LintSeverity {
  return p.state === 'enabled' ? whenEnabled : 'warning';
}

const locksOut: Rule = (input) => {
  const p = input.policy;
  if (!isActive(p) || !blocks(p) || !allResources(p) || list(p.conditions.applications?.excludeApplications).length > 0 || isNarrowed(p)) return [];
  const u = p.conditions.users;
  const suffix = p.state === 'enabled' ? '' : ' once it is enabled';
  if (list(u?.includeUsers).includes('All') && !hasExclusions(p)) {
    return [finding(input, 'locks_out_everyone', stateSeverity(p, 'error'), `'${input.name}' blocks every user from every resource with no exclusion: it would lock out everyone, administrators included${suffix}.`)];
  }
  const targetsAdmins = list(u?.includeUsers).includes('All') || list(u?.includeRoles).map((r) => r.toLowerCase()).includes(GLOBAL_ADMINISTRATOR_ROLE_ID);
  if (targetsAdmins && list(u?.excludeUsers).length === 0 && list(u?.excludeGroups).length === 0) {
    return [finding(input, 'locks_out_admins', stateSeverity(p, 'error'), `'${input.name}' blocks all Global Administrators from every resource and excludes no account: it would lock out all admins${suffix}.`)];
  }
  return [];
};

function groupsOf(directory: DirectoryView, userId: string): readonly string[] {
  return directory.users?.find((u) => u.id.toLowerCase() === userId.toLowerCase())?.groupIds ?? [];
}

const emergencyAccess: Rule = (input) => {
  const p = input.policy;
  if (!isActive(p)) return [];
  const g = p.grantControls;
  const enforces = g !== null && g !== undefined && (list(g.builtInControls).length > 0 || g.authenticationStrength || list(g.termsOfUse).length > 0);
  if (!enforces) return []; // session-only policies cannot lock anyone out
  const u = p.conditions.users;
  const broad = list(u?.includeUsers).includes('All') || list(u?.includeRoles).length > 0 || list(u?.includeGroups).length > 0;
  if (!broad) return [];
  const ea = input.directory.emergencyAccess;
  const excludedUsers = new Set(list(u?.excludeUsers).map((x) => x.toLowerCase()));
  const excludedGroups = new Set(list(u?.excludeGroups).map((x) => x.toLowerCase()));
  if (ea !== undefined && (list(ea.userIds).length > 0 || list(ea.groupIds).length > 0)) {
    const missing: string[] = [];
    for (const id of list(ea.userIds)) {
      const viaGroup = groupsOf(input.directory, id).some((gid) => excludedGroups.has(gid.toLowerCase()));
      if (!excludedUsers.has(id.toLowerCase()) && !viaGroup) missing.push(id);
    }
    const groupExcluded = list(ea.groupIds).some((gid) => excludedGroups.has(gid.toLowerCase()));
    if (list(ea.userIds).length === 0 && !groupExcluded) missing.push(...list(ea.groupIds).map((gid) => `group ${gid}`));
    if (missing.length === 0) return [];
    return [
      finding(
        input,
        'no_emergency_access_exclusion',
        'warning',
        `'${input.name}' does not exclude the emergency-access account(s) ${missing.slice(0, MAX_LISTED).join(', ')}${missing.length > MAX_LISTED ? ', ...' : ''}.`,
        'conditions.users.excludeUsers',
      ),
    ];
  }
  if (list(u?.includeUsers).includes('All') && list(u?.excludeUsers).length === 0 && list(u?.excludeGroups).length === 0) {
    return [finding(input, 'no_emergency_access_exclusion', 'warning', `'${input.name}' applies to all users and excludes no account: exclude the emergency-access ("break glass") accounts.`, 'conditions.users.excludeUsers')];
  }
  return [];
};

function resolveStrength(input: RuleInput): AuthenticationStrengthPolicy | undefined {
  const ref = input.policy.grantControls?.authenticationStrength;
  if (!ref) return undefined;
  const found = input.strengths.get(ref.id.toLowerCase());
  if (found) return found;
  if (ref.allowedCombinations) return { id: ref.id, displayName: ref.displayName ?? ref.id, allowedCombinations: [...ref.allowedCombinations] };
  return undefined;
}

function inScope(p: ConditionalAccessPolicy, user: DirectoryUser): boolean {
  const u = p.conditions.users;
  const lower = (v: readonly string[] | null | undefined): Set<string> => new Set(list(v).map((x) => x.toLowerCase()));
  const groups = new Set(list(user.groupIds).map((x) => x.toLowerCase()));
  const roles = new Set(list(user.roleTemplateIds).map((x) => x.toLowerCase()));
  const isGuest = user.userType === 'guest' || list(user.guestOrExternalUserTypes).some((t) => t !== 'none');
  const incUsers = lower(u?.includeUsers);
  const id = user.id.toLowerCase();
  const included =
    incUsers.has('all') ||
    incUsers.has(id) ||
    (incUsers.has('guestsorexternalusers') && isGuest) ||
    [...lower(u?.includeGroups)].some((g) => groups.has(g)) ||
    [...lower(u?.includeRoles)].some((r) => roles.has(r));
  const excUsers = lower(u?.excludeUsers);
  const excluded =
    excUsers.has(id) ||
    (excUsers.has('guestsorexternalusers') && isGuest) ||
    [...lower(u?.excludeGroups)].some((g) => groups.has(g)) ||
    [...lower(u?.excludeRoles)].some((r) => roles.has(r));
  return included && !excluded;
}

const registeredMethods: Rule = (input) => {
  const p = input.policy;
  if (!isActive(p)) return [];
  const strength = resolveStrength(input);
  const users = input.directory.users;
  if (strength === undefined || users === undefined) return [];
  const combos = strength.allowedCombinations.map((c) => splitFlags(c));
  const drs = allResources(p) && !list(p.conditions.applications?.excludeApplications).includes(DEVICE_REGISTRATION_SERVICE_APP_ID);
  const stuck = users.filter((user) => {
    if (user.registeredMethods === undefined || !inScope(p, user)) return false;
    const have = new Set<string>(user.registeredMethods);
    // With the Device Registration Service in scope, Windows Hello cannot bootstrap itself:
    // provisioning it on a device needs another method of the strength first.
    return !combos.some((modes) => modes.every((m) => have.has(m) && !(drs && m === 'windowsHelloForBusiness')));
  });
  if (stuck.length === 0) return [];
  const names = stuck.slice(0, MAX_LISTED).map((u) => `${u.displayName ?? u.id} (${list(u.registeredMethods).join(', ') || 'no method'})`);
  return [
    finding(
      input,
      'strength_without_registered_method',
      stateSeverity(p, 'error'),
      `'${input.name}' requires authentication strength '${strength.displayName}', which ${stuck.length} user(s) in scope cannot meet with their registered methods: ${names.join('; ')}${stuck.length > MAX_LISTED ? '; ...' : ''}.` +
        (drs ? ' The Device Registration Service is in scope too, so they cannot provision Windows Hello either.' : ''),
      'grantControls.authenticationStrength',
    ),
  ];
};

const passwordlessBootstrap: Rule = (input) => {
  const p = input.policy;
  const id = p.grantControls?.authenticationStrength?.id.toLowerCase();
  if (!isActive(p) || (id !== PASSWORDLESS_MFA_STRENGTH_ID && id !== PHISHING_RESISTANT_MFA_STRENGTH_ID) || !allResources(p)) return [];
  if (list(p.conditions.applications?.excludeApplications).includes(DEVICE_REGISTRATION_SERVICE_APP_ID)) return [];
  return [
    finding(
      input,
      'passwordless_bootstrap',
      'info',
      `'${input.name}' requires a passwordless strength for all resources, the Device Registration Service included: users who sign in to a device with a password get no application tokens, and provisioning Windows Hello needs a passwordless method first (Authenticator phone sign-in, FIDO2 key, multi-factor certificate). Make sure every user in scope has one.`,
      'grantControls.authenticationStrength',
    ),
  ];
};

const deviceCodeDrs: Rule = (input) => {
  const p = input.policy;
  if (!isActive(p) || !blocks(p) || !allResources(p)) return [];
  if (!splitFlags(p.conditions.authenticationFlows?.transferMethods ?? '').includes('deviceCodeFlow')) return [];
  if (list(p.conditions.applications?.excludeApplications).map((a) => a.toLowerCase()).includes(DEVICE_REGISTRATION_SERVICE_APP_ID)) return [];
  return [
    finding(
      input,
      'device_code_blocks_device_registration',
      'warning',
      `'${input.name}' blocks device code flow for all resources without excluding the Device Registration Service (${DEVICE_REGISTRATION_SERVICE_APP_ID}): device registration through device code is blocked too.`,
      'conditions.applications.excludeApplications',
    ),
  ];
};

function subset(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(b.map((x) => x.toLowerCase()));
  return a.length > 0 && a.every((x) => set.has(x.toLowerCase()));
}

const neverApplies: Rule = (input) => {
  const p = input.policy;
  if (!isActive(p)) return [];
  const out: LintFinding[] = [];
  const c = p.conditions;
  const u = c.users;
  const incUsers = list(u?.includeUsers).filter((x) => x !== 'None');
  // Agent identities (beta `agents`, `includeAgentIdServicePrincipals`) are targeted outside users.
  const raw = c as Record<string, unknown>;
  const rawClients = (c.clientApplications ?? {}) as Record<string, unknown>;
  const targetsAgents = (raw['agents'] !== null && raw['agents'] !== undefined) || Array.isArray(rawClients['includeAgentIdServicePrincipals']);
  const targetsSps = targetsAgents || list(c.clientApplications?.includeServicePrincipals).some((x) => x !== 'None');
  const targetsUsers =
    incUsers.length > 0 || list(u?.includeGroups).length > 0 || list(u?.includeRoles).length > 0 || (u?.includeGuestsOrExternalUsers !== null && u?.includeGuestsOrExternalUsers !== undefined);
  const never = (why: string, path: string): void => {
    out.push(finding(input, 'never_applies', 'warning', `'${input.name}' can never apply: ${why}.`, path));
  };
  if (!targetsUsers && !targetsSps) never('it targets no user, group, role or workload identity', 'conditions.users.includeUsers');
  if (list(u?.excludeUsers).includes('All')) never('it excludes all users', 'conditions.users.excludeUsers');
  if (targetsUsers && !targetsSps && list(u?.includeGroups).length === 0 && list(u?.includeRoles).length === 0 && !incUsers.includes('All') && !incUsers.includes('GuestsOrExternalUsers') && subset(incUsers, list(u?.excludeUsers))) {
    never('every included user is also excluded', 'conditions.users.excludeUsers');
  }
  const a = c.applications;
  const incApps = list(a?.includeApplications).filter((x) => x !== 'None');
  if (incApps.length === 0 && list(a?.includeUserActions).length === 0 && list(a?.includeAuthenticationContextClassReferences).length === 0) {
    never('it targets no resource, user action or authentication context', 'conditions.applications.includeApplications');
  } else if (!incApps.includes('All') && subset(incApps, list(a?.excludeApplications))) {
    never('every included resource is also excluded', 'conditions.applications.excludeApplications');
  }
  const inc = list(c.platforms?.includePlatforms);
  if (inc.length > 0 && !inc.includes('all') && subset(inc, list(c.platforms?.excludePlatforms))) never('every included platform is also excluded', 'conditions.platforms.excludePlatforms');
  if (list(c.platforms?.excludePlatforms).includes('all')) never('it excludes all platforms', 'conditions.platforms.excludePlatforms');
  const incLoc = list(c.locations?.includeLocations);
  const excLoc = list(c.locations?.excludeLocations);
  if (excLoc.includes('All') || (incLoc.length > 0 && !incLoc.includes('All') && subset(incLoc, excLoc))) never('every included location is also excluded', 'conditions.locations.excludeLocations');
  if (list(c.servicePrincipalRiskLevels).length > 0 && !targetsSps) never('service principal risk is set but it targets no workload identity', 'conditions.servicePrincipalRiskLevels');
  return out;
};

const invalidCombinations: Rule = (input) => {
  const p = input.policy;
  const g = p.grantControls;
  if (!g) return [];
  const out: LintFinding[] = [];
  const controls = list(g.builtInControls);
  if (controls.includes('mfa') && g.authenticationStrength) {
    out.push(finding(input, 'mfa_with_strength', 'error', `'${input.name}' requires both mfa and an authentication strength; Graph refuses this combination: use the Multifactor authentication strength instead of mfa.`, 'grantControls.builtInControls'));
  }
  if (controls.includes('block') && (controls.length > 1 || g.authenticationStrength || list(g.termsOfUse).length > 0 || list(g.customAuthenticationFactors).length > 0)) {
    out.push(finding(input, 'block_with_other_controls', 'warning', `'${input.name}' combines block with other grant controls; block wins and the others are never used.`, 'grantControls.builtInControls'));
  }
  const actions = list(p.conditions.applications?.includeUserActions);
  if (actions.length > 0) {
    const others = controls.filter((c) => c !== 'mfa');
    if (others.length > 0 || list(g.termsOfUse).length > 0) {
      out.push(finding(input, 'user_action_controls', 'error', `'${input.name}' targets user actions, which accept only mfa or an authentication strength.`, 'grantControls.builtInControls'));
    }
    if (p.state === 'enabledForReportingButNotEnforced') {
      out.push(finding(input, 'report_only_user_action', 'warning', `'${input.name}' is report-only but targets user actions, where report-only is not allowed.`, 'state'));
    }
  }
  if (controls.includes('passwordChange')) {
    const ok =
      g.operator === 'AND' &&
      (controls.includes('mfa') || g.authenticationStrength) &&
      allResources(p) &&
      list(p.conditions.userRiskLevels).length > 0;
    if (!ok) {
      out.push(finding(input, 'password_change_requirements', 'error', `'${input.name}' requires a password change, which needs operator AND, mfa or a strength, all resources and a user risk condition.`, 'grantControls.builtInControls'));
    }
  }
  return out;
};

const legacyClients: Rule = (input) => {
  const p = input.policy;
  const types = list(p.conditions.clientAppTypes);
  if (!isActive(p) || types.length === 0 || !types.every((t) => LEGACY_CLIENTS.has(t)) || blocks(p)) return [];
  const g = p.grantControls;
  if (!g || (list(g.builtInControls).length === 0 && !g.authenticationStrength && list(g.termsOfUse).length === 0)) return [];
  return [
    finding(input, 'legacy_clients_cannot_satisfy', 'warning', `'${input.name}' targets only legacy authentication clients, which can meet no grant control: it blocks them; use block to say so.`, 'grantControls'),
  ];
};

const deviceFilter: Rule = (input) => {
  const out: LintFinding[] = [];
  const filters: Array<[string, string | undefined]> = [
    ['conditions.devices.deviceFilter.rule', input.policy.conditions.devices?.deviceFilter?.rule],
  ];
  for (const [path, rule] of filters) {
    if (rule === undefined) continue;
    const parsed = parseDeviceFilter(rule);
    if (!parsed.ok) {
      out.push(finding(input, 'invalid_device_filter', 'error', `'${input.name}' has a device filter that does not parse (${parsed.error.code} at ${parsed.error.position}): ${parsed.error.message}. An enabled policy that cannot be read blocks every sign-in it could apply to.`, path));
    }
  }
  return out;
};

const references: Rule = (input) => {
  return findUnknownReferences(input.policy, input.directory).map((r) =>
    finding(input, r.code, 'warning', `'${input.name}': ${r.message}.`, r.path),
  );
};

/** The rules, in the order their findings are listed. */
export const LINT_RULES: ReadonlyArray<readonly [string, Rule]> = [
  ['lock-out', locksOut],
  ['emergency-access', emergencyAccess],
  ['registered-methods', registeredMethods],
  ['passwordless-bootstrap', passwordlessBootstrap],
  ['device-code-drs', deviceCodeDrs],
  ['never-applies', neverApplies],
  ['invalid-combinations', invalidCombinations],
  ['legacy-clients', legacyClients],
  ['device-filter', deviceFilter],
  ['references', references],
];

/**
 * Checks policies (Graph JSON, validated here) against a directory view. Pure; never
 * throws. Findings carry a stable code, a severity, the policy id and a sentence.
 */
export function lintPolicies(policies: readonly unknown[], directory: DirectoryView = {}): LintFinding[] {
  const strengths = new Map<string, AuthenticationStrengthPolicy>();
  for (const s of [...BUILT_IN_AUTHENTICATION_STRENGTHS, ...(directory.authenticationStrengths ?? [])]) strengths.set(s.id.toLowerCase(), s);
  const out: LintFinding[] = [];
  (Array.isArray(policies) ? policies : []).forEach((raw, index) => {
    const validated = validatePolicy(raw);
    const rawId = typeof raw === 'object' && raw !== null && 'id' in raw && typeof raw.id === 'string' ? raw.id : `#${index}`;
    if (!validated.ok) {
      for (const e of validated.errors) {
        out.push({ code: 'invalid_policy', severity: 'error', policyId: rawId, message: `${e.code}: ${e.message}`, path: e.path });
      }
      return;
    }
    const policy = validated.value;
    const input: RuleInput = { policy, id: policy.id ?? rawId, name: policy.displayName ?? policy.id ?? rawId, directory, strengths };
    for (const [, rule] of LINT_RULES) {
      try {
        out.push(...rule(input));
      } catch (error) {
        out.push({ code: 'invalid_policy', severity: 'error', policyId: input.id, message: `a lint rule failed on this policy: ${String(error)}` });
      }
    }
  });
  return out;
}
