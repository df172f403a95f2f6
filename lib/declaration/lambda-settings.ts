/**
 * The Lambda settings both function kinds share — a zip function (schema.ts) and a container
 * (container-kind.ts) — and the rules across those settings, applied to either kind as it is.
 *
 * Plain data like schema.ts: no aws-cdk-lib.
 */
import { z } from 'zod';
import { scheduleExpressionProblem } from './schedule-expression';
import { PLATFORM_ENV_PREFIX } from '../contract';

/** CodeDeploy's predefined Lambda deployment configurations, by a short readable name. */
export const CODEDEPLOY_CONFIGS = [
  'canary-10-5m',
  'canary-10-10m',
  'canary-10-15m',
  'canary-10-30m',
  'linear-10-1m',
  'linear-10-2m',
  'linear-10-3m',
  'linear-10-10m',
  'all-at-once',
] as const;

const ENV_KEY = /^[A-Za-z][A-Za-z0-9_]*$/;
// Lambda sets these itself; a function may not override them.
const RESERVED_ENV = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);

/** A whole number in [min, max] whose every message names the range and the fix. */
export const wholeNumber = (what: string, min: number, max: number, fix: string) =>
  z
    .number({ error: `${what} must be a whole number from ${min} to ${max}; ${fix}` })
    .int({ error: `${what} must be a whole number from ${min} to ${max}; ${fix}` })
    .min(min, { error: `${what} must be from ${min} to ${max}; ${fix}` })
    .max(max, { error: `${what} must be from ${min} to ${max}; ${fix}` });

export const releaseSchema = z
  .object({
    /**
     * `alias`: the deploy publishes the version and the `faas` CLI shifts weights with health gates.
     * `codedeploy`: AWS CodeDeploy shifts the live alias and rolls back on the function's alarms.
     * @default 'alias'
     */
    mode: z.enum(['alias', 'codedeploy'], { error: 'release.mode must be "alias" or "codedeploy"' }).default('alias'),
    /**
     * Share of live traffic a deploy sends to a new version (alias mode). 0 leaves all traffic
     * on the stable version until `faas canary` moves it.
     * @default 0
     */
    initialWeight: z
      .number({ error: 'initialWeight must be a number from 0 to 1 (a share of traffic, 0.05 = 5%)' })
      .min(0, { error: 'initialWeight must be from 0 to 1 (0.05 = 5%); fix: use a fraction, not a percentage' })
      .max(1, { error: 'initialWeight must be from 0 to 1 (0.05 = 5%); fix: use a fraction, not a percentage' })
      .default(0),
    /**
     * CodeDeploy traffic-shifting configuration (codedeploy mode).
     * @default 'canary-10-5m'
     */
    deploymentConfig: z
      .enum(CODEDEPLOY_CONFIGS, {
        error: `deploymentConfig must be one of ${CODEDEPLOY_CONFIGS.join(', ')}; fix: pick the closest canary or linear configuration`,
      })
      .default('canary-10-5m'),
  })
  .strict();

const scheduleSchema = z
  .object({
    /** Unique per function; names the scheduled action. */
    name: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, { error: 'schedule name must be 1-64 letters, digits or "-"' }),
    /** `cron(m h dom mon dow year)`, `rate(N unit)` or `at(yyyy-mm-ddThh:mm:ss)`, evaluated in UTC by Application Auto Scaling. */
    // Its content is checked by schedule-expression.ts, the one validator for every schedule (checkLambdaSettings).
    expression: z.string({ error: 'expression must be a string such as "cron(0 8 ? * MON-FRI *)"' }),
    minProvisioned: wholeNumber('minProvisioned', 0, 10000, 'fix: give the warm instances wanted during this window'),
    maxProvisioned: wholeNumber('maxProvisioned', 1, 10000, 'fix: give the upper bound of warm instances during this window'),
  })
  .strict();

export const warmSchema = z
  .object({
    /** Provisioned (pre-initialised) instances on the live alias outside any schedule; the scaling minimum. */
    provisioned: wholeNumber('provisioned', 1, 10000, 'fix: set the number of warm instances (at least 1), or remove `warm`'),
    /** Upper bound for utilization scaling. */
    max: wholeNumber('max', 1, 10000, 'fix: set the scaling maximum (at least `provisioned`)'),
    /**
     * Target share of provisioned concurrency in use; scaling adds instances above it.
     * @default 0.7
     */
    utilizationTarget: z
      .number({ error: 'utilizationTarget must be a number from 0.1 to 0.9' })
      .min(0.1, { error: 'utilizationTarget must be from 0.1 to 0.9 (0.7 = scale out at 70% use)' })
      .max(0.9, { error: 'utilizationTarget must be from 0.1 to 0.9 (0.7 = scale out at 70% use)' })
      .default(0.7),
    /**
     * Predictable peaks: scheduled changes of the scaling bounds.
     * @default - no schedules
     */
    schedules: z.array(scheduleSchema).default([]),
  })
  .strict();

