/**
 * The declaration schema: what a team writes in faas.config.ts, once per function.
 *
 * Plain data only — this module imports no aws-cdk-lib, so the same schema can be
 * used by the CLI and by docs tooling. Every message names the limit and the fix;
 * resolve.ts adds the function name, the field and the value that was given.
 */
import { z } from 'zod';
import type { ContainerInput, ContainerOverride } from './container';
import { asyncSchema, queueSchema, triggersSchema } from './async';
import { authSchema, usagePlanSchema } from './auth';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'] as const;

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

/** Lambda's hard limit on layers per function. */
export const MAX_LAYERS = 5;

const NAME = /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/;
// A path is '/', or '/'-separated segments of literals or {params}; {name+} only as the last segment.
const ROUTE_PATH = /^\/$|^(?!$)(\/([A-Za-z0-9._~-]+|\{[A-Za-z][A-Za-z0-9_]*\}))*(\/\{[A-Za-z][A-Za-z0-9_]*\+\})?$/;

const int = (what: string, min: number, max: number, fix: string) =>
  z
    .number({ error: `${what} must be a whole number from ${min} to ${max}; ${fix}` })
    .int({ error: `${what} must be a whole number from ${min} to ${max}; ${fix}` })
    .min(min, { error: `${what} must be from ${min} to ${max}; ${fix}` })
    .max(max, { error: `${what} must be from ${min} to ${max}; ${fix}` });

export const routeSchema = z
  .object({
    method: z.enum(HTTP_METHODS, { error: `method must be one of ${HTTP_METHODS.join(', ')}; fix: use an upper-case HTTP method or ANY` }),
    path: z
      .string()
      .regex(ROUTE_PATH, {
        error: 'path must start with "/" and use segments like "users", "{id}" or a final "{proxy+}"; fix: e.g. "/users/{id}" (no trailing slash)',
      }),
    /**
     * Who may call the route (its /preview twin too).
     * @default - api.auth of the stage, else of the app; synth fails when neither is set
     */
    auth: authSchema.optional(),
  })
  .strict();

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
      .enum(CODEDEPLOY_CONFIGS, { error: `deploymentConfig must be one of ${CODEDEPLOY_CONFIGS.join(', ')}; fix: pick the closest canary or linear configuration` })
      .default('canary-10-5m'),
  })
  .strict();

export const scheduleSchema = z
  .object({
    /** Unique per function; names the scheduled action. */
    name: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, { error: 'schedule name must be 1-64 letters, digits or "-"' }),
    /** `cron(m h dom mon dow year)`, `rate(N unit)` or `at(yyyy-mm-ddThh:mm:ss)`, evaluated in UTC by Application Auto Scaling. */
    // Its content is checked by schedule-expression.ts, the one validator for every schedule (resolve.ts).
    expression: z.string({ error: 'expression must be a string such as "cron(0 8 ? * MON-FRI *)"' }),
    minProvisioned: int('minProvisioned', 0, 10000, 'fix: give the warm instances wanted during this window'),
    maxProvisioned: int('maxProvisioned', 1, 10000, 'fix: give the upper bound of warm instances during this window'),
  })
  .strict();

