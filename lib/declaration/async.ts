/**
 * The asynchronous half of a declaration: how Lambda retries events and where their results
 * go (`async`), the queue that buffers bursts (`queue`), and the events that start a function
 * (`triggers`: object storage, schedules).
 *
 * Plain data like schema.ts: no aws-cdk-lib. Rules that span fields or functions are pure
 * functions here too (checkAsync, implicitRoutes), called by resolve.ts.
 */
import { z } from 'zod';
import { authSchema } from './auth';
import { scheduleExpressionProblem } from './schedule-expression';

/** Lambda keeps an asynchronous event for at most 6 hours and retries it at most twice. */
const MAX_EVENT_AGE_SECONDS = 21600;
/** SQS's longest visibility timeout (12 hours). */
const MAX_VISIBILITY_SECONDS = 43200;
/** AWS: the queue's visibility timeout should be at least this many times the function timeout. */
const VISIBILITY_TIMEOUT_FACTOR = 6;
/** SQS's message size range: a larger job body is refused with 400 and nothing is queued. */
const MIN_MESSAGE_BYTES = 1024;
const MAX_MESSAGE_BYTES = 1_048_576;
/** The route a queue function gets: API Gateway puts the body on the queue. */
export const jobsPath = (functionName: string): string => `/${functionName}/jobs`;

const wholeNumber = (what: string, min: number, max: number, fix: string) =>
  z
    .number({ error: `${what} must be a whole number from ${min} to ${max}; ${fix}` })
    .int({ error: `${what} must be a whole number from ${min} to ${max}; ${fix}` })
    .min(min, { error: `${what} must be from ${min} to ${max}; ${fix}` })
    .max(max, { error: `${what} must be from ${min} to ${max}; ${fix}` });

const QUEUE_ARN = /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}$/;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const BUS_ARN = /^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/[A-Za-z0-9._/-]{1,256}$/;

const queueArn = z.string().regex(QUEUE_ARN, {
  error:
    'arn must be a standard SQS queue ARN, arn:aws:sqs:<region>:<account>:<name> (FIFO queues cannot be Lambda destinations); ' +
    'fix: copy the ARN from the queue',
});
const topicArn = z.string({ error: 'a topic destination needs arn; fix: give the ARN of an existing SNS topic' }).regex(TOPIC_ARN, {
  error: 'arn must be a standard SNS topic ARN, arn:aws:sns:<region>:<account>:<name>; fix: copy the ARN from the topic',
});
const busArn = z.string().regex(BUS_ARN, {
  error:
    'arn must be an EventBridge bus ARN, arn:aws:events:<region>:<account>:event-bus/<name>; fix: copy the ARN, or leave it ' +
    'out for the default bus',
});
const destinationFunction = z.string({ error: 'a function destination needs name; fix: name a function declared in this app' });

/** A queue the platform creates (no arn) or an existing one. */
const failureQueueDestination = z
  .object({
    kind: z.literal('queue'),
    /** @default - a queue the platform creates: encrypted, TLS-only, 14-day retention, alarmed */
    arn: queueArn.optional(),
  })
  .strict();
/** On success the platform creates no queue: whoever reads results owns the queue. */
const successQueueDestination = z
  .object({
    kind: z.literal('queue'),
    arn: z
      .string({
        error:
          'an onSuccess queue needs arn (the platform creates failure queues only); fix: give the ARN of the queue your consumer reads',
      })
      .regex(QUEUE_ARN, {
        error:
          'arn must be a standard SQS queue ARN, arn:aws:sqs:<region>:<account>:<name> (FIFO queues cannot be Lambda ' +
          'destinations); fix: copy the ARN from the queue',
      }),
  })
  .strict();
const topicDestination = z.object({ kind: z.literal('topic'), arn: topicArn }).strict();
const busDestination = z
  .object({
    kind: z.literal('bus'),
    /** @default - the account's default event bus */
    arn: busArn.optional(),
  })
  .strict();
const functionDestination = z
  .object({
    kind: z.literal('function'),
    /** A function declared in this app; its `live` alias receives the invocation record. */
    name: destinationFunction,
  })
  .strict();
const noDestination = z
  .object({
    kind: z.literal('none'),
    /** Why dropping failed events is acceptable; kept as the cdk-nag acknowledgement. */
    reason: z
      .string({
        error:
          'opting out of the failure destination needs a reason; fix: say why losing failed events is acceptable (at least 20 characters)',
      })
      .trim()
      .min(20, {
        error: 'reason must say why losing failed events is acceptable (at least 20 characters); fix: write the reason out',
      }),
  })
  .strict();

