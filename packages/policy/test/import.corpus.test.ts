// Every JSON file of the third-party corpus (/work/shared/corpus, SOURCES.md) that holds
// conditional access policies either imports and round-trips, or is refused for a reason
// listed here. Files holding other Graph objects are refused by parsePolicyFile with
// `wrong_kind` and read by their own parser.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  decodeText,
  exportPolicy,
  parseAuthenticationStrengthFile,
  parseNamedLocationFile,
  parsePolicyFile,
  sniffFile,
} from '../src/index.js';

const corpus = fileURLToPath(new URL('../../../../shared/corpus', import.meta.url));

/** Files that hold policies (or policy templates) and are refused, with the reason. */
const REFUSED: Record<string, { code: string; path: string; why: string }> = {
  'AlexFilipin__ConditionalAccess/PolicyRepository/Base protection/206 - RING - Base protection - All apps Require password change When high user risk is detected.json': {
    code: 'invalid_enum_case',
    path: 'conditions.clientAppTypes[0]',
    why: '"All" is not a clientAppTypes member (Graph has "all")',
  },
  'AlexFilipin__ConditionalAccess/PolicyRepository/Base protection/207 - RING - Base protection - All apps Require password change For licensed users When high user risk is detected.json': {
    code: 'invalid_enum_case',
    path: 'conditions.clientAppTypes[0]',
    why: '"All" is not a clientAppTypes member (Graph has "all")',
  },
  'AlexFilipin__ConditionalAccess/PolicyRepository/Base protection/210 - RING - Base protection - All apps Require ToU for external Users.json': {
    code: 'invalid_reference',
    path: 'grantControls.termsOfUse[0]',
    why: 'termsOfUse holds the name "ToU", not an agreement id',
  },
  'AlexFilipin__ConditionalAccess/PolicyRepository/Attack surface reduction/306 - RING - Attack surface reduction - All apps Block Auth Transfer.json': {
    code: 'invalid_type',
    path: 'conditions.locations',
    why: 'locations is an empty array where Graph has an object',
  },
  'AlexFilipin__ConditionalAccess/PolicyRepository/Attack surface reduction/307 - RING - Attack surface reduction - All apps Block Device Code Flow copy.json': {
    code: 'invalid_type',
    path: 'conditions.locations',
    why: 'locations is an empty array where Graph has an object',
  },
  'AlexFilipin__ConditionalAccess/PolicyRepository/Workload Protection/701 - RING - Workload Protection - All apps Block Access When risk Level detected.json': {
    code: 'invalid_type',
    path: 'conditions.locations',
    why: 'locations is an empty array where Graph has an object',
  },
  'Fortigi__ConditionalAccess/Examples/Policy/CA-01- All Apps - All Admins - Require MFA.json': {
    code: 'invalid_reference',
    path: 'conditions.users.includeUsers[0]',
    why: 'display names instead of object ids (negative case per SOURCES.md)',
  },
  'Fortigi__ConditionalAccess/Examples/Policy/CA-02- All Apps - All Users - Require MFA or Trusted Device.json': {
    code: 'invalid_reference',
    path: 'conditions.users.includeUsers[0]',
    why: 'user principal name and role names instead of object ids (negative case per SOURCES.md)',
  },
  'Fortigi__ConditionalAccess/Examples/Policy/Temp/CA-01- All Apps - All Admins - Require MFA.json': {
    code: 'invalid_reference',
    path: 'conditions.users.includeUsers[0]',
    why: 'UTF-16LE export with display names instead of object ids',
  },
  'Fortigi__ConditionalAccess/Examples/Policy/Temp/CA-02- All Apps - All Admins - Require MFA.json': {
    code: 'invalid_reference',
    path: 'conditions.users.includeUsers[0]',
    why: 'UTF-16LE export with display names instead of object ids',
  },
  'deploymenttheory__terraform-provider-microsoft365/internal/services/datasources/identity_and_access/graph_beta/conditional_access_template/tests/responses/validate_get/get_template_list.json': {
    code: 'wrong_kind',
    path: 'value[0]',
    why: 'conditionalAccessTemplate objects (name/details) are not policies; details hold "Current administrator will be excluded" where ids belong',
  },
};

/** Named locations Monban does not model. */
const REFUSED_OTHER: Record<string, { code: string; why: string }> = {
  'Cloudshield-io__Conditional-Access-Framework/Config/NamedLocations/All Compliant Network locations.json': {
    code: 'unsupported_kind',
    why: 'compliantNetworkNamedLocation (Global Secure Access) is not modelled',
  },
  'j0eyv__ConditionalAccessBaseline/Config/NamedLocations/All Compliant Network locations.json': {
    code: 'unsupported_kind',
    why: 'compliantNetworkNamedLocation (Global Secure Access) is not modelled',
  },
};

