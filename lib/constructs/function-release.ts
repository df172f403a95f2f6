/**
 * The release machinery every function gets, zip or container: the version this deploy
 * publishes, the `live` alias with its release mode, the `preview` alias on the newest version
 * (Knative's traffic tag), per-alias alarms and warm capacity.
 */
import { Validations } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Alias } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import type { ReleaseDeclaration, WarmDeclaration } from '../declaration/schema';
import { AliasAlarms } from './alias-alarms';
import { LIVE_ALIAS, LiveRelease } from './release';
import { WarmCapacity } from './warm-capacity';

export const PREVIEW_ALIAS = 'preview';

export interface FunctionReleaseProps {
  readonly function: lambda.Function;
  /** The declared name, for alarm names. */
  readonly name: string;
  readonly release: ReleaseDeclaration;
  readonly alarms: { readonly errors: number; readonly p99Ms?: number };
  readonly timeoutSeconds: number;
  /** @default - no provisioned concurrency */
  readonly warm?: WarmDeclaration;
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
  const release = new LiveRelease(scope, 'Live', { function: props.function, published, release: props.release });
  const live = release.alias;
  const preview = new Alias(scope, 'Preview', { aliasName: PREVIEW_ALIAS, version: published });
  const alarms = new AliasAlarms(scope, 'Alarms', {
    alias: live,
    namePrefix: `${props.namePrefix}-${props.name}-${LIVE_ALIAS}`,
    errorThreshold: props.alarms.errors,
    p99ThresholdMs: props.alarms.p99Ms ?? Math.round(props.timeoutSeconds * 1000 * 0.8),
  });
  release.watch(alarms.releaseAlarms);
  const warm = props.warm ? new WarmCapacity(scope, 'Warm', { alias: live, warm: props.warm }) : undefined;
  return { published, release, live, preview, alarms, warm };
}

/** The findings every platform function's role raises, acknowledged with their reasons. */
export function acknowledgeFunctionRole(fn: lambda.IFunction): void {
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: 'Function roles use AWSLambdaBasicExecutionRole, which only allows writing the function\'s own logs.',
  });
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'X-Ray tracing needs xray:PutTraceSegments/PutTelemetryRecords on "*" (X-Ray has no resource-level permissions).',
  });
}
