#!/usr/bin/env node
/**
 * The example app with environment variables of some functions changed, for integration
 * scenarios that release a new version through a real deploy without editing faas.config.ts:
 *   FAAS_VARIANT='{"hello":{"FAULT_ERROR_RATE":"0.3"}}' cdklocal deploy --app "…variant-app.ts"
 * Everything else (stacks, placement, context) is bin/app.ts's: only the declared environment of
 * the named functions differs, exactly as if the user had edited them.
 */
import * as path from 'node:path';
import declaration from '../../../faas.config';
import type { PlatformInput } from '../../../lib/declaration/schema';
import { buildPlatformApp } from '../../../lib/platform-app';

export type Variant = Readonly<Record<string, Readonly<Record<string, string>>>>;

export function withEnvironment(base: PlatformInput, variant: Variant): PlatformInput {
  const functions = { ...base.functions };
  for (const [name, environment] of Object.entries(variant)) {
    const declared = functions[name];
    if (!declared) throw new Error(`FAAS_VARIANT names function "${name}", which faas.config.ts does not declare`);
    functions[name] = { ...declared, environment: { ...declared.environment, ...environment } };
  }
  return { ...base, functions };
}

if (require.main === module) {
  const variant = JSON.parse(process.env.FAAS_VARIANT ?? '{}') as Variant;
  buildPlatformApp({
    declaration: withEnvironment(declaration, variant),
    projectRoot: path.resolve(__dirname, '..', '..', '..'),
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
}
