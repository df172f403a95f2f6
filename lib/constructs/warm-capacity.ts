/**
 * Warm instances (FC's reserved instances) as provisioned concurrency on the live alias,
 * managed only through Application Auto Scaling: a utilization target plus schedules for
 * predictable peaks.
 *
 * Why not the alias's ProvisionedConcurrencyConfig: Lambda refuses to change provisioned
 * concurrency settings on an alias while it has a routing config (a canary in flight),
 * which is how SAM deploys fail (serverless-application-model#1296). The alias resource
 * here never carries PC; the scalable target is a separate resource. During a canary the
 * `faas` CLI holds it (scaling suspended, docs/architecture.md), and a deploy that would change
 * it is refused by the live alias's state resource before it gets here (lib/release/warm-guard.ts).
 */
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { LiveAliasState } from './live-alias-state';

/** A predictable peak: the scaling bounds from a point in time on. */
export interface WarmSchedule {
  /** Unique per function; names the scheduled action. */
  readonly name: string;
  readonly schedule: appscaling.Schedule;
  readonly minCapacity: number;
  readonly maxCapacity: number;
}

export interface WarmCapacityOptions {
  /** Provisioned instances outside any schedule; the scaling minimum. */
  readonly minCapacity: number;
  /** Upper bound for utilization scaling. */
  readonly maxCapacity: number;
  /** Share of provisioned concurrency in use above which scaling adds instances, 0.1-0.9. */
  readonly utilizationTarget: number;
  /** @default - no schedules */
  readonly schedules?: readonly WarmSchedule[];
}

export interface WarmCapacityProps extends WarmCapacityOptions {
  readonly alias: lambda.Alias;
}

export class WarmCapacity extends Construct {
  readonly scaling: lambda.IScalableFunctionAttribute;

  constructor(scope: Construct, id: string, props: WarmCapacityProps) {
    super(scope, id);
    this.scaling = props.alias.addAutoScaling({ minCapacity: props.minCapacity, maxCapacity: props.maxCapacity });
    this.scaling.scaleOnUtilization({ utilizationTarget: props.utilizationTarget });
    for (const s of props.schedules ?? []) {
      this.scaling.scaleOnSchedule(s.name, { schedule: s.schedule, minCapacity: s.minCapacity, maxCapacity: s.maxCapacity });
    }
    // Alias mode only: under CodeDeploy there is no state resource (and no faas rollout to hold it).
    LiveAliasState.ofFunction(props.alias.version.lambda)?.declareWarmCapacity(warmFingerprintText(props), this.scaling);
  }
}

/**
 * Everything that reaches the scalable target, in a fixed order. The keys are those of the
 * declaration's `warm` because deployed state resources hold this text: new keys would read as a change.
 */
function warmFingerprintText(warm: WarmCapacityOptions): string {
  return JSON.stringify({
    provisioned: warm.minCapacity,
    max: warm.maxCapacity,
    utilizationTarget: warm.utilizationTarget,
    schedules: (warm.schedules ?? []).map((s) => ({
      name: s.name,
      expression: s.schedule.expressionString,
      min: s.minCapacity,
      max: s.maxCapacity,
    })),
  });
}
