/**
 * Reads the `live` alias at deploy time and hands its planned configuration to the template
 * (design: docs/architecture.md "Release model"). One provider per stack serves all functions.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CfnResource, CustomResource, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, type IConstruct } from 'constructs';
import { packageRoot } from '../package-root';
import { NODE_RUNTIME } from './runtime';

export interface LiveAliasStateProps {
  readonly function: lambda.IFunction;
  /** The version this deploy published. */
  readonly published: lambda.IVersion;
  readonly aliasName: string;
  /** Share of traffic a new version may get at deploy. */
  readonly initialWeight: number;
}

export class LiveAliasState extends Construct {
  /** The state resource of a function's live alias, if it has one (alias mode). */
  static ofFunction(fn: lambda.IFunction): LiveAliasState | undefined {
    return STATES.get(fn);
  }

  /** Primary version the alias should declare. */
  readonly functionVersion: string;
  /** Candidate weights the alias should declare: a list of {FunctionVersion, FunctionWeight}, possibly empty. */
  readonly additionalVersionWeights: ReturnType<CustomResource['getAtt']>;

  constructor(scope: Construct, id: string, props: LiveAliasStateProps) {
    super(scope, id);
    const provider = LiveAliasStateProvider.of(Stack.of(this));
    provider.grantRead(props.function, props.aliasName);
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::FaasLiveAliasState',
      properties: {
        FunctionName: props.function.functionName,
        AliasName: props.aliasName,
        PublishedVersion: props.published.version,
        InitialWeight: String(props.initialWeight),
      },
    });
    this.functionVersion = resource.getAttString('FunctionVersion');
    this.additionalVersionWeights = resource.getAtt('AdditionalVersionWeights');
    this.resource = resource;
    STATES.set(props.function, this);
  }

  private readonly resource: CustomResource;

  /**
   * Makes the declared warm capacity (any stable text, e.g. JSON) a property of the state
   * resource: a deploy that changes it calls the handler, which refuses it while the alias has
   * weights. `dependent` (the scalable target) waits for the state resource, so a refused deploy
   * never reaches it.
   */
  declareWarmCapacity(warm: string, dependent: IConstruct): void {
    (this.resource.node.defaultChild as CfnResource).addPropertyOverride('WarmCapacity', warm);
    dependent.node.addDependency(this.resource);
  }
}

/** Function → its live alias's state resource; WarmCapacity finds it here without a new prop. */
const STATES = new WeakMap<lambda.IFunction, LiveAliasState>();

/** Stack-wide singleton: one handler and one provider for every function's live alias. */
class LiveAliasStateProvider extends Construct {
  static of(stack: Stack): LiveAliasStateProvider {
    const id = 'FaasLiveAliasStateProvider';
    return (stack.node.tryFindChild(id) as LiveAliasStateProvider | undefined) ?? new LiveAliasStateProvider(stack, id);
  }

  readonly serviceToken: string;
  private readonly handler: lambda.Function;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.handler = new lambda.Function(this, 'Handler', {
      // Bundled at build time (minified, its own SDK: emulators' stand-in runtimes may not provide client-lambda).
      code: lambda.Code.fromAsset(bundledHandlerDir()),
      handler: 'index.handler',
      runtime: NODE_RUNTIME,
      // Room for the AccessDenied retries (2 + 4 + 8 s) while IAM applies a new function's grant.
      timeout: Duration.seconds(60),
      memorySize: 256,
      description: 'faas: reads the live alias at deploy time and plans its configuration',
      logGroup: new logs.LogGroup(this, 'HandlerLogs', { retention: logs.RetentionDays.ONE_MONTH }),
    });
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.handler,
      logGroup: new logs.LogGroup(this, 'ProviderLogs', { retention: logs.RetentionDays.ONE_MONTH }),
    });
    this.serviceToken = provider.serviceToken;

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: "Deploy-time custom resource roles use AWSLambdaBasicExecutionRole (log writing only), as CDK's Provider framework does.",
    });
    Validations.of(provider).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.handler.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
      reason: 'The Provider framework may invoke any version of its own onEvent handler (<arn>:*); CDK generates this policy.',
    });
    Validations.of(provider).acknowledge({
      id: 'AwsSolutions-L1',
      reason: "The Provider framework's own function runtime is chosen by aws-cdk-lib and updated with it.",
    });
    for (const ruleId of [
      'Serverless-LambdaTracing',
      'Serverless-LambdaDLQ',
      'Serverless-LambdaDefaultMemorySize',
      'Serverless-LambdaLatestVersion',
    ]) {
      Validations.of(this).acknowledge({
        id: ruleId,
        reason:
          'Deploy-time custom resource handler invoked synchronously by CloudFormation once per deploy; failures surface as a ' +
          'failed deploy, not as lost events.',
      });
    }
  }

  grantRead(fn: lambda.IFunction, aliasName: string): void {
    this.handler.addToRolePolicy(new iam.PolicyStatement({ actions: ['lambda:GetAlias'], resources: [`${fn.functionArn}:${aliasName}`] }));
  }
}

/** dist/assets/live-alias-state-handler of this package (scripts/bundle-handlers.js, run by `npm run build`). */
function bundledHandlerDir(): string {
  const root = packageRoot();
  const dir = path.join(root, 'dist', 'assets', 'live-alias-state-handler');
  if (!fs.existsSync(path.join(dir, 'index.js'))) {
    throw new Error(`the live alias state handler is not built (no ${dir}/index.js); fix: run \`npm run build\` in ${root}`);
  }
  return dir;
}