export const warmSchema = z
  .object({
    /** Provisioned (pre-initialised) instances on the live alias outside any schedule; the scaling minimum. */
    provisioned: int('provisioned', 1, 10000, 'fix: set the number of warm instances (at least 1), or remove `warm`'),
    /** Upper bound for utilization scaling. */
    max: int('max', 1, 10000, 'fix: set the scaling maximum (at least `provisioned`)'),
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

export const instancesSchema = z
  .object({
    /** ARN of an existing Lambda Managed Instances capacity provider. */
    capacityProviderArn: z.string().regex(/^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:capacity-provider:[A-Za-z0-9_-]+$/, {
      error: 'capacityProviderArn must be a Lambda capacity provider ARN (arn:aws:lambda:<region>:<account>:capacity-provider:<name>)',
    }),
    /** Concurrent requests one execution environment serves (Knative's containerConcurrency). */
    perInstanceConcurrency: int('perInstanceConcurrency', 1, 64, 'fix: pick how many requests one instance serves at once'),
  })
  .strict();

export const alarmsSchema = z
  .object({
    /**
     * Errors on the live alias within one minute that raise the errors alarm.
     * @default 1
     */
    errors: int('alarms.errors', 1, 1000000, 'fix: set the error count per minute that should alarm').default(1),
    /**
     * p99 duration (ms) on the live alias that raises the latency alarm.
     * @default - 80% of the timeout
     */
    p99Ms: int('alarms.p99Ms', 1, 900000, 'fix: set a latency in milliseconds below the timeout').optional(),
  })
  .strict();

export const functionSchema = z
  .object({
    /**
     * Handler source file, relative to the project root.
     * @default - functions/<name>/index.ts
     */
    entry: z.string().regex(/^functions\/(?!(.*\/)?\.\.(\/|$))\S+\.ts$/, { error: 'entry must be a .ts file under functions/, e.g. functions/hello/index.ts' }).optional(),
    /**
     * Exported handler name in the entry file.
     * @default 'handler'
     */
    handler: z.string().regex(/^[A-Za-z_$][A-Za-z0-9_$]*$/, { error: 'handler must be the exported function name, e.g. "handler"' }).default('handler'),
    /** @default 256 */
    memoryMB: int('memoryMB', 128, 10240, 'fix: choose a size in MB within Lambda\'s range').default(256),
    /** @default 10 */
    timeoutSeconds: int('timeoutSeconds', 1, 900, 'fix: Lambda stops a function after 900 s at most; use a queue or a workflow for longer work').default(10),
    /** @default - no extra variables */
    environment: z.record(z.string(), z.string({ error: 'environment values must be strings; fix: quote the value' })).default({}),
    /**
     * Layers by folder name under layers/, in extraction order: on Lambda the last one wins
     * when two provide the same file.
     * @default - no layers
     */
    layers: z.array(z.string()).max(MAX_LAYERS, { error: `a function can use at most ${MAX_LAYERS} layers (Lambda's limit); fix: merge layers` }).default([]),
    /** @default - no HTTP routes (the function is invoked directly or by triggers) */
    routes: z.array(routeSchema).default([]),
    /** @default - alias mode, initial weight 0 */
    release: releaseSchema.default({ mode: 'alias', initialWeight: 0, deploymentConfig: 'canary-10-5m' }),
    /** @default - no provisioned concurrency */
    warm: warmSchema.optional(),
    /** @default - the function draws from the account's unreserved concurrency */
    reservedConcurrency: int('reservedConcurrency', 0, 100000, 'fix: reserve a whole number of concurrent executions, or remove it').optional(),
    /** @default - standard Lambda, one request per execution environment */
    instances: instancesSchema.optional(),
    /** @default true */
    tracing: z.boolean({ error: 'tracing must be true or false' }).default(true),
    /**
     * Bundle the AWS SDK clients the handler imports instead of using the runtime's copy: pins
     * their version, and lets emulators without them (MiniStack's local executor) run the function.
     * @default false
     */
    bundleAwsSdk: z.boolean({ error: 'bundleAwsSdk must be true or false' }).optional(),
    /** @default - errors >= 1 per minute, p99 >= 80% of timeout */
    alarms: alarmsSchema.default({ errors: 1 }),
    /**
     * Asynchronous invocation of the live alias: retries, maximum event age, destinations.
     * A function with an s3 or schedule trigger gets the defaults without declaring it.
     * @default - none; with triggers: 2 retries, 6 hours, failures to a platform failure queue
     */
    async: asyncSchema.optional(),
    /**
     * Queue-buffered invocation: an SQS queue with a dead-letter queue, polled into the live
     * alias, fed by `POST /<name>/jobs`.
     * @default - no queue
     */
    queue: queueSchema.optional(),
    /** @default - no triggers */
    triggers: triggersSchema.optional(),
  })
  .strict();

/** A stage may replace any top-level field of a function; `null` removes it (e.g. `warm: null`). */
export const functionOverrideSchema = z.record(z.string(), z.unknown());

export const apiSchema = z
  .object({
    /** @default 100 */
    throttleRateLimit: int('api.throttleRateLimit', 1, 100000, 'fix: requests per second for the stage').default(100),
    /** @default 200 */
    throttleBurstLimit: int('api.throttleBurstLimit', 1, 100000, 'fix: burst size for the stage').default(200),
    /**
     * Auth of every route (and queue endpoint) that declares none.
     * @default - none: every route must declare its own auth
     */
    auth: authSchema.optional(),
    /**
     * Throttling and quota per API key, for routes with `auth: { kind: 'apiKey' }`.
     * @default - 10 requests per second, burst 20, no quota (when some route uses apiKey)
     */
    usagePlan: usagePlanSchema.optional(),
  })
  .strict();

/** A stage's api settings: only what it changes, no defaults (they would mask the app's). */
export const stageApiSchema = z
  .object({
    throttleRateLimit: int('api.throttleRateLimit', 1, 100000, 'fix: requests per second for the stage').optional(),
    throttleBurstLimit: int('api.throttleBurstLimit', 1, 100000, 'fix: burst size for the stage').optional(),
    auth: authSchema.optional(),
    usagePlan: usagePlanSchema.optional(),
  })
  .strict();

export const stageSchema = z
  .object({
    /**
     * Per-function overrides for this stage.
     * @default - no overrides
     */
    functions: z.record(z.string(), functionOverrideSchema).default({}),
    /** @default - the app-wide api settings */
    api: stageApiSchema.optional(),
  })
  .strict();

export const platformSchema = z
  .object({
    /** Prefix for stack names and resource names. */
    app: z.string().regex(NAME, { error: 'app must be 2-40 lowercase letters, digits or "-", starting with a letter' }),
    /** @default - the api defaults */
    api: apiSchema.default({ throttleRateLimit: 100, throttleBurstLimit: 200 }),
    functions: z.record(z.string(), z.unknown()),
    /** @default - no stage overrides */
    stages: z.record(z.string(), stageSchema).default({}),
  })
  .strict();

export type HttpMethod = (typeof HTTP_METHODS)[number];
export type CodeDeployConfigName = (typeof CODEDEPLOY_CONFIGS)[number];
export type RouteDeclaration = z.output<typeof routeSchema>;
export type WarmDeclaration = z.output<typeof warmSchema>;
export type ReleaseDeclaration = z.output<typeof releaseSchema>;
export type FunctionInput = z.input<typeof functionSchema>;
export type PlatformInput = Omit<z.input<typeof platformSchema>, 'functions' | 'stages'> & {
  functions: Record<string, FunctionInput>;
  /** Container-image functions (container.ts validates them). @default - none */
  containers?: Record<string, ContainerInput>;
  stages?: Record<
    string,
    {
      functions?: Record<string, { [K in keyof FunctionInput]?: FunctionInput[K] | null }>;
      containers?: Record<string, ContainerOverride>;
      api?: Partial<z.input<typeof apiSchema>>;
    }
  >;
};

/** A function after stage overrides, defaults and validation. */
export interface ResolvedFunction extends Omit<z.output<typeof functionSchema>, 'entry'> {
  readonly name: string;
  /** Always set after resolution. */
  readonly entry: string;
}

export interface ResolvedPlatform {
  readonly app: string;
  readonly stage: string;
  readonly api: z.output<typeof apiSchema>;
  readonly functions: ResolvedFunction[];
}

/** Typed helper for faas.config.ts. */
export function defineConfig(config: PlatformInput): PlatformInput {
  return config;
}
