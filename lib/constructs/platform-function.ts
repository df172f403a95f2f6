/**
 * One declared function and everything the platform gives it: an esbuild bundle whose
 * externals are exactly what its layers provide, immutable versions (one per change of
 * code, configuration or layers), the `live` alias with its release machinery, a
 * `preview` alias on the newest version, warm capacity, per-alias alarms, and its
 * asynchronous side (docs/async.md): a work queue, async invocation settings and triggers.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Annotations, RemovalPolicy, Tags, Validations, type Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { AliasAlarms } from './alias-alarms';
import { AsyncInvocation, type AsyncInvocationOptions, type DestinationFunction } from './async-invocation';
import { DeadLetterQueue } from './dead-letter-queue';
import { QueueBuffer, type QueueBufferOptions } from './queue-buffer';
import { acknowledgeFunctionRole, addFunctionRelease, type FunctionReleaseOptions } from './function-release';
import type { LiveRelease } from './release';
import { NODE_RUNTIME, NODE_TARGET, RUNTIME_PROVIDED_MODULES } from './runtime';
import type { SharedLayer } from './shared-layer';
import { ObjectTrigger, ScheduleTriggers, type ObjectTriggerOptions, type ScheduleTrigger } from './triggers';
import { WarmCapacity } from './warm-capacity';

/** Lock files NodejsFunction understands, in the order it prefers them. */
const LOCK_FILES = ['package-lock.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lockb', 'bun.lock'];

/** A Lambda Managed Instances capacity provider the function runs on. */
export interface ManagedInstances {
  readonly capacityProviderArn: string;
  /** Concurrent requests one execution environment serves. */
  readonly perExecutionEnvironmentMaxConcurrency: number;
}

export interface PlatformFunctionProps extends FunctionReleaseOptions {
  /** The declared name: alarm names, tags, Powertools' service name. */
  readonly name: string;
  /** Absolute path of the handler's TypeScript entry. */
  readonly entry: string;
  /** Exported handler function name, e.g. "handler". */
  readonly handler: string;
  /** The function's layers, in the declared (extraction) order. */
  readonly layers: readonly SharedLayer[];
  /** Absolute project root: its lock file drives bundling. */
  readonly projectRoot: string;
  /** e.g. "faas-dev": prefixes alarm names. */
  readonly namePrefix: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  /** @default - only the Powertools variables */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default - no reserved concurrency */
  readonly reservedConcurrentExecutions?: number;
  /** @default lambda.Tracing.DISABLED */
  readonly tracing?: lambda.Tracing;
  /**
   * Bundle the AWS SDK instead of using the runtime's.
   * @default false
   */
  readonly bundleAwsSdk?: boolean;
  /** @default - Lambda's default compute */
  readonly instances?: ManagedInstances;
  /** @default - no work queue */
  readonly queue?: QueueBufferOptions;
  /**
   * Give the function a DeadLetterConfig queue.
   * @default false
   */
  readonly deadLetterQueue?: boolean;
  /** @default - Lambda's defaults, no destinations */
  readonly async?: AsyncInvocationOptions;
  /** @default - no trigger bucket */
  readonly objectTrigger?: ObjectTriggerOptions;
  /** @default - no schedules */
  readonly schedules?: readonly ScheduleTrigger[];
  /**
   * Why a function without a DeadLetterConfig loses nothing: acknowledges cdk-nag's Serverless-LambdaDLQ.
   * @default - no acknowledgement
   */
  readonly noDeadLetterQueueReason?: string;
}

