#!/usr/bin/env node
// The `faas` CLI: TypeScript sources run through ts-node (transpile only; `npm run build` type-checks).
'use strict';
const path = require('node:path');

const root = path.resolve(__dirname, '..');
require('ts-node').register({ transpileOnly: true, project: path.join(root, 'tsconfig.json') });
process.env.FAAS_CLI_MAIN = '1';
require(path.join(root, 'cli', 'main.ts'));
