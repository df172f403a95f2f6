/** GET /hello: a greeting (API Gateway REST proxy integration). */
interface ProxyEvent {
  readonly queryStringParameters?: Record<string, string | undefined> | null;
}

interface ProxyResult {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export async function handler(event: ProxyEvent): Promise<ProxyResult> {
  const name = event.queryStringParameters?.name ?? 'world';
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message: `${process.env.GREETING ?? 'Hello'}, ${name}!` }),
  };
}
