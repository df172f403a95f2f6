#!/usr/bin/env node
/** CDK entry point: `cdk synth -c stage=dev|prod`. */
import * as path from 'node:path';
import declaration from '../faas.config';
import { DeclarationError } from '../lib/declaration/resolve';
import { buildPlatformApp, PlacementError } from '../lib/platform-app';

try {
  buildPlatformApp({
    declaration,
    projectRoot: path.resolve(__dirname, '..'),
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
} catch (error) {
  if (error instanceof DeclarationError || error instanceof PlacementError) {
    // The message lists every problem with its fix; a stack trace would only hide it.
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
