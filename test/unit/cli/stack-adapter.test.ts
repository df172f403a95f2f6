/**
 * The CLI finds functions across the stacks placement spread them over: the base stack's
 * FunctionStacks output lists the function stacks, each holding one FaasIndex output per function.
 */
import { CloudFormationClient, DescribeStacksCommand, type StackStatus } from '@aws-sdk/client-cloudformation';
import { StackAdapter } from '../../../cli/adapters/stack';
import { cfnMock, indexOutput } from './fake-aws';

const stack = (name: string, status: StackStatus, outputs: Record<string, string>) => ({
  Stacks: [
    {
      StackName: name,
      CreationTime: new Date(0),
      StackStatus: status,
      Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
    },
  ],
});

beforeEach(() => {
  cfnMock.reset();
  cfnMock
    .on(DescribeStacksCommand, { StackName: 'faas-dev' })
    .resolves(stack('faas-dev', 'UPDATE_COMPLETE', { FunctionStacks: 'faas-dev-functions-1,faas-dev-functions-2' }));
  cfnMock.on(DescribeStacksCommand, { StackName: 'faas-dev-functions-1' }).resolves(
    stack('faas-dev-functions-1', 'UPDATE_COMPLETE', {
      Functionhello: 'hello-fn',
      ...indexOutput({ name: 'hello', functionName: 'hello-fn', alarms: ['a1', 'a2'] }),
      Functionordersapi: 'orders-fn',
      ...indexOutput({ name: 'orders-api', functionName: 'orders-fn', alarms: ['o1'], routes: ['GET /orders'] }),
    }),
  );
  cfnMock
    .on(DescribeStacksCommand, { StackName: 'faas-dev-functions-2' })
    .resolves(
      stack(
        'faas-dev-functions-2',
        'UPDATE_IN_PROGRESS',
        indexOutput({ name: 'worker', functionName: 'worker-fn', alarms: ['w1'], dlq: 'https://sqs/dlq' }),
      ),
    );
});

describe('StackAdapter across function stacks', () => {
  test('resolves each function in the stack that holds it, reading every stack once', async () => {
    const adapter = new StackAdapter(new CloudFormationClient({}), 'faas-dev');
    await expect(adapter.resolve('hello')).resolves.toEqual({
      name: 'hello',
      functionName: 'hello-fn',
      alarms: ['a1', 'a2'],
      stackName: 'faas-dev-functions-1',
    });
    await expect(adapter.resolve('worker')).resolves.toEqual({
      name: 'worker',
      functionName: 'worker-fn',
      alarms: ['w1'],
      dlqUrl: 'https://sqs/dlq',
      stackName: 'faas-dev-functions-2',
    });
    await expect(adapter.functionNames()).resolves.toEqual(['hello', 'orders-api', 'worker']);
    expect(cfnMock).toHaveReceivedCommandTimes(DescribeStacksCommand, 3);
  });

  test('a hyphenated name is found as declared, not as the output key CDK made of it', async () => {
    const adapter = new StackAdapter(new CloudFormationClient({}), 'faas-dev');
    await expect(adapter.resolve('orders-api')).resolves.toEqual({
      name: 'orders-api',
      functionName: 'orders-fn',
      alarms: ['o1'],
      stackName: 'faas-dev-functions-1',
    });
    await expect(adapter.resolve('ordersapi')).rejects.toThrow(/unknown function "ordersapi" .*deployed: hello, orders-api, worker/);
  });

  test('stacks deployed without the index say to deploy again', async () => {
    cfnMock
      .on(DescribeStacksCommand, { StackName: 'faas-dev' })
      .resolves(stack('faas-dev', 'UPDATE_COMPLETE', { Functionhello: 'hello-fn', Alarmshello: 'a1' }));
    const adapter = new StackAdapter(new CloudFormationClient({}), 'faas-dev');
    await expect(adapter.resolve('hello')).rejects.toThrow(
      /unknown function "hello" in stack faas-dev \(deployed: none; no stack has a FaasIndex output\)/,
    );
  });

  test('an index output that is not an entry names the output and the stack', async () => {
    cfnMock
      .on(DescribeStacksCommand, { StackName: 'faas-dev' })
      .resolves(stack('faas-dev', 'UPDATE_COMPLETE', { FaasIndexhello: '{"name":"hello"}' }));
    await expect(new StackAdapter(new CloudFormationClient({}), 'faas-dev').resolve('hello')).rejects.toThrow(
      /output FaasIndexhello of stack faas-dev is not a FaasIndex entry/,
    );
  });

  test('a deploy in progress blocks alias changes only for the functions of that stack', async () => {
    const adapter = new StackAdapter(new CloudFormationClient({}), 'faas-dev');
    await expect(adapter.resolveForChange('hello')).resolves.toMatchObject({ functionName: 'hello-fn' });
    await expect(adapter.resolveForChange('worker')).rejects.toThrow(/stack faas-dev-functions-2 is UPDATE_IN_PROGRESS/);
  });

  test('an unknown name lists the stacks searched and the functions found', async () => {
    const adapter = new StackAdapter(new CloudFormationClient({}), 'faas-dev');
    const unknown = new RegExp(
      /unknown function "nope" in the stacks of faas-dev \(faas-dev-functions-1, faas-dev-functions-2\) /.source +
        /\(deployed: hello, orders-api, worker\)/.source,
    );
    await expect(adapter.resolve('nope')).rejects.toThrow(unknown);
  });

  test('a listed function stack not deployed yet (the base stack deploys first) hides only its own functions', async () => {
    cfnMock
      .on(DescribeStacksCommand, { StackName: 'faas-dev-functions-2' })
      .rejects(Object.assign(new Error('Stack with id faas-dev-functions-2 does not exist'), { name: 'ValidationError' }));
    const adapter = new StackAdapter(new CloudFormationClient({}), 'faas-dev');
    await expect(adapter.resolve('hello')).resolves.toMatchObject({ functionName: 'hello-fn' });
    await expect(adapter.resolve('worker')).rejects.toThrow(
      /unknown function "worker" .*listed in faas-dev's FunctionStacks output but not deployed: faas-dev-functions-2/,
    );
  });

  test('a missing base stack says to deploy it', async () => {
    cfnMock
      .on(DescribeStacksCommand, { StackName: 'faas-dev' })
      .rejects(Object.assign(new Error('Stack with id faas-dev does not exist'), { name: 'ValidationError' }));
    await expect(new StackAdapter(new CloudFormationClient({}), 'faas-dev').resolve('hello')).rejects.toThrow(
      /stack faas-dev does not exist/,
    );
  });
});
