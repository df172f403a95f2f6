/**
 * Declaration → validated platform → stacks, with cdk-nag's AwsSolutions and Serverless
 * packs as synth-time validations (any unacknowledged finding fails synth).
 */
import { App, Validations, type AppProps, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { resolvePlatformWithContainers, type ResolvedPlatformWithContainers } from './declaration/container';
import { readProject, type Project } from './project';
import { PlatformStack } from './stacks/platform-stack';

export interface PlatformAppOptions {
  /** The declaration (faas.config.ts's default export). */
  readonly declaration: unknown;
  /** Project root holding functions/ and layers/. */
  readonly projectRoot: string;
  /**
   * Stage to build; `-c stage=…` wins over this.
   * @default - the `stage` context value, else "dev"
   */
  readonly stage?: string;
  /** @default - environment-agnostic stacks */
  readonly env?: Environment;
  /** @default - a new App */
  readonly appProps?: AppProps;
  /**
   * Run cdk-nag's packs at synth.
   * @default true
   */
  readonly nag?: boolean;
}

export interface PlatformApp {
  readonly app: App;
  readonly platform: ResolvedPlatformWithContainers;
  readonly project: Project;
  readonly stack: PlatformStack;
}

export function buildPlatformApp(options: PlatformAppOptions): PlatformApp {
  const app = new App(options.appProps);
  const stage = String(app.node.tryGetContext('stage') ?? options.stage ?? 'dev');
  const project = readProject(options.projectRoot);
  const platform = resolvePlatformWithContainers(options.declaration, stage, project);
  if (options.nag ?? true) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  }
  const stack = new PlatformStack(app, `${platform.app}-${stage}`, {
    platform,
    project,
    containers: platform.containers,
    env: options.env,
    description: `faas platform "${platform.app}", stage ${stage}`,
  });
  return { app, platform, project, stack };
}
