// Starts bench/peer.ts as plain JavaScript (transpiled in memory with the workspace's
// TypeScript and run with `node --input-type=module --eval`), so the peer, like Monban from
// dist, runs without a loader. Bare imports resolve from the repository root's node_modules.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import ts from 'typescript';
import { spawnPinned, type Pinned } from './procs.js';

const root = new URL('../../', import.meta.url).pathname;

export interface PeerInfo {
  tokenPath: string;
  resource: string;
  scope: string;
  refreshScope: string;
  refreshTokens: string[];
}

export interface StartedPeer {
  proc: Pinned;
  origin: string;
  msToReady: number;
  clientId: string;
  clientSecret: string;
  info: PeerInfo;
  oidcProviderVersion: string;
}

export const oidcProviderVersion = (): string => {
  const require = createRequire(join(root, 'package.json'));
  return (JSON.parse(readFileSync(require.resolve('oidc-provider/package.json'), 'utf8')) as { version: string }).version;
};

export async function startPeer(opts: { port: number; core: number | undefined; certFile: string; keyFile: string; families: number; nodeArgs?: string[] }): Promise<StartedPeer> {
  const source = readFileSync(join(root, 'bench/peer.ts'), 'utf8');
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023, verbatimModuleSyntax: true } }).outputText;
  const clientId = 'bench-peer-client';
  const clientSecret = randomBytes(30).toString('base64url');
  const env = {
    ...process.env,
    BENCH_PEER: JSON.stringify({ port: opts.port, certFile: opts.certFile, keyFile: opts.keyFile, families: opts.families, clientId, clientSecret, redirectUri: 'https://app.bench.test/callback' }),
  };
  const proc = spawnPinned(opts.core, [...(opts.nodeArgs ?? []), '--input-type=module', '--eval', js], env, root);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const line = /BENCH_PEER_READY (.*)\n/.exec(proc.output())?.[1];
    if (line) {
      return {
        proc, origin: `https://127.0.0.1:${opts.port}`, msToReady: Number(process.hrtime.bigint() - proc.spawnedAt) / 1e6,
        clientId, clientSecret, info: JSON.parse(line) as PeerInfo, oidcProviderVersion: oidcProviderVersion(),
      };
    }
    if (proc.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  await proc.stop(2000);
  throw new Error(`the peer did not start:\n${proc.output()}`);
}
