/**
 * A function's log lines from CloudWatch Logs (FilterLogEvents), as the tests' window on effects
 * that leave nothing else behind (the worker's "job done" lines, the transform's errors).
 */
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetFunctionConfigurationCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { REGION } from './emulator';

export interface LogEvent {
  readonly timestamp: number;
  readonly message: string;
  readonly logStreamName?: string;
}

function logsClient(endpoint: string): CloudWatchLogsClient {
  return new CloudWatchLogsClient({ endpoint, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
}

/** The log group a function writes to: its LoggingConfig, else /aws/lambda/<name>. */
export async function logGroupOf(lambda: LambdaClient, functionName: string): Promise<string> {
  const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  return config.LoggingConfig?.LogGroup ?? `/aws/lambda/${functionName}`;
}

/** Every event of the group since `startTime` (ms), oldest first; none while the group does not exist yet. */
export async function logEvents(endpoint: string, logGroupName: string, startTime: number): Promise<LogEvent[]> {
  const client = logsClient(endpoint);
  const events: LogEvent[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await client.send(new FilterLogEventsCommand({ logGroupName, startTime, nextToken, limit: 10000 }));
      events.push(
        ...(page.events ?? []).map((e) => ({ timestamp: e.timestamp ?? 0, message: e.message ?? '', logStreamName: e.logStreamName })),
      );
      // Some implementations hand back the same token at the end.
      nextToken = page.nextToken && page.nextToken !== nextToken && (page.events?.length ?? 0) > 0 ? page.nextToken : undefined;
    } while (nextToken);
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return [];
    throw error;
  }
  return events.sort((a, b) => a.timestamp - b.timestamp);
}

/** The JSON object a structured (Powertools) line carries, wherever it starts in the line. */
export function jsonLine(message: string): Record<string, unknown> | undefined {
  const start = message.indexOf('{');
  if (start < 0) return undefined;
  try {
    const value = JSON.parse(message.slice(start)) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
