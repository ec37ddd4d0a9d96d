// Starts a real `monban serve` process on loopback, on the test database engine, with the
// test CA that scripts/test.mjs made (so every client in the test process trusts it).
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabaseUrl, dropTestDatabase } from '../../packages/server/test/support/database.js';

const root = new URL('../../', import.meta.url).pathname;

export interface Bootstrap {
  issuer: string;
  tenantId: string;
  caCertFile: string;
  adminClient: { clientId: string; clientSecret: string };
  adminUser: { userPrincipalName: string; password: string };
}

export interface MonbanProcess {
  origin: string;
  port: number;
  dataDir: string;
  databaseUrl: string;
  bootstrap: Bootstrap;
  child: ChildProcess;
  output(): string;
  /** SIGTERM and wait; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL (crash) and wait. */
  kill(): Promise<void>;
  /** Drops the PostgreSQL database (if any). */
  dispose(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export const testCaFile = (): string => join(process.env.MONBAN_TEST_TLS_DIR ?? join(root, '.test-output/tls'), 'ca.crt');

export async function waitReady(origin: string, child: ChildProcess, out: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`monban exited with ${child.exitCode} before it was ready:\n${out()}`);
    try {
      const res = await fetch(`${origin}/readyz`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
    } catch (e) {
      if (process.env.MONBAN_TEST_DEBUG) console.error('readyz:', e instanceof Error ? (e.cause ?? e.message) : e);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`monban was not ready within ${timeoutMs} ms:\n${out()}`);
}

export async function startMonban(opts: { dataDir?: string; databaseUrl?: string; port?: number; env?: Record<string, string> } = {}): Promise<MonbanProcess> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'monban-e2e-'));
  const tlsDir = process.env.MONBAN_TEST_TLS_DIR ?? join(root, '.test-output/tls');
  for (const f of ['ca.crt', 'tls.crt', 'tls.key']) if (!existsSync(join(dataDir, f))) copyFileSync(join(tlsDir, f), join(dataDir, f));
  const databaseUrl = opts.databaseUrl ?? await createTestDatabaseUrl();
  const port = opts.port ?? await freePort();
  let out = '';
  const child = spawn(process.execPath, [join(root, 'packages/server/dist/bundle/monban.js'), 'serve', '--data', dataDir, '--port', String(port), '--database', databaseUrl], {
    env: { ...process.env, MONBAN_LOG_LEVEL: process.env.MONBAN_LOG_LEVEL ?? 'warn', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
  const origin = `https://localhost:${port}`;
  await waitReady(origin, child, () => out);
  const bootstrap = JSON.parse(readFileSync(join(dataDir, 'bootstrap.json'), 'utf8')) as Bootstrap;
  const exited = new Promise<number | null>((resolve) => { if (child.exitCode !== null) resolve(child.exitCode); else child.once('exit', (code) => resolve(code)); });
  return {
    origin, port, dataDir, databaseUrl, bootstrap, child,
    output: () => out,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
    async dispose() {
      if (child.exitCode === null) { child.kill('SIGKILL'); await exited; }
      if (!opts.databaseUrl) await dropTestDatabase(databaseUrl);
    },
  };
}

/** A client-credentials token for the admin API, using the bootstrap admin client. */
export async function adminToken(m: MonbanProcess): Promise<string> {
  const res = await fetch(`${m.origin}/${m.bootstrap.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: m.bootstrap.adminClient.clientId, client_secret: m.bootstrap.adminClient.clientSecret, scope: 'https://graph.microsoft.com/.default' }),
  });
  const body = await res.json() as { access_token?: string };
  if (!body.access_token) throw new Error(`no admin token: ${JSON.stringify(body)}`);
  return body.access_token;
}

export async function graph<T = Record<string, unknown>>(m: MonbanProcess, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${m.origin}/v1.0${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
}
