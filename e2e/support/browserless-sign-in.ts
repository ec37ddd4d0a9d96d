// The interactive sign-in driven with plain fetch, no browser: authorize with PKCE, the
// password page, "Stay signed in?" (No), the silent consent for OIDC scopes, then the code
// redeemed at the token endpoint. Cookies are kept by hand (name, value, path), as a browser
// would for one origin.
import { createHash, randomBytes } from 'node:crypto';
import type { MonbanProcess } from './server.js';

export interface TokenResponse {
  access_token?: string;
  refresh_token?: string;
  id_token?: string;
  token_type?: string;
  expires_in?: number;
  scope?: string;
  error?: string;
  error_description?: string;
  error_codes?: number[];
}

export interface SignInResult {
  status: number;
  body: TokenResponse;
  /** Every URL the flow visited, in order (for failure messages). */
  trail: string[];
}

interface Cookie { name: string; value: string; path: string }

/** A cookie jar for one origin: enough of RFC 6265 for oidc-provider's cookies. */
export class CookieJar {
  readonly #cookies: Cookie[] = [];

  store(url: URL, res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = url.pathname.slice(0, Math.max(1, url.pathname.lastIndexOf('/')));
      let expired = value === '';
      for (const attr of attrs) {
        const [k = '', v = ''] = attr.split('=');
        const key = k.toLowerCase();
        if (key === 'path' && v.startsWith('/')) path = v;
        if (key === 'max-age' && Number(v) <= 0) expired = true;
        if (key === 'expires' && Date.parse(v) <= Date.now()) expired = true;
      }
      const at = this.#cookies.findIndex((c) => c.name === name && c.path === path);
      if (at >= 0) this.#cookies.splice(at, 1);
      if (!expired) this.#cookies.push({ name, value, path });
    }
  }

  header(url: URL): string {
    return this.#cookies
      .filter((c) => url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map((c) => `${c.name}=${c.value}`).join('; ');
  }
}

export const pkcePair = (): { verifier: string; challenge: string } => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

const formAction = (html: string): string | undefined => /<form[^>]*\baction="([^"]+)"/i.exec(html)?.[1]?.replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n)));

/**
 * Signs a user in with username and password and redeems the code. Resolves with the token
 * endpoint's answer (status and body); throws with the visited trail if the flow itself
 * goes somewhere unexpected.
 */
export async function signInWithPassword(m: MonbanProcess, opts: { clientId: string; redirectUri: string; username: string; password: string; scope?: string; clientSecret?: string }): Promise<SignInResult> {
  const jar = new CookieJar();
  const trail: string[] = [];
  const scope = opts.scope ?? 'openid profile offline_access';
  const { verifier, challenge } = pkcePair();
  const state = randomBytes(12).toString('base64url');
  const fail = (why: string): never => { throw new Error(`browserless sign-in: ${why}\ntrail:\n  ${trail.join('\n  ')}`); };

  const request = async (url: URL, init: { method?: string; form?: Record<string, string> } = {}): Promise<{ res: Response; url: URL }> => {
    trail.push(`${init.method ?? 'GET'} ${url.pathname}${url.search.length > 80 ? `${url.search.slice(0, 80)}...` : url.search}`);
    const headers: Record<string, string> = {};
    const cookie = jar.header(url);
    if (cookie) headers.cookie = cookie;
    if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(url, { method: init.method ?? 'GET', headers, redirect: 'manual', ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}) });
    jar.store(url, res);
    return { res, url };
  };

  /** Follows redirects on the provider; stops at the redirect URI (returned) or a page. */
  const follow = async (start: { res: Response; url: URL }): Promise<{ page?: { html: string; url: URL }; callback?: URL }> => {
    let current = start;
    for (let hops = 0; hops < 12; hops++) {
      const { res, url } = current;
      if (res.status >= 300 && res.status < 400) {
        await res.arrayBuffer();
        const location = res.headers.get('location') ?? fail(`redirect ${res.status} without a location`);
        const next = new URL(location, url);
        if (next.href.startsWith(opts.redirectUri)) { trail.push(`-> ${next.origin}${next.pathname}${next.search}`); return { callback: next }; }
        current = await request(next);
        continue;
      }
      const html = await res.text();
      if (res.status !== 200) fail(`status ${res.status} at ${url.pathname}: ${html.slice(0, 400)}`);
      return { page: { html, url } };
    }
    return fail('too many redirects');
  };

  const authorize = new URL(`${m.origin}/${m.bootstrap.tenantId}/oauth2/v2.0/authorize`);
  for (const [k, v] of Object.entries({ client_id: opts.clientId, response_type: 'code', redirect_uri: opts.redirectUri, scope, code_challenge: challenge, code_challenge_method: 'S256', state })) authorize.searchParams.set(k, v);

  let step = await follow(await request(authorize));
  // Password page.
  if (!step.page || !/name="password"/.test(step.page.html)) fail(`expected the sign-in page, got ${step.callback ? 'a callback' : step.page?.html.slice(0, 300)}`);
  const loginPage = step.page ?? fail('no sign-in page');
  const loginAction = new URL(formAction(loginPage.html) ?? fail('sign-in page has no form action'), loginPage.url);
  step = await follow(await request(loginAction, { method: 'POST', form: { username: opts.username, password: opts.password } }));
  // "Stay signed in?" (a sign-in page again here means the password was refused).
  const kmsiPage = step.page ?? fail('expected the "Stay signed in?" page');
  if (!/Stay signed in\?/.test(kmsiPage.html)) fail(`expected the "Stay signed in?" page, got: ${/<p class="error"[^>]*>([^<]*)/.exec(kmsiPage.html)?.[1] ?? kmsiPage.html.slice(0, 300)}`);
  const kmsiAction = new URL(formAction(kmsiPage.html) ?? fail('"Stay signed in?" page has no form action'), kmsiPage.url);
  step = await follow(await request(kmsiAction, { method: 'POST', form: { remember: 'no' } }));
  // A consent page appears only for resource permissions; accept it.
  if (step.page && /Permissions requested/.test(step.page.html)) {
    const consentAction = new URL(formAction(step.page.html) ?? fail('consent page has no form action'), step.page.url);
    step = await follow(await request(consentAction, { method: 'POST', form: { decision: 'accept' } }));
  }
  const callback = step.callback ?? fail(`expected a redirect to ${opts.redirectUri}, got a page: ${step.page?.html.slice(0, 300)}`);
  if (callback.searchParams.get('state') !== state) fail(`state mismatch in ${callback.href}`);
  const code = callback.searchParams.get('code') ?? fail(`no code in ${callback.href}`);

  const tokenForm: Record<string, string> = { grant_type: 'authorization_code', client_id: opts.clientId, code, redirect_uri: opts.redirectUri, code_verifier: verifier, scope };
  if (opts.clientSecret) tokenForm.client_secret = opts.clientSecret;
  trail.push('POST /oauth2/v2.0/token (authorization_code)');
  const res = await fetch(`${m.origin}/${m.bootstrap.tenantId}/oauth2/v2.0/token`, { method: 'POST', body: new URLSearchParams(tokenForm) });
  return { status: res.status, body: await res.json() as TokenResponse, trail };
}
