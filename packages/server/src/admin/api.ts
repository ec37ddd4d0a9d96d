// The Graph-shaped admin API under /v1.0: bearer tokens for https://graph.microsoft.com,
// application permissions (roles) or delegated scopes of an admin (scp AND directory role).
import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import { createLocalJWKSet, jwtVerify, type JWK } from 'jose';
import type { Context, Next } from 'koa';
import { z } from 'zod';
import { keyCredentialsSchema, prepareKeyCredentials } from '../directory/certificates.js';
import type { Directory } from '../directory/directory.js';
import { graphAppId, rolePermissions } from '../directory/well-known.js';
import { errorCatalogue, MonbanError } from '../errors/catalogue.js';
import type { SignInLogQuery } from '../logs/query.js';
import { matchesFilter, parseFilter, type FilterNode } from '../odata/filter.js';
import { applicationJson, groupJson, servicePrincipalJson, userJson } from './graph-shapes.js';

export interface AdminDeps {
  directory: Directory;
  signIns: SignInLogQuery;
  issuer: string;
  publicJwks: JWK[];
  origin: string;
  /** Further capabilities mount their routes here (conditional access). */
  extensions?: ((router: Router, helpers: AdminHelpers) => void)[];
}

export interface AdminHelpers {
  need: (...perms: string[]) => (ctx: Context, next: Next) => Promise<void>;
  page: (ctx: Context, context: string, items: Record<string, unknown>[]) => void;
  body: (ctx: Context) => unknown;
  base: string;
}

interface Caller { permissions: Set<string>; oid: string | undefined; delegated: boolean }

export function graphError(ctx: Context, err: MonbanError): void {
  const entry = errorCatalogue[err.code];
  ctx.status = err.status;
  ctx.body = {
    error: {
      code: entry.graphCode,
      message: err.message,
      innerError: { 'monban-code': err.code, 'request-id': ctx.state.correlationId as string, date: new Date().toISOString(), ...(err.details.length ? { details: err.details } : {}) },
    },
  };
}

const permissionAliases: Record<string, string[]> = {
  'User.Read.All': ['User.ReadWrite.All', 'Directory.Read.All'],
  'Group.Read.All': ['Group.ReadWrite.All', 'Directory.Read.All'],
  'Application.Read.All': ['Application.ReadWrite.All', 'Directory.Read.All'],
  'Policy.Read.All': ['Policy.ReadWrite.ConditionalAccess'],
};

/** Where the first U+0000 in a JSON value is (no stored text may hold one), or undefined. */
function nulAt(v: unknown, path: string): string | undefined {
  if (typeof v === 'string') return v.includes('\u0000') ? path : undefined;
  if (v === null || typeof v !== 'object') return undefined;
  for (const [k, x] of Object.entries(v)) {
    const at = path ? `${path}.${k}` : k;
    const found = k.includes('\u0000') ? at : nulAt(x, at);
    if (found !== undefined) return found;
  }
  return undefined;
}

async function parseBody<T extends z.ZodType>(ctx: Context, schema: T): Promise<z.infer<T>> {
  const body = (ctx.request as { body?: unknown }).body;
  const nul = nulAt(body, '');
  if (nul !== undefined) throw new MonbanError('validation_failed', `${nul || 'body'}: text must not contain the NUL character (U+0000).`, [{ target: nul || 'body', message: 'contains U+0000' }]);
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new MonbanError('validation_failed', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
      parsed.error.issues.map((i) => ({ target: i.path.join('.') || 'body', message: i.message })));
  }
  return parsed.data;
}

