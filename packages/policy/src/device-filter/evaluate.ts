// Evaluation of a parsed device filter against a device. Comparisons are case-insensitive
// (entra-reference.md §2.4 [D]). A device that is not registered has every attribute
// null: positive operators never match it and negative ones always do.
import type { FilterExpression, FilterValue } from './parser.js';
import { COLLECTION_PROPERTIES, NEGATIVE_OPERATORS, type DeviceFilterProperty, type ExtensionAttributeName, type FilterOperator } from './properties.js';

/** The device attributes filters can read (Graph `device` names). */
export type FilterableDevice = {
  readonly deviceId?: string | null;
  readonly displayName?: string | null;
  readonly deviceOwnership?: string | null;
  readonly enrollmentProfileName?: string | null;
  readonly isCompliant?: boolean | null;
  readonly manufacturer?: string | null;
  readonly mdmAppId?: string | null;
  readonly model?: string | null;
  readonly operatingSystem?: string | null;
  readonly operatingSystemVersion?: string | null;
  readonly physicalIds?: readonly string[] | null;
  readonly profileType?: string | null;
  readonly systemLabels?: readonly string[] | null;
  /** Graph `AzureAd` | `ServerAd` | `Workplace`; filters write `AzureAD`/`ServerAD`; What If's `EntraID` is an alias of `AzureAD`. */
  readonly trustType?: string | null;
} & { readonly [K in ExtensionAttributeName]?: string | null };

export type DevicePredicate = (device: FilterableDevice | undefined) => boolean;

function attribute(device: FilterableDevice | undefined, property: DeviceFilterProperty): string | readonly string[] | undefined {
  if (device === undefined) return undefined;
  if (property === 'isCompliant') {
    const v = device.isCompliant;
    return v === true ? 'true' : v === false ? 'false' : undefined;
  }
  if (property === 'trustType') {
    const v = device.trustType;
    if (typeof v !== 'string') return undefined;
    const lower = v.toLowerCase();
    return lower === 'entraid' ? 'azuread' : lower;
  }
  if (property === 'physicalIds' || property === 'systemLabels') {
    const v = device[property];
    return Array.isArray(v) ? v.map((s) => String(s).toLowerCase()) : undefined;
  }
  const v = device[property];
  return typeof v === 'string' ? v.toLowerCase() : undefined;
}

function positive(operator: FilterOperator, actual: string | readonly string[], expected: FilterValue): boolean {
  if (typeof actual !== 'string') {
    // Collections: whole-element membership.
    return typeof expected === 'string' && actual.includes(expected);
  }
  switch (operator) {
    case 'eq':
    case 'ne':
      return typeof expected === 'string' && actual === expected;
    case 'startsWith':
    case 'notStartsWith':
      return typeof expected === 'string' && actual.startsWith(expected);
    case 'endsWith':
    case 'notEndsWith':
      return typeof expected === 'string' && actual.endsWith(expected);
    case 'contains':
    case 'notContains':
      return typeof expected === 'string' && actual.includes(expected);
    case 'in':
    case 'notIn':
      return typeof expected !== 'string' && expected.includes(actual);
  }
}

/** Compiles an expression into a predicate; values are lower-cased once here. */
export function compileDeviceFilter(expression: FilterExpression): DevicePredicate {
  switch (expression.kind) {
    case 'and': {
      const l = compileDeviceFilter(expression.left);
      const r = compileDeviceFilter(expression.right);
      return (d) => l(d) && r(d);
    }
    case 'or': {
      const l = compileDeviceFilter(expression.left);
      const r = compileDeviceFilter(expression.right);
      return (d) => l(d) || r(d);
    }
    case 'not': {
      const inner = compileDeviceFilter(expression.operand);
      return (d) => !inner(d);
    }
    case 'compare': {
      const { property, operator } = expression;
      const expected: FilterValue =
        typeof expression.value === 'string' ? expression.value.toLowerCase() : expression.value.map((v) => v.toLowerCase());
      const negative = NEGATIVE_OPERATORS.has(operator);
      const collection = COLLECTION_PROPERTIES.has(property);
      return (d) => {
        const actual = attribute(d, property);
        if (actual === undefined) return negative;
        if (collection && typeof actual === 'string') return negative;
        const hit = positive(operator, actual, expected);
        return negative ? !hit : hit;
      };
    }
  }
}

/** Evaluates an expression directly (compile once with compileDeviceFilter when it is reused). */
export function evaluateDeviceFilter(expression: FilterExpression, device: FilterableDevice | undefined): boolean {
  return compileDeviceFilter(expression)(device);
}
