/**
 * Alarms on a queue the platform created, with stable names (like the alias alarms):
 * a dead-letter queue alarms as soon as it holds a message, and every queue alarms when its
 * oldest message waits too long — a backlog on a work queue, messages near expiry on a DLQ.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface QueueAlarmsProps {
  readonly queue: sqs.IQueue;
  /** Prefix of the alarm names, e.g. "faas-dev-worker-dlq". */
  readonly namePrefix: string;
  /** Age of the oldest message, in seconds, that alarms. */
  readonly ageThresholdSeconds: number;
  /**
   * Alarm as soon as one message is visible (for dead-letter and failure queues).
   * @default false
   */
  readonly alarmWhenNotEmpty?: boolean;
}

export class QueueAlarms extends Construct {
  readonly age: cloudwatch.Alarm;
  readonly notEmpty?: cloudwatch.Alarm;
  /** Alarm names as plain strings: stable across deploys. */
  readonly names: readonly string[];

  constructor(scope: Construct, id: string, props: QueueAlarmsProps) {
    super(scope, id);
    const { queue, namePrefix } = props;
    const period = Duration.minutes(1);
    if (props.alarmWhenNotEmpty) {
      this.notEmpty = queue
        .metricApproximateNumberOfMessagesVisible({ period, statistic: cloudwatch.Stats.MAXIMUM })
        .createAlarm(this, 'NotEmpty', {
          alarmName: `${namePrefix}-not-empty`,
          alarmDescription: `${namePrefix} holds messages that failed: inspect them with \`faas dlq peek\``,
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
    }
    this.age = queue.metricApproximateAgeOfOldestMessage({ period, statistic: cloudwatch.Stats.MAXIMUM }).createAlarm(this, 'Age', {
      alarmName: `${namePrefix}-age`,
      alarmDescription: `Oldest message in ${namePrefix} is at least ${props.ageThresholdSeconds} s old (3 of 5 minutes)`,
      threshold: props.ageThresholdSeconds,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.names = [...(this.notEmpty ? [`${namePrefix}-not-empty`] : []), `${namePrefix}-age`];
  }
}
