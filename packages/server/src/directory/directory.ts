// The tenant's directory: users, groups (nested), role assignments, applications with their
// service principals, secrets (hashed) and certificates, and app-role grants.
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../clock.js';
import { generateClientSecret, hashPassword, hashSecret, verifyPassword, verifySecret } from '../crypto/secrets.js';
import { MonbanError } from '../errors/catalogue.js';
import type { Database, ApplicationTable, GroupTable, ServicePrincipalTable, UserTable } from '../store/schema.js';
import { slot, type PreparedQuery, type Store } from '../store/database.js';
import type { NewCertificate, StoredCertificate } from './certificates.js';
import { builtInResources, type PermissionDef } from './well-known.js';

export type UserRow = UserTable;
export type GroupRow = GroupTable;
export type ApplicationRow = ApplicationTable;
export type ServicePrincipalRow = ServicePrincipalTable;

export interface Tenant { id: string; displayName: string; defaultDomain: string; createdDateTime: string }

export interface NewUser {
  userPrincipalName: string;
  displayName: string;
  password?: string | undefined;
  accountEnabled?: boolean | undefined;
  mail?: string | null | undefined;
  givenName?: string | null | undefined;
  surname?: string | null | undefined;
  userType?: 'Member' | 'Guest' | undefined;
}

export interface NewApplication {
  displayName: string;
  publicClient?: boolean | undefined;
  redirectUris?: readonly string[] | undefined;
  appRoles?: readonly AppRole[] | undefined;
  scopes?: readonly PermissionDef[] | undefined;
  identifierUris?: readonly string[] | undefined;
  tokenSigningAlg?: 'ES256' | 'RS256' | undefined;
  appId?: string | undefined;
}

export interface AppRole { id: string; value: string; displayName?: string | undefined; description?: string | undefined; allowedMemberTypes?: readonly string[] | undefined }

export interface SecretInfo { keyId: string; displayName: string | null; hint: string; startDateTime: string; endDateTime: string }

const isUniqueViolation = (e: unknown): boolean => {
  const text = e instanceof Error ? `${e.message} ${(e as { code?: unknown }).code ?? ''}` : '';
  return /UNIQUE|unique constraint|23505/i.test(text);
};

