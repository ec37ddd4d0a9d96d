// Maps a directory application to oidc-provider client metadata. Applications accept every
// authentication method they hold credentials for (as the reference does), so the method
// is chosen per request from what the caller presented.
import Provider, { type ClientMetadata } from 'oidc-provider';
import type { Directory } from '../directory/directory.js';
import { currentAttempt } from '../signin/attempt.js';

export type ClientAuthMethod = 'none' | 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';

/**
 * How the caller authenticates: known on the token endpoint from the sign-in attempt; on the
 * other endpoints that authenticate clients (introspection, revocation) read from the request
 * oidc-provider is handling, so an application holding both a secret and a certificate can use
 * either there too.
 */
function presentedAuthMethod(): ClientAuthMethod | undefined {
  const fromAttempt = currentAttempt()?.presentedAuthMethod;
  if (fromAttempt) return fromAttempt;
  const ctx = Provider.ctx;
  if (!ctx) return undefined;
  if (ctx.headers.authorization?.toLowerCase().startsWith('basic ')) return 'client_secret_basic';
  const params = ctx.oidc?.params;
  if (params?.client_assertion) return 'private_key_jwt';
  if (params?.client_secret) return 'client_secret_post';
  return undefined;
}

export async function clientMetadataFor(directory: Directory, appId: string): Promise<ClientMetadata | undefined> {
  const app = await directory.getApplicationByAppId(appId);
  if (!app) return undefined;
  const sp = await directory.getServicePrincipalByAppId(appId);
  if (sp?.built_in) return undefined; // resources, not clients
  const [secrets, certificates] = await Promise.all([directory.listSecrets(app.id), directory.certificatesOf(app.id, { activeOnly: true })]);
  const publicClient = app.public_client === 1;
  const available: ClientAuthMethod[] = [];
  if (secrets.length > 0) available.push('client_secret_basic', 'client_secret_post');
  if (certificates.length > 0) available.push('private_key_jwt');
  if (publicClient || available.length === 0) available.push('none');
  const presented = presentedAuthMethod();
  const method = presented && available.includes(presented) ? presented : available[0] ?? 'none';
  const redirectUris = JSON.parse(app.redirect_uris) as string[];
  const native = publicClient || redirectUris.some((u) => u.startsWith('http://') || !/^https?:/.test(u));
  const confidential = method !== 'none';
  return {
    client_id: app.app_id,
    client_name: app.display_name,
    // Never the real secret: compareClientSecret checks the stored hashes (provider-internals.ts).
    ...(method.startsWith('client_secret') ? { client_secret: `hashed-secret:${app.app_id}` } : {}),
    token_endpoint_auth_method: method,
    ...(method === 'private_key_jwt' ? { jwks: { keys: certificates.map((c) => c.jwk) } } : {}),
    application_type: native ? 'native' : 'web',
    redirect_uris: redirectUris,
    post_logout_redirect_uris: redirectUris,
    // A daemon registered without redirect URIs can only use client credentials.
    grant_types: redirectUris.length === 0 ? (confidential ? ['client_credentials'] : []) : confidential ? ['authorization_code', 'refresh_token', 'client_credentials'] : ['authorization_code', 'refresh_token'],
    response_types: redirectUris.length === 0 ? [] : ['code'],
    id_token_signed_response_alg: app.token_alg === 'RS256' ? 'RS256' : 'ES256',
  };
}
