/**
 * `cdk synth` of a faas project (bin/app.ts): load faas.config.ts, put the platform into a new App,
 * synthesize it, and only then record the placement — all or nothing. A mistake of the user's
 * (declaration, project files, placement) prints its list of problems and exits 1 with no stack trace.
 */
import { App, type Environment } from 'aws-cdk-lib';
import { loadDeclaration } from './config-file';
import { DeclarationError } from './declaration/resolve';
import { FaasPlatform } from './faas-platform';
import { DEFAULT_LIMITS } from './placement/placement';
import { PlacementError } from './placement/placement-error';
import { STACK_RESOURCE_LIMIT_CONTEXT } from './platform-app';
import { ProjectFileError } from './project-file-error';

/** Errors whose message is the whole answer: what is wrong, where, and the fix. */
export function isUserError(error: unknown): error is DeclarationError | PlacementError | ProjectFileError {
  return error instanceof DeclarationError || error instanceof PlacementError || error instanceof ProjectFileError;
}

export interface SynthesizeOptions {
  /** @default - CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION, else environment-agnostic */
  readonly env?: Environment;
}

/** The whole CDK app of a project whose only content is the platform; the stage comes from `-c stage=…`. */
export function synthesizeProject(projectRoot: string, options: SynthesizeOptions = {}): void {
  try {
    const declaration = loadDeclaration(projectRoot);
    // CDK's own resource-count check at placement's limit: a backstop behind placement's measurement.
    const app = new App({ context: { [STACK_RESOURCE_LIMIT_CONTEXT]: DEFAULT_LIMITS.maxResources } });
    new FaasPlatform(app, 'Faas', {
      declaration,
      projectRoot,
      env: options.env ?? { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    }).recordPlacement();
  } catch (error) {
    if (isUserError(error)) {
      console.error(error.message);
    } else if (error instanceof Error && /FailedToBundleAsset|Failed to bundle asset/.test(error.message)) {
      // esbuild has already printed file:line:column and the error above; the CDK stack adds nothing.
      console.error(
        `synth failed while bundling: ${error.message.split('\n')[0].replace(/^.*?Failed to bundle asset /, '')}\n  fix: ` +
          'correct the file esbuild names above, then synth again',
      );
    } else {
      throw error;
    }
    // Exit now (nothing was written): the half-built App would otherwise synthesize itself when the process ends.
    process.exit(1);
  }
}
