/**
 * Warm instances (FC's reserved instances) as provisioned concurrency on the live alias,
 * managed only through Application Auto Scaling: a utilization target plus schedules for
 * predictable peaks.
 *
 * Why not the alias's ProvisionedConcurrencyConfig: Lambda refuses to change provisioned
 * concurrency settings on an alias while it has a routing config (a canary in flight),
 * which is how SAM deploys fail (serverless-application-model#1296). The alias resource
 * here never carries PC, so a deploy during a canary cannot hit that error; the scalable
 * target is a separate resource that CloudFormation updates on its own.
 */
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { WarmDeclaration } from '../declaration/schema';

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
  }
}
