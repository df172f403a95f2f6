import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { handler, readFaults, type HelloBody } from '../../../functions/hello';

const context = {
  functionVersion: '7',
  functionName: 'hello',
  awsRequestId: 'req-1',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:hello:live',
} as unknown as Context;
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

  test('injects no fault unless asked; reads both fault variables; refuses bad values naming the variable', () => {
    expect(readFaults({})).toEqual({ errorRate: 0, delayMs: 0 });
    expect(readFaults({ FAULT_ERROR_RATE: '0.3', FAULT_DELAY_MS: '250' })).toEqual({ errorRate: 0.3, delayMs: 250 });
    expect(() => readFaults({ FAULT_ERROR_RATE: '30%' })).toThrow(/FAULT_ERROR_RATE must be a number from 0 to 1, got: "30%"/);
    expect(() => readFaults({ FAULT_DELAY_MS: '-1' })).toThrow(/FAULT_DELAY_MS must be a number from 0 to 60000/);
  });

  test('with FAULT_ERROR_RATE=1 every invocation is a function error (thrown, not a 500)', async () => {
    const previous = process.env.FAULT_ERROR_RATE;
    process.env.FAULT_ERROR_RATE = '1';
    try {
      let faulty: typeof handler | undefined;
      jest.isolateModules(() => {
        faulty = (jest.requireActual('../../../functions/hello') as { handler: typeof handler }).handler;
      });
      await expect(faulty!(event(null), context)).rejects.toThrow('injected fault (FAULT_ERROR_RATE)');
    } finally {
      if (previous === undefined) delete process.env.FAULT_ERROR_RATE;
      else process.env.FAULT_ERROR_RATE = previous;
    }
  });
});
