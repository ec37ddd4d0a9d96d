#!/usr/bin/env node
// Source rules the compiler does not enforce (docs/decisions/0002-source-rules.md):
// no `any`, no disabled checks, and oidc-provider internals only through the one seam file.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const seam = 'packages/server/src/oidc/provider-internals.ts';
const rules = [
  { re: /(:\s*any\b|\bas\s+any\b|<any>|\bany\[\]|Array<any>|Record<[^>]*,\s*any>)/, why: 'uses the type `any`' },
  { re: /@ts-(ignore|nocheck|expect-error)/, why: 'disables a type check' },
  { re: /eslint-disable/, why: 'disables a lint check' },
  { re: /from\s+['"]oidc-provider\/lib\//, why: 'deep-imports oidc-provider internals outside ' + seam, skip: seam },
];
const problems = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full);
    else if (/\.(ts|mts|tsx)$/.test(name) && !name.endsWith('.d.ts')) check(full);
  }
}
function check(file) {
  const rel = relative(root, file);
  readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    for (const r of rules) {
      if (r.skip === rel) continue;
      if (r.re.test(line.replace(/\/\/.*$/, ''))) problems.push(`${rel}:${i + 1}: ${r.why}`);
    }
  });
}
for (const d of ['packages', 'e2e', 'bench']) walk(join(root, d));
if (problems.length) {
  console.error(problems.join('\n'));
  console.error(`check-source: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log('check-source: ok');
