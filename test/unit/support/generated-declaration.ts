/**
 * N generated function declarations with every feature of the platform across them, for the
 * placement tests and the synth-scale benchmark. Four profiles, in turn:
 * 0. HTTP: two routes (`/fn-i`, `/fn-i/{id}`) with preview twins, the shared layer, warm
 *    capacity with a schedule, reserved concurrency;
 * 1. queue-buffered: work queue, DLQ, `POST /fn-i/jobs`, queue alarms;
 * 2. S3-triggered: bucket, failure queue, on-success destination to the HTTP function before it
 *    (so the two share a stack);
 * 3. scheduled: schedule rule, function DLQ, failure queue, CodeDeploy canary release.
 */
import type { FunctionInput, PlatformInput } from '../../../lib/declaration/schema';

export const PROFILES = ['http', 'queue', 's3', 'schedule'] as const;

export function generatedFunction(i: number): [string, FunctionInput] {
  const name = `fn-${String(i).padStart(3, '0')}`;
  switch (PROFILES[i % PROFILES.length]) {
    case 'http':
      return [
        name,
        {
          entry: 'functions/hello/index.ts',
          layers: ['shared'],
          routes: [
            { method: 'GET', path: `/${name}` },
            { method: 'POST', path: `/${name}/{id}` },
          ],
          reservedConcurrency: 5,
          warm: {
            provisioned: 1,
            max: 4,
            schedules: [{ name: 'peak', expression: 'cron(0 7 ? * MON-FRI *)', minProvisioned: 2, maxProvisioned: 4 }],
          },
        },
      ];
    case 'queue':
      return [
        name,
        { entry: 'functions/worker/index.ts', timeoutSeconds: 20, queue: { batchSize: 10, maxConcurrency: 5, auth: { kind: 'apiKey' } } },
      ];
    case 's3':
      return [
        name,
        {
          entry: 'functions/transform/index.ts',
          triggers: { s3: { prefix: 'in/', suffix: '.json', outputPrefix: 'out/' } },
          async: { retryAttempts: 1, onSuccess: { kind: 'function', name: `fn-${String(i - 2).padStart(3, '0')}` } },
        },
      ];
    default:
      return [
        name,
        {
          entry: 'functions/hello/index.ts',
          triggers: { schedules: [{ name: 'nightly', expression: 'rate(1 day)' }] },
          async: { deadLetterQueue: true },
          release: { mode: 'codedeploy' },
        },
      ];
  }
}

/** `count` functions fn-000 … in declaration order; `extra` are inserted first (a function added later). */
export function generatedDeclaration(count: number, extra: Record<string, FunctionInput> = {}): PlatformInput {
  const functions: Record<string, FunctionInput> = { ...extra };
  for (let i = 0; i < count; i++) {
    const [name, fn] = generatedFunction(i);
    functions[name] = fn;
  }
  return { app: 'gen', api: { auth: { kind: 'iam' } }, functions };
}
