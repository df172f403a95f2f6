/**
 * GET /hello?name=… — greets through the shared layer and says which version served it,
 * so canary and preview routing can be observed from outside.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { greet, readName, SHARED_LAYER_MARK } from '@faas-platform/shared';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';

const logger = new Logger({ serviceName: 'hello' });
const metrics = new Metrics({ serviceName: 'hello' });
const greeting = process.env.GREETING ?? 'Hello';

export interface HelloBody {
  message: string;
  /** The function version that executed this request ($LATEST only when invoked unqualified). */
  version: string;
  /** Proves the shared layer was loaded. */
  layer: string;
}

export const handler = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
  logger.addContext(context);
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
  } finally {
    metrics.publishStoredMetrics();
  }
};

function json(statusCode: number, body: object): APIGatewayProxyResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
