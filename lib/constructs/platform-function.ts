/**
 * One declared function and everything the platform gives it: an esbuild bundle whose
 * externals are exactly what its layers provide, immutable versions (one per change of
 * code, configuration or layers), the `live` alias with its release machinery, a
 * `preview` alias on the newest version, warm capacity, and per-alias alarms.
 */
import * as path from 'node:path';
import { Annotations, Duration, RemovalPolicy, Tags, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ResolvedFunction } from '../declaration/schema';
import { AliasAlarms } from './alias-alarms';
import { LIVE_ALIAS, LiveRelease } from './release';
import { NODE_RUNTIME, NODE_TARGET, RUNTIME_PROVIDED_MODULES } from './runtime';
import type { SharedLayer } from './shared-layer';
import { WarmCapacity } from './warm-capacity';

export const PREVIEW_ALIAS = 'preview';

export interface PlatformFunctionProps {
  readonly declaration: ResolvedFunction;
  /** The function's layers, in the declared (extraction) order. */
  readonly layers: readonly SharedLayer[];
  /** Absolute project root; the declaration's entry is relative to it. */
  readonly projectRoot: string;
  /** e.g. "faas-dev": prefixes alarm names. */
  readonly namePrefix: string;
}

export class PlatformFunction extends Construct {
  readonly declaration: ResolvedFunction;
  readonly function: NodejsFunction;
  /** The version this deploy publishes. */
  readonly published: lambda.Version;
  readonly live: lambda.Alias;
  readonly preview: lambda.Alias;
  readonly release: LiveRelease;
  readonly alarms: AliasAlarms;
  readonly warm?: WarmCapacity;
  /** esbuild externals: the runtime's SDK plus every package the function's layers provide. */
  readonly externalModules: readonly string[];

  constructor(scope: Construct, id: string, props: PlatformFunctionProps) {
    super(scope, id);
    const d = props.declaration;
    this.declaration = d;
    this.externalModules = [...RUNTIME_PROVIDED_MODULES, ...new Set(props.layers.flatMap((l) => l.packageNames))];
    warnOnShadowedPackages(this, props.layers);

    this.function = new NodejsFunction(this, 'Function', {
      entry: path.join(props.projectRoot, d.entry),
      handler: d.handler,
      runtime: NODE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: d.memoryMB,
      timeout: Duration.seconds(d.timeoutSeconds),
      environment: {
        POWERTOOLS_SERVICE_NAME: d.name,
        POWERTOOLS_METRICS_NAMESPACE: props.namePrefix,
        ...d.environment,
      },
      layers: props.layers.map((l) => l.layerVersion),
      reservedConcurrentExecutions: d.reservedConcurrency,
      tracing: d.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      loggingFormat: lambda.LoggingFormat.JSON,
      logGroup: new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH }),
      description: `faas function "${d.name}"`,
      // Old versions stay: the live alias may still point at one, and rollback needs them.
      currentVersionOptions: { removalPolicy: RemovalPolicy.RETAIN },
      bundling: {
        minify: true,
        sourceMap: false,
        target: NODE_TARGET,
        externalModules: [...this.externalModules],
        // Reproducible bundles keep the version hash stable when nothing changed.
        metafile: false,
      },
    });
    if (props.layers.length > 0) {
      // aws-cdk-lib sorts layers by construct path when recognizeLayerVersion is on, which would
      // change which layer wins on /opt. Declared order is the contract; the version hash sees it.
      (this.function.node.defaultChild as lambda.CfnFunction).addPropertyOverride(
        'Layers',
        props.layers.map((l) => l.layerVersion.layerVersionArn),
      );
    }
    if (d.instances) {
      (this.function.node.defaultChild as lambda.CfnFunction).capacityProviderConfig = {
        lambdaManagedInstancesCapacityProviderConfig: {
          capacityProviderArn: d.instances.capacityProviderArn,
          perExecutionEnvironmentMaxConcurrency: d.instances.perInstanceConcurrency,
        },
      };
    }
    Tags.of(this.function).add('faas:function', d.name);

    this.published = this.function.currentVersion;
    this.release = new LiveRelease(this, 'Live', { function: this.function, published: this.published, release: d.release });
    this.live = this.release.alias;
    // Knative's traffic tag: always the newest version, reachable on its own route.
    this.preview = new lambda.Alias(this, 'Preview', { aliasName: PREVIEW_ALIAS, version: this.published });

    this.alarms = new AliasAlarms(this, 'Alarms', {
      alias: this.live,
      namePrefix: `${props.namePrefix}-${d.name}-${LIVE_ALIAS}`,
      errorThreshold: d.alarms.errors,
      p99ThresholdMs: d.alarms.p99Ms ?? Math.round(d.timeoutSeconds * 1000 * 0.8),
    });
    this.release.watch(this.alarms.releaseAlarms);
    if (d.warm) this.warm = new WarmCapacity(this, 'Warm', { alias: this.live, warm: d.warm });

    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'Function roles use AWSLambdaBasicExecutionRole, which only allows writing the function\'s own logs.',
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray tracing needs xray:PutTraceSegments/PutTelemetryRecords on "*" (X-Ray has no resource-level permissions).',
    });
    Validations.of(this.function).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason: 'Invoked synchronously (API Gateway, direct invoke): the caller receives every failure, so there is nothing to dead-letter.',
    });
  }
}

/**
 * Lambda extracts layers into /opt in the declared order and a later layer overwrites an
 * earlier one's files, so the last layer providing a package wins. (Alibaba FC merges the
 * other way round.) Legal, but rarely intended: say which copy the function will load.
 */
function warnOnShadowedPackages(scope: Construct, layers: readonly SharedLayer[]): void {
  const provider = new Map<string, string>();
  for (const layer of layers) {
    for (const pkg of layer.packageNames) {
      const earlier = provider.get(pkg);
      if (earlier !== undefined) {
        Annotations.of(scope).addWarningV2(
          'faas:layer-shadows-package',
          `layer "${layer.layerName}" overrides package ${pkg} from layer "${earlier}" (Lambda: the last layer wins); reorder layers if "${earlier}" should win`,
        );
      }
      provider.set(pkg, layer.layerName);
    }
  }
}
