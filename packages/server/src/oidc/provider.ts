// oidc-provider, configured to speak like the reference system on its paths
// (/{tenant}/oauth2/v2.0/..., /{tenant}/v2.0/.well-known/openid-configuration) and to send
// every token request through the one sign-in pipeline.
import { randomInt, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import Provider, { errors, interactionPolicy, type Adapter, type Configuration } from 'oidc-provider';
import type { Clock } from '../clock.js';
import type { ApplicationRow, Directory } from '../directory/directory.js';
import { graphAppId } from '../directory/well-known.js';
import type { SigningKeys } from '../keys/kept-keys.js';
import { KeptSigningKey } from '../keys/signing-key.js';
import { currentAttempt, runInAttempt, type SignInAttempt } from '../signin/attempt.js';
import { SignInRefused, type Decision } from '../signin/decision.js';
import type { SignInPipeline } from '../signin/pipeline.js';
import type { SignInRecorder } from '../signin/record.js';
import { issuedBySingleSignOn, kyselyAdapterFactory } from './adapter.js';
import { clientMetadataFor, type ClientAuthMethod } from './client-metadata.js';
import { aadstsFor, referenceErrorBody } from './errors.js';
import { useHashedClientSecrets } from './provider-internals.js';
import type { Store } from '../store/database.js';

export interface ProviderDeps {
  origin: string; // https://localhost:8443
  tenantId: string;
  store: Store;
  directory: Directory;
  keys: SigningKeys;
  pipeline: SignInPipeline;
  recorder: SignInRecorder;
  clock: Clock;
}

// Sentences for the protocol errors oidc-provider raises without a description.
const unexplained: Record<string, string> = {
  request_not_supported: 'Request objects (the request parameter) are not supported; send the parameters in the query string.',
  request_uri_not_supported: 'The request_uri parameter is not supported; send the parameters in the query string.',
  registration_not_supported: 'The registration parameter is not supported.',
};

export const routesFor = (tenantId: string) => ({
  authorization: `/${tenantId}/oauth2/v2.0/authorize`,
  token: `/${tenantId}/oauth2/v2.0/token`,
  end_session: `/${tenantId}/oauth2/v2.0/logout`,
  jwks: `/${tenantId}/discovery/v2.0/keys`,
  userinfo: `/${tenantId}/openid/v2.0/userinfo`,
  introspection: `/${tenantId}/oauth2/v2.0/introspect`,
  revocation: `/${tenantId}/oauth2/v2.0/revoke`,
  device_authorization: `/${tenantId}/oauth2/v2.0/devicecode`,
  code_verification: `/${tenantId}/oauth2/v2.0/deviceauth`,
});

const oidcScopes = new Set(['openid', 'profile', 'email', 'offline_access']);

/** The resource a request's scopes point at: `https://graph.microsoft.com/.default` -> `https://graph.microsoft.com`. */
export function resourceFromScopes(scope: string | undefined): string | undefined {
  if (!scope) return undefined;
  const resources = new Set<string>();
  for (const s of scope.split(' ').filter(Boolean)) {
    if (oidcScopes.has(s)) continue;
    const slash = s.lastIndexOf('/');
    if (slash > 0 && /^[a-z][a-z0-9+.-]*:/i.test(s)) resources.add(s.slice(0, slash));
    else if (/^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(s) && slash > 0) resources.add(s.slice(0, slash));
    else resources.add('https://graph.microsoft.com'); // bare names (User.Read) belong to Graph, as in the reference
  }
  if (resources.size > 1) throw Object.assign(new errors.InvalidScope('scopes for more than one resource were requested; ask for one resource per request', scope), { aadsts: 700022 });
  return [...resources][0];
}

function refusal(decision: Decision): Error {
  const message = `AADSTS${decision.errorCode}: ${decision.sentence}`;
  const err = decision.reason.startsWith('application') || decision.reason.startsWith('resource')
    ? new errors.UnauthorizedClient(message)
    : new errors.InvalidGrant(message);
  return Object.assign(err, { aadsts: decision.errorCode, error_description: decision.sentence });
}

function detectAuthMethod(req: IncomingMessage, form: URLSearchParams): ClientAuthMethod | undefined {
  if (req.headers.authorization?.toLowerCase().startsWith('basic ')) return 'client_secret_basic';
  if (form.has('client_assertion')) return 'private_key_jwt';
  if (form.has('client_secret')) return 'client_secret_post';
  if (form.has('client_id')) return 'none';
  return undefined;
}

function clientIdFrom(req: IncomingMessage, form: URLSearchParams): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.toLowerCase().startsWith('basic ')) {
    const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
    const id = decoded.split(':')[0] ?? '';
    try {
      return decodeURIComponent(id);
    } catch {
      return id; // badly encoded: oidc-provider refuses it with invalid_request
    }
  }
  const id = form.get('client_id');
  if (id) return id;
  const assertion = form.get('client_assertion');
  if (assertion) {
    try {
      const payload = JSON.parse(Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub?: unknown };
      return typeof payload.sub === 'string' ? payload.sub : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * The whole body, or undefined when it is over `limit`: the rest is then read and dropped
 * (not torn down mid-stream), so the client still gets an answer.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    let ended = false;
    req.once('end', () => { ended = true; resolve(size <= limit ? Buffer.concat(chunks) : undefined); });
    req.once('error', reject);
    // 'close' follows 'end' on every request; an Error (and its stack trace) only when it did not.
    req.once('close', () => { if (!ended) reject(new Error('the request was aborted')); });
  });
}

