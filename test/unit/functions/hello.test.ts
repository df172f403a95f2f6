import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { handler, type HelloBody } from '../../../functions/hello';

const context = { functionVersion: '7', functionName: 'hello', awsRequestId: 'req-1', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:hello:live' } as unknown as Context;
const event = (query: Record<string, string> | null) => ({ queryStringParameters: query }) as unknown as APIGatewayProxyEvent;

describe('hello handler', () => {
  beforeAll(() => {
    // Powertools metrics print EMF to stdout; keep test output readable.
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    jest.spyOn(console, 'info').mockImplementation(() => undefined);
  });

  test('greets with the shared layer and names the version that served it', async () => {
    const res = await handler(event({ name: 'Ada' }), context);
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body) as HelloBody).toEqual({ message: 'Hello, Ada!', version: '7', layer: 'faas-shared@1' });
  });

  test('defaults the name', async () => {
    const res = await handler(event(null), context);
    expect((JSON.parse(res.body) as HelloBody).message).toBe('Hello, world!');
  });

  test.each([
    ['empty', '', /must not be empty/],
    ['too long', 'x'.repeat(65), /at most 64 characters/],
    ['markup', '<script>', /letters, digits, spaces/],
  ])('bad input (%s) → 400 with a message and no stack trace', async (_label, name, message) => {
    const res = await handler(event({ name }), context);
    expect(res.statusCode).toBe(400);
    const body = JSON.parse(res.body) as { message: string };
    expect(body.message).toMatch(message);
    expect(res.body).not.toMatch(/at .*\.ts:\d+/);
  });
});
