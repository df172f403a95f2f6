/**
 * GET /hello?name=… — greets through the shared layer and says which version served it,
 * so canary and preview routing can be observed from outside. Two optional variables inject
 * faults, to try a release that goes wrong (README "Try a canary locally").
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { greet, readName, SHARED_LAYER_MARK } from '@faas-platform/shared';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { instrumented, logger, metrics } from '../shared/powertools';

const greeting = process.env.GREETING ?? 'Hello';

export interface Faults {
  /** Share of invocations (0–1) that fail as a function error (Lambda's Errors metric; API Gateway answers 502). */
  readonly errorRate: number;
  /** Delay added to every invocation (Lambda's Duration metric). */
  readonly delayMs: number;
}

/** FAULT_ERROR_RATE and FAULT_DELAY_MS; unset means no fault. A bad value fails the cold start, naming it. */
export function readFaults(env: NodeJS.ProcessEnv): Faults {
  const read = (name: string, max: number): number => {
    const text = env[name];
    if (text === undefined || text === '') return 0;
    const value = Number(text);
    if (!Number.isFinite(value) || value < 0 || value > max) {
      throw new Error(`${name} must be a number from 0 to ${max}, got: "${text}"`);
    }
    return value;
  };
  return { errorRate: read('FAULT_ERROR_RATE', 1), delayMs: read('FAULT_DELAY_MS', 60_000) };
}

const faults = readFaults(process.env);

export interface HelloBody {
  message: string;
  /** The function version that executed this request ($LATEST only when invoked unqualified). */
  version: string;
  /** Proves the shared layer was loaded. */
  layer: string;
}

export const handler = instrumented(async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
  if (faults.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.delayMs));
  // Thrown outside the try below on purpose: an injected fault is a function error, not a handled 500.
  if (faults.errorRate > 0 && Math.random() < faults.errorRate) throw new Error('injected fault (FAULT_ERROR_RATE)');
  try {
    const name = readName(event.queryStringParameters, 'world');
    if (!name.ok) {
      logger.info('rejected input', { reason: name.message });
      metrics.addMetric('BadRequests', MetricUnit.Count, 1);
      return json(400, { message: name.message });
    }
    const body: HelloBody = { message: greet(greeting, name.name), version: context.functionVersion, layer: SHARED_LAYER_MARK };
    metrics.addMetric('Greetings', MetricUnit.Count, 1);
    return json(200, body);
  } catch (error) {
    // Log the detail, answer without it: callers never see a stack trace.
    logger.error('unexpected failure', error as Error);
    return json(500, { message: 'internal error' });
  }
});

function json(statusCode: number, body: object): APIGatewayProxyResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