const successDestinationSchema = z.discriminatedUnion(
  'kind',
  [successQueueDestination, topicDestination, busDestination, functionDestination],
  {
    error:
      'onSuccess must be { kind: "queue", arn } | { kind: "topic", arn } | { kind: "bus", arn? } | { kind: "function", name }; ' +
      'fix: pick one of these kinds',
  },
);
const failureDestinationSchema = z.discriminatedUnion(
  'kind',
  [failureQueueDestination, topicDestination, busDestination, functionDestination, noDestination],
  {
    error:
      'onFailure must be { kind: "queue", arn? } | { kind: "topic", arn } | { kind: "bus", arn? } | { kind: "function", name } ' +
      '| { kind: "none", reason }; fix: pick one of these kinds',
  },
);

export const asyncSchema = z
  .object({
    /**
     * Retries of a failed asynchronous invocation, with Lambda's own backoff (1 min, then 2 min).
     * @default 2
     */
    retryAttempts: wholeNumber(
      'async.retryAttempts',
      0,
      2,
      'fix: Lambda retries an asynchronous event at most twice; declare `queue` for more retries',
    ).default(2),
    /**
     * How long Lambda keeps trying an event (queued or retried) before it goes to onFailure.
     * @default 21600 (6 hours, Lambda's maximum)
     */
    maxEventAgeSeconds: wholeNumber(
      'async.maxEventAgeSeconds',
      60,
      MAX_EVENT_AGE_SECONDS,
      'fix: give seconds from 60 (1 minute) to 21600 (6 hours)',
    ).default(MAX_EVENT_AGE_SECONDS),
    /**
     * Where the record of a successful asynchronous invocation goes (request and response).
     * @default - none
     */
    onSuccess: successDestinationSchema.optional(),
    /**
     * Where an event goes when retries and maximum age are used up, with the error.
     * @default - { kind: 'queue' }: a failure queue the platform creates
     */
    onFailure: failureDestinationSchema.default({ kind: 'queue' }),
    /**
     * Also give the function a dead-letter queue (function-level DeadLetterConfig): it receives
     * the event payload of failed asynchronous invocations on any qualifier, without the error.
     * @default false
     */
    deadLetterQueue: z.boolean({ error: 'async.deadLetterQueue must be true or false' }).default(false),
  })
  .strict();

export const queueSchema = z
  .object({
    /**
     * Most messages per invocation.
     * @default 10
     */
    batchSize: wholeNumber(
      'queue.batchSize',
      1,
      10000,
      'fix: give messages per invocation (above 10 needs maxBatchingWindowSeconds)',
    ).default(10),
    /**
     * How long the poller gathers a batch before invoking.
     * @default 0
     */
    maxBatchingWindowSeconds: wholeNumber('queue.maxBatchingWindowSeconds', 0, 300, 'fix: give seconds from 0 to 300').default(0),
    /**
     * Most concurrent invocations from this queue: protects downstream systems.
     * @default - no limit beyond the function's concurrency
     */
    maxConcurrency: wholeNumber(
      'queue.maxConcurrency',
      2,
      1000,
      'fix: Lambda allows 2 to 1000 concurrent invocations per SQS event source',
    ).optional(),
    /**
     * How long a received message stays hidden; a failed one reappears after it (or after the
     * handler's backoff).
     * @default - 6 × timeoutSeconds + maxBatchingWindowSeconds
     */
    visibilityTimeoutSeconds: wholeNumber(
      'queue.visibilityTimeoutSeconds',
      0,
      MAX_VISIBILITY_SECONDS,
      'fix: give seconds up to 43200 (12 hours)',
    ).optional(),
    /**
     * Receives before SQS moves a message to the dead-letter queue.
     * @default 5
     */
    maxReceiveCount: wholeNumber('queue.maxReceiveCount', 1, 1000, 'fix: give how often a message may be tried').default(5),
    /**
     * How long the queue keeps a message nobody processed.
     * @default 4
     */
    retentionDays: wholeNumber('queue.retentionDays', 1, 14, 'fix: SQS keeps messages 1 to 14 days').default(4),
    /**
     * Age of the oldest waiting message that raises the backlog alarm.
     * @default 300
     */
    ageAlarmSeconds: wholeNumber('queue.ageAlarmSeconds', 60, 1209600, 'fix: give seconds from 60 to 1209600 (14 days)').default(300),
    /**
     * Who may `POST /<name>/jobs`.
     * @default - api.auth of the stage, else of the app; synth fails when neither is set
     */
    auth: authSchema.optional(),
    /**
     * Largest job body in bytes (the queue's maximum message size): a larger one is answered 400
     * and nothing is queued.
     * @default 1048576 (1 MiB, SQS's limit)
     */
    maxBodyBytes: wholeNumber(
      'queue.maxBodyBytes',
      MIN_MESSAGE_BYTES,
      MAX_MESSAGE_BYTES,
      "fix: give bytes from 1024 to 1048576 (SQS's message size range)",
    ).optional(),
    /**
     * JSON Schema (draft 4, API Gateway's model language) the job body must match: API Gateway
     * answers 400 with the reason and queues nothing.
     * @default - any JSON body
     */
    bodySchema: z
      .record(z.string(), z.unknown(), { error: 'bodySchema must be a JSON Schema object, e.g. { type: "object", required: ["id"] }' })
      .refine((schema) => typeof schema.type === 'string' || Array.isArray(schema.type), {
        error: 'bodySchema needs a top-level "type", e.g. { type: "object", properties: { … }, required: [ … ] }',
      })
      .refine((schema) => schema.$schema === undefined || schema.$schema === 'http://json-schema.org/draft-04/schema#', {
        error: 'API Gateway models are JSON Schema draft 4; fix: remove $schema or set it to "http://json-schema.org/draft-04/schema#"',
      })
      .optional(),
  })
  .strict();