export class Directory {
  readonly #db: Kysely<Database>;
  // Read on every token request for a user; compiled once (Store.prepare).
  readonly #userById: PreparedQuery<UserRow>;
  readonly #clock: Clock;
  readonly #requestScope: () => object | undefined;
  /**
   * `requestScope`: an object that lives as long as one request (the sign-in attempt). A user
   * row is then read once per request, not once per step that needs it (pipeline, claims, log).
   */
  constructor(store: Store, clock: Clock, options: { requestScope?: () => object | undefined } = {}) {
    // Every write through this directory empties the read cache, before and after it runs.
    const writes = new WeakSet<object>();
    this.#db = store.db.withPlugin({
      transformQuery: (args) => {
        if (args.node.kind !== 'SelectQueryNode') { writes.add(args.queryId); this.forget(); }
        return args.node;
      },
      transformResult: async (args) => {
        if (writes.has(args.queryId)) this.forget();
        return args.result;
      },
    });
    this.#userById = store.prepare(store.db.selectFrom('users').selectAll().where('id', '=', slot('id')));
    this.#clock = clock;
    this.#requestScope = options.requestScope ?? (() => undefined);
  }

  readonly #perRequest = new WeakMap<object, Map<string, Promise<unknown>>>();

  /** Reads once per request scope (no scope: every call reads). */
  #perRequestRead<T>(key: string, load: () => Promise<T>): Promise<T> {
    const scope = this.#requestScope();
    if (!scope) return load();
    let reads = this.#perRequest.get(scope);
    if (!reads) { reads = new Map(); this.#perRequest.set(scope, reads); }
    const hit = reads.get(key);
    if (hit) return hit as Promise<T>;
    const value = load();
    reads.set(key, value);
    value.catch(() => reads.delete(key));
    return value;
  }

  // Read-mostly lookups on every token request (applications, service principals, secrets,
  // certificates, grants, memberships) are cached for a short time. Writes here clear the
  // cache at once; writes by another process (a second server, the CLI) are seen within
  // `cacheMs` (docs/decisions/0007-directory-read-cache.md).
  static readonly cacheMs = 2000;
  readonly #cache = new Map<string, { at: number; value: Promise<unknown> }>();

  /** Drops cached reads now; for writers that bypass this class (role assignments). */
  forget(): void {
    this.#cache.clear();
    const scope = this.#requestScope();
    if (scope) this.#perRequest.delete(scope);
  }

  #cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = this.#cache.get(key);
    if (hit && now - hit.at < Directory.cacheMs) return hit.value as Promise<T>;
    const value = load();
    this.#cache.set(key, { at: now, value });
    // Absence and failures are not remembered: a new object must be usable at once.
    value.then((v) => { if (v === undefined) this.#cache.delete(key); }, () => this.#cache.delete(key));
    return value;
  }

  #now(): string {
    return this.#clock.now().toISOString();
  }

  /** The directory's clock: validity checks made before a write use the same time as the write. */
  now(): Date {
    return this.#clock.now();
  }

  // ---- tenant ---------------------------------------------------------------------------
  async getTenant(): Promise<Tenant | undefined> {
    const row = await this.#db.selectFrom('tenant').selectAll().executeTakeFirst();
    return row && { id: row.id, displayName: row.display_name, defaultDomain: row.default_domain, createdDateTime: row.created_at };
  }

  async createTenant(displayName: string, defaultDomain: string): Promise<Tenant> {
    const tenant = { id: randomUUID(), display_name: displayName, default_domain: defaultDomain, settings: '{}', created_at: this.#now() };
    await this.#db.insertInto('tenant').values(tenant).execute();
    return { id: tenant.id, displayName, defaultDomain, createdDateTime: tenant.created_at };
  }

  // ---- users ----------------------------------------------------------------------------
  async createUser(input: NewUser): Promise<UserRow> {
    const row: UserRow = {
      id: randomUUID(),
      user_principal_name: input.userPrincipalName,
      upn_lower: input.userPrincipalName.toLowerCase(),
      display_name: input.displayName,
      mail: input.mail ?? null,
      given_name: input.givenName ?? null,
      surname: input.surname ?? null,
      account_enabled: input.accountEnabled === false ? 0 : 1,
      user_type: input.userType ?? 'Member',
      password_hash: input.password ? await hashPassword(input.password) : null,
      password_last_changed: input.password ? this.#now() : null,
      created_at: this.#now(),
    };
    try {
      await this.#db.insertInto('users').values(row).execute();
    } catch (e) {
      if (isUniqueViolation(e)) throw new MonbanError('conflict', `A user with userPrincipalName "${input.userPrincipalName}" already exists.`);
      throw e;
    }
    return row;
  }

  getUser(id: string): Promise<UserRow | undefined> {
    return this.#perRequestRead(`user:${id}`, async () => (await this.#userById.execute({ id })).rows[0]);
  }

  findUserByUpn(upn: string): Promise<UserRow | undefined> {
    return this.#db.selectFrom('users').selectAll().where('upn_lower', '=', upn.toLowerCase()).executeTakeFirst();
  }

  async requireUser(idOrUpn: string): Promise<UserRow> {
    const user = (await this.getUser(idOrUpn)) ?? (await this.findUserByUpn(idOrUpn));
    if (!user) throw new MonbanError('not_found', `No user has the id or userPrincipalName "${idOrUpn}".`);
    return user;
  }

  async updateUser(id: string, patch: Partial<Omit<NewUser, 'password'>> & { password?: string | undefined }): Promise<UserRow> {
    const existing = await this.requireUser(id);
    const values: Partial<UserRow> = {};
    if (patch.userPrincipalName !== undefined) { values.user_principal_name = patch.userPrincipalName; values.upn_lower = patch.userPrincipalName.toLowerCase(); }
    if (patch.displayName !== undefined) values.display_name = patch.displayName;
    if (patch.accountEnabled !== undefined) values.account_enabled = patch.accountEnabled ? 1 : 0;
    if (patch.mail !== undefined) values.mail = patch.mail;
    if (patch.givenName !== undefined) values.given_name = patch.givenName;
    if (patch.surname !== undefined) values.surname = patch.surname;
    if (patch.password !== undefined) { values.password_hash = await hashPassword(patch.password); values.password_last_changed = this.#now(); }
    if (Object.keys(values).length > 0) {
      try {
        await this.#db.updateTable('users').set(values).where('id', '=', existing.id).execute();
      } catch (e) {
        if (isUniqueViolation(e)) throw new MonbanError('conflict', `A user with userPrincipalName "${patch.userPrincipalName ?? ''}" already exists.`);
        throw e;
      }
    }
    return { ...existing, ...values };
  }

  async deleteUser(id: string): Promise<void> {
    const user = await this.requireUser(id);
    await this.#db.transaction().execute(async (tx) => {
      await tx.deleteFrom('group_members').where('member_id', '=', user.id).execute();
      await tx.deleteFrom('role_assignments').where('principal_id', '=', user.id).execute();
      await tx.deleteFrom('users').where('id', '=', user.id).execute();
    });
  }

  async checkPassword(user: UserRow, password: string): Promise<boolean> {
    if (!user.password_hash) return false;
    return verifyPassword(user.password_hash, password);
  }

  listUsers(): Promise<UserRow[]> {
    return this.#db.selectFrom('users').selectAll().orderBy('created_at').orderBy('id').execute();
  }

  // ---- groups ---------------------------------------------------------------------------
  async createGroup(input: { displayName: string; description?: string | null | undefined; mailNickname?: string | undefined; securityEnabled?: boolean | undefined }): Promise<GroupRow> {
    const row: GroupRow = {
      id: randomUUID(),
      display_name: input.displayName,
      description: input.description ?? null,
      mail_nickname: input.mailNickname ?? (input.displayName.replace(/[^A-Za-z0-9]/g, '').slice(0, 64) || 'group'),
      security_enabled: input.securityEnabled === false ? 0 : 1,
      created_at: this.#now(),
    };
    await this.#db.insertInto('groups').values(row).execute();
    return row;
  }

  listGroups(): Promise<GroupRow[]> {
    return this.#db.selectFrom('groups').selectAll().orderBy('created_at').orderBy('id').execute();
  }

  getGroup(id: string): Promise<GroupRow | undefined> {
    return this.#db.selectFrom('groups').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async requireGroup(id: string): Promise<GroupRow> {
    const group = await this.getGroup(id);
    if (!group) throw new MonbanError('not_found', `No group has the id "${id}".`);
    return group;
  }

  async deleteGroup(id: string): Promise<void> {
    await this.requireGroup(id);
    await this.#db.transaction().execute(async (tx) => {
      await tx.deleteFrom('group_members').where((eb) => eb.or([eb('group_id', '=', id), eb('member_id', '=', id)])).execute();
      await tx.deleteFrom('groups').where('id', '=', id).execute();
    });
  }

  async addMember(groupId: string, memberId: string): Promise<void> {
    await this.requireGroup(groupId);
    const memberType = (await this.getUser(memberId)) ? 'user'
      : (await this.getGroup(memberId)) ? 'group'
      : (await this.#db.selectFrom('service_principals').select('id').where('id', '=', memberId).executeTakeFirst()) ? 'servicePrincipal'
      : undefined;
    if (!memberType) throw new MonbanError('not_found', `No user, group or service principal has the id "${memberId}".`);
    // Adding M to G makes a cycle when M is G or already (transitively) contains G.
    if (memberType === 'group' && (memberId === groupId || (await this.transitiveGroupIds(groupId)).includes(memberId))) {
      throw new MonbanError('validation_failed', 'Adding this group would create a membership cycle.');
    }
    try {
      await this.#db.insertInto('group_members').values({ group_id: groupId, member_id: memberId, member_type: memberType }).execute();
    } catch (e) {
      if (isUniqueViolation(e)) throw new MonbanError('conflict', 'The object is already a member of the group.');
      throw e;
    }
  }

  async removeMember(groupId: string, memberId: string): Promise<void> {
    const res = await this.#db.deleteFrom('group_members').where('group_id', '=', groupId).where('member_id', '=', memberId).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw new MonbanError('not_found', `"${memberId}" is not a direct member of group "${groupId}".`);
  }

  listMembers(groupId: string): Promise<{ member_id: string; member_type: string }[]> {
    return this.#db.selectFrom('group_members').select(['member_id', 'member_type']).where('group_id', '=', groupId).execute();
  }

  /** Every group the object belongs to, directly or through nested groups. */
  // Frozen: the cached list is shared by every request in the cache's lifetime, and the policy
  // engine indexes a frozen list once instead of per sign-in.
  transitiveGroupIds(memberId: string): Promise<readonly string[]> {
    return this.#cached(`groups-of:${memberId}`, async () => Object.freeze(await this.#transitiveGroupIds(memberId, this.#db)));
  }

  async #transitiveGroupIds(memberId: string, db: Kysely<Database> | Transaction<Database>): Promise<string[]> {
    const seen = new Set<string>();
    let frontier = [memberId];
    while (frontier.length > 0) {
      const rows = await db.selectFrom('group_members').select('group_id').where('member_id', 'in', frontier).execute();
      frontier = [];
      for (const { group_id } of rows) {
        if (!seen.has(group_id)) { seen.add(group_id); frontier.push(group_id); }
      }
    }
    return [...seen];
  }

  // ---- directory roles ------------------------------------------------------------------
  async assignRole(roleTemplateId: string, principalId: string): Promise<void> {
    await this.#db.insertInto('role_assignments')
      .values({ id: randomUUID(), role_template_id: roleTemplateId, principal_id: principalId, created_at: this.#now() })
      .onConflict((oc) => oc.columns(['role_template_id', 'principal_id']).doNothing())
      .execute();
  }

  roleTemplateIdsOf(principalId: string): Promise<readonly string[]> {
    return this.#cached(`roles-of:${principalId}`, async () => Object.freeze(await this.#roleTemplateIdsOf(principalId)));
  }

  async #roleTemplateIdsOf(principalId: string): Promise<string[]> {
    const groups = await this.transitiveGroupIds(principalId);
    const rows = await this.#db.selectFrom('role_assignments').select('role_template_id')
      .where('principal_id', 'in', [principalId, ...groups]).execute();
    return [...new Set(rows.map((r) => r.role_template_id))];
  }

  listRoleAssignments(): Promise<{ id: string; role_template_id: string; principal_id: string; created_at: string }[]> {
    return this.#db.selectFrom('role_assignments').selectAll().execute();
  }

  // ---- applications and service principals ----------------------------------------------
  async createApplication(input: NewApplication): Promise<{ application: ApplicationRow; servicePrincipal: ServicePrincipalRow }> {
    const now = this.#now();
    const application: ApplicationRow = {
      id: randomUUID(),
      app_id: input.appId ?? randomUUID(),
      display_name: input.displayName,
      public_client: input.publicClient ? 1 : 0,
      redirect_uris: JSON.stringify(input.redirectUris ?? []),
      app_roles: JSON.stringify(input.appRoles ?? []),
      scopes: JSON.stringify(input.scopes ?? []),
      identifier_uris: JSON.stringify(input.identifierUris ?? []),
      token_alg: input.tokenSigningAlg ?? 'ES256',
      created_at: now,
    };
    const servicePrincipal: ServicePrincipalRow = {
      id: randomUUID(), app_id: application.app_id, display_name: input.displayName, account_enabled: 1, built_in: 0, created_at: now,
    };
    try {
      await this.#db.transaction().execute(async (tx) => {
        await tx.insertInto('applications').values(application).execute();
        await tx.insertInto('service_principals').values(servicePrincipal).execute();
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new MonbanError('conflict', `An application with appId "${application.app_id}" already exists.`);
      throw e;
    }
    return { application, servicePrincipal };
  }

  /** Creates the reference system's first-party resources once, with their well-known app ids. */
  async ensureBuiltInResources(): Promise<void> {
    for (const r of builtInResources) {
      if (await this.getApplicationByAppId(r.appId)) continue;
      const { servicePrincipal } = await this.createApplication({
        appId: r.appId, displayName: r.displayName, identifierUris: [r.identifierUri],
        appRoles: r.appRoles.map((p) => ({ id: p.id, value: p.value, displayName: p.value, description: p.description, allowedMemberTypes: ['Application'] })),
        scopes: r.scopes,
      });
      await this.#db.updateTable('service_principals').set({ built_in: 1 }).where('id', '=', servicePrincipal.id).execute();
    }
  }

  listApplications(): Promise<ApplicationRow[]> {
    return this.#db.selectFrom('applications').selectAll().orderBy('created_at').orderBy('id').execute();
  }

  listServicePrincipals(): Promise<ServicePrincipalRow[]> {
    return this.#db.selectFrom('service_principals').selectAll().orderBy('created_at').orderBy('id').execute();
  }

  getApplication(id: string): Promise<ApplicationRow | undefined> {
    return this.#db.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirst();
  }

  getApplicationByAppId(appId: string): Promise<ApplicationRow | undefined> {
    return this.#cached(`app:${appId}`, () => this.#db.selectFrom('applications').selectAll().where('app_id', '=', appId).executeTakeFirst());
  }

  async requireApplication(idOrAppId: string): Promise<ApplicationRow> {
    const app = (await this.getApplication(idOrAppId)) ?? (await this.getApplicationByAppId(idOrAppId));
    if (!app) throw new MonbanError('not_found', `No application has the id or appId "${idOrAppId}".`);
    return app;
  }

  async updateApplication(id: string, patch: Partial<Omit<NewApplication, 'appId'>>): Promise<ApplicationRow> {
    const app = await this.requireApplication(id);
    const values: Partial<ApplicationRow> = {};
    if (patch.displayName !== undefined) values.display_name = patch.displayName;
    if (patch.publicClient !== undefined) values.public_client = patch.publicClient ? 1 : 0;
    if (patch.redirectUris !== undefined) values.redirect_uris = JSON.stringify(patch.redirectUris);
    if (patch.appRoles !== undefined) values.app_roles = JSON.stringify(patch.appRoles);
    if (patch.scopes !== undefined) values.scopes = JSON.stringify(patch.scopes);
    if (patch.identifierUris !== undefined) values.identifier_uris = JSON.stringify(patch.identifierUris);
    if (patch.tokenSigningAlg !== undefined) values.token_alg = patch.tokenSigningAlg;
    if (Object.keys(values).length > 0) {
      await this.#db.transaction().execute(async (tx) => {
        await tx.updateTable('applications').set(values).where('id', '=', app.id).execute();
        if (values.display_name) await tx.updateTable('service_principals').set({ display_name: values.display_name }).where('app_id', '=', app.app_id).execute();
      });
    }
    return { ...app, ...values };
  }

  async deleteApplication(id: string): Promise<void> {
    const app = await this.requireApplication(id);
    const sp = await this.getServicePrincipalByAppId(app.app_id);
    if (sp?.built_in) throw new MonbanError('forbidden', 'Built-in resource applications cannot be deleted.');
    await this.#db.transaction().execute(async (tx) => {
      await tx.deleteFrom('app_secrets').where('application_id', '=', app.id).execute();
      await tx.deleteFrom('app_certificates').where('application_id', '=', app.id).execute();
      if (sp) {
        await tx.deleteFrom('app_role_assignments').where((eb) => eb.or([eb('principal_id', '=', sp.id), eb('resource_id', '=', sp.id)])).execute();
        await tx.deleteFrom('group_members').where('member_id', '=', sp.id).execute();
        await tx.deleteFrom('service_principals').where('id', '=', sp.id).execute();
      }
      await tx.deleteFrom('applications').where('id', '=', app.id).execute();
    });
  }

  getServicePrincipalByAppId(appId: string): Promise<ServicePrincipalRow | undefined> {
    return this.#cached(`sp:${appId}`, () => this.#db.selectFrom('service_principals').selectAll().where('app_id', '=', appId).executeTakeFirst());
  }

  getServicePrincipal(id: string): Promise<ServicePrincipalRow | undefined> {
    return this.#db.selectFrom('service_principals').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async setServicePrincipalEnabled(id: string, enabled: boolean): Promise<void> {
    await this.#db.updateTable('service_principals').set({ account_enabled: enabled ? 1 : 0 }).where('id', '=', id).execute();
  }

  /** Resolves a resource by identifier URI (e.g. https://graph.microsoft.com) or app id (or api://appId). */
  findResource(identifier: string): Promise<ApplicationRow | undefined> {
    return this.#cached(`resource:${identifier}`, () => this.#findResource(identifier));
  }

  async #findResource(identifier: string): Promise<ApplicationRow | undefined> {
    const trimmed = identifier.replace(/\/+$/, '');
    const guid = trimmed.replace(/^api:\/\//, '');
    const byAppId = await this.getApplicationByAppId(guid);
    if (byAppId) return byAppId;
    const candidates = await this.#db.selectFrom('applications').selectAll()
      .where('identifier_uris', 'like', `%${JSON.stringify(trimmed).slice(1, -1)}%`).execute();
    return candidates.find((a) => (JSON.parse(a.identifier_uris) as string[]).some((u) => u.replace(/\/+$/, '') === trimmed));
  }

  // ---- credentials ----------------------------------------------------------------------
  async addSecret(applicationId: string, displayName: string | null, lifetimeDays = 365): Promise<SecretInfo & { secretText: string }> {
    const app = await this.requireApplication(applicationId);
    const secretText = generateClientSecret();
    const start = this.#clock.now();
    const end = new Date(start.getTime() + lifetimeDays * 86_400_000);
    const info: SecretInfo = { keyId: randomUUID(), displayName, hint: secretText.slice(0, 3), startDateTime: start.toISOString(), endDateTime: end.toISOString() };
    await this.#db.insertInto('app_secrets').values({
      key_id: info.keyId, application_id: app.id, display_name: displayName, hint: info.hint,
      secret_hash: hashSecret(secretText), start_at: info.startDateTime, end_at: info.endDateTime,
    }).execute();
    return { ...info, secretText };
  }

  listSecrets(applicationId: string): Promise<SecretInfo[]> {
    return this.#cached(`secrets:${applicationId}`, () => this.#listSecrets(applicationId));
  }

  async #listSecrets(applicationId: string): Promise<SecretInfo[]> {
    const rows = await this.#db.selectFrom('app_secrets').selectAll().where('application_id', '=', applicationId).execute();
    return rows.map((r) => ({ keyId: r.key_id, displayName: r.display_name, hint: r.hint, startDateTime: r.start_at, endDateTime: r.end_at }));
  }

  async removeSecret(applicationId: string, keyId: string): Promise<void> {
    const res = await this.#db.deleteFrom('app_secrets').where('application_id', '=', applicationId).where('key_id', '=', keyId).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw new MonbanError('not_found', `The application has no secret with keyId "${keyId}".`);
  }

  /** True when the presented secret matches one of the application's unexpired secrets. */
  async verifyClientSecret(appId: string, presented: string): Promise<boolean> {
    const now = this.#now();
    const rows = await this.#cached(`secret-hashes:${appId}`, () => this.#db.selectFrom('app_secrets').innerJoin('applications', 'applications.id', 'app_secrets.application_id')
      .select(['app_secrets.secret_hash', 'app_secrets.end_at']).where('applications.app_id', '=', appId).execute());
    return rows.some((r) => r.end_at > now && verifySecret(r.secret_hash, presented));
  }

  async addCertificate(applicationId: string, publicJwk: Record<string, unknown>, thumbprint: string, displayName: string | null, endDateTime: string): Promise<string> {
    const app = await this.requireApplication(applicationId);
    const keyId = randomUUID();
    await this.#db.insertInto('app_certificates').values({
      key_id: keyId, application_id: app.id, display_name: displayName, public_jwk: JSON.stringify({ kid: keyId, ...publicJwk }),
      thumbprint, start_at: this.#now(), end_at: endDateTime,
    }).execute();
    return keyId;
  }

  /** Replaces the application's certificates with exactly these, in one transaction (Graph PATCH keyCredentials). */
  async replaceCertificates(applicationId: string, certificates: readonly NewCertificate[]): Promise<void> {
    const app = await this.requireApplication(applicationId);
    try {
      await this.#db.transaction().execute(async (tx) => {
        await tx.deleteFrom('app_certificates').where('application_id', '=', app.id).execute();
        for (const c of certificates) {
          await tx.insertInto('app_certificates').values({
            key_id: c.keyId, application_id: app.id, display_name: c.displayName, public_jwk: JSON.stringify(c.jwk),
            thumbprint: c.thumbprint, start_at: c.startDateTime, end_at: c.endDateTime,
          }).execute();
        }
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new MonbanError('conflict', 'A key credential with one of these keyIds already exists on another application.');
      throw e;
    }
  }

  /** The application's certificates; with `activeOnly`, only those valid now (client authentication). */
  certificatesOf(applicationId: string, options: { activeOnly?: boolean } = {}): Promise<StoredCertificate[]> {
    const all = this.#cached(`certificates:${applicationId}`, async () => {
      const rows = await this.#db.selectFrom('app_certificates').selectAll().where('application_id', '=', applicationId).orderBy('start_at').orderBy('key_id').execute();
      return rows.map((r): StoredCertificate => ({ keyId: r.key_id, displayName: r.display_name, thumbprint: r.thumbprint, jwk: JSON.parse(r.public_jwk) as Record<string, unknown>, startDateTime: r.start_at, endDateTime: r.end_at }));
    });
    if (!options.activeOnly) return all;
    // Validity is judged now, on the directory's clock, not when the list was read.
    return all.then((list) => {
      const now = this.#now();
      return list.filter((c) => c.startDateTime <= now && c.endDateTime > now);
    });
  }

  // ---- app-role grants (application permissions) ----------------------------------------
  async grantAppRole(principalId: string, resourceSpId: string, appRoleId: string): Promise<void> {
    await this.#db.insertInto('app_role_assignments')
      .values({ id: randomUUID(), principal_id: principalId, resource_id: resourceSpId, app_role_id: appRoleId, created_at: this.#now() })
      .onConflict((oc) => oc.columns(['principal_id', 'resource_id', 'app_role_id']).doNothing())
      .execute();
  }

  /** The app-role values (e.g. User.ReadWrite.All) the client application holds on a resource. */
  appRolesGranted(clientAppId: string, resource: ApplicationRow): Promise<string[]> {
    return this.#cached(`app-roles:${clientAppId}:${resource.app_id}`, () => this.#appRolesGranted(clientAppId, resource));
  }

  async #appRolesGranted(clientAppId: string, resource: ApplicationRow): Promise<string[]> {
    const client = await this.getServicePrincipalByAppId(clientAppId);
    const resourceSp = await this.getServicePrincipalByAppId(resource.app_id);
    if (!client || !resourceSp) return [];
    const rows = await this.#db.selectFrom('app_role_assignments').select('app_role_id')
      .where('principal_id', '=', client.id).where('resource_id', '=', resourceSp.id).execute();
    const roles = JSON.parse(resource.app_roles) as AppRole[];
    return rows.map((r) => roles.find((role) => role.id === r.app_role_id)?.value).filter((v): v is string => typeof v === 'string');
  }
}
