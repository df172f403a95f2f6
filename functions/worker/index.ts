/**
 * Jobs from `POST /worker/jobs`, in batches from the worker's queue (Powertools batch
 * processing, partial batch responses). A job that fails is listed in batchItemFailures, so
 * only it comes back, and is hidden for an exponentially growing, jittered delay
 * (ChangeMessageVisibility, by its ApproximateReceiveCount). On its last allowed receive it is
 * released at once, so SQS moves it to the dead-letter queue without waiting.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { instrumented, logger, metrics, traced, tracer } from '../shared/powertools';
import { backoffSeconds, type BackoffPolicy } from './backoff';
import { parseJob, runJob } from './job';

// ChangeMessageVisibility calls show as subsegments of the trace.
const sqs = tracer.captureAWSv3Client(new SQSClient({}));
const processor = new BatchProcessor(EventType.SQS);

interface Settings {
  /** Set by the platform for queue functions. */
  readonly queueUrl: string;
  readonly maxReceiveCount: number;
  readonly backoff: BackoffPolicy;
}

function settings(env: NodeJS.ProcessEnv): Settings {
  const number = (name: string, fallback: number) => {
    const value = Number(env[name] ?? fallback);
    return Number.isFinite(value) && value >= 0 ? value : fallback;
  };
  return {
    queueUrl: env.FAAS_QUEUE_URL ?? '',
    maxReceiveCount: number('FAAS_MAX_RECEIVE_COUNT', 5),
    backoff: { baseSeconds: number('BACKOFF_BASE_SECONDS', 10), maxSeconds: number('BACKOFF_MAX_SECONDS', 900) },
  };
}

// One subsegment per job, found by its JobId or Action (or by MessageId when the body is not a job).
const recordHandler = (record: SQSRecord): Promise<void> =>
  traced('## job', (annotate) => {
    const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1;
    annotate({ MessageId: record.messageId, ReceiveCount: receiveCount });
    try {
      const job = parseJob(record.body);
      annotate({ JobId: job.id, Action: job.action });
      const done = runJob(job);
      logger.info('job done', { jobId: done.id, action: done.action, result: done.result, messageId: record.messageId });
      metrics.addMetric('JobsDone', MetricUnit.Count, 1);
    } catch (error) {
      logger.warn('job failed', { messageId: record.messageId, reason: (error as Error).message });
      throw error;
    }
  });

export const handler = instrumented(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  const config = settings(process.env);
  tracer.putAnnotation('BatchSize', event.Records.length);
  // Failed records are answered, not thrown: a full-batch failure still gets its backoff.
  const response = await processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false });
  const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  const failedRecords = event.Records.filter((r) => failed.has(r.messageId));
  tracer.putAnnotation('FailedJobs', failedRecords.length);
  if (failedRecords.length > 0) {
    metrics.addMetric('JobsFailed', MetricUnit.Count, failedRecords.length);
    await Promise.all(failedRecords.map((record) => delayRetry(record, config)));
  }
  return response;
});

async function delayRetry(record: SQSRecord, config: Settings): Promise<void> {
  const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1;
  const last = receiveCount >= config.maxReceiveCount;
  const delay = last ? 0 : backoffSeconds(receiveCount, config.backoff);
  logger.info(last ? 'last receive: releasing the job to the dead-letter queue' : 'retrying the job later', {
    messageId: record.messageId,
    receiveCount,
    delaySeconds: delay,
  });
  try {
    await sqs.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: config.queueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: delay }),
    );
  } catch (error) {
    // Not fatal: the message still comes back after the queue's own visibility timeout.
    logger.error('could not change message visibility', { messageId: record.messageId, error: error as Error });
  }
}