const alarmsSchema = z
  .object({
    /**
     * Errors on the live alias within one minute that raise the errors alarm.
     * @default 1
     */
    errors: wholeNumber('alarms.errors', 1, 1000000, 'fix: set the error count per minute that should alarm').default(1),
    /**
     * p99 duration (ms) on the live alias that raises the latency alarm.
     * @default - 80% of the timeout
     */
    p99Ms: wholeNumber('alarms.p99Ms', 1, 900000, 'fix: set a latency in milliseconds below the timeout').optional(),
  })
  .strict();

/** What both kinds set on the Lambda function, with the same defaults. */
export const lambdaSettingsSchema = z
  .object({
    /** @default 256 */
    memoryMB: wholeNumber('memoryMB', 128, 10240, "fix: choose a size in MB within Lambda's range").default(256),
    /** @default 10 */
    timeoutSeconds: wholeNumber(
      'timeoutSeconds',
      1,
      900,
      'fix: Lambda stops a function after 900 s at most; use a queue or a workflow for longer work',
    ).default(10),
    /** @default - no extra variables */
    environment: z.record(z.string(), z.string({ error: 'environment values must be strings; fix: quote the value' })).default({}),
    /** @default - alias mode, initial weight 0 */
    release: releaseSchema.default({ mode: 'alias', initialWeight: 0, deploymentConfig: 'canary-10-5m' }),
    /** @default - no provisioned concurrency */
    warm: warmSchema.optional(),
    /** @default - the function draws from the account's unreserved concurrency */
    reservedConcurrency: wholeNumber(
      'reservedConcurrency',
      0,
      100000,
      'fix: reserve a whole number of concurrent executions, or remove it',
    ).optional(),
    /** @default true */
    tracing: z.boolean({ error: 'tracing must be true or false' }).default(true),
    /** @default - errors >= 1 per minute, p99 >= 80% of timeout */
    alarms: alarmsSchema.default({ errors: 1 }),
  })
  .strict();

export type LambdaSettings = z.output<typeof lambdaSettingsSchema>;

/** One problem in the shared settings, before the resolver says whose they are. */
export interface SettingsProblem {
  readonly field: string;
  readonly value: unknown;
  readonly message: string;
}

/** Rules across the shared settings that the schema cannot express, for either kind. */
export function checkLambdaSettings(s: LambdaSettings): SettingsProblem[] {
  const problems: SettingsProblem[] = [];
  const add = (field: string, value: unknown, message: string) => problems.push({ field, value, message });

  for (const [key, value] of Object.entries(s.environment)) {
    if (!ENV_KEY.test(key))
      add(
        `environment.${key}`,
        value,
        'variable names must start with a letter and use letters, digits and "_"; fix: rename the variable, e.g. MY_SETTING',
      );
    else if (RESERVED_ENV.has(key)) add(`environment.${key}`, value, 'Lambda reserves this variable; fix: choose another name');
    else if (key.startsWith(PLATFORM_ENV_PREFIX))
      add(
        `environment.${key}`,
        value,
        `the platform sets ${PLATFORM_ENV_PREFIX}* variables (queue URL, output prefix); fix: choose another name`,
      );
  }
  if (s.warm) {
    const w = s.warm;
    if (w.provisioned > w.max) {
      add('warm.provisioned', w.provisioned, `provisioned must not exceed warm.max (${w.max}); fix: raise max or lower provisioned`);
    }
    const names = new Set<string>();
    w.schedules.forEach((schedule, i) => {
      const expression = scheduleExpressionProblem(schedule.expression, 'autoscaling');
      if (expression) add(`warm.schedules[${i}].expression`, schedule.expression, expression);
      if (schedule.minProvisioned > schedule.maxProvisioned) {
        add(
          `warm.schedules[${i}].minProvisioned`,
          schedule.minProvisioned,
          `must not exceed maxProvisioned (${schedule.maxProvisioned}) of schedule "${schedule.name}"; fix: raise ` +
            'maxProvisioned or lower minProvisioned',
        );
      }
      if (names.has(schedule.name))
        add(`warm.schedules[${i}].name`, schedule.name, 'schedule names must be unique per function; fix: rename one of them');
      names.add(schedule.name);
    });
    const peak = Math.max(w.max, ...w.schedules.map((schedule) => schedule.maxProvisioned));
    if (s.reservedConcurrency !== undefined && s.reservedConcurrency < peak) {
      add(
        'reservedConcurrency',
        s.reservedConcurrency,
        `must be at least the highest provisioned concurrency (${peak}); Lambda rejects provisioned > reserved; fix: raise ` +
          'reservedConcurrency or lower warm.max',
      );
    }
  }
  if (s.release.mode === 'codedeploy' && s.release.initialWeight > 0) {
    add(
      'release.initialWeight',
      s.release.initialWeight,
      'initialWeight applies to alias mode only; in codedeploy mode the deploymentConfig sets the canary; fix: remove ' +
        'initialWeight or use mode "alias"',
    );
  }
  const timeoutMs = s.timeoutSeconds * 1000;
  if (s.alarms.p99Ms !== undefined && s.alarms.p99Ms >= timeoutMs) {
    add(
      'alarms.p99Ms',
      s.alarms.p99Ms,
      `must be below the timeout (${timeoutMs} ms) or it can never fire; fix: lower it or raise timeoutSeconds`,
    );
  }
  return problems;
}
