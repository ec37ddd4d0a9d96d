#!/usr/bin/env node
// The `monban` command. It lives outside dist so that npm can link it at install time, before
// the build has made the bundled server it runs (docs/decisions/0012-bundled-server.md).
await import('../dist/bundle/monban.js');
