// Validation entry points: unknown input in, Result out, never a throw.
import type { z } from 'zod';
import { formatPath, ok, refused, type Issue, type Result } from '../types.js';
import { isPlaceholder, splitFlags, toIssues } from './common.js';
import {
  BUILT_IN_CONTROLS,
  CLIENT_APP_TYPES,
  DEVICE_PLATFORMS,
  GUEST_OR_EXTERNAL_USER_TYPES,
  INSIDER_RISK_LEVELS,
  RISK_LEVELS,
  TRANSFER_METHODS,
} from './enums.js';
import { namedLocationSchema, type NamedLocation } from './named-location.js';
import { conditionalAccessPolicySchema, type ConditionalAccessPolicy } from './policy.js';
import { authenticationStrengthPolicySchema, type AuthenticationStrengthPolicy } from './strength.js';

function run<T>(schema: z.ZodType<T>, input: unknown, prefix: readonly PropertyKey[]): Result<T> {
  try {
    const parsed = schema.safeParse(input, { reportInput: true });
    if (parsed.success) return ok(parsed.data);
    return refused(toIssues(parsed.error, prefix));
  } catch (error) {
    // A schema must never throw, but if one does the caller still gets a refusal.
    return refused([{ code: 'internal_error', path: formatPath(prefix), message: `validation failed: ${String(error)}` }]);
  }
}

function unknownMembers(
  values: readonly string[] | null | undefined,
  known: readonly string[],
  path: string,
  warnings: Issue[],
): void {
  if (!values) return;
  values.forEach((value, i) => {
    if (!known.includes(value)) {
      warnings.push({
        code: 'unknown_enum_member',
        path: `${path}[${i}]`,
        message: `'${value}' is not known to this version; it is kept, and never matches or satisfies anything`,
      });
    }
  });
}

function unknownFlags(value: string | null | undefined, known: readonly string[], path: string, warnings: Issue[]): void {
  if (typeof value !== 'string') return;
  for (const part of splitFlags(value)) {
    if (!known.includes(part)) {
      warnings.push({
        code: 'unknown_enum_member',
        path,
        message: `'${part}' is not known to this version; it is kept, and never matches anything`,
      });
    }
  }
}

function placeholders(value: unknown, path: readonly PropertyKey[], warnings: Issue[]): void {
  if (typeof value === 'string') {
    if (isPlaceholder(value)) {
      warnings.push({
        code: 'placeholder_reference',
        path: formatPath(path),
        message: `'${value}' is a template placeholder, not an object id: it matches nothing until replaced`,
      });
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => placeholders(item, [...path, i], warnings));
    return;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) placeholders(item, [...path, key], warnings);
  }
}

/** Warnings for an accepted policy: placeholders and enum members this version does not know. */
export function policyWarnings(policy: ConditionalAccessPolicy, prefix: readonly PropertyKey[] = []): Issue[] {
  const warnings: Issue[] = [];
  const p = (rest: string): string => {
    const base = formatPath(prefix);
    return base === '' ? rest : `${base}.${rest}`;
  };
  const c = policy.conditions;
  placeholders(c.users, [...prefix, 'conditions', 'users'], warnings);
  placeholders(c.applications, [...prefix, 'conditions', 'applications'], warnings);
  placeholders(c.locations, [...prefix, 'conditions', 'locations'], warnings);
  placeholders(policy.grantControls?.termsOfUse, [...prefix, 'grantControls', 'termsOfUse'], warnings);
  unknownMembers(c.clientAppTypes, CLIENT_APP_TYPES, p('conditions.clientAppTypes'), warnings);
  unknownMembers(c.platforms?.includePlatforms, DEVICE_PLATFORMS, p('conditions.platforms.includePlatforms'), warnings);
  unknownMembers(c.platforms?.excludePlatforms, DEVICE_PLATFORMS, p('conditions.platforms.excludePlatforms'), warnings);
  unknownMembers(c.signInRiskLevels, RISK_LEVELS, p('conditions.signInRiskLevels'), warnings);
  unknownMembers(c.userRiskLevels, RISK_LEVELS, p('conditions.userRiskLevels'), warnings);
  unknownMembers(c.servicePrincipalRiskLevels, RISK_LEVELS, p('conditions.servicePrincipalRiskLevels'), warnings);
  unknownFlags(c.insiderRiskLevels, INSIDER_RISK_LEVELS, p('conditions.insiderRiskLevels'), warnings);
  unknownFlags(c.authenticationFlows?.transferMethods, TRANSFER_METHODS, p('conditions.authenticationFlows.transferMethods'), warnings);
  unknownFlags(
    c.users?.includeGuestsOrExternalUsers?.guestOrExternalUserTypes,
    GUEST_OR_EXTERNAL_USER_TYPES,
    p('conditions.users.includeGuestsOrExternalUsers.guestOrExternalUserTypes'),
    warnings,
  );
  unknownMembers(policy.grantControls?.builtInControls, BUILT_IN_CONTROLS, p('grantControls.builtInControls'), warnings);
  return warnings;
}

/** Checks a Graph conditionalAccessPolicy (camelCase, already normalised). */
export function validatePolicy(input: unknown, prefix: readonly PropertyKey[] = []): Result<ConditionalAccessPolicy> {
  const result = run(conditionalAccessPolicySchema, input, prefix);
  if (!result.ok) return result;
  return ok(result.value, policyWarnings(result.value, prefix));
}

export function validateAuthenticationStrength(
  input: unknown,
  prefix: readonly PropertyKey[] = [],
): Result<AuthenticationStrengthPolicy> {
  return run(authenticationStrengthPolicySchema, input, prefix);
}

export function validateNamedLocation(input: unknown, prefix: readonly PropertyKey[] = []): Result<NamedLocation> {
  return run(namedLocationSchema, input, prefix);
}
