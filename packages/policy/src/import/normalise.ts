// Turns the JSON of any exporter into plain Graph camelCase JSON:
//  - PascalCase keys (PowerShell Microsoft.Graph SDK) become camelCase;
//  - OData annotations (`@odata.context`, `createdDateTime@odata.type`, ...) and action
//    blocks (`#microsoft.graph.restore`) are dropped, except `@odata.type` where it tells
//    kinds apart (named locations, ranges, combination configurations);
//  - a comma-joined string where Graph has an array becomes the array, and an array where
//    Graph has a comma-joined flags string becomes the string;
//  - `/Date(1647536088205)/` (PowerShell JSON dates) becomes an ISO 8601 string.
// Null and missing stay as they are.
import { formatPath, type Issue } from '../types.js';

/** Properties that Graph types as collections of strings. */
const ARRAY_PROPERTIES = new Set([
  'includeUsers',
  'excludeUsers',
  'includeGroups',
  'excludeGroups',
  'includeRoles',
  'excludeRoles',
  'includeApplications',
  'excludeApplications',
  'includeUserActions',
  'includeAuthenticationContextClassReferences',
  'includeServicePrincipals',
  'excludeServicePrincipals',
  'clientAppTypes',
  'includePlatforms',
  'excludePlatforms',
  'includeLocations',
  'excludeLocations',
  'includeDevices',
  'excludeDevices',
  'includeStates',
  'excludeStates',
  'signInRiskLevels',
  'userRiskLevels',
  'servicePrincipalRiskLevels',
  'builtInControls',
  'customAuthenticationFactors',
  'termsOfUse',
  'countriesAndRegions',
  'members',
  'appliesToCombinations',
  'allowedAAGUIDs',
  'allowedIssuerSkis',
  'allowedPolicyOIDs',
]);

/** Properties that Graph types as flags enums: one comma-joined string. */
const FLAGS_PROPERTIES = new Set(['transferMethods', 'insiderRiskLevels', 'guestOrExternalUserTypes']);

const POWERSHELL_DATE_RE = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/;

/** `IPRanges` → `ipRanges`, `IsEnabled` → `isEnabled`, `ID` → `id`. */
export function camelCaseKey(key: string): string {
  const first = key.charCodeAt(0);
  if (!(first >= 65 && first <= 90)) return key;
  let upper = 0;
  while (upper < key.length) {
    const c = key.charCodeAt(upper);
    if (c >= 65 && c <= 90) upper++;
    else break;
  }
  if (upper === key.length) return key.toLowerCase();
  if (upper === 1) return key.charAt(0).toLowerCase() + key.slice(1);
  // An acronym followed by a word: lower the acronym except its last letter.
  return key.slice(0, upper - 1).toLowerCase() + key.slice(upper - 1);
}

export interface NormaliseOptions {
  /** Keep `@odata.type` (it discriminates named locations and similar). */
  readonly keepODataType: boolean;
}

export interface Normalised {
  readonly value: unknown;
  readonly issues: Issue[];
}

function isAnnotation(key: string, keepODataType: boolean): boolean {
  if (key.startsWith('#')) return true; // OData action/function advertisement
  if (key === '@odata.type') return !keepODataType;
  return key.includes('@odata.') || key.startsWith('@');
}

function normaliseValue(value: unknown, key: string | undefined, path: PropertyKey[], options: NormaliseOptions, issues: Issue[]): unknown {
  if (Array.isArray(value)) {
    if (key !== undefined && FLAGS_PROPERTIES.has(key) && value.every((v): v is string => typeof v === 'string')) {
      return value.join(',');
    }
    return value.map((item, i) => normaliseValue(item, undefined, [...path, i], options, issues));
  }
  if (typeof value === 'string') {
    if (key !== undefined && ARRAY_PROPERTIES.has(key)) {
      return value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    }
    if (key !== undefined && key.endsWith('DateTime')) {
      const m = POWERSHELL_DATE_RE.exec(value);
      if (m?.[1] !== undefined) {
        const date = new Date(Number(m[1]));
        if (!Number.isNaN(date.getTime())) return date.toISOString();
      }
    }
    return value;
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    const origin = new Map<string, string>();
    for (const [rawKey, item] of Object.entries(value)) {
      if (isAnnotation(rawKey, options.keepODataType)) continue;
      const k = rawKey.startsWith('@') ? rawKey : camelCaseKey(rawKey);
      const previous = origin.get(k);
      if (previous !== undefined) {
        issues.push({
          code: 'duplicate_property',
          path: formatPath([...path, k]),
          message: `'${rawKey}' and '${previous}' are the same property once key case is normalised`,
        });
        continue;
      }
      origin.set(k, rawKey);
      out[k] = normaliseValue(item, k, [...path, k], options, issues);
    }
    return out;
  }
  return value;
}

export function normaliseGraphJson(value: unknown, options: NormaliseOptions, path: PropertyKey[] = []): Normalised {
  const issues: Issue[] = [];
  const normalised = normaliseValue(value, undefined, path, options, issues);
  return { value: normalised, issues };
}
