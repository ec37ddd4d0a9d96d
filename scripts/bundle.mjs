// Bundles the server (already compiled by tsc into packages/server/dist) into one ES module,
// packages/server/dist/bundle/monban.js, which `monban` (packages/server/bin/monban.js) and
// `npm start` run: Node 20 then loads one file instead of ~1,000 modules (time to ready about
// halved, idle RSS about 15 MB lower; docs/decisions/0012-bundled-server.md). The TLS worker
// is bundled beside it, where `new URL('./tls-worker.js', import.meta.url)` finds it.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'packages/server/dist');

await build({
  entryPoints: {
    monban: join(dist, 'cli/main.js'),
    'tls-worker': join(dist, 'bootstrap/tls-worker.js'),
  },
  outdir: join(dist, 'bundle'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  sourcemap: 'linked',
  // Native addons stay packages; pg and the X.509 library are loaded only when needed
  // (PostgreSQL URL, first start, client certificates) and stay out of the server's memory otherwise.
  external: ['better-sqlite3', '@node-rs/argon2', 'pg', '@peculiar/x509', 'reflect-metadata'],
  // Bundled CommonJS dependencies call require() for Node's built-ins.
  banner: { js: "import { createRequire as monbanCreateRequire } from 'node:module'; const require = monbanCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
