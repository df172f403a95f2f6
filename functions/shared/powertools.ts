/**
 * The one Powertools setup every handler uses: a logger, metrics and a tracer, created once per
 * bundle at module scope (each function bundles its own copy). The platform sets
 * POWERTOOLS_SERVICE_NAME to the declared function name and POWERTOOLS_METRICS_NAMESPACE to the
 * stage prefix, so nothing here names a function.
 *
 * Lambda's active tracing already records a segment per invocation; the annotations added here
 * make those traces searchable, e.g. `annotation.Service = "hello" AND annotation.Alias = "live"
 * AND annotation.Version = "8"` finds the requests a canary version served through the live alias.
 * Outside Lambda (tests, the emulator) the tracer switches itself off and every call is a no-op.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';

export const logger = new Logger();
export const metrics = new Metrics();
export const tracer = new Tracer();
/** e.g. "index.handler": names the handler subsegment, as Powertools' own middleware does. */
const HANDLER = process.env._HANDLER ?? 'handler';

/** X-Ray annotation values: indexed, so a trace can be found by them. */
export type Annotations = Readonly<Record<string, string | number | boolean>>;

/**
 * What was invoked and what ran: `Version` is the version that executed (under a weighted alias,
 * the one the routing picked); `Alias` is the alias in the invoked ARN, absent when the caller
 * invoked a version or the unqualified function.
 */
export function invocationAnnotations(context: Pick<Context, 'invokedFunctionArn' | 'functionVersion'>): Annotations {
  // arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]
  const qualifier = context.invokedFunctionArn.split(':')[7];
  const alias = qualifier !== undefined && !/^(\d+|\$LATEST)$/.test(qualifier) ? qualifier : undefined;
  return { Version: context.functionVersion, ...(alias !== undefined ? { Alias: alias } : {}) };
}

type Handler<E, R> = (event: E, context: Context) => Promise<R>;

/**
 * Wraps a handler the way Powertools' captureLambdaHandler does (without middy): a `## handler`
 * subsegment annotated with ColdStart, Service and invocationAnnotations(), the response or error
 * as metadata; the logger gets the Lambda context, and stored metrics are published at the end,
 * whether the handler returned or threw.
 */
export function instrumented<E, R>(handler: Handler<E, R>): Handler<E, R> {
  return async (event, context) => {
    logger.addContext(context);
    const facade = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
    const subsegment = facade?.addNewSubsegment(`## ${HANDLER}`);
    if (subsegment) tracer.setSegment(subsegment);
    try {
      tracer.annotateColdStart();
      tracer.addServiceNameAnnotation();
      for (const [key, value] of Object.entries(invocationAnnotations(context))) tracer.putAnnotation(key, value);
      const result = await handler(event, context);
      tracer.addResponseAsMetadata(result, HANDLER);
      return result;
    } catch (error) {
      tracer.addErrorAsMetadata(error as Error);
      throw error;
    } finally {
      subsegment?.close();
      if (facade) tracer.setSegment(facade);
      // Only when there is something: an empty publish logs a warning on every invocation.
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}

/**
 * Runs one unit of work (a queue record, an object) in its own subsegment of the current one, so
 * it can be found by its own annotations. The subsegment is never made the active one: records of
 * a batch run concurrently, and they would overwrite each other's.
 */
export async function traced<T>(name: string, work: (annotate: (annotations: Annotations) => void) => Promise<T> | T): Promise<T> {
  const parent = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
  const subsegment = parent?.addNewSubsegment(name);
  const annotate = (annotations: Annotations) => {
    for (const [key, value] of Object.entries(annotations)) subsegment?.addAnnotation(key, value);
  };
  try {
    return await work(annotate);
  } catch (error) {
    subsegment?.addError(error as Error);
    throw error;
  } finally {
    subsegment?.close();
  }
}