const newUserSchema = z.object({
  userPrincipalName: z.string().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'must look like name@domain'),
  displayName: z.string().min(1).max(256),
  accountEnabled: z.boolean().optional(),
  mail: z.string().email().nullable().optional(),
  givenName: z.string().max(64).nullable().optional(),
  surname: z.string().max(64).nullable().optional(),
  userType: z.enum(['Member', 'Guest']).optional(),
  passwordProfile: z.object({ password: z.string().min(8).max(256), forceChangePasswordNextSignIn: z.boolean().optional() }).optional(),
}).passthrough();
const patchUserSchema = newUserSchema.partial();
const newGroupSchema = z.object({ displayName: z.string().min(1).max(256), description: z.string().max(1024).nullable().optional(), mailNickname: z.string().max(64).optional(), securityEnabled: z.boolean().optional() }).passthrough();
const refSchema = z.object({ '@odata.id': z.string().min(1) });
const redirectUri = z.string().url().max(2048);
const newAppSchema = z.object({
  displayName: z.string().min(1).max(256),
  isFallbackPublicClient: z.boolean().optional(),
  web: z.object({ redirectUris: z.array(redirectUri).max(256) }).partial().optional(),
  publicClient: z.object({ redirectUris: z.array(redirectUri).max(256) }).partial().optional(),
  spa: z.object({ redirectUris: z.array(redirectUri).max(256) }).partial().optional(),
  identifierUris: z.array(z.string().min(1).max(512)).max(50).optional(),
  appRoles: z.array(z.object({ id: z.string().uuid(), value: z.string().min(1), displayName: z.string().optional(), description: z.string().optional(), allowedMemberTypes: z.array(z.string()).optional() }).passthrough()).optional(),
  api: z.object({ oauth2PermissionScopes: z.array(z.object({ id: z.string().uuid(), value: z.string().min(1), description: z.string().optional() }).passthrough()).optional() }).passthrough().optional(),
  tokenSigningAlgorithm: z.enum(['ES256', 'RS256']).optional(),
}).passthrough();
const patchAppSchema = newAppSchema.partial().extend({ keyCredentials: keyCredentialsSchema.optional() });
const addPasswordSchema = z.object({ passwordCredential: z.object({ displayName: z.string().max(256).nullable().optional(), endDateTime: z.string().datetime().optional() }).optional() });

function listParams(ctx: Context): { top: number; skip: number; filter: FilterNode | undefined; select: string[] | undefined; count: boolean } {
  const q = ctx.query;
  const one = (v: unknown): string | undefined => (typeof v === 'string' ? v : Array.isArray(v) ? String(v[0]) : undefined);
  const topRaw = one(q.$top);
  const top = topRaw === undefined ? 100 : Number(topRaw);
  if (!Number.isInteger(top) || top < 1 || top > 999) throw new MonbanError('validation_failed', '$top must be an integer from 1 to 999.');
  const skipToken = one(q.$skiptoken);
  const skip = skipToken ? Number(Buffer.from(skipToken, 'base64url').toString('utf8')) : 0;
  if (!Number.isSafeInteger(skip) || skip < 0) throw new MonbanError('validation_failed', '$skiptoken is not valid.');
  const filterText = one(q.$filter);
  const selectText = one(q.$select);
  return { top, skip, filter: filterText ? parseFilter(filterText) : undefined, select: selectText?.split(',').map((s) => s.trim()).filter(Boolean), count: one(q.$count) === 'true' };
}

function selectFields(obj: Record<string, unknown>, select: string[] | undefined): Record<string, unknown> {
  if (!select) return obj;
  const out: Record<string, unknown> = { id: obj.id };
  for (const key of select) if (key in obj) out[key] = obj[key];
  return out;
}

