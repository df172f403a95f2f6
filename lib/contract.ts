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
