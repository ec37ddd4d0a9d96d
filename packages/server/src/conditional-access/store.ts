// Conditional access policies, custom authentication strengths and named locations, kept in
// the reference's Graph JSON and validated by @monban/policy. The compiled policy set is
// cached per process and refreshed when any process changes a policy (a cheap version
// check at most once per second), so every token request evaluates without re-reading.
import { randomUUID } from 'node:crypto';
import {
  BUILT_IN_AUTHENTICATION_STRENGTHS,
  compilePolicies,
  exportPolicy,
  validateAuthenticationStrength,
  validateNamedLocation,
  validatePolicy,
  type AuthenticationStrengthPolicy,
  type CompiledPolicySet,
  type ConditionalAccessPolicy,
  type Issue,
  type NamedLocation,
} from '@monban/policy';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import { MonbanError } from '../errors/catalogue.js';
import type { Database } from '../store/schema.js';

export interface PolicySnapshot {
  policies: ConditionalAccessPolicy[];
  strengths: AuthenticationStrengthPolicy[];
  namedLocations: NamedLocation[];
  compiled: CompiledPolicySet;
}

/** Method modes an authentication strength may combine: those of the built-in strengths, plus the ones the reference lists beside them. */
export const AUTHENTICATION_METHOD_MODES: readonly string[] = [...new Set([
  ...BUILT_IN_AUTHENTICATION_STRENGTHS.flatMap((s) => s.allowedCombinations.flatMap((c) => c.split(','))),
  'email', 'qrCodePin',
])].sort();

/** Refuses combinations naming a method mode Monban does not know (Graph refuses them too). */
function unknownModes(input: unknown): Issue[] {
  const combinations = (input as { allowedCombinations?: unknown } | null)?.allowedCombinations;
  if (!Array.isArray(combinations)) return [];
  const issues: Issue[] = [];
  combinations.forEach((combination, i) => {
    if (typeof combination !== 'string') return;
    for (const mode of combination.split(',')) {
      if (!AUTHENTICATION_METHOD_MODES.includes(mode.trim())) {
        issues.push({ code: 'unknown_method_mode', path: `allowedCombinations[${i}]`, message: `"${mode.trim()}" is not an authentication method mode (see authenticationMethodModes)` });
      }
    }
  });
  return issues;
}

const READ_ONLY = ['id', 'createdDateTime', 'modifiedDateTime', '@odata.context', '@odata.type', '@odata.etag'];

function refuse(errors: readonly Issue[]): MonbanError {
  return new MonbanError('validation_failed', errors.map((e) => `${e.path || 'body'}: ${e.message}`).join('; '),
    errors.map((e) => ({ target: e.path || 'body', message: `${e.code}: ${e.message}` })));
}

function withoutReadOnly(input: unknown): Record<string, unknown> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new MonbanError('invalid_request_body', 'The body must be a JSON object.');
  const copy: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  for (const key of READ_ONLY) delete copy[key];
  return copy;
}

export class ConditionalAccessStore {
  #cache: { snapshot: PolicySnapshot; version: string; checkedAt: number } | undefined;

  constructor(private readonly db: Kysely<Database>, private readonly clock: Clock) {}