export function adminRouter(deps: AdminDeps): Router {
  const router = new Router({ prefix: '/v1.0' });
  const jwks = createLocalJWKSet({ keys: deps.publicJwks });
  const base = `${deps.origin}/v1.0`;

  router.use(async (ctx: Context, next: Next) => {
    try {
      const auth = ctx.get('authorization');
      if (!auth.toLowerCase().startsWith('bearer ')) throw new MonbanError('unauthenticated', 'Send an access token for https://graph.microsoft.com in the Authorization header.');
      let payload;
      try {
        ({ payload } = await jwtVerify(auth.slice(7).trim(), jwks, { issuer: deps.issuer, audience: [graphAppId, 'https://graph.microsoft.com'] }));
      } catch (e) {
        throw new MonbanError('unauthenticated', `The token was rejected: ${e instanceof Error ? e.message : 'invalid'}.`);
      }
      const permissions = new Set<string>();
      if (Array.isArray(payload.roles)) for (const r of payload.roles) if (typeof r === 'string') permissions.add(r);
      if (typeof payload.scp === 'string' && typeof payload.oid === 'string') {
        // Delegated: a scope counts only if the signed-in user's directory roles allow it.
        const allowed = new Set((await deps.directory.roleTemplateIdsOf(payload.oid)).flatMap((r) => rolePermissions[r] ?? []));
        for (const s of payload.scp.split(' ')) if (allowed.has(s)) permissions.add(s);
      }
      ctx.state.caller = { permissions, oid: typeof payload.oid === 'string' ? payload.oid : undefined, delegated: typeof payload.scp === 'string' } satisfies Caller;
      await next();
    } catch (e) {
      if (e instanceof MonbanError) { graphError(ctx, e); return; }
      throw e;
    }
  });

  const need = (...perms: string[]) => async (ctx: Context, next: Next): Promise<void> => {
    const caller = ctx.state.caller as Caller;
    const ok = perms.some((p) => caller.permissions.has(p) || (permissionAliases[p] ?? []).some((a) => caller.permissions.has(a)));
    if (!ok) throw new MonbanError('forbidden', `This operation needs one of these permissions: ${perms.join(', ')}.`);
    await next();
  };

  const page = (ctx: Context, context: string, items: Record<string, unknown>[]): void => {
    const p = listParams(ctx);
    const filtered = p.filter ? items.filter((i) => matchesFilter(p.filter as FilterNode, i)) : items;
    const slice = filtered.slice(p.skip, p.skip + p.top).map((i) => selectFields(i, p.select));
    const next = p.skip + p.top < filtered.length ? new URL(ctx.href) : undefined;
    if (next) next.searchParams.set('$skiptoken', Buffer.from(String(p.skip + p.top)).toString('base64url'));
    ctx.body = {
      '@odata.context': `${base}/$metadata#${context}`,
      ...(p.count ? { '@odata.count': filtered.length } : {}),
      value: slice,
      ...(next ? { '@odata.nextLink': next.toString() } : {}),
    };
  };

  // organization
  router.get('/organization', need('Directory.Read.All', 'User.Read.All'), async (ctx) => {
    const t = await deps.directory.getTenant();
    ctx.body = { '@odata.context': `${base}/$metadata#organization`, value: t ? [{ id: t.id, displayName: t.displayName, createdDateTime: t.createdDateTime, verifiedDomains: [{ name: t.defaultDomain, isDefault: true, isInitial: true, type: 'Managed' }] }] : [] };
  });

  // users
  router.get('/users', need('User.Read.All'), async (ctx) => page(ctx, 'users', (await deps.directory.listUsers()).map(userJson)));
  router.post('/users', need('User.ReadWrite.All'), async (ctx) => {
    const body = await parseBody(ctx, newUserSchema);
    const u = await deps.directory.createUser({ ...body, password: body.passwordProfile?.password });
    ctx.status = 201;
    ctx.body = { '@odata.context': `${base}/$metadata#users/$entity`, ...userJson(u) };
  });
  // The signed-in user (delegated tokens): needs no directory role, as in Graph (User.Read).
  router.get('/me', async (ctx) => {
    const caller = ctx.state.caller as Caller;
    if (!caller.oid || !caller.delegated) throw new MonbanError('validation_failed', '/me is only valid with a delegated token (a signed-in user); app-only tokens have no "me".');
    ctx.body = { '@odata.context': `${base}/$metadata#users/$entity`, ...userJson(await deps.directory.requireUser(caller.oid)) };
  });
  router.get('/users/:id', need('User.Read.All'), async (ctx) => { ctx.body = { '@odata.context': `${base}/$metadata#users/$entity`, ...userJson(await deps.directory.requireUser(ctx.params.id ?? '')) }; });
  router.patch('/users/:id', need('User.ReadWrite.All'), async (ctx) => {
    const body = await parseBody(ctx, patchUserSchema);
    await deps.directory.updateUser((await deps.directory.requireUser(ctx.params.id ?? '')).id, { ...body, password: body.passwordProfile?.password });
    ctx.status = 204;
  });
  router.delete('/users/:id', need('User.ReadWrite.All'), async (ctx) => { await deps.directory.deleteUser(ctx.params.id ?? ''); ctx.status = 204; });

  // groups
  router.get('/groups', need('Group.Read.All'), async (ctx) => page(ctx, 'groups', (await deps.directory.listGroups()).map(groupJson)));
  router.post('/groups', need('Group.ReadWrite.All'), async (ctx) => {
    const g = await deps.directory.createGroup(await parseBody(ctx, newGroupSchema));
    ctx.status = 201;
    ctx.body = { '@odata.context': `${base}/$metadata#groups/$entity`, ...groupJson(g) };
  });
  router.get('/groups/:id', need('Group.Read.All'), async (ctx) => { ctx.body = groupJson(await deps.directory.requireGroup(ctx.params.id ?? '')); });
  router.delete('/groups/:id', need('Group.ReadWrite.All'), async (ctx) => { await deps.directory.deleteGroup(ctx.params.id ?? ''); ctx.status = 204; });
  router.get('/groups/:id/members', need('Group.Read.All'), async (ctx) => {
    const members = await deps.directory.listMembers((await deps.directory.requireGroup(ctx.params.id ?? '')).id);
    page(ctx, 'directoryObjects', members.map((m) => ({ '@odata.type': `#microsoft.graph.${m.member_type}`, id: m.member_id })));
  });
  router.post('/groups/:id/members/$ref', need('Group.ReadWrite.All'), async (ctx) => {
    const { '@odata.id': ref } = await parseBody(ctx, refSchema);
    const memberId = ref.split('/').pop() ?? '';
    await deps.directory.addMember(ctx.params.id ?? '', memberId);
    ctx.status = 204;
  });
  router.delete('/groups/:id/members/:member/$ref', need('Group.ReadWrite.All'), async (ctx) => { await deps.directory.removeMember(ctx.params.id ?? '', ctx.params.member ?? ''); ctx.status = 204; });

  // applications and service principals
  router.get('/applications', need('Application.Read.All'), async (ctx) => page(ctx, 'applications', (await deps.directory.listApplications()).map((a) => applicationJson(a))));
  router.post('/applications', need('Application.ReadWrite.All'), async (ctx) => {
    const body = await parseBody(ctx, newAppSchema);
    const { application } = await deps.directory.createApplication({
      displayName: body.displayName,
      publicClient: body.isFallbackPublicClient ?? false,
      redirectUris: [...(body.web?.redirectUris ?? []), ...(body.publicClient?.redirectUris ?? []), ...(body.spa?.redirectUris ?? [])],
      identifierUris: body.identifierUris,
      appRoles: body.appRoles,
      scopes: body.api?.oauth2PermissionScopes?.map((s) => ({ id: s.id, value: s.value, description: s.description ?? s.value })),
      tokenSigningAlg: body.tokenSigningAlgorithm,
    });
    ctx.status = 201;
    ctx.body = { '@odata.context': `${base}/$metadata#applications/$entity`, ...applicationJson(application) };
  });
  router.get('/applications/:id', need('Application.Read.All'), async (ctx) => {
    const app = await deps.directory.requireApplication(ctx.params.id ?? '');
    ctx.body = { '@odata.context': `${base}/$metadata#applications/$entity`, ...applicationJson(app, await deps.directory.listSecrets(app.id), await deps.directory.certificatesOf(app.id)) };
  });
  router.patch('/applications/:id', need('Application.ReadWrite.All'), async (ctx) => {
    const body = await parseBody(ctx, patchAppSchema);
    const app = await deps.directory.requireApplication(ctx.params.id ?? '');
    // Everything is checked before anything is written: a bad certificate changes nothing.
    const certificates = body.keyCredentials === undefined ? undefined
      : await prepareKeyCredentials(body.keyCredentials, await deps.directory.certificatesOf(app.id), deps.directory.now());
    const current = JSON.parse(app.redirect_uris) as string[];
    const web = body.web?.redirectUris !== undefined || body.spa?.redirectUris !== undefined
      ? [...(body.web?.redirectUris ?? []), ...(body.spa?.redirectUris ?? [])] : current.filter((u) => u.startsWith('https://'));
    const publicUris = body.publicClient?.redirectUris ?? current.filter((u) => !u.startsWith('https://'));
    const redirectsChanged = body.web?.redirectUris !== undefined || body.spa?.redirectUris !== undefined || body.publicClient?.redirectUris !== undefined;
    await deps.directory.updateApplication(app.id, {
      displayName: body.displayName,
      publicClient: body.isFallbackPublicClient,
      redirectUris: redirectsChanged ? [...web, ...publicUris] : undefined,
      identifierUris: body.identifierUris,
      appRoles: body.appRoles,
      scopes: body.api?.oauth2PermissionScopes?.map((s) => ({ id: s.id, value: s.value, description: s.description ?? s.value })),
      tokenSigningAlg: body.tokenSigningAlgorithm,
    });
    if (certificates) await deps.directory.replaceCertificates(app.id, certificates);
    ctx.status = 204;
  });
  router.delete('/applications/:id', need('Application.ReadWrite.All'), async (ctx) => { await deps.directory.deleteApplication(ctx.params.id ?? ''); ctx.status = 204; });
  router.post('/applications/:id/addPassword', need('Application.ReadWrite.All'), async (ctx) => {
    const body = await parseBody(ctx, addPasswordSchema);
    const app = await deps.directory.requireApplication(ctx.params.id ?? '');
    const end = body.passwordCredential?.endDateTime;
    const days = end ? Math.max(1, Math.ceil((Date.parse(end) - Date.now()) / 86_400_000)) : 365;
    const s = await deps.directory.addSecret(app.id, body.passwordCredential?.displayName ?? null, days);
    ctx.body = { '@odata.context': `${base}/$metadata#microsoft.graph.passwordCredential`, customKeyIdentifier: null, ...s };
  });
  router.get('/servicePrincipals', need('Application.Read.All'), async (ctx) => page(ctx, 'servicePrincipals', (await deps.directory.listServicePrincipals()).map(servicePrincipalJson)));

  // sign-in log
  router.get('/auditLogs/signIns', need('AuditLog.Read.All'), async (ctx) => {
    const p = listParams(ctx);
    const one = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
    const cursorText = one(ctx.query.$skiptoken);
    const before = cursorText ? Number(Buffer.from(cursorText, 'base64url').toString('utf8')) : undefined;
    const result = await deps.signIns.page({ filter: p.filter, top: p.top, before });
    const next = result.nextCursor !== undefined ? new URL(ctx.href) : undefined;
    if (next && result.nextCursor !== undefined) next.searchParams.set('$skiptoken', Buffer.from(String(result.nextCursor)).toString('base64url'));
    ctx.body = {
      '@odata.context': `${base}/$metadata#auditLogs/signIns`,
      value: result.records.map((r) => selectFields(r as unknown as Record<string, unknown>, p.select)),
      ...(next ? { '@odata.nextLink': next.toString() } : {}),
    };
  });
  router.get('/auditLogs/signIns/:id', need('AuditLog.Read.All'), async (ctx) => {
    const id = ctx.params.id ?? '';
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new MonbanError('not_found', `No sign-in has the id "${id}".`);
    const result = await deps.signIns.page({ filter: parseFilter(`id eq '${id}'`), top: 1 });
    const record = result.records[0];
    if (!record) throw new MonbanError('not_found', `No sign-in has the id "${id}".`);
    ctx.body = { '@odata.context': `${base}/$metadata#auditLogs/signIns/$entity`, ...record };
  });

  for (const extend of deps.extensions ?? []) extend(router, { need, page, base, body: (ctx) => (ctx.request as { body?: unknown }).body });

  router.all('/{*rest}', async () => { throw new MonbanError('not_found', 'This Graph path is not served by Monban.'); });
  return router;
}

export const newCorrelationId = (): string => randomUUID();
