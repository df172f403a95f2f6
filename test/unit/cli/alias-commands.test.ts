/**
 * `faas promote`, `rollback`, `set-weight` and `status`: one write each with the RevisionId read,
 * nothing written on --dry-run.
 */
import { GetProvisionedConcurrencyConfigCommand, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { runCli } from '../../../cli/commands/program';
import { FN, fakeAws, fakeTerminal, indexOutput, lambdaMock, sqsMock } from './fake-aws';
import { noScalableTargets } from './fake-warm';

describe('promote, rollback, set-weight', () => {
  it('promote makes the candidate the primary with no weights', async () => {
    // GIVEN
    const aws = fakeAws({ primary: '3', candidate: '4', weight: 0.5 });
    const term = fakeTerminal();

    // WHEN
    const code = await runCli(['promote', 'hello'], term.runtime);

    // THEN
    expect(code).toBe(0);
    expect(lambdaMock).toHaveReceivedCommandWith(UpdateAliasCommand, {
      FunctionName: FN,
      Name: 'live',
      FunctionVersion: '4',
      RoutingConfig: { AdditionalVersionWeights: {} },
      RevisionId: 'rev-1',
    });
    expect(aws.alias).toMatchObject({ primary: '4', candidate: undefined });
    expect(term.stdout()).toBe('promote version 4: live → 3 with 4 at 50% → live → 4\n');
  });

  it('rollback sends all traffic to the stable version in one call', async () => {
    const aws = fakeAws({ primary: '3', candidate: '4', weight: 0.25 });
    const term = fakeTerminal();
    expect(await runCli(['rollback', 'hello', '--json'], term.runtime)).toBe(0);
    expect(aws.writes).toEqual([{ primary: '3', routing: {}, revisionId: 'rev-1' }]);
    expect(JSON.parse(term.stdout())).toMatchObject({
      before: { primary: '3', candidate: '4', weight: 0.25 },
      after: { primary: '3', candidate: null, weight: 0 },
    });
  });

  it('rollback --to points live at an older version after a promotion', async () => {
    const aws = fakeAws({ primary: '4' });
    expect(await runCli(['rollback', 'hello', '--to', '3'], fakeTerminal().runtime)).toBe(0);
    expect(aws.writes).toEqual([{ primary: '3', routing: {}, revisionId: 'rev-1' }]);
  });

  it('rollback without a candidate changes nothing', async () => {
    fakeAws({ primary: '3' });
    const term = fakeTerminal();
    expect(await runCli(['rollback', 'hello'], term.runtime)).toBe(0);
    expect(lambdaMock).toHaveReceivedCommandTimes(UpdateAliasCommand, 0);
    expect(term.stdout()).toMatch(/nothing to roll back: live → 3/);
  });

  it('set-weight gives the newest version the weight', async () => {
    const aws = fakeAws({ primary: '3' });
    expect(await runCli(['set-weight', 'hello', '0.1'], fakeTerminal().runtime)).toBe(0);
    expect(aws.writes).toEqual([{ primary: '3', routing: { '4': 0.1 }, revisionId: 'rev-1' }]);
  });

  it.each([
    [
      'promote',
      ['promote', 'hello', '--dry-run'],
      /dry run: would promote version 4: live → 3 with 4 at 50% → live → 4; nothing was changed/,
    ],
    ['rollback', ['rollback', 'hello', '--dry-run'], /dry run: would roll back version 4/],
    [
      'set-weight',
      ['set-weight', 'hello', '0.75', '--dry-run'],
      /dry run: would set version 4 to 75%: live → 3 with 4 at 50% → live → 3 with 4 at 75%/,
    ],
    ['canary', ['canary', 'hello', '--to', '4', '--dry-run'], /dry run: live → 3 with 4 at 50%; would set 4 to 1%/],
    ['resume', ['resume', 'hello', '--dry-run'], /dry run: live → 3 with 4 at 50%; would continue at 50%/],
  ])('%s --dry-run makes no write call', async (_name, argv, message) => {
    fakeAws({ primary: '3', candidate: '4', weight: 0.5 });
    const term = fakeTerminal();
    expect(await runCli(argv, term.runtime)).toBe(0);
    expect(lambdaMock).toHaveReceivedCommandTimes(UpdateAliasCommand, 0);
    expect(term.stdout()).toMatch(message);
  });
});

describe('faas status', () => {
  it('reports alias, warm capacity, health per version and DLQ depth', async () => {
    // GIVEN a rollout at 25%, warm capacity READY on live, a DLQ with 3 messages
    fakeAws({
      primary: '3',
      candidate: '4',
      weight: 0.25,
      outputs: indexOutput({ name: 'hello', functionName: FN, alarms: ['a', 'b'], dlq: 'https://sqs.us-east-1.amazonaws.com/1/hello-dlq' }),
    });
    lambdaMock
      .on(GetProvisionedConcurrencyConfigCommand, { Qualifier: 'live' })
      .resolves({ Status: 'READY', RequestedProvisionedConcurrentExecutions: 2, AllocatedProvisionedConcurrentExecutions: 2 });
    noScalableTargets();
    sqsMock.on(GetQueueAttributesCommand).resolves({
      Attributes: {
        QueueArn: 'arn:aws:sqs:us-east-1:1:hello-dlq',
        ApproximateNumberOfMessages: '3',
        ApproximateNumberOfMessagesNotVisible: '0',
      },
    });
    const term = fakeTerminal();

    // WHEN
    const code = await runCli(['status', '--json'], term.runtime);

    // THEN
    expect(code).toBe(0);
    const report = JSON.parse(term.stdout()) as { functions: Array<Record<string, unknown>> };
    expect(report.functions[0]).toMatchObject({
      function: 'hello',
      alias: { primary: '3', candidate: '4', weight: 0.25, revisionId: 'rev-1' },
      versions: { '3': { invocations: 3000, errors: 15, errorRate: 0.005 }, '4': { invocations: 1000, errors: 5 } },
      provisionedConcurrency: { live: { status: 'READY', allocated: 2, requested: 2 }, '3': null, '4': null },
      dlq: { messages: 3 },
    });
  });

  it('prints a human summary', async () => {
    fakeAws({ primary: '3' });
    const term = fakeTerminal();
    expect(await runCli(['status', 'hello'], term.runtime)).toBe(0);
    expect(term.stdout()).toBe(
      'hello (faas-dev-hello): live → 3\n' +
        '  version 3 (primary): 4000 invocations, errors 0.5%, p99 180ms (last 15 min)\n' +
        '  provisioned concurrency: none\n' +
        '  DLQ: none declared\n',
    );
  });
});
