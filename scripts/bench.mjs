#!/usr/bin/env node
// `npm run bench -- [flags]`: Monban against bare oidc-provider (bench/README.md). Checks that
// the server is built and the tools are there, then runs bench/run.ts pinned to the load core
// (the servers it starts pin themselves to the server core).
import { spawnSync } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const main = join(root, 'packages/server/dist/bundle/monban.js');

function newest(dir) {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    const s = statSync(full);
    t = Math.max(t, s.isDirectory() ? newest(full) : s.mtimeMs);
  }
  return t;
}

if (!existsSync(main)) {
  console.error('bench: packages/server/dist is not built; run `npm run build` first.');
  process.exit(1);
}
if (newest(join(root, 'packages/server/src')) > newest(join(root, 'packages/server/dist'))) {
  console.error('bench: warning: packages/server/src is newer than dist; run `npm run build` to measure the current code.');
}
const which = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
if (!which('wrk')) {
  console.error('bench: wrk is not installed (Debian/Ubuntu: apt-get install wrk).');
  process.exit(1);
}

const noPin = args.includes('--no-pin');
const at = args.indexOf('--load-core');
const loadCore = at >= 0 ? args[at + 1] : '1';
const pin = !noPin && which('taskset');
if (!noPin && !pin) console.error('bench: warning: taskset not found; nothing is pinned (results are not per-core figures).');
if (!args.includes('--no-pin') && !pin) args.push('--no-pin');

const node = [process.execPath, '--conditions=development', '--import', 'tsx', join(root, 'bench/run.ts'), ...args];
const cmd = pin ? ['taskset', '-c', loadCore, ...node] : node;
const r = spawnSync(cmd[0], cmd.slice(1), { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
