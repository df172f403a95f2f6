import type { Context, SQSRecord } from 'aws-lambda';
import type { Segment, Subsegment } from 'aws-xray-sdk-core';
import { invocationAnnotations } from '../../../functions/shared/powertools';

type Powertools = typeof import('../../../functions/shared/powertools');
type Worker = typeof import('../../../functions/worker');

const context = (invokedFunctionArn: string, functionVersion = '7') =>
  ({ functionName: 'faas-dev-hello', functionVersion, awsRequestId: 'req-1', invokedFunctionArn }) as unknown as Context;

/** Traced like on Lambda: the environment the tracer checks, and the facade segment Lambda creates. */
const LAMBDA_ENV = {
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  // Without it Powertools reports no cold start (provisioned concurrency initialises ahead of use).
  AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  POWERTOOLS_SERVICE_NAME: 'hello',
  POWERTOOLS_TRACER_CAPTURE_HTTPS_REQUESTS: 'false',
  _HANDLER: 'index.handler',
};

interface Traced {
  powertools: Powertools;
  worker: Worker;
  facade: Segment;
  /** The segment the tracer holds as active right now. */
  active: () => Segment | Subsegment;
}

/**
 * Loads the modules afresh with tracing on (the tracer decides when it is created), with the
 * facade segment kept where the X-Ray SDK would keep it. Powertools' documented way of testing
 * traced code: enable it through the environment, stand in for the segment Lambda provides.
 */
