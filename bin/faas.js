#!/usr/bin/env node
// The `faas` CLI: the compiled JavaScript in dist/ (`npm run build`; `npm ci` in the repository builds it too).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const main = path.resolve(__dirname, '..', 'dist', 'cli', 'main.js');
if (!fs.existsSync(main)) {
  process.stderr.write(`error: faas is not built (no ${main})\n  fix: run \`npm run build\` in ${path.dirname(__dirname)}\n`);
  process.exit(4);
}
// The pinned AWS SDK runs on Node 20 but warns, on every run, that SDK releases after January 2027
// will need Node 22 (docs/cli.md "Node version"). That one warning is silenced so output starts with
// what was asked for; set the variable to "false" to see it. Upgrade Node before upgrading the SDK.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.FAAS_CLI_MAIN = '1';
require(main);
