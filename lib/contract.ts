/**
 * Names the stacks, the `faas` CLI and the handlers agree on. Deployed resources and running
 * code depend on them, so changing one is a breaking change. Plain constants: handlers import
 * this file into their bundles, so it imports nothing.
 */

/** The alias callers, triggers and routes invoke; the CLI shifts its weights. */
export const LIVE_ALIAS = 'live';
/** The alias on the newest version, served under PREVIEW_PREFIX. */
export const PREVIEW_ALIAS = 'preview';
/** Path prefix under which every route is also served by the preview alias. */
export const PREVIEW_PREFIX = '/preview';

/** Variables the platform itself sets on functions start with this. */
export const PLATFORM_ENV_PREFIX = 'FAAS_';
/** A queue function's work queue, so its handler can change a message's visibility. */
export const QUEUE_URL_ENV = 'FAAS_QUEUE_URL';
/** The queue's maxReceiveCount, so a handler knows a message's last try. */
export const MAX_RECEIVE_COUNT_ENV = 'FAAS_MAX_RECEIVE_COUNT';
/** Key prefix of an object-triggered function's input. */
export const INPUT_PREFIX_ENV = 'FAAS_INPUT_PREFIX';
/** Key prefix an object-triggered function may write under. */
export const OUTPUT_PREFIX_ENV = 'FAAS_OUTPUT_PREFIX';
/** Path prefixes a container strips before routing, comma-separated. */
export const BASE_PATHS_ENV = 'FAAS_BASE_PATHS';

/** Base stack output: comma-separated function stack names. */
export const FUNCTION_STACKS_OUTPUT = 'FunctionStacks';
/** Function stack output keys are one of these prefixes followed by the declared name. */
export const OUTPUT_PREFIXES = {
  function: 'Function-',
  alarms: 'Alarms-',
  routes: 'Routes-',
  queue: 'Queue-',
  dlq: 'Dlq-',
  failures: 'Failures-',
  bucket: 'Bucket-',
  queueAlarms: 'QueueAlarms-',
} as const;

/**
 * Function stack outputs the `faas` CLI reads: one per declared function, its key this prefix
 * followed by CDK's logical id of the name, its value a FunctionIndexEntry as JSON. The prefix is
 * letters only, so CDK keeps it as written; the declared name is read from the value, never from the key.
 */
export const INDEX_OUTPUT_PREFIX = 'FaasIndex';
/**
 * Upper bound on an index entry's deployed size. CloudFormation documents no limit on an output
 * value that is not exported (an exported one: 1024 bytes); this is its limit on a parameter value
 * and on a custom resource's response, kept here so an entry fits whatever it turns out to apply.
 */
export const INDEX_ENTRY_MAX_BYTES = 4096;

/** What the stacks publish about one declared function (or container). */
export interface FunctionIndexEntry {
  /** The declared name, as in faas.config.ts. */
  readonly name: string;
  readonly kind: 'function' | 'container';
  /** The deployed Lambda function; its LIVE_ALIAS is what callers invoke. */
  readonly functionName: string;
  /** CloudWatch alarm names on the live alias: errors, throttles, p99 duration. */
  readonly alarms: readonly string[];
  /** @default - no work queue */
  readonly queue?: string;
  /** The queue `faas dlq` reads: the work queue's DLQ, else the async failure queue, else the function DLQ. @default - none */
  readonly dlq?: string;
  /** @default - no on-failure destination queue */
  readonly failures?: string;
  /** @default - no object trigger */
  readonly bucket?: string;
  /** @default - no queue alarms */
  readonly queueAlarms?: readonly string[];
  /** "METHOD /path" under the API stack's ApiEndpoint (and again under PREVIEW_PREFIX); empty when it has none. */
  readonly routes: readonly string[];
  /**
   * Set, with routes empty, when listing the routes would pass INDEX_ENTRY_MAX_BYTES: the output key that lists them.
   * @default - routes are listed
   */
  readonly routesOutput?: string;
}

/** API stack output: the REST API stage's base URL. */
export const API_ENDPOINT_OUTPUT = 'ApiEndpoint';
/** @deprecated The same value as API_ENDPOINT_OUTPUT under its old name, kept for scripts that read it. */
export const LEGACY_API_ENDPOINT_OUTPUT = 'HttpApiEndpoint';
