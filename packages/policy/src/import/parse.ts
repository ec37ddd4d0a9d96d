// Reading exported files: one object, an array, a Graph collection `{ "value": [...] }`,
// or the ScubaGear provider export `{ "conditional_access_policies": [...] }`.
// All or nothing: a file with one bad policy is refused with every reason found.
import { formatPath, ok, refused, type Issue, type Result } from '../types.js';
import { validateAuthenticationStrength, validateNamedLocation, validatePolicy } from '../schema/validate.js';
import type { ConditionalAccessPolicy } from '../schema/policy.js';
import type { NamedLocation } from '../schema/named-location.js';
import { COUNTRY_NAMED_LOCATION_TYPE, IP_NAMED_LOCATION_TYPE } from '../schema/named-location.js';
import type { AuthenticationStrengthPolicy } from '../schema/strength.js';
import { decodeText, type TextEncodingName } from './decode.js';
import { normaliseGraphJson } from './normalise.js';

export type GraphObjectKind =
  | 'conditionalAccessPolicy'
  | 'namedLocation'
  | 'authenticationStrengthPolicy'
  | 'conditionalAccessTemplate'
  | 'signIn'
  | 'whatIfRequest'
  | 'group'
  | 'migrationTable'
  | 'unknown';

const KIND_NAMES: Record<GraphObjectKind, string> = {
  conditionalAccessPolicy: 'a conditional access policy',
  namedLocation: 'a named location',
  authenticationStrengthPolicy: 'an authentication strength policy',
  conditionalAccessTemplate: 'a conditional access template (name/details), not a policy: its details hold no state and may hold descriptive text where ids belong',
  signIn: 'a sign-in log record',
  whatIfRequest: 'a What If request body',
  group: 'a group object',
  migrationTable: 'an IntuneManagement migration table',
  unknown: 'not a recognised Graph object',
};

export type FileContainer = 'object' | 'array' | 'collection' | 'scubaGearExport';

export interface ParsedFile<T> {
  readonly items: T[];
  readonly encoding: TextEncodingName;
  readonly container: FileContainer;
}

