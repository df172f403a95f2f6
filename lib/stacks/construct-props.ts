/**
 * The resolved declaration as construct props: the one module that knows both. Constructs take
 * Duration, lambda and events types; the declaration's seconds, names and flags become those
 * here, and the defaults that depend on more than one declared field are applied here too.
 * (route-auth.ts next to this file does the same for a route's auth.)
 */
import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  defaultVisibilityTimeout,
  isEventInvoked,
  type AsyncDeclaration,
  type ObjectTriggerDeclaration,
  type QueueDeclaration,
} from '../declaration/async';
import { basePathsOf, type ResolvedContainer } from '../declaration/container';
import type { CodeDeployConfigName, ReleaseDeclaration, ResolvedFunction, WarmDeclaration } from '../declaration/schema';
import type { AsyncInvocationOptions } from '../constructs/async-invocation';
import type { ContainerFunctionProps } from '../constructs/container-function';
import type { FunctionReleaseOptions } from '../constructs/function-release';
import type { PlatformFunctionProps } from '../constructs/platform-function';
import type { QueueBufferOptions } from '../constructs/queue-buffer';
import type { LiveReleaseOptions } from '../constructs/release';
import type { SharedLayer } from '../constructs/shared-layer';
import type { ObjectTriggerOptions } from '../constructs/triggers';
import type { WarmCapacityOptions } from '../constructs/warm-capacity';

/** What a function stack adds to a declaration to build its construct. */
export interface BuildContext {
  /** Absolute project root; entries and container folders are relative to it. */
  readonly projectRoot: string;
  /** e.g. "faas-dev": prefixes alarm names. */
  readonly namePrefix: string;
}

export function platformFunctionProps(d: ResolvedFunction, layers: readonly SharedLayer[], context: BuildContext): PlatformFunctionProps {
  return {
    name: d.name,
    entry: path.join(context.projectRoot, d.entry),
    handler: d.handler,
    layers,
    projectRoot: context.projectRoot,
    namePrefix: context.namePrefix,
    memorySize: d.memoryMB,
    timeout: Duration.seconds(d.timeoutSeconds),
    environment: d.environment,
    reservedConcurrentExecutions: d.reservedConcurrency,
    tracing: tracing(d.tracing),
    bundleAwsSdk: d.bundleAwsSdk === true,
    instances: d.instances && {
      capacityProviderArn: d.instances.capacityProviderArn,
      perExecutionEnvironmentMaxConcurrency: d.instances.perInstanceConcurrency,
    },
    ...releaseOptions(d),
    queue: d.queue && queueOptions(d.queue, d.timeoutSeconds),
    deadLetterQueue: d.async?.deadLetterQueue === true,
    async: d.async && asyncOptions(d.async),
    objectTrigger: d.triggers?.s3 && objectTriggerOptions(d.triggers.s3),
    schedules: d.triggers?.schedules.map((s) => ({
      name: s.name,
      schedule: events.Schedule.expression(s.expression),
      input: s.input === undefined ? undefined : events.RuleTargetInput.fromObject(s.input),
    })),
    noDeadLetterQueueReason: noDeadLetterQueueReason(d),
  };
}

export function containerFunctionProps(d: ResolvedContainer, context: BuildContext): ContainerFunctionProps {
  return {
    name: d.name,
    directory: path.join(context.projectRoot, d.directory),
    projectRoot: context.projectRoot,
    namePrefix: context.namePrefix,
    port: d.port,
    healthPath: d.healthPath,
    basePaths: basePathsOf(d.routes),
    bundleEntry: d.bundle?.entry,
    command: d.command,
    args: d.args,
    memorySize: d.memoryMB,
    timeout: Duration.seconds(d.timeoutSeconds),
    environment: d.environment,
    bucketEnvironmentVariable: d.bucket?.environmentVariable,
    reservedConcurrentExecutions: d.reservedConcurrency,
    tracing: tracing(d.tracing),
    ...releaseOptions(d),
  };
}

function tracing(enabled: boolean): lambda.Tracing {
  return enabled ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED;
}

type ReleaseDeclarations = Pick<ResolvedFunction & ResolvedContainer, 'release' | 'alarms' | 'warm'>;

