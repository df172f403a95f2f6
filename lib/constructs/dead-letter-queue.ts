/**
 * A terminal queue for what could not be processed: the redrive DLQ of a work queue, the
 * on-failure destination of the live alias, or a function's DeadLetterConfig. Encrypted
 * (SQS-managed SSE), TLS-only, keeps messages 14 days, and alarms when it is not empty and
 * when its oldest message nears expiry.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { QueueAlarms } from './queue-alarms';

/** Alarm on the oldest message this long before SQS would drop it. */
const EXPIRY_WARNING_DAYS = 4;

/** What fills the queue; the cdk-nag acknowledgements depend on it. */
export type DeadLetterRole =
  /** SQS moves messages here after maxReceiveCount (RedrivePolicy of the work queue). */
  | 'redrive'
  /** Lambda sends the invocation record here (EventInvokeConfig OnFailure of the live alias). */
  | 'on-failure'
  /** Lambda sends the event here (the function's DeadLetterConfig). */
  | 'function-dlq';

export interface DeadLetterQueueProps {
  readonly role: DeadLetterRole;
  /** Prefix of the alarm names, e.g. "faas-dev-worker-dlq". */
  readonly alarmNamePrefix: string;
  /**
   * How long a message stays; the expiry alarm fires 4 days before.
   * @default Duration.days(14) - SQS's maximum, the longest time to redrive
   */
  readonly retentionPeriod?: Duration;
}

export class DeadLetterQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly alarms: QueueAlarms;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    const retention = props.retentionPeriod ?? Duration.days(14);
    this.queue = new sqs.Queue(this, 'Queue', {
      // SQS-managed keys: API Gateway, Lambda and SQS itself write here without KMS grants.
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: retention,
    });
    this.alarms = new QueueAlarms(this, 'Alarms', {
      queue: this.queue,
      namePrefix: props.alarmNamePrefix,
      alarmWhenNotEmpty: true,
      ageThresholdSeconds: retention.minus(Duration.days(EXPIRY_WARNING_DAYS)).toSeconds(),
    });

    Validations.of(this.queue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        'A terminal queue for failed work: it is where redrive ends, so it has no dead-letter queue of its own (messages leave ' +
        'it by `faas dlq redrive` or expiry).',
    });
    if (props.role === 'on-failure') {
      // cdk-nag recognises redrive DLQs and function DLQs, not EventInvokeConfig destinations.
      Validations.of(this.queue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason:
          'This queue is a dead-letter queue: the on-failure destination of the live alias (EventInvokeConfig), which cdk-nag ' +
          'does not recognise as one.',
      });
    }
  }
}
