/**
 * The entry construct: a faas platform (the stacks of one app and stage) in a user's own CDK app,
 * directly in an App or inside a Stage, e.g. one Stage per environment of a CDK pipeline.
 *
 *   const faas = new FaasPlatform(app, 'Faas', { declaration, projectRoot: __dirname });
 *   faas.recordPlacement();
 */
import { Stage, type Environment, type Stack } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import type { ResolvedPlatformWithContainers } from './declaration/container';
import type { PlacementLimits, PlacementResult } from './placement/placement';
import type { PlacementStore } from './placement/placement-file';
import { buildPlatformApp, stacksOf, type PlatformApp } from './platform-app';
import type { ApiStack } from './stacks/api-stack';
import type { BaseStack } from './stacks/base-stack';
import type { FunctionStack } from './stacks/function-stack';
import type { RetiredStack } from './stacks/retired-stack';

export interface FaasPlatformProps {
  /** The declaration: faas.config.ts's default export (see loadDeclaration), validated at synth. */
  readonly declaration: unknown;
  /** The project folder holding functions/, layers/ and faas.placement.json. */
  readonly projectRoot: string;
  /**
   * Stage to build (`stages.<stage>` overrides, stack names `<app>-<stage>…`). When given it wins
   * over `cdk synth -c stage=…`, so each Stage of a pipeline keeps its own.
   * @default - the `stage` context value (`cdk synth -c stage=prod`), else "dev"
   */
  readonly stage?: string;
  /** @default - environment-agnostic stacks */
  readonly env?: Environment;
  /**
   * Run cdk-nag's AwsSolutions and Serverless packs on the App or Stage at synth.
   * @default true
   */
  readonly nag?: boolean;
  /**
   * Where the placement of functions into stacks is kept.
   * @default - faas.placement.json in the project root (read-only when `CI` is set)
   */
  readonly placement?: PlacementStore;
  /**
   * Per-stack limits placement keeps to. CDK's own resource-count check stays at its default
   * unless the App sets `@aws-cdk/core:stackResourceLimit` (synthesizeProject sets it to this).
   * @default DEFAULT_LIMITS (450 resources, 190 outputs per stack)
   */
  readonly limits?: PlacementLimits;
}

/**
 * The platform's stacks go straight into `scope` (an App or a Stage), beside this construct, not
 * under it: stack names and construct paths are then the same as in a bare App, which is what an
 * existing deployment was made with. This construct is the handle to them.
 */
export class FaasPlatform extends Construct {
  /** The validated declaration for the stage. */
  readonly platform: ResolvedPlatformWithContainers;
  /** `<app>-<stage>`: the REST API and the list of function stacks. */
  readonly base: BaseStack;
  readonly functionStacks: readonly FunctionStack[];
  /** Recorded function stacks that hold nothing any more, deployed empty. */
  readonly retiredStacks: readonly RetiredStack[];
  /** @default - none when no function has a route */
  readonly apiStack?: ApiStack;
  readonly placement: PlacementResult;
  private readonly built: PlatformApp;

  constructor(scope: Construct, id: string, props: FaasPlatformProps) {
    super(scope, id);
    if (!Stage.isStage(scope)) {
      throw new Error(
        `FaasPlatform "${id}" is in ${scope.node.path}, which is neither an App nor a Stage; ` +
          `fix: create it directly in your App or in a Stage (new FaasPlatform(app, '${id}', …)), since it adds stacks`,
      );
    }
    this.built = buildPlatformApp({ ...props, scope });
    ({
      platform: this.platform,
      base: this.base,
      functionStacks: this.functionStacks,
      retiredStacks: this.retiredStacks,
      placement: this.placement,
    } = this.built);
    this.apiStack = this.built.apiStack;
  }

  /** Every stack of the platform, base first, API stack last. */
  get stacks(): Stack[] {
    return stacksOf(this);
  }

  /**
   * Synthesizes the App or Stage this platform is in (CDK hands back its cached assembly if that
   * already happened), then writes a changed placement to the store: nothing is written unless the
   * whole synth (bundling, cdk-nag, CDK's own checks) succeeds. Call it last in your app's entry.
   */
  recordPlacement(): CloudAssembly {
    return this.built.synth();
  }
}
