/**
 * The release machinery every function gets, zip or container: the version this deploy
 * publishes, the `live` alias with its release mode, the `preview` alias on the newest version
 * (Knative's traffic tag), per-alias alarms and warm capacity.
 */
import { Validations, type Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Alias } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { LIVE_ALIAS, PREVIEW_ALIAS } from '../contract';
import { AliasAlarms } from './alias-alarms';
import { LiveRelease, type LiveReleaseOptions } from './release';
import { WarmCapacity, type WarmCapacityOptions } from './warm-capacity';

/** The live alias's alarms. */
export interface ReleaseAlarmOptions {
  /** Errors within one minute that raise the errors alarm. */
  readonly errors: number;
  /**
   * p99 duration in milliseconds that raises the latency alarm.
   * @default - 80% of the function timeout
   */
  readonly p99Ms?: number;
}

/** What a function construct passes on to addFunctionRelease. */
export interface FunctionReleaseOptions {
  /** @default - alias mode with initial weight 0 */
  readonly release?: LiveReleaseOptions;
  readonly alarms: ReleaseAlarmOptions;
  /** @default - no provisioned concurrency */
  readonly warm?: WarmCapacityOptions;
}

export interface FunctionReleaseProps extends FunctionReleaseOptions {
  readonly function: lambda.Function;
  /** The declared name, for alarm names. */
  readonly name: string;
  /** The function's timeout: the default latency alarm is a share of it. */
  readonly timeout: Duration;
  /** e.g. "faas-dev": prefixes alarm names. */
  readonly namePrefix: string;
}

export interface FunctionRelease {
  readonly published: lambda.Version;
  readonly release: LiveRelease;
  readonly live: lambda.Alias;
  readonly preview: lambda.Alias;
  readonly alarms: AliasAlarms;
  readonly warm?: WarmCapacity;
}

/**
 * Adds the machinery directly in `scope` — its construct IDs (Live, Preview, Alarms, Warm) are
 * part of the deployed contract: renaming them would replace the aliases.
 */
export function addFunctionRelease(scope: Construct, props: FunctionReleaseProps): FunctionRelease {
  const published = props.function.currentVersion;
  const release = new LiveRelease(scope, 'Live', { function: props.function, published, release: props.release ?? {} });
  const live = release.alias;
  const preview = new Alias(scope, 'Preview', { aliasName: PREVIEW_ALIAS, version: published });
  const alarms = new AliasAlarms(scope, 'Alarms', {
    alias: live,
    namePrefix: `${props.namePrefix}-${props.name}-${LIVE_ALIAS}`,
    errorThreshold: props.alarms.errors,
    p99ThresholdMs: props.alarms.p99Ms ?? Math.round(props.timeout.toMilliseconds() * 0.8),
  });
  release.watch(alarms.releaseAlarms);
  const warm = props.warm ? new WarmCapacity(scope, 'Warm', { alias: live, ...props.warm }) : undefined;
  return { published, release, live, preview, alarms, warm };
}

/** The findings every platform function's role raises, acknowledged with their reasons. */
export function acknowledgeFunctionRole(fn: lambda.IFunction): void {
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: "Function roles use AWSLambdaBasicExecutionRole, which only allows writing the function's own logs.",
  });
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'X-Ray tracing needs xray:PutTraceSegments/PutTelemetryRecords on "*" (X-Ray has no resource-level permissions).',
  });
}