function releaseOptions(d: ReleaseDeclarations): FunctionReleaseOptions {
  return {
    release: liveReleaseOptions(d.release),
    alarms: { errors: d.alarms.errors, p99Ms: d.alarms.p99Ms },
    warm: d.warm && warmOptions(d.warm),
  };
}

export function liveReleaseOptions(r: ReleaseDeclaration): LiveReleaseOptions {
  return r.mode === 'codedeploy' ? { deploymentConfig: codeDeployConfig(r.deploymentConfig) } : { initialWeight: r.initialWeight };
}

export function warmOptions(w: WarmDeclaration): WarmCapacityOptions {
  return {
    minCapacity: w.provisioned,
    maxCapacity: w.max,
    utilizationTarget: w.utilizationTarget,
    schedules: w.schedules.map((s) => ({
      name: s.name,
      schedule: appscaling.Schedule.expression(s.expression),
      minCapacity: s.minProvisioned,
      maxCapacity: s.maxProvisioned,
    })),
  };
}

export function queueOptions(q: QueueDeclaration, timeoutSeconds: number): QueueBufferOptions {
  return {
    visibilityTimeout: Duration.seconds(q.visibilityTimeoutSeconds ?? defaultVisibilityTimeout(timeoutSeconds, q)),
    retentionPeriod: Duration.days(q.retentionDays),
    maxMessageSizeBytes: q.maxBodyBytes,
    maxReceiveCount: q.maxReceiveCount,
    ageAlarmSeconds: q.ageAlarmSeconds,
    batchSize: q.batchSize,
    maxBatchingWindow: q.maxBatchingWindowSeconds > 0 ? Duration.seconds(q.maxBatchingWindowSeconds) : undefined,
    maxConcurrency: q.maxConcurrency,
  };
}

function asyncOptions(a: AsyncDeclaration): AsyncInvocationOptions {
  return {
    retryAttempts: a.retryAttempts,
    maxEventAge: Duration.seconds(a.maxEventAgeSeconds),
    onSuccess: a.onSuccess,
    onFailure: a.onFailure,
  };
}

function objectTriggerOptions(s3: ObjectTriggerDeclaration): ObjectTriggerOptions {
  return { prefix: s3.prefix, suffix: s3.suffix, outputPrefix: s3.outputPrefix };
}

function codeDeployConfig(name: CodeDeployConfigName): codedeploy.ILambdaDeploymentConfig {
  const C = codedeploy.LambdaDeploymentConfig;
  const configs: Record<CodeDeployConfigName, codedeploy.ILambdaDeploymentConfig> = {
    'canary-10-5m': C.CANARY_10PERCENT_5MINUTES,
    'canary-10-10m': C.CANARY_10PERCENT_10MINUTES,
    'canary-10-15m': C.CANARY_10PERCENT_15MINUTES,
    'canary-10-30m': C.CANARY_10PERCENT_30MINUTES,
    'linear-10-1m': C.LINEAR_10PERCENT_EVERY_1MINUTE,
    'linear-10-2m': C.LINEAR_10PERCENT_EVERY_2MINUTES,
    'linear-10-3m': C.LINEAR_10PERCENT_EVERY_3MINUTES,
    'linear-10-10m': C.LINEAR_10PERCENT_EVERY_10MINUTES,
    'all-at-once': C.ALL_AT_ONCE,
  };
  return configs[name];
}

/** Why a function without DeadLetterConfig loses nothing, by how it is invoked; undefined when it has one. */
function noDeadLetterQueueReason(d: ResolvedFunction): string | undefined {
  if (d.async?.deadLetterQueue) return undefined;
  if (d.async?.onFailure.kind === 'none') return `Declared onFailure none and no deadLetterQueue: ${d.async.onFailure.reason}`;
  if (isEventInvoked(d)) {
    return (
      'Asynchronous invocations of the live alias end in its on-failure destination (EventInvokeConfig), which carries the ' +
      'error with the event; a function DLQ would get the payload only. async.deadLetterQueue adds one.'
    );
  }
  if (d.queue) {
    return (
      'Invoked synchronously by its SQS event source mapping: a failed message stays in the queue ' +
      "and moves to the queue's redrive DLQ after maxReceiveCount receives."
    );
  }
  return 'Invoked synchronously (API Gateway, direct invoke): the caller receives every failure, ' + 'so there is nothing to dead-letter.';
}
