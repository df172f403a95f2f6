#!/usr/bin/env node
// Bundles the platform's own Lambda handlers into dist/assets/ at build time, so a user's synth ships
// the prebuilt code (Code.fromAsset) and needs neither their TypeScript sources nor a bundler for them.
'use strict';
const path = require('node:path');
const { buildSync } = require('esbuild');

const root = path.resolve(__dirname, '..');
// Same settings the construct used to give NodejsFunction: minified, Node 20 syntax, its own SDK.
buildSync({
  entryPoints: [path.join(root, 'lib', 'release', 'live-alias-state-handler', 'index.ts')],
  outfile: path.join(root, 'dist', 'assets', 'live-alias-state-handler', 'index.js'),
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  logLevel: 'warning',
});