const READ_ONLY = new Set(['id', 'createdDateTime', 'modifiedDateTime', 'deletedDateTime']);

/** The test's own statement of the documented normalisations (independent of src/import). */
function canonical(value: unknown, top: boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => canonical(v, false));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('@odata.') || k.startsWith('#')) continue;
      const key = k.charAt(0).toLowerCase() + k.slice(1);
      if (top && READ_ONLY.has(key)) continue;
      const date = typeof v === 'string' && key.endsWith('DateTime') ? /^\/Date\((\d+)\)\/$/.exec(v) : null;
      out[key] = date ? new Date(Number(date[1])).toISOString() : canonical(v, false);
    }
    return out;
  }
  return value;
}

function items(document: unknown): unknown[] {
  if (Array.isArray(document)) return document;
  if (typeof document === 'object' && document !== null) {
    const o = document as Record<string, unknown>;
    if (Array.isArray(o['value'])) return o['value'];
    if (Array.isArray(o['conditional_access_policies'])) return o['conditional_access_policies'];
  }
  return [document];
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (name.endsWith('.json')) out.push(full);
  }
  return out;
}

if (!existsSync(corpus)) {
  test('third-party corpus', { skip: `corpus directory not found at ${corpus}; nothing to import` }, () => {});
} else {
  const files = walk(corpus).sort();
  const seenRefused = new Set<string>();
  let imported = 0;

  describe('corpus: conditional access policy files', () => {
    for (const file of files) {
      const rel = relative(corpus, file);
      const bytes = readFileSync(file);
      const sniffed = sniffFile(bytes);
      const kinds = sniffed.ok ? new Set(sniffed.value.kinds) : new Set<string>();
      const holdsPolicies = kinds.has('conditionalAccessPolicy') || kinds.has('conditionalAccessTemplate');
      if (!holdsPolicies) continue;

      test(rel, () => {
        const result = parsePolicyFile(bytes);
        const expected = REFUSED[rel];
        if (expected !== undefined) {
          seenRefused.add(rel);
          assert.equal(result.ok, false, `expected refusal: ${expected.why}`);
          if (!result.ok) {
            assert.ok(
              result.errors.some((e) => e.code === expected.code && e.path === expected.path),
              `expected ${expected.code} at ${expected.path}, got ${JSON.stringify(result.errors)}`,
            );
            for (const e of result.errors) assert.ok(e.code !== '' && e.message !== '', 'every refusal has a code and a message');
          }
          return;
        }
        assert.ok(result.ok, `refused: ${result.ok ? '' : JSON.stringify(result.errors.slice(0, 5))}`);
        const decoded = decodeText(bytes);
        assert.ok(decoded.ok);
        const originals = items(JSON.parse(decoded.value.text) as unknown);
        assert.equal(result.value.policies.length, originals.length);
        result.value.policies.forEach((policy, i) => {
          const exported = canonical(exportPolicy(policy), true);
          assert.deepStrictEqual(exported, canonical(originals[i], true), `round trip of item ${i}`);
        });
        imported += result.value.policies.length;
      });
    }

    test('every listed refusal was met', () => {
      assert.deepEqual([...Object.keys(REFUSED)].filter((k) => !seenRefused.has(k)), []);
    });

    test('a substantial part of the corpus imports', () => {
      assert.ok(imported >= 200, `only ${imported} policies imported`);
    });
  });

  describe('corpus: other Graph objects', () => {
    for (const file of files) {
      const rel = relative(corpus, file);
      const bytes = readFileSync(file);
      const sniffed = sniffFile(bytes);
      if (!sniffed.ok) continue;
      const kinds = new Set(sniffed.value.kinds);
      if (kinds.has('conditionalAccessPolicy') || kinds.has('conditionalAccessTemplate')) continue;
      test(rel, () => {
        const asPolicies = parsePolicyFile(bytes);
        assert.equal(asPolicies.ok, false, 'a file without policies is not read as policies');
        if (!asPolicies.ok) assert.ok(asPolicies.errors.every((e) => e.code === 'wrong_kind' || e.code === 'unrecognised_object'));
        const other = kinds.size === 1 && kinds.has('namedLocation')
          ? parseNamedLocationFile(bytes)
          : kinds.size === 1 && kinds.has('authenticationStrengthPolicy')
            ? parseAuthenticationStrengthFile(bytes)
            : undefined;
        if (other === undefined) return;
        const expected = REFUSED_OTHER[rel];
        if (expected !== undefined) {
          assert.equal(other.ok, false, expected.why);
          if (!other.ok) assert.equal(other.errors[0]?.code, expected.code);
        } else {
          assert.ok(other.ok, other.ok ? '' : JSON.stringify(other.errors));
        }
      });
    }
  });
}
