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
import type { WarmDeclaration } from '../declaration/schema';
import { LiveAliasState } from './live-alias-state';

export interface WarmCapacityProps {
  readonly alias: lambda.Alias;
  readonly warm: WarmDeclaration;
}

export class WarmCapacity extends Construct {
  readonly scaling: lambda.IScalableFunctionAttribute;

  constructor(scope: Construct, id: string, props: WarmCapacityProps) {
    super(scope, id);
    const { warm } = props;
    this.scaling = props.alias.addAutoScaling({ minCapacity: warm.provisioned, maxCapacity: warm.max });
    this.scaling.scaleOnUtilization({ utilizationTarget: warm.utilizationTarget });
    for (const schedule of warm.schedules) {
      this.scaling.scaleOnSchedule(schedule.name, {
        schedule: appscaling.Schedule.expression(schedule.expression),
        minCapacity: schedule.minProvisioned,
        maxCapacity: schedule.maxProvisioned,
      });
    }
    // Alias mode only: under CodeDeploy there is no state resource (and no faas rollout to hold it).
    LiveAliasState.ofFunction(props.alias.version.lambda)?.declareWarmCapacity(warmFingerprintText(warm), this.scaling);
  }
}

/** Everything of `warm` that reaches the scalable target, in a fixed order. */
function warmFingerprintText(warm: WarmDeclaration): string {
  return JSON.stringify({
    provisioned: warm.provisioned,
    max: warm.max,
    utilizationTarget: warm.utilizationTarget,
    schedules: warm.schedules.map((s) => ({ name: s.name, expression: s.expression, min: s.minProvisioned, max: s.maxProvisioned })),
  });
}