function loadTraced(): Traced {
  const previous = Object.fromEntries(Object.keys(LAMBDA_ENV).map((k) => [k, process.env[k]]));
  Object.assign(process.env, LAMBDA_ENV);
  try {
    let loaded: Omit<Traced, 'active'> | undefined;
    let active: Segment | Subsegment | undefined;
    jest.isolateModules(() => {
      const xray = jest.requireActual<typeof import('aws-xray-sdk-core')>('aws-xray-sdk-core');
      const powertools = jest.requireActual<Powertools>('../../../functions/shared/powertools');
      // The retry's ChangeMessageVisibility is the worker tests' concern; here it only has to succeed.
      const { SQSClient, ChangeMessageVisibilityCommand } = jest.requireActual<typeof import('@aws-sdk/client-sqs')>('@aws-sdk/client-sqs');
      const { mockClient } = jest.requireActual<typeof import('aws-sdk-client-mock')>('aws-sdk-client-mock');
      mockClient(SQSClient).on(ChangeMessageVisibilityCommand).resolves({});
      const worker = jest.requireActual<Worker>('../../../functions/worker');
      const facade = new xray.Segment('faas-dev-hello', '1-5759e988-bd862e3fe1be46a994272793');
      active = facade;
      jest.spyOn(powertools.tracer.provider, 'getSegment').mockImplementation(() => active);
      jest.spyOn(powertools.tracer.provider, 'setSegment').mockImplementation((segment) => {
        active = segment;
      });
      loaded = { powertools, worker, facade };
    });
    return { ...loaded!, active: () => active! };
  } finally {
    for (const [key, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/** A subsegment as the X-Ray SDK records it (fields its types leave out). */
type Recorded = Subsegment & {
  annotations?: Record<string, unknown>;
  metadata?: Record<string, Record<string, unknown>>;
  fault?: boolean;
  cause?: { exceptions: Array<{ message: string }> };
};

const recorded = (segment: Segment | Subsegment): Recorded[] => (segment.subsegments ?? []) as Recorded[];

/** The facade's only subsegment: the handler's. */
const handlerSubsegment = (facade: Segment): Recorded => {
  expect(recorded(facade)).toHaveLength(1);
  return recorded(facade)[0];
};

beforeAll(() => {
  // Logger and metrics print JSON to stdout; keep test output readable.
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

describe('invocationAnnotations', () => {
  test.each([
    ['through the live alias', 'arn:aws:lambda:eu-west-1:123456789012:function:hello:live', { Version: '7', Alias: 'live' }],
    ['through another alias', 'arn:aws:lambda:eu-west-1:123456789012:function:hello:preview', { Version: '7', Alias: 'preview' }],
    ['a version directly', 'arn:aws:lambda:eu-west-1:123456789012:function:hello:7', { Version: '7' }],
    ['$LATEST by name', 'arn:aws:lambda:eu-west-1:123456789012:function:hello:$LATEST', { Version: '7' }],
    ['unqualified', 'arn:aws:lambda:eu-west-1:123456789012:function:hello', { Version: '7' }],
  ])('invoked %s: the version that ran, and the alias only when one was invoked', (_label, arn, expected) => {
    expect(invocationAnnotations(context(arn))).toEqual(expected);
  });
});

describe('instrumented handler', () => {
  test('outside Lambda the tracer is off and the handler runs unchanged', async () => {
    // GIVEN the module as tests and the emulator load it (no AWS_EXECUTION_ENV)
    const { instrumented, tracer } = jest.requireActual<Powertools>('../../../functions/shared/powertools');

    // WHEN / THEN
    expect(tracer.isTracingEnabled()).toBe(false);
    await expect(instrumented(async (n: number) => n + 1)(1, context('arn:aws:lambda:eu-west-1:1:function:hello:live'))).resolves.toBe(2);
  });

  test('annotates a handler subsegment with ColdStart, Service, Version and Alias, and records the response', async () => {
    // GIVEN
    const { powertools, facade, active } = loadTraced();
    const handler = powertools.instrumented(async () => ({ statusCode: 200 }));

    // WHEN the live alias routes an invocation to version 8
    await handler({}, context('arn:aws:lambda:eu-west-1:123456789012:function:hello:live', '8'));

    // THEN
    const subsegment = handlerSubsegment(facade);
    expect(subsegment.name).toBe('## index.handler');
    expect(subsegment.annotations).toEqual({ ColdStart: true, Service: 'hello', Version: '8', Alias: 'live' });
    expect(subsegment.metadata?.hello).toEqual({ 'index.handler response': { statusCode: 200 } });
    // AND the subsegment is closed and the facade is active again
    expect(subsegment.isClosed()).toBe(true);
    expect(active()).toBe(facade);
  });

  test('a second invocation in the same environment is not a cold start', async () => {
    const { powertools, facade } = loadTraced();
    const handler = powertools.instrumented(async () => 'ok');
    await handler({}, context('arn:aws:lambda:eu-west-1:123456789012:function:hello:live'));
    await handler({}, context('arn:aws:lambda:eu-west-1:123456789012:function:hello:live'));
    expect(recorded(facade).map((s) => s.annotations?.ColdStart)).toEqual([true, false]);
  });

  test('a failing handler: the error is recorded on the subsegment and thrown on as it is', async () => {
    // GIVEN
    const { powertools, facade, active } = loadTraced();
    const failure = new Error('injected fault');

    // WHEN
    const run = powertools.instrumented(async () => {
      throw failure;
    })({}, context('arn:aws:lambda:eu-west-1:123456789012:function:hello:live'));

    // THEN
    await expect(run).rejects.toBe(failure);
    const subsegment = handlerSubsegment(facade);
    expect(subsegment.annotations).toMatchObject({ Service: 'hello', Alias: 'live' });
    expect(subsegment.cause?.exceptions[0].message).toBe('injected fault');
    expect(subsegment.isClosed()).toBe(true);
    expect(active()).toBe(facade);
  });
});

describe('traced units of work', () => {
  test('each gets its own annotated subsegment under the active one, which stays active', async () => {
    // GIVEN two units of work run concurrently inside a handler
    const { powertools, facade, active } = loadTraced();
    const handler = powertools.instrumented(async () => {
      const during: Array<Segment | Subsegment> = [];
      await Promise.all(
        ['a', 'b'].map((id) =>
          powertools.traced('## unit', (annotate) => {
            annotate({ UnitId: id });
            during.push(active());
          }),
        ),
      );
      return during;
    });

    // WHEN
    const during = await handler({}, context('arn:aws:lambda:eu-west-1:123456789012:function:hello:live'));

    // THEN
    const parent = handlerSubsegment(facade);
    expect(during).toEqual([parent, parent]);
    const units = recorded(parent);
    expect(units.map((u) => [u.name, u.annotations])).toEqual([
      ['## unit', { UnitId: 'a' }],
      ['## unit', { UnitId: 'b' }],
    ]);
    expect(units.every((u) => u.isClosed())).toBe(true);
  });
});

describe('worker traces', () => {
  const record = (id: string, body: unknown, receiveCount = 1): SQSRecord =>
    ({
      messageId: id,
      receiptHandle: `handle-${id}`,
      body: JSON.stringify(body),
      attributes: { ApproximateReceiveCount: String(receiveCount) },
    }) as unknown as SQSRecord;

  test('one subsegment per job, found by JobId and Action (or MessageId when the body is no job); the batch by its size', async () => {
    // GIVEN a batch of a good job and one with an unknown action
    const { worker, facade } = loadTraced();
    const good = record('m1', { id: 'job-1', action: 'wordcount', text: 'a b' });
    const event = { Records: [good, record('m2', { id: 'job-2', action: 'explode', text: '' }, 3)] };
    process.env.FAAS_QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/worker-jobs';

    // WHEN
    const response = await worker.handler(event, context('arn:aws:lambda:eu-west-1:123456789012:function:worker:live', '3'));

    // THEN
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }]);
    const batch = handlerSubsegment(facade);
    expect(batch.annotations).toMatchObject({ Version: '3', Alias: 'live', BatchSize: 2, FailedJobs: 1 });
    const jobs = recorded(batch).filter((s) => s.name === '## job');
    expect(jobs.map((j) => j.annotations)).toEqual([
      { MessageId: 'm1', ReceiveCount: 1, JobId: 'job-1', Action: 'wordcount' },
      { MessageId: 'm2', ReceiveCount: 3 },
    ]);
    expect(jobs[1].fault).toBe(true);
  });
});
