#!/usr/bin/env node
// The floor under the token-endpoint ratios: the same benchmark (bench/run.ts, peer and all) run
// against a Monban whose token endpoint does none of Monban's own per-request work, built from
// this working tree with bench/floor/without-sign-in-work.patch applied, in a scratch copy.
// What is left is oidc-provider as Monban configures it (dynamic clients from the directory,
// hashed client secrets, the SQLite adapter, synchronous signing, the reference's paths). The
// gap between this and the peer is the configuration; the gap between this and the normal
// benchmark is Monban's sign-in work (docs/decisions/0013-token-endpoint-floor.md).
//
//   npm run bench:floor -- [any bench/run.ts flag; --no-policies is implied]
//
// Writes bench/results/floor/latest.md and latest.json (unless --out is given). Never part of
// a release: the patched server refuses no one and logs no sign-in on the token endpoint.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const patch = join(root, 'bench/floor/without-sign-in-work.patch');
const args = process.argv.slice(2);
if (!args.includes('--no-policies')) args.push('--no-policies');
if (!args.includes('--out')) args.push('--out', join(root, 'bench/results/floor'));

function run(cmd, cmdArgs, cwd, what, env = process.env) {
  const r = spawnSync(cmd, cmdArgs, { cwd, stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error(`bench:floor: ${what} failed (exit ${r.status ?? r.signal}).`);
    process.exit(1);
  }
}

// bench/run.ts reads the commit and uncommitted changes of this checkout, not of the copy.
const measured = {
  MONBAN_BENCH_SOURCE: root,
  MONBAN_BENCH_VARIANT: 'with bench/floor/without-sign-in-work.patch (the floor: no sign-in work on the token endpoint)',
};

const scratch = mkdtempSync(join(tmpdir(), 'monban-floor-'));
try {
  // The tracked files as they are in the working tree (uncommitted edits included).
  const files = spawnSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).stdout.split('\0').filter(Boolean);
  for (const f of files) {
    mkdirSync(dirname(join(scratch, f)), { recursive: true });
    cpSync(join(root, f), join(scratch, f));
  }
  symlinkSync(join(root, 'node_modules'), join(scratch, 'node_modules'));
  run('git', ['apply', patch], scratch, `applying ${patch} (it no longer fits the code; update it)`);
  console.error('bench:floor: building the patched server in', scratch);
  run('npm', ['run', '--silent', 'build'], scratch, 'building the patched server');
  run(process.execPath, [join(scratch, 'scripts/bench.mjs'), ...args], scratch, 'the benchmark', { ...process.env, ...measured });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
