/**
 * The declaration schema: what a team writes in faas.config.ts, once per function.
 *
 * Plain data only — this module imports no aws-cdk-lib, so the same schema can be
 * used by the CLI and by docs tooling. Every message names the limit and the fix;
 * resolve.ts adds the function name, the field and the value that was given.
 */
import { z } from 'zod';
import { containerSchema, type ResolvedContainer } from './container-kind';
import { asyncSchema, queueSchema, triggersSchema } from './async';
import { authSchema, usagePlanSchema } from './auth';
import { CODEDEPLOY_CONFIGS, lambdaSettingsSchema, releaseSchema, warmSchema, wholeNumber as int } from './lambda-settings';
import { routeSchema } from './routes';

export { CODEDEPLOY_CONFIGS };
export { releaseSchema, warmSchema } from './lambda-settings';

const APP_NAME = /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/;

/** Lambda's hard limit on layers per function. */
const MAX_LAYERS = 5;

const instancesSchema = z
  .object({
    /** ARN of an existing Lambda Managed Instances capacity provider. */
    capacityProviderArn: z.string().regex(/^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:capacity-provider:[A-Za-z0-9_-]+$/, {
      error: 'capacityProviderArn must be a Lambda capacity provider ARN (arn:aws:lambda:<region>:<account>:capacity-provider:<name>)',
    }),
    /** Concurrent requests one execution environment serves (Knative's containerConcurrency). */
    perInstanceConcurrency: int('perInstanceConcurrency', 1, 64, 'fix: pick how many requests one instance serves at once'),
  })
  .strict();

// The shared settings keep their place among the zip fields: "use one of …" lists them in this order.
const lambda = lambdaSettingsSchema.shape;

export const functionSchema = z
  .object({
    /**
     * Handler source file, relative to the project root.
     * @default - functions/<name>/index.ts
     */
    entry: z
      .string()
      .regex(/^functions\/(?!(.*\/)?\.\.(\/|$))\S+\.ts$/, {
        error: 'entry must be a .ts file under functions/, e.g. functions/hello/index.ts',
      })
      .optional(),
    /**
     * Exported handler name in the entry file.
     * @default 'handler'
     */
    handler: z
      .string()
      .regex(/^[A-Za-z_$][A-Za-z0-9_$]*$/, { error: 'handler must be the exported function name, e.g. "handler"' })
      .default('handler'),
    memoryMB: lambda.memoryMB,
    timeoutSeconds: lambda.timeoutSeconds,
    environment: lambda.environment,
    /**
     * Layers by folder name under layers/, in extraction order: on Lambda the last one wins
     * when two provide the same file.
     * @default - no layers
     */
    layers: z
      .array(z.string())
      .max(MAX_LAYERS, { error: `a function can use at most ${MAX_LAYERS} layers (Lambda's limit); fix: merge layers` })
      .default([]),
    /** @default - no HTTP routes (the function is invoked directly or by triggers) */
    routes: z.array(routeSchema).default([]),
    release: lambda.release,
    warm: lambda.warm,
    reservedConcurrency: lambda.reservedConcurrency,
    /** @default - standard Lambda, one request per execution environment */
    instances: instancesSchema.optional(),
    tracing: lambda.tracing,
    /**
     * Bundle the AWS SDK clients the handler imports instead of using the runtime's copy: pins
     * their version, and lets emulators without them (MiniStack's local executor) run the function.
     * @default false
     */
    bundleAwsSdk: z.boolean({ error: 'bundleAwsSdk must be true or false' }).optional(),
    alarms: lambda.alarms,
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

/**
 * What a stage may set of an object schema: any top-level field, replacing the declared one
 * whole; `null` removes it so its default applies. No defaults: they would mask the declared value.
 */
function overrideOf<T extends z.ZodRawShape>(schema: z.ZodObject<T>) {
  const bare = (field: z.ZodType) => (field instanceof z.ZodDefault ? (field.unwrap() as z.ZodType) : field);
  const fields = Object.entries(schema.shape).map(([key, field]) => [
    key,
    bare(field as z.ZodType)
      .nullable()
      .optional(),
  ]);
  return z.object(Object.fromEntries(fields) as { [K in keyof T]: z.ZodOptional<z.ZodNullable<T[K]>> }).strict();
}

/** A stage's replacement of top-level fields of a function, e.g. `warm: null`. */
const functionOverrideSchema = overrideOf(functionSchema);
/** A stage's replacement of top-level fields of a container. */
const containerOverrideSchema = overrideOf(containerSchema);

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

const stageSchema = z
  .object({
    /**
     * Per-function overrides for this stage.
     * @default - no overrides
     */
    functions: z.record(z.string(), functionOverrideSchema).default({}),
    /**
     * Per-container overrides for this stage.
     * @default - no overrides
     */
    containers: z.record(z.string(), containerOverrideSchema).default({}),
    /** @default - the app-wide api settings */
    api: stageApiSchema.optional(),
  })
  .strict();

export const platformSchema = z
  .object({
    /** Prefix for stack names and resource names. */
    app: z.string().regex(APP_NAME, { error: 'app must be 2-40 lowercase letters, digits or "-", starting with a letter' }),
    /** @default - the api defaults */
    api: apiSchema.default({ throttleRateLimit: 100, throttleBurstLimit: 200 }),
    /** Zip functions: TypeScript handlers bundled by esbuild. */
    functions: z.record(z.string(), functionSchema),
    /**
     * Container-image functions: a team's own HTTP server (container-kind.ts).
     * @default - none
     */
    containers: z.record(z.string(), containerSchema).optional(),
    /** @default - no stage overrides */
    stages: z.record(z.string(), stageSchema).default({}),
  })
  .strict();

export type CodeDeployConfigName = (typeof CODEDEPLOY_CONFIGS)[number];
export type WarmDeclaration = z.output<typeof warmSchema>;
export type ReleaseDeclaration = z.output<typeof releaseSchema>;
export type FunctionInput = z.input<typeof functionSchema>;
export type PlatformInput = z.input<typeof platformSchema>;

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

export interface ResolvedPlatformWithContainers extends ResolvedPlatform {
  readonly containers: ResolvedContainer[];
}

/** Typed helper for faas.config.ts. */
export function defineConfig(config: PlatformInput): PlatformInput {
  return config;
}