export class PlatformFunction extends Construct {
  /** The declared name. */
  readonly name: string;
  readonly function: NodejsFunction;
  /** The version this deploy publishes. */
  readonly published: lambda.Version;
  readonly live: lambda.Alias;
  readonly preview: lambda.Alias;
  readonly release: LiveRelease;
  readonly alarms: AliasAlarms;
  readonly warm?: WarmCapacity;
  /** esbuild externals: the runtime's SDK (unless bundleAwsSdk) plus every package the function's layers provide. */
  readonly externalModules: readonly string[];
  /** The function-level dead-letter queue (`async.deadLetterQueue`). */
  readonly functionDlq?: DeadLetterQueue;
  /** The work queue (`queue`). */
  readonly queueBuffer?: QueueBuffer;
  /** Retries and destinations of the live alias; set by connectEvents(). */
  asyncInvocation?: AsyncInvocation;
  /** The trigger bucket; set by connectEvents(). */
  objectTrigger?: ObjectTrigger;
  /** The schedule rules; set by connectEvents(). */
  schedules?: ScheduleTriggers;
  private readonly alarmNamePrefix: string;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: PlatformFunctionProps,
  ) {
    super(scope, id);
    const d = props;
    this.name = d.name;
    const layerPackages = [...new Set(props.layers.flatMap((l) => l.packageNames))];
    this.externalModules = d.bundleAwsSdk ? layerPackages : [...RUNTIME_PROVIDED_MODULES, ...layerPackages];
    warnOnShadowedPackages(this, props.layers);
    this.alarmNamePrefix = `${props.namePrefix}-${d.name}`;
    if (d.deadLetterQueue) {
      this.functionDlq = new DeadLetterQueue(this, 'FunctionDlq', {
        role: 'function-dlq',
        alarmNamePrefix: `${this.alarmNamePrefix}-function-dlq`,
      });
    }

    const lockFile = LOCK_FILES.map((f) => path.join(props.projectRoot, f)).find((f) => fs.existsSync(f));
    this.function = new NodejsFunction(this, 'Function', {
      entry: d.entry,
      // The project's own root and lock file, wherever synth runs from (CDK's default searches from the working directory).
      ...(lockFile ? { projectRoot: props.projectRoot, depsLockFilePath: lockFile } : {}),
      handler: d.handler,
      runtime: NODE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: d.memorySize,
      timeout: d.timeout,
      environment: {
        POWERTOOLS_SERVICE_NAME: d.name,
        POWERTOOLS_METRICS_NAMESPACE: props.namePrefix,
        ...d.environment,
      },
      layers: props.layers.map((l) => l.layerVersion),
      reservedConcurrentExecutions: d.reservedConcurrentExecutions,
      tracing: d.tracing ?? lambda.Tracing.DISABLED,
      deadLetterQueue: this.functionDlq?.queue,
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
        bundleAwsSDK: d.bundleAwsSdk === true,
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
          perExecutionEnvironmentMaxConcurrency: d.instances.perExecutionEnvironmentMaxConcurrency,
        },
      };
    }
    Tags.of(this.function).add('faas:function', d.name);

    ({
      published: this.published,
      release: this.release,
      live: this.live,
      preview: this.preview,
      alarms: this.alarms,
      warm: this.warm,
    } = addFunctionRelease(this, {
      function: this.function,
      name: d.name,
      release: d.release,
      alarms: d.alarms,
      timeout: d.timeout,
      warm: d.warm,
      namePrefix: props.namePrefix,
    }));
    if (d.queue) {
      this.queueBuffer = new QueueBuffer(this, 'Queue', {
        function: this.function,
        alias: this.live,
        ...d.queue,
        alarmNamePrefix: this.alarmNamePrefix,
      });
    }

    acknowledgeFunctionRole(this.function);
    if (d.noDeadLetterQueueReason) {
      Validations.of(this.function).acknowledge({ id: 'Serverless-LambdaDLQ', reason: d.noDeadLetterQueueReason });
    }
  }

  /**
   * Second phase, once every function of the stack exists: asynchronous invocation settings
   * (a destination may be another function's live alias) and the triggers that use them.
   */
  connectEvents(functionDestination: (name: string) => DestinationFunction): void {
    const d = this.props;
    if (d.async) {
      this.asyncInvocation = new AsyncInvocation(this, 'Async', {
        alias: this.live,
        ...d.async,
        alarmNamePrefix: this.alarmNamePrefix,
        functionDestination,
      });
    }
    if (d.objectTrigger) {
      this.objectTrigger = new ObjectTrigger(this, 'ObjectTrigger', {
        functionName: d.name,
        function: this.function,
        alias: this.live,
        ...d.objectTrigger,
      });
    }
    if (d.schedules && d.schedules.length > 0) {
      const failures = this.asyncInvocation?.failureQueue?.queue;
      this.schedules = new ScheduleTriggers(this, 'Schedules', {
        alias: this.live,
        functionName: d.name,
        schedules: d.schedules,
        deadLetterQueue: failures,
        noDeadLetterReason: failures
          ? undefined
          : `onFailure is declared as "${d.async?.onFailure.kind}", not a platform queue; events EventBridge cannot hand to ` +
            `Lambda show in the rule's FailedInvocations metric.`,
      });
    }
  }

  /** Names of the alarms on the queues the platform created for this function. */
  get queueAlarmNames(): string[] {
    return [
      ...(this.queueBuffer?.alarmNames ?? []),
      ...(this.asyncInvocation?.failureQueue?.alarms.names ?? []),
      ...(this.functionDlq?.alarms.names ?? []),
    ];
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
          `layer "${layer.layerName}" overrides package ${pkg} from layer "${earlier}" (Lambda: the last layer wins); reorder ` +
            `layers if "${earlier}" should win`,
        );
      }
      provider.set(pkg, layer.layerName);
    }
  }
}
