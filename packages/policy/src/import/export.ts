// Writing Graph JSON back out. Policies keep every property they were imported with
// (unknown beta properties included), so export(import(x)) gives x back modulo the
// normalisations listed in normalise.ts.
import type { ConditionalAccessPolicy } from '../schema/policy.js';
import type { NamedLocation } from '../schema/named-location.js';
import type { AuthenticationStrengthPolicy } from '../schema/strength.js';

export type GraphJson = null | boolean | number | string | GraphJson[] | { [key: string]: GraphJson };

/** Read-only properties Graph fills in itself. */
export const READ_ONLY_POLICY_PROPERTIES = ['id', 'createdDateTime', 'modifiedDateTime', 'deletedDateTime'] as const;

export interface ExportOptions {
  /** Omit read-only properties (id, dates) so that the body can be POSTed to Graph. */
  readonly forCreate?: boolean;
  /** Add `"@odata.type": "#microsoft.graph.conditionalAccessPolicy"`. */
  readonly odataType?: boolean;
}

function toJson(value: unknown): GraphJson | undefined {
  if (value === null) return null;
  switch (typeof value) {
    case 'boolean':
    case 'string':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'object': {
      if (Array.isArray(value)) return value.map((v) => toJson(v) ?? null);
      const out: { [key: string]: GraphJson } = {};
      for (const [k, v] of Object.entries(value)) {
        const j = toJson(v);
        if (j !== undefined) out[k] = j;
      }
      return out;
    }
    default:
      return undefined; // undefined, functions, symbols: not JSON
  }
}

function toJsonObject(value: object): { [key: string]: GraphJson } {
  const j = toJson(value);
  return j !== null && typeof j === 'object' && !Array.isArray(j) ? j : {};
}

/** A conditional access policy as Graph JSON (a fresh object; the input is not touched). */
export function exportPolicy(policy: ConditionalAccessPolicy, options: ExportOptions = {}): { [key: string]: GraphJson } {
  const body = toJsonObject(policy);
  if (options.forCreate) for (const key of READ_ONLY_POLICY_PROPERTIES) delete body[key];
  if (options.odataType) return { '@odata.type': '#microsoft.graph.conditionalAccessPolicy', ...body };
  return body;
}

/** A Graph collection `{ "value": [...] }` of policies. */
export function exportPolicies(policies: readonly ConditionalAccessPolicy[], options: ExportOptions = {}): { value: GraphJson[] } {
  return { value: policies.map((p) => exportPolicy(p, options)) };
}

export function exportNamedLocation(location: NamedLocation): { [key: string]: GraphJson } {
  return toJsonObject(location);
}

export function exportAuthenticationStrength(strength: AuthenticationStrengthPolicy): { [key: string]: GraphJson } {
  return toJsonObject(strength);
}
