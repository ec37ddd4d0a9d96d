// Monban for the benchmark: `monban serve` from dist, pinned to the server core, and the
// setup the refresh scenario needs (users, a confidential app, one browserless sign-in per
// refresh-token family).
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { basicAuth, HttpsClient, type Reply } from './http.js';
import { adminGraph } from './policies.js';
import { msUntilReady, spawnPinned, type Pinned } from './procs.js';

const root = new URL('../../', import.meta.url).pathname;
export const monbanMain = join(root, 'packages/server/dist/bundle/monban.js');

export interface Bootstrap {
  issuer: string;
  tenantId: string;
  caCertFile: string;
  adminClient: { clientId: string; clientSecret: string };
}

export interface StartedMonban {
  proc: Pinned;
  origin: string;
  msToReady: number;
}

export async function startMonban(opts: { dataDir: string; port: number; core: number | undefined; nodeArgs?: string[] }): Promise<StartedMonban> {
  const proc = spawnPinned(opts.core, [...(opts.nodeArgs ?? []), monbanMain, 'serve', '--data', opts.dataDir, '--port', String(opts.port)], { ...process.env, MONBAN_LOG_LEVEL: 'warn' });
  const origin = `https://127.0.0.1:${opts.port}`;
  try {
    const msToReady = await msUntilReady(proc, `${origin}/readyz`, join(opts.dataDir, 'ca.crt'));
    return { proc, origin, msToReady };
  } catch (e) {
    await proc.stop(2000);
    throw e;
  }
}

export const readBootstrap = (dataDir: string): Bootstrap => JSON.parse(readFileSync(join(dataDir, 'bootstrap.json'), 'utf8')) as Bootstrap;

export const graphScope = 'https://graph.microsoft.com/.default';
/** Asked for at sign-in and on every refresh, as MSAL does (the OIDC scopes plus the resource's). */
export const signInScope = 'openid profile offline_access https://graph.microsoft.com/User.Read';
export const refreshScope = signInScope;

export async function clientCredentials(http: HttpsClient, origin: string, b: Bootstrap): Promise<Reply> {
  return http.call(`${origin}/${b.tenantId}/oauth2/v2.0/token`, {
    headers: { authorization: basicAuth(b.adminClient.clientId, b.adminClient.clientSecret) },
    form: { grant_type: 'client_credentials', scope: graphScope },
  });
}

export interface RefreshSetup {
  clientId: string;
  clientSecret: string;
  refreshTokens: string[];
}

/** A token of the bootstrap admin app for the Graph admin API. */
export async function adminToken(http: HttpsClient, origin: string, b: Bootstrap): Promise<string> {
  const cc = await clientCredentials(http, origin, b);
  const token = (JSON.parse(cc.text) as { access_token?: string }).access_token;
  if (cc.status !== 200 || !token) throw new Error(`admin token: ${cc.status} ${cc.text}`);
  return token;
}

/**
 * One confidential web application (client_secret_basic, as the peer's client) and one
 * signed-in user per refresh-token family: authorize with PKCE, password, "Stay signed in?",
 * consent to User.Read, code redemption. `memberOf`: a group every bench user joins (the
 * conditional access policies target it).
 */
export async function prepareRefresh(http: HttpsClient, origin: string, b: Bootstrap, families: number, memberOf?: string): Promise<RefreshSetup> {
  const graph = adminGraph(http, origin, await adminToken(http, origin, b));
  const redirectUri = 'https://app.bench.test/callback';
  const app = await graph<{ id: string; appId: string }>('POST', '/applications', { displayName: 'bench web app', web: { redirectUris: [redirectUri] } });
  const secret = await graph<{ secretText: string }>('POST', `/applications/${app.id}/addPassword`, { passwordCredential: { displayName: 'bench' } });
  const password = `Bench-${randomBytes(12).toString('base64url')}9!`;
  const refreshTokens: string[] = [];
  const run = randomBytes(3).toString('hex');
  for (let i = 0; i < families; i++) {
    const upn = `bench-${run}-${i}@monban.local`;
    const user = await graph<{ id: string }>('POST', '/users', { userPrincipalName: upn, displayName: `Bench user ${i}`, passwordProfile: { password } });
    if (memberOf) await graph('POST', `/groups/${memberOf}/members/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${user.id}` });
    refreshTokens.push(await signIn(http, origin, b.tenantId, { clientId: app.appId, clientSecret: secret.secretText, redirectUri, username: upn, password }));
  }
  return { clientId: app.appId, clientSecret: secret.secretText, refreshTokens };
}