const KEY_PART = /^[A-Za-z0-9!_.*'()/-]{1,512}$/;
const keyPart = (what: string) =>
  z.string().regex(KEY_PART, { error: `${what} must be 1-512 characters of letters, digits and !_.*'()/-; fix: e.g. "in/" or ".json"` });

export const objectTriggerSchema = z
  .object({
    /** @default - objects with any key */
    prefix: keyPart('triggers.s3.prefix').optional(),
    /** @default - objects with any key */
    suffix: keyPart('triggers.s3.suffix').optional(),
    /**
     * Key prefix the function may write results under (FAAS_OUTPUT_PREFIX); must not match the trigger.
     * @default - the function may only read
     */
    outputPrefix: keyPart('triggers.s3.outputPrefix').optional(),
  })
  .strict();

const scheduleTriggerSchema = z
  .object({
    /** Unique per function; names the rule. */
    name: z.string().regex(/^[A-Za-z0-9-]{1,40}$/, { error: 'schedule name must be 1-40 letters, digits or "-"; fix: e.g. "nightly"' }),
    /** EventBridge `cron(min hour day-of-month month day-of-week year)` or `rate(N minutes|hours|days)`, UTC. */
    expression: z.string({ error: 'expression must be a string such as "rate(5 minutes)" or "cron(0 3 * * ? *)"' }),
    /**
     * JSON the function receives instead of EventBridge's scheduled event.
     * @default - the scheduled event
     */
    input: z.record(z.string(), z.unknown(), { error: 'input must be a JSON object; fix: e.g. { "task": "cleanup" }' }).optional(),
  })
  .strict();

const MAX_SCHEDULES = 5;

export const triggersSchema = z
  .object({
    /** @default - no object-storage trigger */
    s3: objectTriggerSchema.optional(),
    /** @default - no schedules */
    schedules: z
      .array(scheduleTriggerSchema)
      .max(MAX_SCHEDULES, { error: `at most ${MAX_SCHEDULES} schedules per function; fix: merge schedules or pass the variant in input` })
      .default([]),
  })
  .strict();

export type AsyncDeclaration = z.output<typeof asyncSchema>;
export type QueueDeclaration = z.output<typeof queueSchema>;
export type TriggersDeclaration = z.output<typeof triggersSchema>;
export type ObjectTriggerDeclaration = z.output<typeof objectTriggerSchema>;
export type SuccessDestination = z.output<typeof successDestinationSchema>;
export type FailureDestination = z.output<typeof failureDestinationSchema>;
export type Destination = SuccessDestination | FailureDestination;

/** The parts of a function these rules look at. */
export interface AsyncView {
  readonly name: string;
  readonly timeoutSeconds: number;
  readonly async?: AsyncDeclaration;
  readonly queue?: QueueDeclaration;
  readonly triggers?: TriggersDeclaration;
}

/** One problem, before resolve.ts adds the function name. */
export interface AsyncProblem {
  readonly field: string;
  readonly value: unknown;
  readonly message: string;
}

/** Whether events reach the function through Lambda's asynchronous invoke (so `async` applies). */
export function isEventInvoked(fn: Pick<AsyncView, 'async' | 'triggers'>): boolean {
  return fn.async !== undefined || fn.triggers?.s3 !== undefined || (fn.triggers?.schedules.length ?? 0) > 0;
}

/** Functions of this app that the settings name as a destination. */
export function functionDestinations(a: AsyncDeclaration | undefined): string[] {
  return [a?.onSuccess, a?.onFailure].flatMap((d) => (d?.kind === 'function' ? [d.name] : []));
}

/** The async settings a function gets: declared ones, or the defaults when a trigger invokes it asynchronously. */
export function effectiveAsync(fn: Pick<AsyncView, 'async' | 'triggers'>): AsyncDeclaration | undefined {
  if (fn.async) return fn.async;
  return isEventInvoked(fn) ? asyncSchema.parse({}) : undefined;
}

/**
 * The visibility timeout a queue gets when none is declared (AWS's recommendation); at most
 * 6 × 900 + 300 s, well within SQS's 12 hours.
 */
export function defaultVisibilityTimeout(timeoutSeconds: number, queue: Pick<QueueDeclaration, 'maxBatchingWindowSeconds'>): number {
  return VISIBILITY_TIMEOUT_FACTOR * timeoutSeconds + queue.maxBatchingWindowSeconds;
}

/** Routes the platform adds for a function (besides its declared ones). */
export function implicitRoutes(fn: Pick<AsyncView, 'name' | 'queue'>): { method: 'POST'; path: string }[] {
  return fn.queue ? [{ method: 'POST', path: jobsPath(fn.name) }] : [];
}

/**
 * Rules across fields of one function and across functions (destinations). `all` holds the
 * functions that resolved; `declared` names every declared function, valid or not.
 */
export function checkAsync(fn: AsyncView, all: readonly AsyncView[], declared: readonly string[]): AsyncProblem[] {
  const problems: AsyncProblem[] = [];
  const add = (field: string, value: unknown, message: string) => problems.push({ field, value, message });

  if (fn.queue) {
    const q = fn.queue;
    const needed = VISIBILITY_TIMEOUT_FACTOR * fn.timeoutSeconds + q.maxBatchingWindowSeconds;
    if (q.visibilityTimeoutSeconds !== undefined && q.visibilityTimeoutSeconds < needed) {
      add(
        'queue.visibilityTimeoutSeconds',
        q.visibilityTimeoutSeconds,
        `must be at least 6 × timeoutSeconds + maxBatchingWindowSeconds = ${needed} (AWS: otherwise a message can reappear ` +
          `while a batch is still being processed); fix: raise it to ${needed} or leave it out`,
      );
    }
    if (q.batchSize > 10 && q.maxBatchingWindowSeconds < 1) {
      add(
        'queue.batchSize',
        q.batchSize,
        "batches above 10 messages need a batching window (Lambda's rule); fix: set maxBatchingWindowSeconds to at least 1 or " +
          'lower batchSize to 10',
      );
    }
  }

  const a = fn.async;
  if (a) {
    const destinations: [string, Destination | undefined][] = [
      ['async.onSuccess', a.onSuccess],
      ['async.onFailure', a.onFailure],
    ];
    for (const [field, d] of destinations) {
      if (d?.kind !== 'function') continue;
      if (d.name === fn.name) {
        add(
          `${field}.name`,
          d.name,
          'a function cannot be its own destination (every result would invoke it again); fix: name another function or use a queue',
        );
      } else if (!declared.includes(d.name)) {
        add(
          `${field}.name`,
          d.name,
          `unknown destination function; fix: use one of [${declared.filter((n) => n !== fn.name).join(', ')}] or declare "${d.name}"`,
        );
      } else {
        const loop = destinationLoop(fn.name, d.name, all);
        if (loop)
          add(
            `${field}.name`,
            d.name,
            `destinations form a loop (${loop.join(' → ')}): an event could travel forever and the IAM policies would depend ` +
              'on each other; fix: end the chain in a queue',
          );
      }
    }
  }

  const s3 = fn.triggers?.s3;
  if (s3?.outputPrefix !== undefined) {
    const input = s3.prefix ?? '';
    if (s3.outputPrefix.startsWith(input) || input.startsWith(s3.outputPrefix)) {
      const why = input === '' ? 'the trigger has no prefix, so' : `prefix "${input}" and outputPrefix overlap:`;
      add(
        'triggers.s3.outputPrefix',
        s3.outputPrefix,
        `${why} results written there would trigger the function again (an endless loop); fix: give the trigger a prefix such ` +
          'as "in/" and write under another, such as "out/"',
      );
    }
  }

  const names = new Set<string>();
  fn.triggers?.schedules.forEach((s, i) => {
    const problem = scheduleExpressionProblem(s.expression);
    if (problem) add(`triggers.schedules[${i}].expression`, s.expression, problem);
    if (names.has(s.name))
      add(`triggers.schedules[${i}].name`, s.name, 'schedule names must be unique per function; fix: rename one of them');
    names.add(s.name);
  });
  return problems;
}

/** The first loop that reaching `start` → `next` closes, following function destinations. */
function destinationLoop(start: string, next: string, all: readonly AsyncView[]): string[] | undefined {
  const targets = (name: string) => functionDestinations(all.find((f) => f.name === name)?.async);
  const walk = (path: string[]): string[] | undefined => {
    const last = path[path.length - 1];
    for (const t of targets(last)) {
      if (t === start) return [...path, t];
      if (!path.includes(t)) {
        const found = walk([...path, t]);
        if (found) return found;
      }
    }
    return undefined;
  };
  return walk([start, next]);
}