export interface ParsedPolicyFile {
  readonly policies: ConditionalAccessPolicy[];
  readonly encoding: TextEncodingName;
  readonly container: FileContainer;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Guesses what a (normalised, `@odata.type` kept) JSON object is. */
export function detectKind(o: Record<string, unknown>): GraphObjectKind {
  const t = o['@odata.type'];
  if (typeof t === 'string') {
    const type = t.toLowerCase();
    if (type.endsWith('conditionalaccesspolicy') || type.endsWith('whatifanalysisresult')) return 'conditionalAccessPolicy';
    if (type.endsWith('namedlocation')) return 'namedLocation';
    if (type.endsWith('authenticationstrengthpolicy')) return 'authenticationStrengthPolicy';
    if (type.endsWith('.group')) return 'group';
    if (type.endsWith('signin')) return 'signIn';
  }
  if ('conditions' in o && ('state' in o || 'grantControls' in o || 'sessionControls' in o)) return 'conditionalAccessPolicy';
  if ('details' in o && ('scenarios' in o || 'name' in o)) return 'conditionalAccessTemplate';
  if ('allowedCombinations' in o) return 'authenticationStrengthPolicy';
  if ('ipRanges' in o || 'countriesAndRegions' in o || 'compliantNetworkType' in o) return 'namedLocation';
  if ('signInIdentity' in o) return 'whatIfRequest';
  if ('appliedConditionalAccessPolicies' in o || ('userPrincipalName' in o && 'appId' in o) || 'policyId' in o) return 'signIn';
  if ('properties' in o && 'category' in o && 'operationName' in o) return 'signIn';
  if ('objects' in o && 'tenantId' in o) return 'migrationTable';
  if ('securityEnabled' in o || 'groupTypes' in o || 'mailNickname' in o) return 'group';
  if ('state' in o && 'displayName' in o) return 'conditionalAccessPolicy';
  return 'unknown';
}

interface Unwrapped {
  readonly items: unknown[];
  readonly container: FileContainer;
  readonly base: readonly PropertyKey[];
}

function unwrap(document: unknown): Unwrapped {
  if (Array.isArray(document)) return { items: document, container: 'array', base: [] };
  if (isRecord(document)) {
    const value = document['value'];
    if (Array.isArray(value)) return { items: value, container: 'collection', base: ['value'] };
    const scuba = document['conditional_access_policies'];
    if (Array.isArray(scuba)) return { items: scuba, container: 'scubaGearExport', base: ['conditional_access_policies'] };
  }
  return { items: [document], container: 'object', base: [] };
}

interface Reader<T> {
  readonly kind: GraphObjectKind;
  readonly keepODataType: boolean;
  validate(input: unknown, prefix: readonly PropertyKey[]): Result<T>;
}

function parseJson(text: string): Result<unknown> {
  try {
    return ok(JSON.parse(text) as unknown);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return refused([{ code: 'invalid_json', path: '', message: `not valid JSON: ${detail}` }]);
  }
}

function readFile<T>(input: Uint8Array | string, reader: Reader<T>): Result<ParsedFile<T>> {
  try {
    const decoded = decodeText(input);
    if (!decoded.ok) return decoded;
    const parsed = parseJson(decoded.value.text);
    if (!parsed.ok) return parsed;
    const { items, container, base } = unwrap(parsed.value);
    const errors: Issue[] = [];
    const warnings: Issue[] = [];
    const out: T[] = [];
    items.forEach((raw, i) => {
      const path = container === 'object' ? [...base] : [...base, i];
      if (!isRecord(raw)) {
        errors.push({ code: 'invalid_type', path: formatPath(path), message: `expected an object, received ${raw === null ? 'null' : Array.isArray(raw) ? 'array' : typeof raw}` });
        return;
      }
      const probe = normaliseGraphJson(raw, { keepODataType: true }, path);
      const kind = isRecord(probe.value) ? detectKind(probe.value) : 'unknown';
      if (kind !== reader.kind) {
        errors.push({
          code: kind === 'unknown' ? 'unrecognised_object' : 'wrong_kind',
          path: formatPath(path),
          message: `expected ${KIND_NAMES[reader.kind]}, found ${KIND_NAMES[kind]}`,
        });
        return;
      }
      const normalised = reader.keepODataType ? probe : normaliseGraphJson(raw, { keepODataType: false }, path);
      if (normalised.issues.length > 0) {
        errors.push(...normalised.issues);
        return;
      }
      const result = reader.validate(normalised.value, path);
      if (!result.ok) errors.push(...result.errors);
      else {
        warnings.push(...result.warnings);
        out.push(result.value);
      }
    });
    if (errors.length > 0) return refused(errors);
    return ok({ items: out, encoding: decoded.value.encoding, container }, warnings);
  } catch (error) {
    return refused([{ code: 'internal_error', path: '', message: `import failed: ${String(error)}` }]);
  }
}

/**
 * Reads conditional access policies from the bytes (or text) of an exported file.
 * Never throws: a refusal lists every problem with a code and a dotted path.
 */
export function parsePolicyFile(input: Uint8Array | string): Result<ParsedPolicyFile> {
  const result = readFile(input, { kind: 'conditionalAccessPolicy', keepODataType: false, validate: validatePolicy });
  if (!result.ok) return result;
  const { items, encoding, container } = result.value;
  return ok({ policies: items, encoding, container }, result.warnings);
}

function validateNamedLocationWithInference(input: unknown, prefix: readonly PropertyKey[]): Result<NamedLocation> {
  if (isRecord(input) && input['@odata.type'] === undefined) {
    // Some exports omit the type; the fields say which kind it is.
    if ('ipRanges' in input) input = { '@odata.type': IP_NAMED_LOCATION_TYPE, ...input };
    else if ('countriesAndRegions' in input) input = { '@odata.type': COUNTRY_NAMED_LOCATION_TYPE, ...input };
  }
  if (isRecord(input)) {
    const t = input['@odata.type'];
    if (t !== IP_NAMED_LOCATION_TYPE && t !== COUNTRY_NAMED_LOCATION_TYPE) {
      return refused([
        {
          code: 'unsupported_kind',
          path: formatPath([...prefix, '@odata.type']),
          message: `named location type ${typeof t === 'string' ? `'${t}'` : '(none)'} is not supported: only IP and country named locations are`,
        },
      ]);
    }
  }
  return validateNamedLocation(input, prefix);
}

/** Reads named locations (IP ranges, countries) from an exported file. */
export function parseNamedLocationFile(input: Uint8Array | string): Result<ParsedFile<NamedLocation>> {
  return readFile(input, { kind: 'namedLocation', keepODataType: true, validate: validateNamedLocationWithInference });
}

/** Reads authentication strength policies from an exported file. */
export function parseAuthenticationStrengthFile(input: Uint8Array | string): Result<ParsedFile<AuthenticationStrengthPolicy>> {
  return readFile(input, { kind: 'authenticationStrengthPolicy', keepODataType: true, validate: validateAuthenticationStrength });
}

/** Decodes and parses a file and says what kind of Graph object(s) it holds, without validating them. */
export function sniffFile(input: Uint8Array | string): Result<{ kinds: GraphObjectKind[]; container: FileContainer }> {
  const decoded = decodeText(input);
  if (!decoded.ok) return decoded;
  const parsed = parseJson(decoded.value.text);
  if (!parsed.ok) return parsed;
  const { items, container } = unwrap(parsed.value);
  const kinds = items.map((raw) => {
    if (!isRecord(raw)) return 'unknown' as const;
    const probe = normaliseGraphJson(raw, { keepODataType: true });
    return isRecord(probe.value) ? detectKind(probe.value) : ('unknown' as const);
  });
  return ok({ kinds, container });
}