/** A cookie jar for one origin, enough for oidc-provider's cookies. */
class Jar {
  readonly #cookies = new Map<string, { value: string; path: string }>();

  store(reply: Reply): void {
    const lines = reply.headers['set-cookie'];
    for (const line of Array.isArray(lines) ? lines : lines ? [lines] : []) {
      const [pair = '', ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const path = attrs.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
      const expired = value === '' || attrs.some((a) => /^max-age=(0|-)/i.test(a)) || attrs.some((a) => a.toLowerCase().startsWith('expires=') && Date.parse(a.slice(8)) <= Date.now());
      const key = `${name} ${path}`;
      if (expired) this.#cookies.delete(key); else this.#cookies.set(key, { value, path });
    }
  }

  header(url: URL): string {
    return [...this.#cookies.entries()]
      .filter(([, c]) => url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map(([k, c]) => `${k.split(' ')[0] ?? ''}=${c.value}`).join('; ');
  }
}

const formAction = (html: string): string | undefined => /<form[^>]*\baction="([^"]+)"/i.exec(html)?.[1]?.replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n))).replace(/&amp;/g, '&');

async function signIn(http: HttpsClient, origin: string, tenantId: string, o: { clientId: string; clientSecret: string; redirectUri: string; username: string; password: string }): Promise<string> {
  const jar = new Jar();
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomBytes(12).toString('base64url');
  const go = async (url: URL, form?: Record<string, string>): Promise<{ html?: string; url: URL; callback?: URL }> => {
    let current = url;
    let body = form;
    for (let hops = 0; hops < 12; hops++) {
      const cookie = jar.header(current);
      const reply = await http.call(current, { method: body ? 'POST' : 'GET', headers: cookie ? { cookie } : {}, ...(body ? { form: body } : {}) });
      jar.store(reply);
      body = undefined;
      if (reply.status >= 300 && reply.status < 400) {
        const next = new URL(String(reply.headers.location), current);
        if (next.href.startsWith(o.redirectUri)) return { url: next, callback: next };
        current = next;
        continue;
      }
      if (reply.status !== 200) throw new Error(`sign-in: ${reply.status} at ${current.pathname}: ${reply.text.slice(0, 300)}`);
      return { html: reply.text, url: current };
    }
    throw new Error('sign-in: too many redirects');
  };
  const authorize = new URL(`${origin}/${tenantId}/oauth2/v2.0/authorize`);
  for (const [k, v] of Object.entries({ client_id: o.clientId, response_type: 'code', redirect_uri: o.redirectUri, scope: signInScope, code_challenge: challenge, code_challenge_method: 'S256', state })) authorize.searchParams.set(k, v);
  let step = await go(authorize);
  const submit = async (form: Record<string, string>): Promise<void> => {
    const action = step.html ? formAction(step.html) : undefined;
    if (!action) throw new Error(`sign-in: expected a form at ${step.url.pathname}, got ${step.callback ? 'the callback' : step.html?.slice(0, 300)}`);
    step = await go(new URL(action, step.url), form);
  };
  await submit({ username: o.username, password: o.password });
  await submit({ remember: 'no' });
  if (!step.callback) await submit({ decision: 'accept' });
  const code = step.callback?.searchParams.get('code');
  if (!code || step.callback?.searchParams.get('state') !== state) throw new Error(`sign-in: no code (${step.callback?.href ?? step.html?.slice(0, 300)})`);
  const token = await http.json<{ refresh_token?: string }>(`${origin}/${tenantId}/oauth2/v2.0/token`, {
    headers: { authorization: basicAuth(o.clientId, o.clientSecret) },
    form: { grant_type: 'authorization_code', code, redirect_uri: o.redirectUri, code_verifier: verifier, scope: signInScope },
  });
  if (!token.body.refresh_token) throw new Error(`sign-in: no refresh token: ${JSON.stringify(token.body)}`);
  return token.body.refresh_token;
}
