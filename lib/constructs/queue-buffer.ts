/**
 * Peak shaving: a work queue in front of the function. Callers enqueue through
 * `POST /<function>/jobs` (API Gateway → SQS, see HttpApi.addQueueRoute); an event source
 * mapping polls the queue into the live alias at a bounded concurrency; a record the handler
 * reports as failed comes back after its visibility timeout (the handler may stretch it for
 * backoff) and, after maxReceiveCount receives, SQS moves it to the dead-letter queue.
 */
import { Validations, type Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MAX_RECEIVE_COUNT_ENV, QUEUE_URL_ENV } from '../contract';
import { DeadLetterQueue } from './dead-letter-queue';
import { QueueAlarms } from './queue-alarms';

/** The work queue and how it is polled. */
export interface QueueBufferOptions {
  /** How long a received message stays hidden; a failed one comes back after it. */
  readonly visibilityTimeout: Duration;
  readonly retentionPeriod: Duration;
  /**
   * The job body limit: SQS refuses a larger message.
   * @default - SQS's default (1 MiB)
   */
  readonly maxMessageSizeBytes?: number;
  /** Receives before SQS moves a message to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** Age of the oldest message, in seconds, that raises the queue's age alarm. */
  readonly ageAlarmSeconds: number;
  readonly batchSize: number;
  /** @default - no batching window */
  readonly maxBatchingWindow?: Duration;
  /** @default - Lambda's default (no limit below the function's concurrency) */
  readonly maxConcurrency?: number;
}

export interface QueueBufferProps extends QueueBufferOptions {
  /** The function whose environment gets the queue URL. */
  readonly function: lambda.Function;
  /** The alias the queue is polled into (live). */
  readonly alias: lambda.IFunction;
  /** Prefix of the alarm names, e.g. "faas-dev-worker". */
  readonly alarmNamePrefix: string;
}

export class QueueBuffer extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetter: DeadLetterQueue;
  readonly mapping: lambda.EventSourceMapping;
  readonly alarms: QueueAlarms;

  constructor(scope: Construct, id: string, props: QueueBufferProps) {
    super(scope, id);
    this.deadLetter = new DeadLetterQueue(this, 'DeadLetter', { role: 'redrive', alarmNamePrefix: `${props.alarmNamePrefix}-dlq` });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: props.visibilityTimeout,
      retentionPeriod: props.retentionPeriod,
      // The job body limit: SQS refuses a larger message, which the jobs route answers with 400.
      maxMessageSizeBytes: props.maxMessageSizeBytes,
      deadLetterQueue: { queue: this.deadLetter.queue, maxReceiveCount: props.maxReceiveCount },
    });
    this.alarms = new QueueAlarms(this, 'Alarms', {
      queue: this.queue,
      namePrefix: `${props.alarmNamePrefix}-queue`,
      ageThresholdSeconds: props.ageAlarmSeconds,
    });

    // On the alias, never $LATEST: queued work is done by the released version(s).
    this.mapping = new lambda.EventSourceMapping(this, 'Poller', {
      target: props.alias,
      eventSourceArn: this.queue.queueArn,
      batchSize: props.batchSize,
      maxBatchingWindow: props.maxBatchingWindow,
      maxConcurrency: props.maxConcurrency,
      reportBatchItemFailures: true,
    });
    // Receive, delete and change visibility (the handler's backoff) on this queue only.
    this.queue.grantConsumeMessages(props.alias);
    props.function.addEnvironment(QUEUE_URL_ENV, this.queue.queueUrl);
    props.function.addEnvironment(MAX_RECEIVE_COUNT_ENV, String(props.maxReceiveCount));

    Validations.of(this.mapping).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        "SQS event source mappings take no OnFailure destination (Lambda offers them for streams and Kafka); the queue's " +
        'RedrivePolicy moves a message to its DLQ after maxReceiveCount receives.',
    });
  }

  /** Alarm names of the work queue and its DLQ. */
  get alarmNames(): string[] {
    return [...this.alarms.names, ...this.deadLetter.alarms.names];
  }
}
