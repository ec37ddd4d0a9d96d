// The peer: bare oidc-provider (the very copy in node_modules that Monban runs on), set up
// as closely to Monban's token endpoint as a plain configuration allows: ES256 keys, the
// default in-memory adapter, one confidential client (client_secret_basic), client
// credentials with a resource indicator issuing ES256 JWT access tokens, rotating refresh
// tokens. Served over HTTPS with the same certificate Monban uses.
//
// Started by bench/run.ts with its settings in BENCH_PEER (JSON). Before it reports ready it
// mints `families` refresh tokens (a grant and a refresh token each, as a code redemption
// would leave them) and prints one line: `BENCH_PEER_READY {json}`.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import Provider, { type Configuration, type JWK } from 'oidc-provider';

interface PeerSettings {
  port: number;
  certFile: string;
  keyFile: string;
  families: number;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

const settings = JSON.parse(process.env.BENCH_PEER ?? '{}') as PeerSettings;
const resource = 'urn:monban-bench:api';
const resourceScope = 'api:read';
const issuer = `https://localhost:${settings.port}`;

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signingKey = { ...(privateKey.export({ format: 'jwk' }) as JWK), kid: 'peer-es256', alg: 'ES256', use: 'sig' };

const configuration: Configuration = {
  clients: [{
    client_id: settings.clientId,
    client_secret: settings.clientSecret,
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
    response_types: ['code'],
    redirect_uris: [settings.redirectUri],
    id_token_signed_response_alg: 'ES256',
  }],
  jwks: { keys: [signingKey] },
  scopes: ['openid', 'profile', 'email', 'offline_access'],
  rotateRefreshToken: true,
  features: {
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async () => resource,
      useGrantedResource: async () => true,
      getResourceServerInfo: async () => ({
        scope: resourceScope,
        audience: resource,
        accessTokenFormat: 'jwt',
        accessTokenTTL: 3600,
        jwt: { sign: { alg: 'ES256' } },
      }),
    },
  },
};

const provider = new Provider(issuer, configuration);

// Refresh-token families, minted the way a code redemption leaves them.
const client = await provider.Client.find(settings.clientId);
if (!client) throw new Error('peer client missing');
const refreshTokens: string[] = [];
const now = Math.floor(Date.now() / 1000);
for (let i = 0; i < settings.families; i++) {
  const accountId = `bench-user-${i}`;
  const grant = new provider.Grant({ accountId, clientId: settings.clientId });
  grant.addOIDCScope('openid profile offline_access');
  grant.addResourceScope(resource, resourceScope);
  const grantId = await grant.save();
  const token = new provider.RefreshToken({
    accountId, client, grantId, gty: 'authorization_code', scope: `openid profile offline_access ${resourceScope}`,
    resource, authTime: now, iiat: now, amr: ['pwd'], expiresWithSession: false,
  });
  refreshTokens.push(await token.save());
}

const server = createServer({ cert: readFileSync(settings.certFile), key: readFileSync(settings.keyFile) }, provider.callback());
server.keepAliveTimeout = 5000; // as Monban
await new Promise<void>((resolve) => server.listen(settings.port, '127.0.0.1', () => resolve()));
process.stdout.write(`BENCH_PEER_READY ${JSON.stringify({
  tokenPath: '/token', resource, scope: resourceScope, refreshScope: `openid profile offline_access ${resourceScope}`, refreshTokens,
})}\n`);

const stop = (): void => { server.close(() => process.exit(0)); server.closeIdleConnections(); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