  #now(): string {
    return this.clock.now().toISOString();
  }

  // ---- policies ---------------------------------------------------------------------
  async listPolicies(): Promise<ConditionalAccessPolicy[]> {
    const rows = await this.db.selectFrom('ca_policies').select('body').orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => JSON.parse(r.body) as ConditionalAccessPolicy);
  }

  async getPolicy(id: string): Promise<ConditionalAccessPolicy> {
    const row = await this.db.selectFrom('ca_policies').select('body').where('id', '=', id).executeTakeFirst();
    if (!row) throw new MonbanError('not_found', `No conditional access policy has the id "${id}".`);
    return JSON.parse(row.body) as ConditionalAccessPolicy;
  }

  async createPolicy(input: unknown, id: string = randomUUID()): Promise<ConditionalAccessPolicy> {
    const now = this.#now();
    const candidate = { ...withoutReadOnly(input), id, createdDateTime: now, modifiedDateTime: null };
    const checked = validatePolicy(candidate);
    if (!checked.ok) throw refuse(checked.errors);
    const policy = exportPolicy(checked.value) as unknown as ConditionalAccessPolicy;
    await this.db.insertInto('ca_policies').values({ id, display_name: policy.displayName ?? '', state: policy.state ?? 'disabled', body: JSON.stringify(policy), created_at: now, modified_at: now }).execute();
    this.#cache = undefined;
    return policy;
  }

  async updatePolicy(id: string, patch: unknown): Promise<ConditionalAccessPolicy> {
    const existing = await this.getPolicy(id);
    const now = this.#now();
    const merged = { ...existing, ...withoutReadOnly(patch), id, createdDateTime: existing.createdDateTime ?? null, modifiedDateTime: now };
    const checked = validatePolicy(merged);
    if (!checked.ok) throw refuse(checked.errors);
    const policy = exportPolicy(checked.value) as unknown as ConditionalAccessPolicy;
    await this.db.updateTable('ca_policies').set({ display_name: policy.displayName ?? '', state: policy.state ?? 'disabled', body: JSON.stringify(policy), modified_at: now }).where('id', '=', id).execute();
    this.#cache = undefined;
    return policy;
  }

  async deletePolicy(id: string): Promise<void> {
    const res = await this.db.deleteFrom('ca_policies').where('id', '=', id).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw new MonbanError('not_found', `No conditional access policy has the id "${id}".`);
    this.#cache = undefined;
  }

  // ---- authentication strengths -----------------------------------------------------
  async listStrengths(): Promise<AuthenticationStrengthPolicy[]> {
    const rows = await this.db.selectFrom('auth_strengths').select('body').orderBy('created_at').execute();
    return [...BUILT_IN_AUTHENTICATION_STRENGTHS, ...rows.map((r) => JSON.parse(r.body) as AuthenticationStrengthPolicy)];
  }

  async createStrength(input: unknown): Promise<AuthenticationStrengthPolicy> {
    const id = randomUUID();
    const now = this.#now();
    const candidate = { ...withoutReadOnly(input), id, policyType: 'custom', requirementsSatisfied: 'mfa', createdDateTime: now, modifiedDateTime: now };
    const checked = validateAuthenticationStrength(candidate);
    if (!checked.ok) throw refuse(checked.errors);
    const unknown = unknownModes(candidate);
    if (unknown.length > 0) throw refuse(unknown);
    await this.db.insertInto('auth_strengths').values({ id, body: JSON.stringify(checked.value), created_at: now, modified_at: now }).execute();
    this.#cache = undefined;
    return checked.value;
  }

  /** PATCH displayName/description, or `updateAllowedCombinations`; built-in strengths are read-only. */
  async updateStrength(id: string, patch: unknown): Promise<AuthenticationStrengthPolicy> {
    if (BUILT_IN_AUTHENTICATION_STRENGTHS.some((s) => s.id === id)) throw new MonbanError('forbidden', 'Built-in authentication strengths cannot be changed.');
    const row = await this.db.selectFrom('auth_strengths').select('body').where('id', '=', id).executeTakeFirst();
    if (!row) throw new MonbanError('not_found', `No authentication strength has the id "${id}".`);
    const existing = JSON.parse(row.body) as AuthenticationStrengthPolicy;
    const now = this.#now();
    const candidate = { ...existing, ...withoutReadOnly(patch), id, policyType: 'custom', createdDateTime: existing.createdDateTime, modifiedDateTime: now };
    const checked = validateAuthenticationStrength(candidate);
    if (!checked.ok) throw refuse(checked.errors);
    const unknown = unknownModes(candidate);
    if (unknown.length > 0) throw refuse(unknown);
    await this.db.updateTable('auth_strengths').set({ body: JSON.stringify(checked.value), modified_at: now }).where('id', '=', id).execute();
    this.#cache = undefined;
    return checked.value;
  }

  async deleteStrength(id: string): Promise<void> {
    if (BUILT_IN_AUTHENTICATION_STRENGTHS.some((s) => s.id === id)) throw new MonbanError('forbidden', 'Built-in authentication strengths cannot be deleted.');
    const inUse = (await this.listPolicies()).find((p) => p.grantControls?.authenticationStrength?.id === id);
    if (inUse) throw new MonbanError('conflict', `The authentication strength is used by the policy "${inUse.displayName}".`);
    const res = await this.db.deleteFrom('auth_strengths').where('id', '=', id).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw new MonbanError('not_found', `No authentication strength has the id "${id}".`);
    this.#cache = undefined;
  }

  // ---- named locations ----------------------------------------------------------------
  async listNamedLocations(): Promise<NamedLocation[]> {
    const rows = await this.db.selectFrom('named_locations').select('body').orderBy('created_at').execute();
    return rows.map((r) => JSON.parse(r.body) as NamedLocation);
  }

  async createNamedLocation(input: unknown): Promise<NamedLocation> {
    const id = randomUUID();
    const now = this.#now();
    const checked = validateNamedLocation({ ...withoutReadOnly(input), '@odata.type': (input as Record<string, unknown>)['@odata.type'], id, createdDateTime: now, modifiedDateTime: now });
    if (!checked.ok) throw refuse(checked.errors);
    await this.db.insertInto('named_locations').values({ id, display_name: checked.value.displayName, body: JSON.stringify(checked.value), created_at: now, modified_at: now }).execute();
    this.#cache = undefined;
    return checked.value;
  }

  async getNamedLocation(id: string): Promise<NamedLocation> {
    const row = await this.db.selectFrom('named_locations').select('body').where('id', '=', id).executeTakeFirst();
    if (!row) throw new MonbanError('not_found', `No named location has the id "${id}".`);
    return JSON.parse(row.body) as NamedLocation;
  }

  async updateNamedLocation(id: string, patch: unknown): Promise<NamedLocation> {
    const existing = await this.getNamedLocation(id);
    const now = this.#now();
    const checked = validateNamedLocation({ ...existing, ...withoutReadOnly(patch), '@odata.type': existing['@odata.type'], id, createdDateTime: existing.createdDateTime ?? null, modifiedDateTime: now });
    if (!checked.ok) throw refuse(checked.errors);
    await this.db.updateTable('named_locations').set({ display_name: checked.value.displayName, body: JSON.stringify(checked.value), modified_at: now }).where('id', '=', id).execute();
    this.#cache = undefined;
    return checked.value;
  }

  async deleteNamedLocation(id: string): Promise<void> {
    const inUse = (await this.listPolicies()).find((p) => [...(p.conditions?.locations?.includeLocations ?? []), ...(p.conditions?.locations?.excludeLocations ?? [])].includes(id));
    if (inUse) throw new MonbanError('conflict', `The named location is used by the policy "${inUse.displayName}".`);
    const res = await this.db.deleteFrom('named_locations').where('id', '=', id).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw new MonbanError('not_found', `No named location has the id "${id}".`);
    this.#cache = undefined;
  }

  // ---- the compiled set every sign-in is evaluated against ---------------------------
  async #version(): Promise<string> {
    const parts = await Promise.all((['ca_policies', 'auth_strengths', 'named_locations'] as const).map(async (table) => {
      const row = await this.db.selectFrom(table).select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('modified_at').as('m')]).executeTakeFirst();
      return `${String(row?.n ?? 0)}:${String(row?.m ?? '')}`;
    }));
    return parts.join('|');
  }

  async snapshot(): Promise<PolicySnapshot> {
    const now = Date.now();
    if (this.#cache && now - this.#cache.checkedAt < 1000) return this.#cache.snapshot;
    const version = await this.#version();
    if (this.#cache && this.#cache.version === version) {
      this.#cache.checkedAt = now;
      return this.#cache.snapshot;
    }
    const [policies, strengths, namedLocations] = await Promise.all([this.listPolicies(), this.listStrengths(), this.listNamedLocations()]);
    const snapshot: PolicySnapshot = { policies, strengths, namedLocations, compiled: compilePolicies(policies, { strengths }) };
    this.#cache = { snapshot, version, checkedAt: now };
    return snapshot;
  }
}
