// Assembles and starts one Monban process: store, keys, directory, bootstrap, TLS,
// oidc-provider, pipeline, sign-in log, admin API, pages. `close` drains in-flight requests.
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import { pino, type Logger } from 'pino';
import { adminRouter } from './admin/api.js';
import { conditionalAccessRoutes } from './admin/conditional-access.js';
import { directoryRoleRoutes } from './admin/directory-roles.js';
import { RoleAssignments } from './directory/role-assignments.js';
import { PermissionGrants } from './directory/permission-grants.js';
import { ensureTenant, ensureTls } from './bootstrap/bootstrap.js';
import { ConditionalAccessStore } from './conditional-access/store.js';
import { systemClock, type Clock } from './clock.js';
import type { ServerConfig } from './config/config.js';
import { MasterKey } from './crypto/master-key.js';
import { Directory } from './directory/directory.js';
import { buildApp } from './http/app.js';
import { Metrics } from './http/metrics.js';
import { KeptKeys } from './keys/kept-keys.js';
import { SignInLogQuery } from './logs/query.js';
import { SignInLogWriter } from './logs/writer.js';
import { createProvider } from './oidc/provider.js';
import { currentAttempt } from './signin/attempt.js';
import { SmartLockout } from './signin/lockout.js';
import { SignInPipeline } from './signin/pipeline.js';
import { SignInRecorder } from './signin/record.js';
import { openStore, type Store } from './store/database.js';
import { mountInteractions } from './ui/interactions.js';

export interface RunningServer {
  origin: string;
  issuer: string;
  tenantId: string;
  port: number;
  store: Store;
  close(): Promise<void>;
}

export async function startServer(config: ServerConfig, options: { clock?: Clock; logger?: Logger } = {}): Promise<RunningServer> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? pino({ level: process.env.MONBAN_LOG_LEVEL ?? 'info' });
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const store = await openStore(config.databaseUrl);
  const master = MasterKey.load(config.dataDir);
  const keptKeys = new KeptKeys(store.db, master, clock);
  // On a first start the signing keys and the TLS certificates are made side by side (thread
  // pool and a worker thread), not one after the other.
  const [keys, tls] = await Promise.all([
    keptKeys.ensure().then(() => keptKeys.load()),
    ensureTls(config.dataDir, clock),
  ]);
  const directory = new Directory(store, clock, { requestScope: currentAttempt });

  let ready = false;
  // Listening starts before the issuer (which needs the port) is known; until the app is
  // assembled every request gets 503, so /readyz can be polled from the first moment.
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"starting"}');
  };
  const server: Server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => handler(req, res));
  server.keepAliveTimeout = 5000;
  // Requests Node's parser refuses (header block over 16 KB, malformed request line) still get
  // a sentence in the Graph error shape, not an empty answer.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) { socket.destroy(); return; }
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const body = JSON.stringify({ error: { code: 'BadRequest', message: tooLarge ? 'The request line and headers are larger than 16 KB; send large parameters in a POST body.' : 'The request could not be parsed as HTTP.', innerError: { 'monban-code': 'invalid_request_body' } } });
    socket.end(`HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  try {
    return await assemble();
  } catch (e) {
    server.close();
    await store.close();
    throw e;
  }

  async function assemble(): Promise<RunningServer> {
  const port = (server.address() as AddressInfo).port;
  const origin = config.publicOrigin ?? `https://localhost:${port}`;
  const { tenantId } = await ensureTenant(directory, config.dataDir, origin, tls.caCertFile);
  const tenant = await directory.getTenant();
  const issuer = `${origin}/${tenantId}/v2.0`;

  const metrics = new Metrics();
  const writer = new SignInLogWriter(store.db, () => store.sync(), clock);
  writer.onWritten = (r) => metrics.signIns.inc({ result: r.status.errorCode === 0 ? 'success' : 'failure', error_code: String(r.status.errorCode) });
  const recorder = new SignInRecorder(directory, writer, clock);
  const lockout = new SmartLockout(store, clock);
  const conditionalAccess = new ConditionalAccessStore(store.db, clock);
  const pipeline = new SignInPipeline(directory, lockout, conditionalAccess, clock);
  const provider = await createProvider({ origin, tenantId, store, directory, keys, pipeline, recorder, clock });
  const uiRouter = new Router();
  const permissionGrants = new PermissionGrants(store.db, clock);
  mountInteractions(uiRouter, { provider, permissionGrants, directory, pipeline, recorder, lockout, clock, tenantId });
  const publicJwks = keys.jwks.map(({ d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub }) => pub);
  const admin = adminRouter({ directory, signIns: new SignInLogQuery(store.db), issuer, publicJwks, origin, extensions: [conditionalAccessRoutes(conditionalAccess, directory), directoryRoleRoutes(new RoleAssignments(store.db, clock, () => directory.forget()), new PermissionGrants(store.db, clock))] });
  const app = buildApp({ tenantId, domains: [tenant?.defaultDomain ?? 'monban.local'], provider, adminRouter: admin, uiRouter, metrics, logger, isReady: () => ready });
  handler = app.callback();

  const retention = setInterval(() => {
    new SignInLogQuery(store.db).applyRetention(clock, config.signInRetentionDays).catch((e: unknown) => logger.warn({ err: String(e) }, 'sign-in retention failed'));
  }, 3_600_000);
  retention.unref();
  ready = true;

  return {
    origin, issuer, tenantId, port, store,
    async close() {
      ready = false;
      clearInterval(retention);
      // Stop accepting, let in-flight requests finish, then flush the log and close storage.
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await writer.drain();
      await store.close();
    },
  };
  }
}