// A resource's delegated scope names, read once per directory row (rows are cached and shared).
const scopesByResource = new WeakMap<ApplicationRow, readonly string[]>();
function declaredScopes(resource: ApplicationRow): readonly string[] {
  let names = scopesByResource.get(resource);
  if (names === undefined) {
    names = (JSON.parse(resource.scopes) as { value: string }[]).map((s) => s.value);
    scopesByResource.set(resource, names);
  }
  return names;
}

export function newAttempt(clock: Clock, req: IncomingMessage, ip: string | null, flow: SignInAttempt['flow'], correlationId?: string): SignInAttempt {
  const requested = req.headers['client-request-id'];
  const fromApp = (req as IncomingMessage & { monbanCorrelationId?: string }).monbanCorrelationId;
  return {
    correlationId: correlationId ?? fromApp ?? (typeof requested === 'string' && /^[0-9a-f-]{36}$/i.test(requested) ? requested : randomUUID()),
    startedAt: clock.now(),
    ipAddress: ip,
    userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : null,
    flow,
    isInteractive: false,
    reuseDetected: false,
    incomingTokenType: 'none',
    authenticationMethods: [],
    logged: false,
  };
}

/** oidc-provider's prompts plus `select_account`, which MSAL sends and the reference honours (the sign-in page). */
function interactionsPolicy(): interactionPolicy.Prompt[] {
  const policy = interactionPolicy.base();
  policy.add(new interactionPolicy.Prompt({ name: 'select_account', requestable: true }), 0);
  return [...policy];
}

// The scope names a resource accepts, per directory row (rows are shared while the directory's
// read cache holds them, so a token request does not re-parse the resource's scopes).
const scopeNames = new WeakMap<object, Map<string, string>>();
function scopeNamesOf(resource: { app_id: string; scopes: string }, indicator: string): string {
  let byIndicator = scopeNames.get(resource);
  if (!byIndicator) { byIndicator = new Map(); scopeNames.set(resource, byIndicator); }
  let names = byIndicator.get(indicator);
  if (names === undefined) {
    const base = indicator.replace(/\/+$/, '');
    const scopes = (JSON.parse(resource.scopes) as { value: string }[]).map((s) => s.value);
    names = [`${base}/.default`, ...scopes.map((s) => `${base}/${s}`), ...(resource.app_id === graphAppId ? scopes : [])].join(' ');
    byIndicator.set(indicator, names);
  }
  return names;
}

