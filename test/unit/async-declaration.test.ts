/**
 * The asynchronous part of the declaration: defaults (who gets a failure queue without asking),
 * and one clear synth-time message per mistake, naming the function, field, value and fix.
 */
import { scheduleExpressionProblem } from '../../lib/declaration/schedule-expression';
import { DeclarationError, resolvePlatform, type ProjectView } from '../../lib/declaration/resolve';

/** Routes of these tests are public: who may call them is auth.test.ts's subject. */
const OPEN = { auth: { kind: 'none', reason: 'test routes: public unless the test is about auth' } } as const;

const project: ProjectView = { layers: ['shared'], fileExists: () => true };

/** A function as a team might mistype it: any field, any value. */
type LooseFunction = Record<string, unknown>;

const declaration = (functions: Record<string, LooseFunction>): unknown => ({ app: 'demo', api: OPEN, functions });

function declarationError(input: unknown): DeclarationError {
  try {
    resolvePlatform(input, 'dev', project);
  } catch (error) {
    if (error instanceof DeclarationError) return error;
    throw error;
  }
  throw new Error('expected resolvePlatform to throw a DeclarationError, but the declaration resolved');
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function problemLine(functionName: string, field: string, shown: string, hint: string): RegExp {
  return new RegExp(`${escape(`function "${functionName}", field "${field}"`)}: got ${escape(shown)} — .*${escape(hint)}`);
}

const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:123456789012:results';
const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:alerts';

describe('async declaration defaults', () => {
  it('gives a function with a trigger the async defaults: 2 retries, 6 hours, a platform failure queue', () => {
    // GIVEN
    const input = declaration({ transform: { triggers: { s3: { prefix: 'in/', outputPrefix: 'out/' } } } });

    // WHEN
    const [transform] = resolvePlatform(input, 'dev', project).functions;

    // THEN
    expect(transform.async).toEqual({ retryAttempts: 2, maxEventAgeSeconds: 21600, onFailure: { kind: 'queue' }, deadLetterQueue: false });
    expect(transform.triggers).toEqual({ s3: { prefix: 'in/', outputPrefix: 'out/' }, schedules: [] });
  });

  it('fills the defaults inside a partly declared async block', () => {
    // GIVEN
    const input = declaration({ hello: { async: { retryAttempts: 0, onSuccess: { kind: 'bus' } } } });

    // WHEN
    const [hello] = resolvePlatform(input, 'dev', project).functions;

    // THEN
    expect(hello.async).toEqual({
      retryAttempts: 0,
      maxEventAgeSeconds: 21600,
      onSuccess: { kind: 'bus' },
      onFailure: { kind: 'queue' },
      deadLetterQueue: false,
    });
  });

  it('gives a queue the defaults and no async settings (its event source mapping invokes synchronously)', () => {
    // GIVEN
    const input = declaration({ worker: { queue: {} } });

    // WHEN
    const [worker] = resolvePlatform(input, 'dev', project).functions;

    // THEN
    expect(worker.queue).toEqual({
      batchSize: 10,
      maxBatchingWindowSeconds: 0,
      maxReceiveCount: 5,
      retentionDays: 4,
      ageAlarmSeconds: 300,
      auth: OPEN.auth,
    });
    expect(worker.async).toBeUndefined();
  });

  it('leaves a synchronous function without async settings', () => {
    const [hello] = resolvePlatform(declaration({ hello: { routes: [{ method: 'GET', path: '/hello' }] } }), 'dev', project).functions;
    expect(hello.async).toBeUndefined();
  });

  it('accepts every destination kind and an explicit opt-out with a reason', () => {
    // GIVEN
    const input = declaration({
      orders: { async: { onSuccess: { kind: 'queue', arn: QUEUE_ARN }, onFailure: { kind: 'topic', arn: TOPIC_ARN } } },
      billing: {
        async: {
          onSuccess: { kind: 'function', name: 'orders' },
          onFailure: { kind: 'bus', arn: 'arn:aws:events:eu-west-1:123456789012:event-bus/ops' },
        },
      },
      probe: { async: { onFailure: { kind: 'none', reason: 'idempotent probe; the next run repeats it anyway' } } },
    });

    // WHEN / THEN
    expect(resolvePlatform(input, 'dev', project).functions.map((f) => f.async?.onFailure.kind)).toEqual(['topic', 'bus', 'none']);
  });

  it('lets a stage remove a queue with null', () => {
    const input = {
      app: 'demo',
      api: OPEN,
      functions: { worker: { queue: {} } },
      stages: { dev: { functions: { worker: { queue: null } } } },
    };
    expect(resolvePlatform(input, 'dev', project).functions[0].queue).toBeUndefined();
  });
});

describe('a bad async declaration fails synth', () => {
  interface BadDeclaration {
    readonly title: string;
    readonly functions: Record<string, LooseFunction>;
    readonly functionName: string;
    readonly field: string;
    readonly value: unknown;
    readonly hint: string;
  }

  it.each<BadDeclaration>([
    {
      title: 'three retries',
      functions: { hello: { async: { retryAttempts: 3 } } },
      functionName: 'hello',
      field: 'async.retryAttempts',
      value: 3,
      hint: 'async.retryAttempts must be from 0 to 2; fix: Lambda retries an asynchronous event at most twice',
    },
    {
      title: 'a maximum event age of 30 seconds',
      functions: { hello: { async: { maxEventAgeSeconds: 30 } } },
      functionName: 'hello',
      field: 'async.maxEventAgeSeconds',
      value: 30,
      hint: 'async.maxEventAgeSeconds must be from 60 to 21600; fix: give seconds from 60 (1 minute) to 21600 (6 hours)',
    },
    {
      title: 'a maximum event age above 6 hours',
      functions: { hello: { async: { maxEventAgeSeconds: 86400 } } },
      functionName: 'hello',
      field: 'async.maxEventAgeSeconds',
      value: 86400,
      hint: 'must be from 60 to 21600',
    },
    {
      title: 'a visibility timeout below 6 × the function timeout',
      functions: { worker: { timeoutSeconds: 30, queue: { visibilityTimeoutSeconds: 60 } } },
      functionName: 'worker',
      field: 'queue.visibilityTimeoutSeconds',
      value: 60,
      hint:
        'must be at least 6 × timeoutSeconds + maxBatchingWindowSeconds = 180 ' +
        '(AWS: otherwise a message can reappear while a batch is still being processed); fix: raise it to 180 or leave it out',
    },
    {
      title: 'a visibility timeout that forgets the batching window',
      functions: { worker: { timeoutSeconds: 10, queue: { visibilityTimeoutSeconds: 60, maxBatchingWindowSeconds: 5 } } },
      functionName: 'worker',
      field: 'queue.visibilityTimeoutSeconds',
      value: 60,
      hint: '= 65',
    },
    {
      title: 'an unknown destination function',
      functions: { hello: { async: { onFailure: { kind: 'function', name: 'auditor' } } }, other: {} },
      functionName: 'hello',
      field: 'async.onFailure.name',
      value: 'auditor',
      hint: 'unknown destination function; fix: use one of [other] or declare "auditor"',
    },
    {
      title: 'a function that is its own destination',
      functions: { hello: { async: { onSuccess: { kind: 'function', name: 'hello' } } } },
      functionName: 'hello',
      field: 'async.onSuccess.name',
      value: 'hello',
      hint: 'a function cannot be its own destination',
    },
    {
      title: 'a topic destination without an ARN',
      functions: { hello: { async: { onFailure: { kind: 'topic' } } } },
      functionName: 'hello',
      field: 'async.onFailure.arn',
      value: undefined,
      hint: 'a topic destination needs arn; fix: give the ARN of an existing SNS topic',
    },
    {
      title: 'a queue ARN that is an SNS topic',
      functions: { hello: { async: { onFailure: { kind: 'queue', arn: TOPIC_ARN } } } },
      functionName: 'hello',
      field: 'async.onFailure.arn',
      value: TOPIC_ARN,
      hint: 'arn must be a standard SQS queue ARN',
    },
    {
      title: 'an onSuccess queue the platform would have to create',
      functions: { hello: { async: { onSuccess: { kind: 'queue' } } } },
      functionName: 'hello',
      field: 'async.onSuccess.arn',
      value: undefined,
      hint: 'an onSuccess queue needs arn (the platform creates failure queues only)',
    },
    {
      title: 'an unknown destination kind',
      functions: { hello: { async: { onFailure: { kind: 'lambda', name: 'x' } } } },
      functionName: 'hello',
      field: 'async.onFailure.kind',
      value: 'lambda',
      hint:
        'onFailure must be { kind: "queue", arn? } | { kind: "topic", arn } | { kind: "bus", arn? } | ' +
        '{ kind: "function", name } | { kind: "none", reason }',
    },
    {
      title: 'opting out of the failure destination without a reason',
      functions: { hello: { async: { onFailure: { kind: 'none' } } } },
      functionName: 'hello',
      field: 'async.onFailure.reason',
      value: undefined,
      hint: 'opting out of the failure destination needs a reason',
    },
    {
      title: 'opting out with a reason that says nothing',
      functions: { hello: { async: { onFailure: { kind: 'none', reason: 'n/a' } } } },
      functionName: 'hello',
      field: 'async.onFailure.reason',
      value: 'n/a',
      hint: 'reason must say why losing failed events is acceptable (at least 20 characters)',
    },
    {
      title: 'a batch size above 10000',
      functions: { worker: { queue: { batchSize: 20000, maxBatchingWindowSeconds: 1 } } },
      functionName: 'worker',
      field: 'queue.batchSize',
      value: 20000,
      hint: 'queue.batchSize must be from 1 to 10000',
    },
    {
      title: 'a batch size of 0',
      functions: { worker: { queue: { batchSize: 0 } } },
      functionName: 'worker',
      field: 'queue.batchSize',
      value: 0,
      hint: 'queue.batchSize must be from 1 to 10000',
    },
    {
      title: 'a batch above 10 without a batching window',
      functions: { worker: { queue: { batchSize: 100 } } },
      functionName: 'worker',
      field: 'queue.batchSize',
      value: 100,
      hint: "batches above 10 messages need a batching window (Lambda's rule); fix: set maxBatchingWindowSeconds to at least 1",
    },
    {
      title: 'a maximum concurrency of 1',
      functions: { worker: { queue: { maxConcurrency: 1 } } },
      functionName: 'worker',
      field: 'queue.maxConcurrency',
      value: 1,
      hint: 'queue.maxConcurrency must be from 2 to 1000; fix: Lambda allows 2 to 1000 concurrent invocations per SQS event source',
    },
    {
      title: 'a maxReceiveCount of 0',
      functions: { worker: { queue: { maxReceiveCount: 0 } } },
      functionName: 'worker',
      field: 'queue.maxReceiveCount',
      value: 0,
      hint: 'queue.maxReceiveCount must be from 1 to 1000',
    },
    {
      title: 'a cron expression with 5 fields',
      functions: { nightly: { triggers: { schedules: [{ name: 'nightly', expression: 'cron(0 3 * * *)' }] } } },
      functionName: 'nightly',
      field: 'triggers.schedules[0].expression',
      value: 'cron(0 3 * * *)',
      hint: 'a cron expression has 6 fields (min hour day-of-month month day-of-week year), got 5',
    },
    {
      title: 'a cron expression with both day fields set',
      functions: { nightly: { triggers: { schedules: [{ name: 'nightly', expression: 'cron(0 3 * * MON *)' }] } } },
      functionName: 'nightly',
      field: 'triggers.schedules[0].expression',
      value: 'cron(0 3 * * MON *)',
      hint: 'exactly one of day-of-month ("*") and day-of-week ("MON") must be "?"',
    },
    {
      title: 'a cron hour of 24',
      functions: { nightly: { triggers: { schedules: [{ name: 'nightly', expression: 'cron(0 24 * * ? *)' }] } } },
      functionName: 'nightly',
      field: 'triggers.schedules[0].expression',
      value: 'cron(0 24 * * ? *)',
      hint: 'hours "24" is not valid (0-23',
    },
    {
      title: 'a rate with the wrong number',
      functions: { nightly: { triggers: { schedules: [{ name: 'often', expression: 'rate(1 minutes)' }] } } },
      functionName: 'nightly',
      field: 'triggers.schedules[0].expression',
      value: 'rate(1 minutes)',
      hint: 'EventBridge wants the singular for 1: rate(1 minute)',
    },
    {
      title: 'a schedule in prose',
      functions: { nightly: { triggers: { schedules: [{ name: 'nightly', expression: 'every night at 3' }] } } },
      functionName: 'nightly',
      field: 'triggers.schedules[0].expression',
      value: 'every night at 3',
      hint: 'expression must be rate(N minutes|hours|days) or cron(min hour day-of-month month day-of-week year)',
    },
    {
      title: 'two schedules with the same name',
      functions: {
        nightly: {
          triggers: {
            schedules: [
              { name: 'tick', expression: 'rate(5 minutes)' },
              { name: 'tick', expression: 'rate(1 hour)' },
            ],
          },
        },
      },
      functionName: 'nightly',
      field: 'triggers.schedules[1].name',
      value: 'tick',
      hint: 'schedule names must be unique per function',
    },
    {
      title: 'an output prefix inside the trigger prefix (an endless loop)',
      functions: { transform: { triggers: { s3: { prefix: 'data/', outputPrefix: 'data/out/' } } } },
      functionName: 'transform',
      field: 'triggers.s3.outputPrefix',
      value: 'data/out/',
      hint: 'prefix "data/" and outputPrefix overlap: results written there would trigger the function again (an endless loop)',
    },
    {
      title: 'an output prefix on a trigger without prefix',
      functions: { transform: { triggers: { s3: { suffix: '.json', outputPrefix: 'out/' } } } },
      functionName: 'transform',
      field: 'triggers.s3.outputPrefix',
      value: 'out/',
      hint: 'the trigger has no prefix, so results written there would trigger the function again',
    },
    {
      title: 'a declared route on the jobs path of a queue function',
      functions: { worker: { queue: {}, routes: [{ method: 'POST', path: '/worker/jobs' }] } },
      functionName: 'worker',
      field: 'routes[0]',
      value: 'POST /worker/jobs',
      hint: 'duplicate route: POST /worker/jobs is already routed to the jobs queue of function "worker"',
    },
    {
      title: 'a variable the platform sets',
      functions: { worker: { queue: {}, environment: { FAAS_QUEUE_URL: 'https://example.com' } } },
      functionName: 'worker',
      field: 'environment.FAAS_QUEUE_URL',
      value: 'https://example.com',
      hint: 'the platform sets FAAS_* variables (queue URL, output prefix); fix: choose another name',
    },
  ])('rejects $title', ({ functions, functionName, field, value, hint }) => {
    // GIVEN
    const input = declaration(functions);

    // WHEN
    const resolve = () => resolvePlatform(input, 'dev', project);

    // THEN
    expect(resolve).toThrow(DeclarationError);
    expect(resolve).toThrow(problemLine(functionName, field, value === undefined ? 'nothing' : JSON.stringify(value), hint));
    expect(declarationError(input).problems).toEqual([{ functionName, field, value, message: expect.stringContaining(hint) }]);
  });

  it('rejects destinations that loop between functions, at both ends', () => {
    // GIVEN orders fails over to audit, and audit reports success to orders
    const input = declaration({
      orders: { async: { onFailure: { kind: 'function', name: 'audit' } } },
      audit: { async: { onSuccess: { kind: 'function', name: 'orders' } } },
    });

    // WHEN
    const error = declarationError(input);

    // THEN
    expect(error.message).toMatch(
      problemLine('orders', 'async.onFailure.name', '"audit"', 'destinations form a loop (orders → audit → orders)'),
    );
    expect(error.message).toMatch(
      problemLine('audit', 'async.onSuccess.name', '"orders"', 'destinations form a loop (audit → orders → audit)'),
    );
  });

  it('collects async problems with the others and throws once', () => {
    // GIVEN
    const input = declaration({
      hello: { memoryMB: 64, async: { retryAttempts: 3, maxEventAgeSeconds: 30 } },
      worker: { timeoutSeconds: 30, queue: { visibilityTimeoutSeconds: 10, maxConcurrency: 1 } },
    });

    // WHEN
    const error = declarationError(input);

    // THEN
    expect(error.problems.map((p) => `${p.functionName}:${p.field}`).sort()).toEqual([
      'hello:async.maxEventAgeSeconds',
      'hello:async.retryAttempts',
      'hello:memoryMB',
      'worker:queue.maxConcurrency',
    ]);
  });

  it('does not call a destination unknown when only its declaration is broken', () => {
    // GIVEN audit exists but has its own mistake
    const input = declaration({ orders: { async: { onFailure: { kind: 'function', name: 'audit' } } }, audit: { memoryMB: 1 } });

    // WHEN / THEN only audit's mistake is reported
    expect(declarationError(input).problems.map((p) => `${p.functionName}:${p.field}`)).toEqual(['audit:memoryMB']);
  });
});

describe('schedule expressions (EventBridge)', () => {
  it.each([
    'rate(1 minute)',
    'rate(5 minutes)',
    'rate(1 hour)',
    'rate(12 hours)',
    'rate(7 days)',
    'cron(0 3 * * ? *)',
    'cron(0/15 8-18 ? * MON-FRI *)',
    'cron(0 12 L * ? 2030)',
    'cron(30 6 ? * 2#1 *)',
    'cron(0 0 1,15 JAN,JUL ? *)',
  ])('accepts %s', (expression) => {
    expect(scheduleExpressionProblem(expression)).toBeUndefined();
  });

  it.each([
    ['rate(0 minutes)', 'at least 1'],
    ['rate(5 minute)', 'the plural above 1'],
    ['rate(5 seconds)', 'expression must be rate'],
    ['cron(60 * * * ? *)', 'minutes "60" is not valid'],
    ['cron(0 3 32 * ? *)', 'day-of-month "32" is not valid'],
    ['cron(0 3 ? 13 MON *)', 'month "13" is not valid'],
    ['cron(0 3 ? * FUNDAY *)', 'day-of-week "FUNDAY" is not valid'],
    ['cron(0 3 ? * MON 1969)', 'year "1969" is not valid'],
    ['cron(0 3 ? * ? *)', 'exactly one of day-of-month'],
    ['cron(0 3 ?,1 * MON *)', 'day-of-month "?,1" is not valid'],
    ['cron(0 3 * * ? * *)', 'got 7'],
  ])('rejects %s', (expression, hint) => {
    expect(scheduleExpressionProblem(expression)).toEqual(expect.stringContaining(hint));
  });
});
