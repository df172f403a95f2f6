/**
 * The thin SDK adapters on their own: what they send and how they read the answers.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetAliasCommand, LambdaClient, ListVersionsByFunctionCommand, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import { LambdaAdapter } from '../../../cli/adapters/lambda';
import { MetricsAdapter } from '../../../cli/adapters/metrics';
import { StackAdapter } from '../../../cli/adapters/stack';
import { cfnMock, cloudWatchMock, indexOutput, lambdaMock } from './fake-aws';

beforeEach(() => {
  lambdaMock.reset();
  cloudWatchMock.reset();
  cfnMock.reset();
});

describe('LambdaAdapter', () => {
  it('reads primary, candidate, weight and RevisionId from GetAlias', async () => {
    lambdaMock
      .on(GetAliasCommand)
      .resolves({ FunctionVersion: '3', RoutingConfig: { AdditionalVersionWeights: { '4': 0.1 } }, RevisionId: 'r-9' });
    await expect(new LambdaAdapter(new LambdaClient({})).getAlias('fn')).resolves.toEqual({
      primary: '3',
      candidate: '4',
      weight: 0.1,
      revisionId: 'r-9',
    });
    expect(lambdaMock).toHaveReceivedCommandWith(GetAliasCommand, { FunctionName: 'fn', Name: 'live' });
  });

  it('always writes with the RevisionId it is given, and clears routing without a candidate', async () => {
    lambdaMock.on(UpdateAliasCommand).resolves({ RevisionId: 'r-10' });
    const updated = await new LambdaAdapter(new LambdaClient({})).updateAlias('fn', { primary: '4' }, 'r-9');
    expect(updated).toEqual({ primary: '4', candidate: undefined, weight: 0, revisionId: 'r-10' });
    expect(lambdaMock).toHaveReceivedCommandWith(UpdateAliasCommand, {
      FunctionName: 'fn',
      Name: 'live',
      FunctionVersion: '4',
      RoutingConfig: { AdditionalVersionWeights: {} },
      RevisionId: 'r-9',
    });
  });

  it('lists published versions across pages, numerically, without $LATEST', async () => {
    lambdaMock
      .on(ListVersionsByFunctionCommand)
      .resolvesOnce({ Versions: [{ Version: '$LATEST' }, { Version: '10' }], NextMarker: 'm' })
      .resolves({ Versions: [{ Version: '9' }, { Version: '2' }] });
    await expect(new LambdaAdapter(new LambdaClient({})).listVersions('fn')).resolves.toEqual(['2', '9', '10']);
  });

  it('turns an unexpected SDK error into one line naming the call', async () => {
    lambdaMock
      .on(GetAliasCommand)
      .rejects(Object.assign(new Error('User is not authorized to perform: lambda:GetAlias'), { name: 'AccessDeniedException' }));
    await expect(new LambdaAdapter(new LambdaClient({})).getAlias('fn')).rejects.toThrow(
      'GetAlias fn:live failed: AccessDeniedException: User is not authorized to perform: lambda:GetAlias',
    );
  });
});

describe('MetricsAdapter', () => {
  it('asks for one whole-minute period over the window and sums what comes back', async () => {
    cloudWatchMock.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'inv0', Values: [100, 20] },
        { Id: 'err0', Values: [1, 2] },
        { Id: 'dur0', Values: [350] },
        { Id: 'inv1', Values: [] },
        { Id: 'err1', Values: [] },
        { Id: 'dur1', Values: [] },
      ],
    });
    const start = new Date(Date.UTC(2026, 0, 1, 12, 0, 30));
    const end = new Date(Date.UTC(2026, 0, 1, 12, 3, 10));
    const windows = await new MetricsAdapter(new CloudWatchClient({})).versionWindows('fn', ['4', '3'], start, end);
    expect(windows).toEqual({ '4': { invocations: 120, errors: 3, p99Ms: 350 }, '3': { invocations: 0, errors: 0 } });
    expect(cloudWatchMock).toHaveReceivedCommandWith(GetMetricDataCommand, {
      StartTime: new Date(Date.UTC(2026, 0, 1, 12, 0, 0)),
      EndTime: new Date(Date.UTC(2026, 0, 1, 12, 4, 0)),
    });
    const queries = cloudWatchMock.commandCalls(GetMetricDataCommand)[0].args[0].input.MetricDataQueries ?? [];
    expect(queries.map((q) => [q.Id, q.MetricStat?.Metric?.MetricName, q.MetricStat?.Stat, q.MetricStat?.Period])).toEqual([
      ['inv0', 'Invocations', 'Sum', 240],
      ['err0', 'Errors', 'Sum', 240],
      ['dur0', 'Duration', 'p99', 240],
      ['inv1', 'Invocations', 'Sum', 240],
      ['err1', 'Errors', 'Sum', 240],
      ['dur1', 'Duration', 'p99', 240],
    ]);
  });

  it('reports alarm states and the names CloudWatch does not know', async () => {
    cloudWatchMock.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'a', StateValue: 'ALARM' }] });
    await expect(new MetricsAdapter(new CloudWatchClient({})).alarmStates(['a', 'b'])).resolves.toEqual({
      states: [{ name: 'a', state: 'ALARM' }],
      missing: ['b'],
    });
  });
});

describe('StackAdapter', () => {
  it('resolves a declared name with a dash through its index entry, once per run', async () => {
    const index = indexOutput({ name: 'orders-api', functionName: 'faas-dev-orders-api', alarms: ['x-errors', 'x-p99-duration'] });
    cfnMock.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'faas-dev',
          CreationTime: new Date(0),
          StackStatus: 'UPDATE_COMPLETE',
          Outputs: Object.entries(index).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
        },
      ],
    });
    const stack = new StackAdapter(new CloudFormationClient({}), 'faas-dev');
    await expect(stack.resolve('orders-api')).resolves.toEqual({
      name: 'orders-api',
      functionName: 'faas-dev-orders-api',
      alarms: ['x-errors', 'x-p99-duration'],
      stackName: 'faas-dev',
    });
    await stack.resolve('orders-api');
    expect(cfnMock).toHaveReceivedCommandTimes(DescribeStacksCommand, 1);
    expect(cfnMock).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'faas-dev' });
  });
});

describe('StackAdapter during a deploy', () => {
  it('refuses alias changes while the stack is updating, but still answers reads', async () => {
    // GIVEN a deploy in progress (it reads the live alias and may write it right after)
    cfnMock.reset();
    cfnMock.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'faas-dev',
          CreationTime: new Date(0),
          StackStatus: 'UPDATE_IN_PROGRESS',
          Outputs: Object.entries(indexOutput({ name: 'hello', functionName: 'faas-dev-hello' })).map(([OutputKey, OutputValue]) => ({
            OutputKey,
            OutputValue,
          })),
        },
      ],
    });
    const stack = new StackAdapter(new CloudFormationClient({}), 'faas-dev');
    // THEN reads work and writes are refused with what to do
    await expect(stack.resolve('hello')).resolves.toMatchObject({ functionName: 'faas-dev-hello' });
    await expect(stack.resolveForChange('hello')).rejects.toThrow(
      /stack faas-dev is UPDATE_IN_PROGRESS: a deploy may rewrite the live alias/,
    );
  });
});
