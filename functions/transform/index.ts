/**
 * ETL on object storage: an order written under the trigger prefix (FAAS_INPUT_PREFIX,
 * e.g. in/) is read with GetObject and its summary written with PutObject under
 * FAAS_OUTPUT_PREFIX (e.g. out/), same relative key. S3 invokes the live alias asynchronously:
 * a malformed object makes the invocation fail with an error naming the object and the reason,
 * Lambda retries it (async.retryAttempts) and then hands the event with that error to the
 * on-failure destination (by default the function's failure queue).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Event, S3EventRecord } from 'aws-lambda';
import { instrumented, logger, metrics, traced, tracer, type Annotations } from '../shared/powertools';
import { MalformedObjectError, parseOrder, summarise } from './order';

// GetObject and PutObject show as subsegments of the trace.
const s3 = tracer.captureAWSv3Client(new S3Client({}));

/** Larger objects are refused before they are read. */
export const MAX_OBJECT_BYTES = 5 * 1024 * 1024;

export interface Written {
  readonly bucket: string;
  readonly key: string;
}

export const handler = instrumented(async (event: S3Event): Promise<Written[]> => {
  const inputPrefix = process.env.FAAS_INPUT_PREFIX ?? '';
  const outputPrefix = process.env.FAAS_OUTPUT_PREFIX;
  if (outputPrefix === undefined || outputPrefix === '') {
    throw new Error('FAAS_OUTPUT_PREFIX is not set: declare triggers.s3.outputPrefix for this function');
  }
  const written: Written[] = [];
  for (const record of event.Records) {
    const result = await traced('## object', (annotate) => transform(record, inputPrefix, outputPrefix, annotate));
    if (result) written.push(result);
  }
  return written;
});

async function transform(
  record: S3EventRecord,
  inputPrefix: string,
  outputPrefix: string,
  annotate: (annotations: Annotations) => void,
): Promise<Written | undefined> {
  const bucket = record.s3.bucket.name;
  // Keys arrive URL-encoded, with "+" for spaces.
  const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
  const source = `s3://${bucket}/${key}`;
  annotate({ Bucket: bucket, ObjectKey: key });
  if (key.startsWith(outputPrefix)) {
    // Never transform our own output (the declaration forbids overlapping prefixes; this is the belt).
    logger.warn('skipping an object under the output prefix', { source });
    return undefined;
  }
  try {
    const size = record.s3.object.size ?? 0;
    if (size > MAX_OBJECT_BYTES) throw new MalformedObjectError(`object is ${size} bytes, above the ${MAX_OBJECT_BYTES}-byte limit`);
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const text = (await object.Body?.transformToString('utf-8')) ?? '';
    const summary = summarise(parseOrder(text), source);
    const outputKey = `${outputPrefix}${key.startsWith(inputPrefix) ? key.slice(inputPrefix.length) : key}`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: outputKey, Body: JSON.stringify(summary), ContentType: 'application/json' }));
    annotate({ OrderId: summary.orderId });
    logger.info('order summarised', { source, output: `s3://${bucket}/${outputKey}`, orderId: summary.orderId, total: summary.total });
    metrics.addMetric('ObjectsTransformed', MetricUnit.Count, 1);
    return { bucket, key: outputKey };
  } catch (error) {
    if (error instanceof MalformedObjectError) {
      metrics.addMetric('MalformedObjects', MetricUnit.Count, 1);
      // The message is what the on-failure record carries (responsePayload.errorMessage).
      throw new MalformedObjectError(`${source}: ${error.message}`);
    }
    throw error;
  }
}
