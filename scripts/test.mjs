#!/usr/bin/env node
// Runs every test file with Node's own test runner (TypeScript through tsx).
// Pure packages run once; everything that touches storage runs once per database
// (SQLite, then PostgreSQL), as the storage contract promises both.
// Usage: node scripts/test.mjs [--db sqlite|postgres] [path-substring ...]
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const dbArg = args.indexOf('--db');
const onlyDb = dbArg >= 0 ? args[dbArg + 1] : undefined;
const filters = args.filter((a, i) => !(dbArg >= 0 && (i === dbArg || i === dbArg + 1)));

function findTests(dir) {
  const out = [];
  let entries;
  try { entries = readdirSync(dir); } catch { return out; }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'dist') continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...findTests(full));
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out.sort();
}

const pick = (files) => files
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));

const pure = pick(findTests(join(root, 'packages/policy/test')));
const stored = pick([...findTests(join(root, 'packages/server/test')), ...findTests(join(root, 'e2e'))]);

const runs = [];
if (!onlyDb || onlyDb === 'none') runs.push({ name: 'policy', files: pure, env: {} });
for (const db of ['sqlite', 'postgres']) {
  if (onlyDb && onlyDb !== db) continue;
  runs.push({ name: db, files: stored, env: { MONBAN_TEST_DATABASE: db } });
}

mkdirSync(join(root, '.test-output'), { recursive: true });

// One local CA for every server the tests start, created before the test processes so they
// can trust it from the start (NODE_EXTRA_CA_CERTS is read once, at process start).
const tlsDir = join(root, '.test-output', 'tls');
mkdirSync(tlsDir, { recursive: true });
const { ensureTls } = await import(join(root, 'packages/server/dist/bootstrap/bootstrap.js'));
await ensureTls(tlsDir, { now: () => new Date() });
const tlsEnv = {
  MONBAN_TEST_TLS_DIR: tlsDir,
  NODE_EXTRA_CA_CERTS: join(tlsDir, 'ca.crt'),
  REQUESTS_CA_BUNDLE: join(tlsDir, 'ca.crt'),
  SSL_CERT_FILE: join(tlsDir, 'ca.crt'),
};
let passed = 0, failed = 0, skipped = 0;
let crashed = false;
for (const run of runs) {
  if (run.files.length === 0) continue;
  console.log(`\n=== ${run.name}: ${run.files.length} test file(s) ===`);
  const tap = join(root, '.test-output', `${run.name}.tap`);
  const res = spawnSync(process.execPath, [
    '--conditions=development', '--import', 'tsx', '--enable-source-maps',
    '--test', '--test-timeout=300000',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`,
    ...run.files,
  ], { cwd: root, stdio: 'inherit', env: { ...process.env, ...tlsEnv, ...run.env } });
  const text = readFileSync(tap, 'utf8');
  const num = (k) => Number((text.match(new RegExp(`^# ${k} (\\d+)$`, 'm')) ?? [])[1] ?? 0);
  passed += num('pass'); failed += num('fail') + num('cancelled'); skipped += num('skipped') + num('todo');
  if (res.status !== 0 && num('fail') + num('cancelled') === 0) crashed = true;
}
console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || crashed || passed === 0 ? 1 : 0);
