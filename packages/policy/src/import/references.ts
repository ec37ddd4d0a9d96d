// References from a policy to directory objects that the directory does not hold.
import type { DirectoryView } from '../directory.js';
import type { Issue } from '../types.js';
import type { ConditionalAccessPolicy } from '../schema/policy.js';
import { isPlaceholder } from '../schema/common.js';
import { APPLICATION_KEYWORDS, LOCATION_KEYWORDS, SERVICE_PRINCIPAL_KEYWORDS, USER_KEYWORDS } from '../schema/enums.js';
import { BUILT_IN_AUTHENTICATION_STRENGTHS } from '../schema/strength.js';

/** Legacy "MFA trusted IPs" (entra-reference.md §6). */
export const LEGACY_MFA_TRUSTED_IPS_LOCATION_ID = '00000000-0000-0000-0000-000000000000';

export interface UnknownReference extends Issue {
  readonly code: 'unknown_reference' | 'placeholder_reference';
  readonly kind: 'user' | 'group' | 'role' | 'application' | 'servicePrincipal' | 'namedLocation' | 'authenticationStrength' | 'termsOfUse' | 'authenticationContext';
  readonly id: string;
}

type Kind = UnknownReference['kind'];

function check(
  out: UnknownReference[],
  ids: readonly string[] | null | undefined,
  known: ReadonlySet<string> | undefined,
  keywords: readonly string[],
  kind: Kind,
  path: string,
): void {
  if (!ids) return;
  ids.forEach((id, i) => {
    if (keywords.includes(id)) return;
    const at = `${path}[${i}]`;
    if (isPlaceholder(id)) {
      out.push({ code: 'placeholder_reference', kind, id, path: at, message: `${kind} '${id}' is a template placeholder, not an object id` });
      return;
    }
    if (known !== undefined && !known.has(id.toLowerCase())) {
      out.push({ code: 'unknown_reference', kind, id, path: at, message: `${kind} '${id}' is not in the directory` });
    }
  });
}

function setOf(values: readonly string[] | undefined): ReadonlySet<string> | undefined {
  return values === undefined ? undefined : new Set(values.map((v) => v.toLowerCase()));
}

/**
 * Lists the ids a policy names that the directory does not know, and template
 * placeholders. Only the parts of the directory that are given are checked.
 */
export function findUnknownReferences(policy: ConditionalAccessPolicy, directory: DirectoryView): UnknownReference[] {
  const out: UnknownReference[] = [];
  const users = setOf(directory.users?.map((u) => u.id));
  const groups = setOf(directory.groups?.map((g) => g.id));
  const roles = setOf(directory.roles?.map((r) => r.id));
  const apps =
    directory.applications === undefined && directory.servicePrincipals === undefined
      ? undefined
      : setOf([...(directory.applications ?? []).map((a) => a.appId), ...(directory.servicePrincipals ?? []).map((s) => s.appId)]);
  const sps = setOf(directory.servicePrincipals?.map((s) => s.id));
  const locations =
    directory.namedLocations === undefined
      ? undefined
      : setOf([LEGACY_MFA_TRUSTED_IPS_LOCATION_ID, ...directory.namedLocations.flatMap((l) => (l.id === undefined ? [] : [l.id]))]);
  const terms = setOf(directory.termsOfUse?.map((t) => t.id));
  const contexts = setOf(directory.authenticationContexts?.map((c) => c.id));

  const c = policy.conditions;
  const u = c.users;
  check(out, u?.includeUsers, users, USER_KEYWORDS, 'user', 'conditions.users.includeUsers');
  check(out, u?.excludeUsers, users, USER_KEYWORDS, 'user', 'conditions.users.excludeUsers');
  check(out, u?.includeGroups, groups, [], 'group', 'conditions.users.includeGroups');
  check(out, u?.excludeGroups, groups, [], 'group', 'conditions.users.excludeGroups');
  check(out, u?.includeRoles, roles, [], 'role', 'conditions.users.includeRoles');
  check(out, u?.excludeRoles, roles, [], 'role', 'conditions.users.excludeRoles');
  const a = c.applications;
  check(out, a?.includeApplications, apps, APPLICATION_KEYWORDS, 'application', 'conditions.applications.includeApplications');
  check(out, a?.excludeApplications, apps, APPLICATION_KEYWORDS, 'application', 'conditions.applications.excludeApplications');
  check(
    out,
    a?.includeAuthenticationContextClassReferences,
    contexts,
    [],
    'authenticationContext',
    'conditions.applications.includeAuthenticationContextClassReferences',
  );
  check(out, c.clientApplications?.includeServicePrincipals, sps, SERVICE_PRINCIPAL_KEYWORDS, 'servicePrincipal', 'conditions.clientApplications.includeServicePrincipals');
  check(out, c.clientApplications?.excludeServicePrincipals, sps, SERVICE_PRINCIPAL_KEYWORDS, 'servicePrincipal', 'conditions.clientApplications.excludeServicePrincipals');
  check(out, c.locations?.includeLocations, locations, LOCATION_KEYWORDS, 'namedLocation', 'conditions.locations.includeLocations');
  check(out, c.locations?.excludeLocations, locations, LOCATION_KEYWORDS, 'namedLocation', 'conditions.locations.excludeLocations');
  check(out, policy.grantControls?.termsOfUse, terms, [], 'termsOfUse', 'grantControls.termsOfUse');
  const strength = policy.grantControls?.authenticationStrength;
  if (strength) {
    const known = setOf([...BUILT_IN_AUTHENTICATION_STRENGTHS.map((s) => s.id), ...(directory.authenticationStrengths ?? []).map((s) => s.id)]);
    // A full embedded strength object is self-describing; only a bare `{ id }` must resolve.
    if (directory.authenticationStrengths !== undefined || !strength.allowedCombinations) {
      check(out, [strength.id], known, [], 'authenticationStrength', 'grantControls.authenticationStrength.id');
      const last = out[out.length - 1];
      if (last?.path === 'grantControls.authenticationStrength.id[0]') {
        out[out.length - 1] = { ...last, path: 'grantControls.authenticationStrength.id' };
      }
    }
  }
  return out;
}
