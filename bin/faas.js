#!/usr/bin/env node
// The `faas` CLI: TypeScript sources run through ts-node (transpile only; `npm run build` type-checks).
'use strict';
const path = require('node:path');

const root = path.resolve(__dirname, '..');
// The pinned AWS SDK runs on Node 20 but warns, on every run, that SDK releases after January 2027
// will need Node 22 (docs/cli.md "Node version"). That one warning is silenced so output starts with
// what was asked for; set the variable to "false" to see it. Upgrade Node before upgrading the SDK.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('ts-node').register({ transpileOnly: true, project: path.join(root, 'tsconfig.json') });
process.env.FAAS_CLI_MAIN = '1';
require(path.join(root, 'cli', 'main.ts'));
