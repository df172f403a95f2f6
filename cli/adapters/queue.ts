/**
 * A function's dead-letter queue, over @aws-sdk/client-sqs: depth, a peek that leaves the
 * messages in place, and a redrive through SQS's own message move task.
 */
import {
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  StartMessageMoveTaskCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { awsFailure } from './failures';

export interface QueueDepth {
  readonly arn: string;
  readonly visible: number;
  readonly inFlight: number;
}

export interface PeekedMessage {
  readonly id: string;
  readonly body: string;
  readonly sentAt?: string;
  readonly receiveCount?: number;
  readonly attributes: Record<string, string>;
}

export interface MoveTask {
  readonly handle?: string;
  readonly status: string;
  readonly moved: number;
  readonly toMove?: number;
  readonly failureReason?: string;
}

export class QueueAdapter {
  constructor(private readonly client: SQSClient) {}

  async depth(queueUrl: string): Promise<QueueDepth> {
    try {
      const { Attributes: a = {} } = await this.client.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['QueueArn', 'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return {
        arn: a.QueueArn ?? '',
        visible: Number(a.ApproximateNumberOfMessages ?? 0),
        inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
      };
    } catch (error) {
      throw awsFailure(`GetQueueAttributes ${queueUrl}`, error);
    }
  }

  /**
   * Reads up to `max` messages with a visibility timeout of 0, so they stay available and nothing
   * is deleted (each read does count as a receive in ApproximateReceiveCount).
   */
  async peek(queueUrl: string, max: number): Promise<PeekedMessage[]> {
    try {
      const { Messages = [] } = await this.client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(Math.max(max, 1), 10),
          VisibilityTimeout: 0,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      return Messages.map((m) => ({
        id: m.MessageId ?? '',
        body: m.Body ?? '',
        sentAt: m.Attributes?.SentTimestamp ? new Date(Number(m.Attributes.SentTimestamp)).toISOString() : undefined,
        receiveCount: m.Attributes?.ApproximateReceiveCount ? Number(m.Attributes.ApproximateReceiveCount) : undefined,
        attributes: Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? `<${v.DataType}>`])),
      }));
    } catch (error) {
      throw awsFailure(`ReceiveMessage ${queueUrl}`, error);
    }
  }

  /** Moves the DLQ's messages back to their source queue(s); returns the task handle. */
  async startRedrive(dlqArn: string, maxPerSecond?: number): Promise<string> {
    try {
      const task = await this.client.send(
        new StartMessageMoveTaskCommand({ SourceArn: dlqArn, MaxNumberOfMessagesPerSecond: maxPerSecond }),
      );
      return task.TaskHandle ?? '';
    } catch (error) {
      throw awsFailure(`StartMessageMoveTask ${dlqArn}`, error);
    }
  }

  /** The newest move task from this DLQ (ListMessageMoveTasks lists newest first). */
  async redriveStatus(dlqArn: string, handle: string): Promise<MoveTask | undefined> {
    try {
      const { Results = [] } = await this.client.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn, MaxResults: 10 }));
      const task = Results.find((t) => t.TaskHandle === handle) ?? Results[0];
      if (!task) return undefined;
      return {
        handle: task.TaskHandle,
        status: task.Status ?? 'UNKNOWN',
        moved: task.ApproximateNumberOfMessagesMoved ?? 0,
        toMove: task.ApproximateNumberOfMessagesToMove,
        failureReason: task.FailureReason,
      };
    } catch (error) {
      throw awsFailure(`ListMessageMoveTasks ${dlqArn}`, error);
    }
  }
}
