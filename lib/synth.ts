/**
 * `cdk synth` of a faas project (bin/app.ts): load faas.config.ts, build the platform app,
 * synthesize it, and only then record the placement — all or nothing. A mistake of the user's
 * (declaration, project files, placement) prints its list of problems and exits 1 with no stack trace.
 */
import type { Environment } from 'aws-cdk-lib';
import { loadDeclaration } from './config-file';
import { DeclarationError } from './declaration/resolve';
import { PlacementError } from './placement/placement-error';
import { buildPlatformApp } from './platform-app';
import { ProjectFileError } from './project-file-error';

/** Errors whose message is the whole answer: what is wrong, where, and the fix. */
export function isUserError(error: unknown): error is DeclarationError | PlacementError | ProjectFileError {
  return error instanceof DeclarationError || error instanceof PlacementError || error instanceof ProjectFileError;
}

export interface SynthesizeOptions {
  /** @default - CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION, else environment-agnostic */
  readonly env?: Environment;
}

export function synthesizeProject(projectRoot: string, options: SynthesizeOptions = {}): void {
  try {
    const declaration = loadDeclaration(projectRoot);
    buildPlatformApp({
      declaration,
      projectRoot,
      env: options.env ?? { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    }).synth();
  } catch (error) {
    if (isUserError(error)) {
      console.error(error.message);
    } else if (error instanceof Error && /FailedToBundleAsset|Failed to bundle asset/.test(error.message)) {
      // esbuild has already printed file:line:column and the error above; the CDK stack adds nothing.
      console.error(`synth failed while bundling: ${error.message.split('\n')[0].replace(/^.*?Failed to bundle asset /, '')}\n  fix: correct the file esbuild names above, then synth again`);
    } else {
      throw error;
    }
    // Exit now (nothing was written): the half-built App would otherwise synthesize itself when the process ends.
    process.exit(1);
  }
}
