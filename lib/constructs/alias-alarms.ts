/**
 * Per-alias alarms with stable names: the `faas` CLI's alarm gates and CodeDeploy's
 * automatic rollback watch these, so their names are part of the platform's contract.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

export interface AliasAlarmsProps {
  readonly alias: lambda.Alias;
  /** Prefix of every alarm name, e.g. "faas-dev-hello-live". */
  readonly namePrefix: string;
  /** Errors per minute that alarm. */
  readonly errorThreshold: number;
  /** p99 duration in ms that alarms. */
  readonly p99ThresholdMs: number;
}

export class AliasAlarms extends Construct {
  readonly errors: cloudwatch.Alarm;
  readonly throttles: cloudwatch.Alarm;
  readonly p99Duration: cloudwatch.Alarm;
  /** The alarm names as plain strings (errors, throttles, p99 duration): stable across deploys. */
  readonly names: readonly string[];

  constructor(scope: Construct, id: string, props: AliasAlarmsProps) {
    super(scope, id);
    const { alias, namePrefix } = props;
    const period = Duration.minutes(1);
    this.names = ['errors', 'throttles', 'p99-duration'].map((kind) => `${namePrefix}-${kind}`);
    this.errors = alias.metricErrors({ period, statistic: cloudwatch.Stats.SUM }).createAlarm(this, 'Errors', {
      alarmName: `${namePrefix}-errors`,
      alarmDescription: `Errors on ${namePrefix}: at least ${props.errorThreshold} in a minute`,
      threshold: props.errorThreshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.throttles = alias.metricThrottles({ period, statistic: cloudwatch.Stats.SUM }).createAlarm(this, 'Throttles', {
      alarmName: `${namePrefix}-throttles`,
      alarmDescription: `Throttled invocations on ${namePrefix}`,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.p99Duration = alias.metricDuration({ period, statistic: cloudwatch.Stats.p(99) }).createAlarm(this, 'P99Duration', {
      alarmName: `${namePrefix}-p99-duration`,
      alarmDescription: `p99 duration on ${namePrefix} at or above ${props.p99ThresholdMs} ms for 3 of 5 minutes`,
      threshold: props.p99ThresholdMs,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /** Alarms that should stop a release. */
  get releaseAlarms(): cloudwatch.IAlarm[] {
    return [this.errors, this.p99Duration];
  }
}
