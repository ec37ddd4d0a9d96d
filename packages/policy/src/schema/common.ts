// Building blocks shared by the Graph schemas: open enums, comma-joined flag enums,
// id lists with keywords, and the mapping of zod issues to our { code, path, message }.
import { z } from 'zod';
import { formatPath, type Issue } from '../types.js';

export const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/**
 * Template placeholders seen in exported policy sets: `<ExclusionGroup>` (AlexFilipin),
 * `%OrganizationId%` (IntuneManagement), `{{groupId}}`. They are accepted as references
 * that resolve to nothing and reported as warnings.
 */
export const PLACEHOLDER_RE = /^(<[^<>]+>|%[^%]+%|\{\{[^{}]+\}\})$/;
/** A name an enum member could have: lower camel case. */
const ENUM_MEMBER_RE = /^[a-z][A-Za-z0-9]*$/;

export function isGuid(value: string): boolean {
  return GUID_RE.test(value);
}

export function isPlaceholder(value: string): boolean {
  return PLACEHOLDER_RE.test(value);
}

function addIssue(ctx: z.RefinementCtx, code: string, message: string): void {
  ctx.addIssue({ code: 'custom', message, params: { code } });
}

function checkEnumMember(value: string, known: readonly string[], name: string, open: boolean, ctx: z.RefinementCtx): void {
  if (known.includes(value)) return;
  const folded = known.find((k) => k.toLowerCase() === value.toLowerCase());
  if (folded !== undefined) {
    addIssue(ctx, 'invalid_enum_case', `'${value}' is not a ${name}; enum members are case-sensitive, did you mean '${folded}'?`);
    return;
  }
  if (open && ENUM_MEMBER_RE.test(value)) return; // unknown future member: accepted (entra-reference.md §2)
  addIssue(ctx, 'invalid_enum', `'${value}' is not a ${name}; expected one of ${known.join(', ')}`);
}

/**
 * A Graph enum. `open` enums accept members this version does not know (as the
 * reference asks of importers) provided they look like enum members; a known member in
 * the wrong case ("All" for "all") is always refused.
 */
export function graphEnum<const T extends readonly string[]>(known: T, name: string, open = true): z.ZodType<T[number] | (string & {})> {
  return z.string().superRefine((value, ctx) => checkEnumMember(value, known, name, open, ctx));
}

/** A closed Graph enum: unknown members are refused because evaluation depends on them. */
export function closedEnum<const T extends readonly string[]>(known: T, name: string): z.ZodType<T[number]> {
  return z.string().superRefine((value, ctx) => checkEnumMember(value, known, name, false, ctx)) as z.ZodType<T[number]>;
}

/** A Graph flags enum, serialised as one comma-joined string ("deviceCodeFlow,authenticationTransfer"). */
export function flagsEnum(known: readonly string[], name: string): z.ZodType<string> {
  return z.string().superRefine((value, ctx) => {
    for (const part of splitFlags(value)) checkEnumMember(part, known, name, true, ctx);
  });
}

export function splitFlags(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** A list of object ids where some keywords are also allowed (`All`, `None`, ...). */
export function idList(keywords: readonly string[], what: string): z.ZodType<string[]> {
  const item = z.string().superRefine((value, ctx) => {
    if (isGuid(value) || keywords.includes(value) || isPlaceholder(value)) return;
    const folded = keywords.find((k) => k.toLowerCase() === value.toLowerCase());
    if (folded !== undefined) {
      addIssue(ctx, 'invalid_keyword_case', `'${value}' is not a keyword here; keywords are case-sensitive, did you mean '${folded}'?`);
      return;
    }
    const allowed = keywords.length > 0 ? ` or one of ${keywords.join(', ')}` : '';
    addIssue(
      ctx,
      'invalid_reference',
      `'${value}' is not a ${what} object id: expected a GUID${allowed}; display names are not resolved`,
    );
  });
  return z.array(item);
}

/** A list of free strings (authentication context ids, user action URNs). */
export const stringList = z.array(z.string());

export const nullableOptional = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

function describeReceived(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'array';
  return typeof input;
}

/** Turns zod issues into our issues: stable code, dotted path, one sentence. */
export function toIssues(error: z.ZodError, prefix: readonly PropertyKey[] = []): Issue[] {
  const out: Issue[] = [];
  const visit = (issues: readonly z.core.$ZodIssue[], base: readonly PropertyKey[]): void => {
    for (const issue of issues) {
      const path = formatPath([...prefix, ...base, ...issue.path]);
      switch (issue.code) {
        case 'custom': {
          const params: unknown = issue.params;
          const code =
            typeof params === 'object' && params !== null && 'code' in params && typeof params.code === 'string'
              ? params.code
              : 'invalid_value';
          out.push({ code, path, message: issue.message });
          break;
        }
        case 'invalid_type':
          out.push({
            code: issue.input === undefined ? 'required' : 'invalid_type',
            path,
            message:
              issue.input === undefined
                ? `${path || 'value'} is required (${issue.expected})`
                : `expected ${issue.expected}, received ${describeReceived(issue.input)}`,
          });
          break;
        case 'invalid_value':
          out.push({ code: 'invalid_enum', path, message: issue.message });
          break;
        case 'too_small':
        case 'too_big':
          out.push({ code: 'out_of_range', path, message: issue.message });
          break;
        case 'invalid_union': {
          // Report the branch that got furthest: the one with the fewest issues.
          const best = [...issue.errors].sort((a, b) => a.length - b.length)[0];
          if (best !== undefined && best.length > 0) visit(best, [...base, ...issue.path]);
          else out.push({ code: 'invalid_type', path, message: issue.message });
          break;
        }
        default:
          out.push({ code: issue.code, path, message: issue.message });
      }
    }
  };
  visit(error.issues, []);
  return out;
}