export async function createProvider(deps: ProviderDeps): Promise<Provider> {
  const { directory, tenantId, clock } = deps;
  const routes = routesFor(tenantId);
  const issuer = `${deps.origin}/${tenantId}/v2.0`;
  const storeAdapter = kyselyAdapterFactory(deps.store, clock);
  const adapterFactory = (name: string): Adapter => {
    if (name !== 'Client') return storeAdapter(name);
    return {
      find: async (id: string) => clientMetadataFor(directory, id),
      upsert: async () => undefined,
      findByUid: async () => undefined,
      findByUserCode: async () => undefined,
      consume: async () => undefined,
      destroy: async () => undefined,
      revokeByGrantId: async () => undefined,
    };
  };

  const ttlWithJitter = (): number => 3600 + randomInt(1800); // 60-90 minutes, as the reference

  const configuration: Configuration = {
    adapter: adapterFactory,
    jwks: { keys: deps.keys.jwks.map((jwk) => new KeptSigningKey(jwk)) },
    cookies: { keys: deps.keys.cookieKeys, names: { session: 'ESTSAUTH', interaction: 'monban.interaction', resume: 'monban.resume' } },
    routes,
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    claims: { openid: ['sub', 'oid', 'tid'], profile: ['name', 'preferred_username'], email: ['email'] },
    conformIdTokenClaims: false,
    extraParams: ['client_info', 'domain_hint', 'x-client-SKU', 'x-client-VER'],
    responseTypes: ['code'],
    pkce: { required: () => true },
    clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    enabledJWA: {
      clientAuthSigningAlgValues: ['RS256', 'PS256', 'ES256'],
      idTokenSigningAlgValues: ['ES256', 'RS256'],
    },
    rotateRefreshToken: true,
    ttl: {
      AccessToken: ttlWithJitter,
      ClientCredentials: ttlWithJitter,
      AuthorizationCode: 600,
      IdToken: 3600,
      RefreshToken: 90 * 86400,
      Interaction: 3600,
      Session: 24 * 3600,
      Grant: 365 * 86400,
    },
    features: {
      devInteractions: { enabled: false },
      // Kept keys sign synchronously (keys/signing-key.ts); the ack pins the experiment's version.
      externalSigningSupport: { enabled: true, ack: 'experimental-01' },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.type = 'html';
          ctx.body = `<!doctype html><html><head><title>Sign out</title></head><body><main><h1>Sign out</h1><p>Do you want to sign out of Monban?</p>${form}<button form="op.logoutForm" name="logout" value="yes" type="submit">Yes, sign me out</button></main></body></html>`;
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.type = 'html';
          ctx.body = '<!doctype html><html><head><title>Signed out</title></head><body><main><h1>You signed out of your account</h1><p>It is a good idea to close all browser windows.</p></main></body></html>';
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (ctx) => resourceFromScopes(ctx.oidc.params?.scope as string | undefined),
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, indicator) => {
          const resource = await directory.findResource(indicator);
          if (!resource) throw Object.assign(new errors.InvalidTarget(`the resource "${indicator}" is not registered in this tenant`), { aadsts: 500011 });
          return {
            scope: scopeNamesOf(resource, indicator),
            audience: resource.app_id,
            accessTokenFormat: 'jwt',
            accessTokenTTL: ttlWithJitter(),
            jwt: { sign: { alg: resource.token_alg === 'RS256' ? 'RS256' : 'ES256' } },
          };
        },
      },
    },
    interactions: {
      policy: interactionsPolicy(),
      url: (_ctx, interaction) => `/${tenantId}/login/${interaction.uid}`,
    },
    // oidc-provider drops offline_access unless prompt=consent (OIDC Core 11); clients of the
    // reference (MSAL) never send that, so every code redemption by a client allowed to
    // refresh gets a refresh token (docs/decisions/0004-refresh-tokens-without-prompt-consent.md).
    issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && (code.kind === 'AuthorizationCode' || code.scopes.has('offline_access')),
    // As in the reference, tokens outlive the browser session: signing out of the browser
    // does not revoke an app's refresh token.
    expiresWithSession: async () => false,
    async findAccount(ctx, sub, token) {
      const user = await directory.getUser(sub);
      if (!user) return undefined;
      if (ctx.oidc.route === 'token' && token && (token.kind === 'RefreshToken' || token.kind === 'AuthorizationCode')) {
        const attempt = currentAttempt();
        const amr = (token as { amr?: string[] }).amr ?? [];
        const authTime = (token as { authTime?: number }).authTime;
        if (attempt) attempt.authenticationMethods = amr;
        try {
          await deps.pipeline.run({
            flow: token.kind === 'RefreshToken' ? 'refresh_token' : 'authorization_code',
            clientAppId: ctx.oidc.client?.clientId ?? '',
            userId: sub,
            amr,
            authTime,
            resource: attempt?.resource,
          });
        } catch (e) {
          if (e instanceof SignInRefused) throw refusal(e.decision);
          throw e;
        }
      }
      return {
        accountId: user.id,
        claims: () => ({
          sub: user.id,
          oid: user.id,
          tid: tenantId,
          name: user.display_name,
          preferred_username: user.user_principal_name,
          ...(user.mail ? { email: user.mail } : {}),
        }),
      };
    },
    async extraTokenClaims(ctx, token) {
      // App-only tokens: the pipeline decides here, after client authentication and
      // before the token is signed.
      if (token.kind === 'ClientCredentials') {
        try {
          await deps.pipeline.run({ flow: 'client_credentials', clientAppId: ctx.oidc.client?.clientId ?? '', resource: currentAttempt()?.resource });
        } catch (e) {
          if (e instanceof SignInRefused) throw refusal(e.decision);
          throw e;
        }
      }
      return undefined;
    },
    formats: {
      customizers: {
        async jwt(ctx, token, jwt) {
          const p = jwt.payload as Record<string, unknown>;
          const clientId = String(p.client_id ?? token.clientId ?? '');
          const method = ctx.oidc.client?.clientAuthMethod;
          p.tid = tenantId;
          p.ver = '2.0';
          p.azp = clientId;
          p.azpacr = method === 'none' ? '0' : method === 'private_key_jwt' ? '2' : '1';
          p.uti = p.jti;
          const audience = typeof p.aud === 'string' ? p.aud : undefined;
          const resource = audience ? await directory.getApplicationByAppId(audience) : undefined;
          const scopeNames = typeof p.scope === 'string' ? p.scope.split(' ').filter(Boolean) : [];
          // Left out of the JSON as undefined: delete would turn the payload into a slow dictionary object.
          p.scope = undefined;
          p.client_id = undefined;
          if (token.kind === 'ClientCredentials') {
            const sp = await directory.getServicePrincipalByAppId(clientId);
            p.idtyp = 'app';
            p.oid = sp?.id;
            p.sub = sp?.id;
            const roles = resource ? await directory.appRolesGranted(clientId, resource) : [];
            if (roles.length > 0) p.roles = roles;
          } else {
            const source = ctx.oidc.entities.RefreshToken ?? ctx.oidc.entities.AuthorizationCode;
            const user = typeof p.sub === 'string' ? await directory.getUser(p.sub) : undefined;
            p.idtyp = 'user';
            p.oid = p.sub;
            if (user) { p.name = user.display_name; p.preferred_username = user.user_principal_name; }
            const declared = resource ? declaredScopes(resource) : [];
            const scp = new Set<string>();
            for (const s of scopeNames) {
              const name = s.includes('/') ? s.slice(s.lastIndexOf('/') + 1) : s;
              if (name === '.default') declared.forEach((d) => scp.add(d));
              else scp.add(name);
            }
            if (scp.size > 0) p.scp = [...scp].join(' ');
            const amr = (source as { amr?: string[] } | undefined)?.amr;
            const authTime = (source as { authTime?: number } | undefined)?.authTime;
            if (amr) p.amr = amr;
            if (authTime) p.auth_time = authTime;
          }
        },
      },
    },
    clientBasedCORS: (_ctx, origin, client) => (client.redirectUris ?? []).some((u) => u.startsWith(origin)),
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      const esc = (s: unknown): string => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
      ctx.body = `<!doctype html><html><head><title>Sign-in error</title></head><body><main><h1>Sorry, we could not sign you in</h1><p>${esc(out.error_description ?? unexplained[String(out.error)] ?? 'The sign-in request is not valid.')}</p><p>Error code: <code>${esc(out.error)}</code></p></main></body></html>`;
    },
  };

  const provider = new Provider(issuer, configuration);
  provider.proxy = false;
  useHashedClientSecrets(provider, (clientId, presented) => directory.verifyClientSecret(clientId, presented));

  // Protocol errors are remembered on the attempt, to be logged and given AADSTS codes.
  const remember = (_ctx: unknown, err: Error & { error?: string; error_detail?: string; aadsts?: number }): void => {
    const attempt = currentAttempt();
    if (attempt) attempt.error = { error: err.error ?? 'server_error', detail: err.error_detail ?? err.message, aadsts: err.aadsts ?? (attempt.decision && !attempt.decision.allowed ? attempt.decision.errorCode : undefined) };
  };
  provider.on('grant.error', remember);
  provider.on('server_error', remember);

  // Authorization errors sent back to the application carry the reference's AADSTS code in
  // error_description, and trace_id / correlation_id, as the token endpoint's errors do.
  provider.use(async (ctx, next) => {
    await next();
    if (!ctx.path.startsWith(routes.authorization)) return;
    const location = ctx.response.get('location');
    if (!location || !/[?&#]error=/.test(location)) return;
    let target: URL;
    try {
      target = new URL(location);
    } catch {
      return;
    }
    const params = target.hash.length > 1 ? new URLSearchParams(target.hash.slice(1)) : target.searchParams;
    const error = params.get('error');
    if (!error) return;
    const description = params.get('error_description') ?? undefined;
    const known: Record<string, { code: number; text: string }> = {
      login_required: { code: 50058, text: 'A silent sign-in was requested but no user is signed in.' },
      interaction_required: { code: 50076, text: 'The request needs the user to interact; retry without prompt=none.' },
      consent_required: { code: 65001, text: 'The user or administrator has not consented to use the application.' },
      access_denied: { code: 65004, text: 'The user declined to consent to access the app.' },
    };
    const mapped = known[error] ?? aadstsFor({ error, detail: description, aadsts: undefined });
    const correlationId = (ctx.req as IncomingMessage & { monbanCorrelationId?: string }).monbanCorrelationId ?? randomUUID();
    if (!description?.startsWith('AADSTS')) params.set('error_description', `AADSTS${mapped.code}: ${description && known[error] === undefined ? description : mapped.text}`);
    params.set('error_uri', `${deps.origin}/error?code=${mapped.code}`);
    params.set('trace_id', correlationId);
    params.set('correlation_id', correlationId);
    if (target.hash.length > 1) target.hash = params.toString();
    ctx.response.set('location', target.toString());
  });

  // Token endpoint: one attempt per request, decided by the pipeline, logged exactly once
  // (durably, before the response leaves), errors in the reference's shape.
  provider.use(async (ctx, next) => {
    if (ctx.method !== 'POST' || ctx.path !== routes.token) { await next(); return; }
    const body = await readBody(ctx.req, 56 * 1024);
    if (!body) {
      // Too large for oidc-provider to see: answered and logged here, in the reference's shape.
      const attempt = newAttempt(clock, ctx.req, ctx.ip || null, 'other');
      const info = { error: 'invalid_request', detail: 'the request body is larger than 56 KB', aadsts: undefined };
      ctx.status = 413;
      ctx.set('connection', 'close');
      ctx.set('client-request-id', attempt.correlationId);
      ctx.body = referenceErrorBody({ error: 'invalid_request' }, info, attempt.correlationId, clock.now());
      const { code, text } = aadstsFor(info);
      await deps.recorder.write(attempt, { errorCode: code, failureReason: text, reason: 'request_too_large' });
      return;
    }
    const form = new URLSearchParams(body.toString('utf8'));
    const grantType = form.get('grant_type');
    // MSAL asks for offline_access again on every refresh; the reference accepts it there, while
    // oidc-provider would refuse a scope the refresh token does not carry (it never carries
    // offline_access, see decision 0004). It asks for nothing a refresh token does not already give.
    const scopeParam = form.get('scope');
    if (grantType === 'refresh_token' && scopeParam?.split(' ').includes('offline_access')) {
      form.set('scope', scopeParam.split(' ').filter((s) => s !== 'offline_access').join(' '));
      (ctx.req as IncomingMessage & { body?: Buffer }).body = Buffer.from(form.toString());
    } else {
      (ctx.req as IncomingMessage & { body?: Buffer }).body = body;
    }
    const flow: SignInAttempt['flow'] = grantType === 'client_credentials' ? 'client_credentials'
      : grantType === 'refresh_token' ? 'refresh_token' : grantType === 'authorization_code' ? 'authorization_code' : 'other';
    const attempt = newAttempt(clock, ctx.req, ctx.ip || null, flow);
    attempt.presentedAuthMethod = detectAuthMethod(ctx.req, form);
    attempt.clientAppId = clientIdFrom(ctx.req, form);
    try {
      attempt.resource = form.get('resource') ?? resourceFromScopes(form.get('scope') ?? undefined);
    } catch {
      attempt.resource = undefined;
    }
    if (flow === 'refresh_token') attempt.incomingTokenType = 'refreshToken';
    await runInAttempt(attempt, async () => {
      await next();
      ctx.set('client-request-id', attempt.correlationId);
      const okay = ctx.status === 200;
      const responseBody = ctx.body as Record<string, unknown> | undefined;
      if (!okay && responseBody && typeof responseBody === 'object' && typeof responseBody.error === 'string') {
        const info = attempt.error ?? { error: responseBody.error, detail: typeof responseBody.error_description === 'string' ? responseBody.error_description : undefined, aadsts: undefined };
        const decision = attempt.decision && !attempt.decision.allowed ? attempt.decision : undefined;
        ctx.body = referenceErrorBody(responseBody, info, attempt.correlationId, clock.now(), decision && { interrupt: decision.interrupt, failedPolicyIds: decision.failedPolicyIds });
      }
      if (okay && responseBody && typeof responseBody === 'object' && attempt.userId && form.get('client_info') === '1') {
        responseBody.client_info = Buffer.from(JSON.stringify({ uid: attempt.userId, utid: tenantId })).toString('base64url');
      }
      // A code from an interactive sign-in completes the sign-in already logged. A code from
      // browser single sign-on (the session proved the user earlier, nothing was typed) is a
      // sign-in of its own, satisfied by the session.
      if (okay && flow === 'authorization_code') {
        if (!(await issuedBySingleSignOn(deps.store.db, form.get('code') ?? ''))) return;
        attempt.singleSignOn = true;
      }
      const errorBody = ctx.body as { error_codes?: number[]; error_description?: string } | undefined;
      const code = okay ? 0 : (errorBody?.error_codes?.[0] ?? 90000);
      const reason = okay ? undefined : attempt.reuseDetected || attempt.error?.detail === 'refresh token already used' ? 'refresh_token_reuse' : attempt.decision?.reason ?? attempt.error?.error;
      const failureReason = okay ? null : (errorBody?.error_description?.split('\r\n')[0]?.replace(/^AADSTS\d+: /, '') ?? 'The request failed.');
      await deps.recorder.write(attempt, { errorCode: code, failureReason, reason });
    });
  });

  return provider;
}
