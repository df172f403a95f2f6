import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { backoffSeconds } from '../../../functions/worker/backoff';
import { handler } from '../../../functions/worker';
import { parseJob, runJob } from '../../../functions/worker/job';

const sqsMock = mockClient(SQSClient);
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/worker-jobs';
const context = {
  functionVersion: '3',
  functionName: 'worker',
  awsRequestId: 'req-1',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:worker:live',
} as unknown as Context;

function record(id: string, body: unknown, receiveCount = 1): SQSRecord {
  return {
    messageId: id,
    receiptHandle: `handle-${id}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: '1700000000000',
      SenderId: 'api',
      ApproximateFirstReceiveTimestamp: '1700000000001',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:worker-jobs',
    awsRegion: 'eu-west-1',
  };
}

const job = (id: string) => ({ id, action: 'uppercase', text: `job ${id}` });
const visibilityCalls = () =>
  sqsMock
    .commandCalls(ChangeMessageVisibilityCommand)
    .map((c) => ({ handle: c.args[0].input.ReceiptHandle, delay: c.args[0].input.VisibilityTimeout }));

beforeAll(() => {
  // Powertools metrics print EMF and the logger prints JSON to stdout; keep test output readable.
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
});

beforeEach(() => {
  sqsMock.reset();
  sqsMock.on(ChangeMessageVisibilityCommand).resolves({});
  process.env.FAAS_QUEUE_URL = QUEUE_URL;
  process.env.FAAS_MAX_RECEIVE_COUNT = '5';
  process.env.BACKOFF_BASE_SECONDS = '10';
  process.env.BACKOFF_MAX_SECONDS = '900';
});

describe('worker handler', () => {
  test('a batch of 5 with 2 failing reports exactly those 2 and hides them for growing delays', async () => {
    // GIVEN 5 jobs; m2 is not JSON (first receive), m4 has an unknown action (third receive)
    const event: SQSEvent = {
      Records: [
        record('m1', job('a')),
        record('m2', 'not json', 1),
        record('m3', job('c')),
        record('m4', { id: 'd', action: 'explode', text: '' }, 3),
        record('m5', job('e')),
      ],
    };

    // WHEN
    const response = await handler(event, context);

    // THEN only the two failures come back
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }, { itemIdentifier: 'm4' }]);
    // AND each is hidden on the worker's queue for its backoff: the later the attempt, the longer
    const calls = visibilityCalls();
    expect(calls.map((c) => c.handle).sort()).toEqual(['handle-m2', 'handle-m4']);
    const delay = (handle: string) => calls.find((c) => c.handle === handle)!.delay!;
    expect(delay('handle-m2')).toBeGreaterThanOrEqual(5);
    expect(delay('handle-m2')).toBeLessThanOrEqual(10);
    expect(delay('handle-m4')).toBeGreaterThanOrEqual(20);
    expect(delay('handle-m4')).toBeLessThanOrEqual(40);
    expect(delay('handle-m4')).toBeGreaterThan(delay('handle-m2'));
    expect(sqsMock).toHaveReceivedCommandWith(ChangeMessageVisibilityCommand, { QueueUrl: QUEUE_URL });
  });

  test('the same failing job is hidden longer on every receive, then released at once on its last', async () => {
    // GIVEN a job that always fails, received 1, 2, 3, 4 and 5 times (maxReceiveCount 5)
    const delays: number[] = [];
    for (let receive = 1; receive <= 5; receive++) {
      sqsMock.resetHistory();

      // WHEN
      const response = await handler({ Records: [record('m1', 'not json', receive)] }, context);

      // THEN
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
      delays.push(visibilityCalls()[0].delay!);
    }
    const retries = delays.slice(0, 4);
    expect(retries).toEqual([...retries].sort((a, b) => a - b));
    expect(new Set(retries).size).toBe(4);
    // the 5th receive was the last: visibility 0, so SQS moves it to the DLQ on the next receive
    expect(delays[4]).toBe(0);
  });

  test('a batch that fails entirely is answered, not thrown, so every record still gets its backoff', async () => {
    const response = await handler({ Records: [record('m1', 'x'), record('m2', 'y')] }, context);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }, { itemIdentifier: 'm2' }]);
    expect(visibilityCalls()).toHaveLength(2);
  });

  test('a batch without failures changes no visibility', async () => {
    const response = await handler({ Records: [record('m1', job('a')), record('m2', job('b'))] }, context);
    expect(response.batchItemFailures).toEqual([]);
    expect(sqsMock).not.toHaveReceivedCommand(ChangeMessageVisibilityCommand);
  });

  test("a failed visibility change is logged, not fatal: the message returns after the queue's own timeout", async () => {
    sqsMock.on(ChangeMessageVisibilityCommand).rejects(new Error('ReceiptHandleIsInvalid'));
    const response = await handler({ Records: [record('m1', 'x')] }, context);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
  });
});

describe('backoff', () => {
  const policy = { baseSeconds: 10, maxSeconds: 900 };

  test.each([
    [1, 5, 10],
    [2, 10, 20],
    [3, 20, 40],
    [4, 40, 80],
    [8, 450, 900],
    [20, 450, 900],
  ])('receive %i waits between %i and %i seconds', (receive, low, high) => {
    expect(backoffSeconds(receive, policy, () => 0)).toBe(low);
    expect(backoffSeconds(receive, policy, () => 1)).toBe(high);
  });

  test('never exceeds what SQS allows', () => {
    expect(backoffSeconds(40, { baseSeconds: 60, maxSeconds: 100000 }, () => 1)).toBe(43200);
  });
});

describe('jobs', () => {
  test.each([
    ['not json', /not JSON/],
    ['[1]', /JSON object/],
    ['{"id":"a b","action":"uppercase","text":""}', /id must be/],
    ['{"id":"a","action":"explode","text":""}', /action must be one of uppercase, wordcount/],
    ['{"id":"a","action":"uppercase"}', /text must be a string/],
  ])('rejects %s with the reason', (body, reason) => {
    expect(() => parseJob(body)).toThrow(reason);
  });

  test('runs both actions', () => {
    expect(runJob({ id: 'a', action: 'uppercase', text: 'hi there' }).result).toBe('HI THERE');
    expect(runJob({ id: 'a', action: 'wordcount', text: ' hi  there ' }).result).toBe(2);
  });
});
