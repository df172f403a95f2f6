/**
 * `faas canary` and `faas resume` end to end over mocked AWS clients and a fake clock:
 * rollout to promotion, rollback on a gate breach or an alarm, RevisionId conflicts, resume,
 * waiting for provisioned concurrency, dry runs and interrupts.
 */
import { GetProvisionedConcurrencyConfigCommand, PreconditionFailedException, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { runCli } from '../../../cli/commands/program';
import { FN, fakeAws, fakeTerminal, lambdaMock, cloudWatchMock, healthy } from './fake-aws';

const BAKE = ['--bake', '2m', '--poll', '30s'];

describe('faas canary', () => {
  it('rolls out 5 → 25 → 50 → 100% with a bake each, then promotes', async () => {
    // GIVEN live on 3, version 4 published, healthy metrics
    const aws = fakeAws({ primary: '3' });
    const term = fakeTerminal();

    // WHEN
    const code = await runCli(['canary', 'hello', ...BAKE], term.runtime);

    // THEN every step was written with the RevisionId read before it, then the promotion
    expect(code).toBe(0);
    expect(aws.writes).toEqual([
      { primary: '3', routing: { '4': 0.05 }, revisionId: 'rev-1' },
      { primary: '3', routing: { '4': 0.25 }, revisionId: 'rev-2' },
      { primary: '3', routing: { '4': 0.5 }, revisionId: 'rev-3' },
      { primary: '3', routing: { '4': 1 }, revisionId: 'rev-4' },
      { primary: '4', routing: {}, revisionId: 'rev-5' },
    ]);
    expect(aws.alias).toMatchObject({ primary: '4', candidate: undefined });
    expect(lambdaMock).toHaveReceivedCommandWith(UpdateAliasCommand, { FunctionName: FN, Name: 'live' });
    // Four bakes of 2 minutes on the fake clock, none in real time.
    expect(term.elapsed()).toBe(4 * 120_000);
    expect(term.stdout()).toMatch(/promoted hello: live → 4 \(was 3\)/);
    expect(term.stderr()).toMatch(/step 2\/4: bake complete; next 50% → live → 3 with 4 at 50%/);
  });

  it('reads metrics per ExecutedVersion on the live alias', async () => {
    // GIVEN
    fakeAws({ primary: '3' });

    // WHEN
    await runCli(['canary', 'hello', ...BAKE], fakeTerminal().runtime);

    // THEN
    expect(cloudWatchMock).toHaveReceivedCommandWith(GetMetricDataCommand, {
      MetricDataQueries: expect.arrayContaining([
        expect.objectContaining({
          MetricStat: expect.objectContaining({
            Metric: {
              Namespace: 'AWS/Lambda',
              MetricName: 'Errors',
              Dimensions: [
                { Name: 'FunctionName', Value: FN },
                { Name: 'Resource', Value: `${FN}:live` },
                { Name: 'ExecutedVersion', Value: '4' },
              ],
            },
            Stat: 'Sum',
          }),
        }),
      ]),
    });
  });

  it('rolls back and exits 1 when an absolute gate breaks at the second step', async () => {
    // GIVEN the candidate fails 3% of calls once it gets 25%
    const aws = fakeAws({ primary: '3' });
    aws.metrics = (version, alias) => (version === '4' && alias.weight >= 0.25 ? { invocations: 1000, errors: 30, p99Ms: 200 } : healthy(version, alias));
    const term = fakeTerminal();

    // WHEN
    const code = await runCli(['canary', 'hello', ...BAKE, '--gate', 'errors<1%', '--no-compare', '--json'], term.runtime);

    // THEN
    expect(code).toBe(1);
    expect(aws.writes.map((w) => w.routing)).toEqual([{ '4': 0.05 }, { '4': 0.25 }, {}]);
    expect(aws.alias).toMatchObject({ primary: '3', candidate: undefined });
    const result = JSON.parse(term.stdout()) as { result: string; reason: string };
    expect(result.result).toBe('rolled-back');
    expect(result.reason).toMatch(/gate errors<1% breached: 3% \(30\/1000\)/);
  });

  it('rolls back at once when the comparative test finds the candidate worse', async () => {
    // GIVEN the candidate has a third of the errors on 5% of the traffic
    const aws = fakeAws({ primary: '3' });
    aws.metrics = (version) => (version === '4' ? { invocations: 200, errors: 10, p99Ms: 200 } : { invocations: 3800, errors: 20, p99Ms: 150 });
    const term = fakeTerminal();

    // WHEN
    const code = await runCli(['canary', 'hello', ...BAKE], term.runtime);

    // THEN rolled back on the first read, before the bake ended
    expect(code).toBe(1);
    expect(aws.writes.map((w) => w.routing)).toEqual([{ '4': 0.05 }, {}]);
    expect(term.elapsed()).toBe(0);
    expect(term.stdout()).toMatch(/rolled back hello: candidate errors 5% \(10\/200\) are worse than stable 0.53% \(20\/3800\)/);
  });

  it('rolls back when a named alarm is in ALARM', async () => {
    // GIVEN the errors alarm fires after the first step
    const aws = fakeAws({ primary: '3' });
    const term = fakeTerminal({
      onSleep: () => {
        aws.alarmStates['faas-dev-hello-live-errors'] = 'ALARM';
      },
    });

    // WHEN the alarm is named by its short kind
    const code = await runCli(['canary', 'hello', ...BAKE, '--alarm', 'errors'], term.runtime);

    // THEN
    expect(code).toBe(1);
    expect(aws.writes.map((w) => w.routing)).toEqual([{ '4': 0.05 }, {}]);
    expect(term.stdout()).toMatch(/alarm faas-dev-hello-live-errors in ALARM/);
  });

  it('reports a RevisionId conflict on write, overwrites nothing and exits 3', async () => {
    // GIVEN someone else changes the alias between our read and our write
    const aws = fakeAws({ primary: '3' });
    lambdaMock.on(UpdateAliasCommand).rejects(new PreconditionFailedException({ message: 'The RevisionId provided does not match the latest RevisionId', $metadata: { httpStatusCode: 412 } }));
    const term = fakeTerminal();

    // WHEN
    const code = await runCli(['canary', 'hello', ...BAKE], term.runtime);

    // THEN
    expect(code).toBe(3);
    expect(lambdaMock).toHaveReceivedCommandTimes(UpdateAliasCommand, 1);
    expect(lambdaMock).toHaveReceivedCommandWith(UpdateAliasCommand, { RevisionId: 'rev-1' });
    expect(aws.alias).toMatchObject({ primary: '3', candidate: undefined, revision: 1 });
    expect(term.stderr()).toMatch(/^error: someone else changed the alias faas-dev-hello:live since it was read \(revision rev-1\); nothing was overwritten\n {2}fix: /m);
  });

  it('stops when someone else changes the alias during a bake, without writing', async () => {
    // GIVEN another operator rolls back by hand during the first bake
    const aws = fakeAws({ primary: '3' });
    const term = fakeTerminal({
      onSleep: (n) => {
        if (n === 1) Object.assign(aws.alias, { candidate: undefined, weight: 0, revision: aws.alias.revision + 1 });
      },
    });

    // WHEN
    const code = await runCli(['canary', 'hello', ...BAKE], term.runtime);

    // THEN only our first step was written
    expect(code).toBe(3);
    expect(aws.writes).toHaveLength(1);
    expect(term.stderr()).toMatch(/someone else changed the alias faas-dev-hello:live during the rollout \(now live → 3\)/);
  });

  it('waits for provisioned concurrency READY after a weight change before the bake starts', async () => {
    // GIVEN live's provisioned concurrency is IN_PROGRESS for two reads after each change
    const aws = fakeAws({ primary: '3' });
    let reads = 0;
    lambdaMock.on(GetProvisionedConcurrencyConfigCommand, { Qualifier: 'live' }).callsFake(() => {
      reads++;
      const ready = reads % 3 === 0;
      return { Status: ready ? 'READY' : 'IN_PROGRESS', RequestedProvisionedConcurrentExecutions: 4, AllocatedProvisionedConcurrentExecutions: ready ? 4 : 1 };
    });
    const term = fakeTerminal();

    // WHEN
    const code = await runCli(['canary', 'hello', ...BAKE, '--steps', '50,100'], term.runtime);

    // THEN each step waited two 5-second polls for READY, then baked 2 minutes
    expect(code).toBe(0);
    expect(aws.writes).toHaveLength(3);
    expect(term.sleeps.filter((s) => s === 5_000)).toHaveLength(4);
    expect(term.elapsed()).toBe(2 * (2 * 5_000 + 120_000));
  });

  it('does not promote with --no-promote: stays at 100% and says what to run', async () => {
    const aws = fakeAws({ primary: '3' });
    const term = fakeTerminal();
    const code = await runCli(['canary', 'hello', ...BAKE, '--steps', '50,100', '--no-promote'], term.runtime);
    expect(code).toBe(0);
    expect(aws.alias).toMatchObject({ primary: '3', candidate: '4', weight: 1 });
    expect(term.stdout()).toMatch(/`faas promote hello` makes it the primary/);
  });

  it('rolls back a candidate that gets too little traffic by the max bake (quiet traffic never promotes)', async () => {
    const aws = fakeAws({ primary: '3' });
    aws.metrics = (version) => (version === '4' ? { invocations: 3, errors: 0, p99Ms: 100 } : { invocations: 60, errors: 0, p99Ms: 100 });
    const term = fakeTerminal();
    const code = await runCli(['canary', 'hello', ...BAKE, '--max-bake', '6m'], term.runtime);
    expect(code).toBe(1);
    expect(term.elapsed()).toBe(360_000);
    expect(term.stdout()).toMatch(/not enough traffic: 3 candidate invocations < 100/);
  });

  it('on --dry-run validates, prints the plan and writes nothing', async () => {
    fakeAws({ primary: '3' });
    const term = fakeTerminal();
    const code = await runCli(['canary', 'hello', '--dry-run', '--gate', 'p99<800ms', '--alarm', 'errors'], term.runtime);
    expect(code).toBe(0);
    expect(lambdaMock).toHaveReceivedCommandTimes(UpdateAliasCommand, 0);
    expect(term.stdout()).toMatch(/dry run: live → 3; would set 4 to 5%/);
    expect(term.stdout()).toMatch(/gates: errors vs stable \(SPRT α=0.01, β=0.05, ×2\), p99<800ms, alarm faas-dev-hello-live-errors/);
  });

  it('on interrupt leaves the alias at a valid step and prints what to run next', async () => {
    // GIVEN Ctrl-C arrives during the second bake
    const aws = fakeAws({ primary: '3' });
    const term = fakeTerminal({
      onSleep: () => {
        if (aws.alias.weight === 0.25) term.abort();
      },
    });

    // WHEN
    const code = await runCli(['canary', 'hello', ...BAKE], term.runtime);

    // THEN
    expect(code).toBe(130);
    expect(aws.alias).toMatchObject({ primary: '3', candidate: '4', weight: 0.25 });
    expect(term.stderr()).toMatch(/interrupted: the alias is valid \(live → 3 with 4 at 25%\)\.\nnext: `faas resume hello` to continue, or `faas rollback hello` to return to 3/);
  });
});

describe('faas resume', () => {
  it('continues from 25%: bakes there, then 50 and 100, then promotes', async () => {
    // GIVEN a rollout interrupted at 25%
    const aws = fakeAws({ primary: '3', candidate: '4', weight: 0.25 });
    const term = fakeTerminal();

    // WHEN
    const code = await runCli(['resume', 'hello', ...BAKE], term.runtime);

    // THEN no step below 25% is written again
    expect(code).toBe(0);
    expect(aws.writes.map((w) => [w.primary, w.routing])).toEqual([
      ['3', { '4': 0.5 }],
      ['3', { '4': 1 }],
      ['4', {}],
    ]);
    expect(term.elapsed()).toBe(3 * 120_000);
    expect(term.stderr()).toMatch(/resuming: live → 3 with 4 at 25%/);
  });

  it('refuses to resume when no rollout is in progress', async () => {
    fakeAws({ primary: '3' });
    const term = fakeTerminal();
    expect(await runCli(['resume', 'hello'], term.runtime)).toBe(2);
    expect(term.stderr()).toMatch(/error: no rollout in progress on faas-dev-hello: live → 3\n {2}fix: start one with `faas canary <function>`/);
  });
});

