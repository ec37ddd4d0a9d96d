// A real Monban server in this process (HTTPS on loopback, real storage) with a clock the
// test moves, and a minimal cookie-keeping form driver for the sign-in pages.
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { ManualClock } from '../../src/clock.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { createTestDatabaseUrl, dropTestDatabase } from './database.js';

export interface InProcessServer extends RunningServer {
  clock: ManualClock;
  dataDir: string;
  bootstrap: { adminClient: { clientId: string; clientSecret: string }; adminUser: { userPrincipalName: string; password: string } };
  dispose(): Promise<void>;
}

export async function startInProcess(start = new Date('2026-11-24T09:00:00Z')): Promise<InProcessServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'monban-inproc-'));
  const tlsDir = process.env.MONBAN_TEST_TLS_DIR ?? new URL('../../../../.test-output/tls', import.meta.url).pathname;
  for (const f of ['ca.crt', 'tls.crt', 'tls.key']) copyFileSync(join(tlsDir, f), join(dataDir, f));
  const databaseUrl = await createTestDatabaseUrl();
  const clock = new ManualClock(start);
  const server = await startServer({ dataDir, port: 0, host: '127.0.0.1', databaseUrl, signInRetentionDays: 30 }, { clock, logger: pino({ level: 'silent' }) });
  const bootstrap = JSON.parse(readFileSync(join(dataDir, 'bootstrap.json'), 'utf8')) as InProcessServer['bootstrap'];
  return Object.assign(server, {
    clock, dataDir, bootstrap,
    async dispose() { await server.close(); await dropTestDatabase(databaseUrl); },
  });
}

/** Keeps cookies across requests, follows nothing by itself. */
export class FormSession {
  readonly #cookies = new Map<string, string>();

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const res = await fetch(url, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      redirect: 'manual',
      headers: {
        cookie: [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) monban-test',
      },
      ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (pair && eq > 0) this.#cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return res;
  }

  /** GET the URL and follow redirects on the same origin; returns the final response. */
  async follow(url: string, limit = 10): Promise<{ res: Response; url: string }> {
    let current = url;
    for (let i = 0; i < limit; i++) {
      const res = await this.request(current);
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) return { res, url: current };
      const next = new URL(location, current);
      if (next.origin !== new URL(url).origin) return { res, url: next.toString() };
      current = next.toString();
    }
    throw new Error('too many redirects');
  }
}
