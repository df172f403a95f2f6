/**
 * One declared function and everything the platform gives it: an esbuild bundle whose
 * externals are exactly what its layers provide, immutable versions (one per change of
 * code, configuration or layers), the `live` alias with its release machinery, a
 * `preview` alias on the newest version, warm capacity, per-alias alarms, and its
 * asynchronous side (docs/async.md): a work queue, async invocation settings and triggers.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Annotations, Duration, RemovalPolicy, Tags, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { isEventInvoked } from '../declaration/async';
import type { ResolvedFunction } from '../declaration/schema';
import { AliasAlarms } from './alias-alarms';
import { AsyncInvocation, type DestinationFunction } from './async-invocation';
import { DeadLetterQueue } from './dead-letter-queue';
import { QueueBuffer } from './queue-buffer';
import { acknowledgeFunctionRole, addFunctionRelease } from './function-release';
import type { LiveRelease } from './release';
import { NODE_RUNTIME, NODE_TARGET, RUNTIME_PROVIDED_MODULES } from './runtime';
import type { SharedLayer } from './shared-layer';
import { ObjectTrigger, ScheduleTriggers } from './triggers';
import { WarmCapacity } from './warm-capacity';

export { PREVIEW_ALIAS } from './function-release';

/** Lock files NodejsFunction understands, in the order it prefers them. */
const LOCK_FILES = ['package-lock.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lockb', 'bun.lock'];

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

  constructor(scope: Construct, id: string, props: PlatformFunctionProps) {
    super(scope, id);
    const d = props.declaration;
    this.declaration = d;
    const layerPackages = [...new Set(props.layers.flatMap((l) => l.packageNames))];
    this.externalModules = d.bundleAwsSdk ? layerPackages : [...RUNTIME_PROVIDED_MODULES, ...layerPackages];
    warnOnShadowedPackages(this, props.layers);
    this.alarmNamePrefix = `${props.namePrefix}-${d.name}`;
    if (d.async?.deadLetterQueue) {
      this.functionDlq = new DeadLetterQueue(this, 'FunctionDlq', { role: 'function-dlq', alarmNamePrefix: `${this.alarmNamePrefix}-function-dlq` });
    }

    const lockFile = LOCK_FILES.map((f) => path.join(props.projectRoot, f)).find((f) => fs.existsSync(f));
    this.function = new NodejsFunction(this, 'Function', {
      entry: path.join(props.projectRoot, d.entry),
      // The project's own root and lock file, wherever synth runs from (CDK's default searches from the working directory).
      ...(lockFile ? { projectRoot: props.projectRoot, depsLockFilePath: lockFile } : {}),
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
          perExecutionEnvironmentMaxConcurrency: d.instances.perInstanceConcurrency,
        },
      };
    }
    Tags.of(this.function).add('faas:function', d.name);

    ({ published: this.published, release: this.release, live: this.live, preview: this.preview, alarms: this.alarms, warm: this.warm } =
      addFunctionRelease(this, { function: this.function, name: d.name, release: d.release, alarms: d.alarms, timeoutSeconds: d.timeoutSeconds, warm: d.warm, namePrefix: props.namePrefix }));
    if (d.queue) {
      this.queueBuffer = new QueueBuffer(this, 'Queue', {
        function: this.function,
        alias: this.live,
        declaration: d.queue,
        timeoutSeconds: d.timeoutSeconds,
        alarmNamePrefix: this.alarmNamePrefix,
      });
    }

    acknowledgeFunctionRole(this.function);
    const dlqReason = dlqAcknowledgement(d);
    if (dlqReason) Validations.of(this.function).acknowledge({ id: 'Serverless-LambdaDLQ', reason: dlqReason });
  }

  /**
   * Second phase, once every function of the stack exists: asynchronous invocation settings
   * (a destination may be another function's live alias) and the triggers that use them.
   */
  connectEvents(functionDestination: (name: string) => DestinationFunction): void {
    const d = this.declaration;
    if (d.async) {
      this.asyncInvocation = new AsyncInvocation(this, 'Async', {
        alias: this.live,
        declaration: d.async,
        alarmNamePrefix: this.alarmNamePrefix,
        functionDestination,
      });
    }
    if (d.triggers?.s3) {
      this.objectTrigger = new ObjectTrigger(this, 'ObjectTrigger', { functionName: d.name, function: this.function, alias: this.live, declaration: d.triggers.s3 });
    }
    if (d.triggers && d.triggers.schedules.length > 0) {
      const failures = this.asyncInvocation?.failureQueue?.queue;
      this.schedules = new ScheduleTriggers(this, 'Schedules', {
        alias: this.live,
        functionName: d.name,
        schedules: d.triggers.schedules,
        deadLetterQueue: failures,
        noDeadLetterReason: failures
          ? undefined
          : `onFailure is declared as "${d.async?.onFailure.kind}", not a platform queue; events EventBridge cannot hand to Lambda show in the rule's FailedInvocations metric.`,
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

/** Why a function without DeadLetterConfig loses nothing, by how it is invoked; undefined when it has one. */
function dlqAcknowledgement(d: ResolvedFunction): string | undefined {
  if (d.async?.deadLetterQueue) return undefined;
  if (d.async?.onFailure.kind === 'none') return `Declared onFailure none and no deadLetterQueue: ${d.async.onFailure.reason}`;
  if (isEventInvoked(d)) {
    return 'Asynchronous invocations of the live alias end in its on-failure destination (EventInvokeConfig), which carries the error with the event; a function DLQ would get the payload only. async.deadLetterQueue adds one.';
  }
  if (d.queue) {
    return 'Invoked synchronously by its SQS event source mapping: a failed message stays in the queue and moves to the queue\'s redrive DLQ after maxReceiveCount receives.';
  }
  return 'Invoked synchronously (API Gateway, direct invoke): the caller receives every failure, so there is nothing to dead-letter.';
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
