/**
 * `faas canary` and `faas resume` end to end over mocked AWS clients and a fake clock:
 * rollout to promotion, rollback on a gate breach or an alarm, an inconclusive end, the lookback
 * pooled into the comparison, RevisionId conflicts, resume, waiting for provisioned concurrency,
 * dry runs and interrupts.
 */
import { GetProvisionedConcurrencyConfigCommand, PreconditionFailedException, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { runCli } from '../../../cli/commands/program';
import { FN, T0, beforeRollout, fakeAws, fakeTerminal, lambdaMock, cloudWatchMock, healthy, stableOnly } from './fake-aws';
import { noScalableTargets } from './fake-warm';

// 2 minutes at 100%; steps below 100% bake the default 1 minute (--ramp-bake).
const BAKE = ['--bake', '2m', '--poll', '30s'];
const MINUTE = 60_000;

interface Summary {
  result: string;
  reason: string;
  plan: Record<string, unknown>;
  history: Array<{ action: { kind: string; cause?: string; weight?: number } }>;
}

/** The time ranges of every GetMetricData call, as [start, end] in ms. */
const metricRanges = () =>
  cloudWatchMock.commandCalls(GetMetricDataCommand).map((c) => [c.args[0].input.StartTime?.getTime(), c.args[0].input.EndTime?.getTime()]);

describe('faas canary', () => {
  it('rolls out 1 → 3 → 20 → 50 → 100% (the default steps), 1 min each below 100% and --bake at 100%, then promotes', async () => {
    // GIVEN live on 3, version 4 published, healthy metrics
    const aws = fakeAws({ primary: '3' });
    const term = fakeTerminal();

    // WHEN
    const code = await runCli(['canary', 'hello', ...BAKE], term.runtime);

    // THEN every step was written with the RevisionId read before it, then the promotion
    expect(code).toBe(0);
    expect(aws.writes).toEqual([
      { primary: '3', routing: { '4': 0.01 }, revisionId: 'rev-1' },
      { primary: '3', routing: { '4': 0.03 }, revisionId: 'rev-2' },
      { primary: '3', routing: { '4': 0.2 }, revisionId: 'rev-3' },
      { primary: '3', routing: { '4': 0.5 }, revisionId: 'rev-4' },
      { primary: '3', routing: { '4': 1 }, revisionId: 'rev-5' },
      { primary: '4', routing: {}, revisionId: 'rev-6' },
    ]);
    expect(aws.alias).toMatchObject({ primary: '4', candidate: undefined });
    expect(lambdaMock).toHaveReceivedCommandWith(UpdateAliasCommand, { FunctionName: FN, Name: 'live' });
    // Ramp bakes of 1 minute and 2 minutes at 100% on the fake clock, none in real time; the 50%
    // step ends early: by then the per-minute comparison has accumulated enough evidence (the fake
    // reports every past minute at the current weight).
    expect(term.elapsed()).toBe(3 * MINUTE + 2 * MINUTE);
    expect(term.stdout()).toMatch(/promoted hello: live → 4 \(was 3\)/);
    expect(term.stderr()).toMatch(/step 2\/5: bake complete; next 20% → live → 3 with 4 at 20%/);
  });

  it('bakes steps below 100% for --ramp-bake', async () => {
    fakeAws({ primary: '3' });
    const term = fakeTerminal();
    expect(await runCli(['canary', 'hello', ...BAKE, '--ramp-bake', '90s'], term.runtime)).toBe(0);
    // The 20% and 50% steps end early on the accumulated per-minute evidence (20% after one poll).
    expect(term.elapsed()).toBe(2 * 90_000 + 30_000 + 2 * MINUTE);
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
    // GIVEN the candidate fails 3% of calls once it gets 3%
    const aws = fakeAws({ primary: '3' });
    aws.metrics = (version, alias, window) =>
      version === '4' && alias.weight >= 0.03 ? { invocations: 1000, errors: 30, p99Ms: 200 } : healthy(version, alias, window);
    const term = fakeTerminal();

    // WHEN
    const code = await runCli(['canary', 'hello', ...BAKE, '--gate', 'errors<1%', '--no-compare', '--json'], term.runtime);

    // THEN
    expect(code).toBe(1);
    expect(aws.writes.map((w) => w.routing)).toEqual([{ '4': 0.01 }, { '4': 0.03 }, {}]);
    expect(aws.alias).toMatchObject({ primary: '3', candidate: undefined });
    const result = JSON.parse(term.stdout()) as Summary;
    expect(result.result).toBe('rolled-back');
    expect(result.reason).toMatch(/gate errors<1% breached: 3% \(30\/1000\)/);
    expect(result.history[result.history.length - 1].action).toEqual({ kind: 'rollback', cause: 'regression', reason: result.reason });
  });

  it('rolls back at once when the comparative test finds the candidate worse', async () => {
    // GIVEN an hour of stable-only traffic at 0.5% errors, then the candidate has a third of the errors on 5% of the traffic
    const aws = fakeAws({ primary: '3' });
    aws.metrics = beforeRollout(stableOnly, (version) =>
      version === '4' ? { invocations: 200, errors: 10, p99Ms: 200 } : { invocations: 3800, errors: 20, p99Ms: 150 },
    );
    const term = fakeTerminal();

    // WHEN
    const code = await runCli(['canary', 'hello', ...BAKE], term.runtime);

    // THEN rolled back on the first read, before the bake ended; the stable-only hour adds nothing
    expect(code).toBe(1);
    expect(aws.writes.map((w) => w.routing)).toEqual([{ '4': 0.01 }, {}]);
    expect(term.elapsed()).toBe(0);
    expect(term.stdout()).toMatch(/rolled back hello: candidate errors 5% \(10\/200\) are worse than stable 0.53% \(20\/3800\)/);
  });

  it("does not compare a candidate at 100% with the stable's last hour: no minute had both versions; alarms and gates judge", async () => {
    // GIVEN an hour of stable-only traffic at 0.5% errors, then a candidate at 1% taking all traffic at once
    const aws = fakeAws({ primary: '3' });
    aws.metrics = beforeRollout(stableOnly, (version) =>
      version === '4' ? { invocations: 4000, errors: 40, p99Ms: 200 } : { invocations: 0, errors: 0 },
    );
    const term = fakeTerminal();

    // WHEN
    const code = await runCli(['canary', 'hello', ...BAKE, '--steps', '100', '--json'], term.runtime);

    // THEN pooling that hour would blame any change in the base error rate on the candidate; the
    // stratified test compares nothing here and the candidate is promoted
    expect(code).toBe(0);
    expect(aws.writes.map((w) => w.routing)).toEqual([{ '4': 1 }, {}]);
    expect((JSON.parse(term.stdout()) as Summary).result).toBe('promoted');
  });

  it('with --lookback 0 compares each step alone: at 100% there is nothing to compare and the same candidate is promoted', async () => {
    const aws = fakeAws({ primary: '3' });
    aws.metrics = beforeRollout(stableOnly, (version) =>
      version === '4' ? { invocations: 4000, errors: 40, p99Ms: 200 } : { invocations: 0, errors: 0 },
    );
    const term = fakeTerminal();
    const code = await runCli(['canary', 'hello', ...BAKE, '--steps', '100', '--lookback', '0', '--json'], term.runtime);
    expect(code).toBe(0);
    expect((JSON.parse(term.stdout()) as Summary).result).toBe('promoted');
    // No query reached before the rollout began.
    expect(metricRanges().every(([start]) => (start ?? 0) >= T0)).toBe(true);
  });

  it('reads per-minute counts per ExecutedVersion since the rollout began', async () => {
    // GIVEN
    fakeAws({ primary: '3' });

    // WHEN
    await runCli(['canary', 'hello', ...BAKE], fakeTerminal().runtime);

    // THEN the per-minute queries all start at the first step's write (T0) and reach the poll
    const minuteCalls = cloudWatchMock.commandCalls(GetMetricDataCommand).filter((c) => c.args[0].input.MetricDataQueries?.length === 4);
    expect(minuteCalls.length).toBeGreaterThan(4);
    expect(minuteCalls.every((c) => c.args[0].input.StartTime?.getTime() === T0)).toBe(true);
    expect(minuteCalls.some((c) => (c.args[0].input.EndTime?.getTime() ?? 0) >= T0 + 5 * MINUTE)).toBe(true);
    const first = minuteCalls[minuteCalls.length - 1];
    const asked = (first?.args[0].input.MetricDataQueries ?? []).map((q) => [
      q.MetricStat?.Metric?.MetricName,
      q.MetricStat?.Stat,
      q.MetricStat?.Period,
      q.MetricStat?.Metric?.Dimensions?.find((d) => d.Name === 'ExecutedVersion')?.Value,
      q.MetricStat?.Metric?.Dimensions?.find((d) => d.Name === 'Resource')?.Value,
    ]);
    expect(asked).toEqual([
      ['Invocations', 'Sum', 60, '4', `${FN}:live`],
      ['Errors', 'Sum', 60, '4', `${FN}:live`],
      ['Invocations', 'Sum', 60, '3', `${FN}:live`],
      ['Errors', 'Sum', 60, '3', `${FN}:live`],
    ]);
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
    expect(aws.writes.map((w) => w.routing)).toEqual([{ '4': 0.01 }, {}]);
    expect(term.stdout()).toMatch(/alarm faas-dev-hello-live-errors in ALARM/);
  });

  it('reports a RevisionId conflict on write, overwrites nothing and exits 3', async () => {
    // GIVEN someone else changes the alias between our read and our write
    const aws = fakeAws({ primary: '3' });
    lambdaMock.on(UpdateAliasCommand).rejects(
      new PreconditionFailedException({
        message: 'The RevisionId provided does not match the latest RevisionId',
        $metadata: { httpStatusCode: 412 },
      }),
    );
    const term = fakeTerminal();

    // WHEN
    const code = await runCli(['canary', 'hello', ...BAKE], term.runtime);

    // THEN
    expect(code).toBe(3);
    expect(lambdaMock).toHaveReceivedCommandTimes(UpdateAliasCommand, 1);
    expect(lambdaMock).toHaveReceivedCommandWith(UpdateAliasCommand, { RevisionId: 'rev-1' });
    expect(aws.alias).toMatchObject({ primary: '3', candidate: undefined, revision: 1 });
    const conflict = new RegExp(
      /^error: someone else changed the alias faas-dev-hello:live since it was read \(revision rev-1\); /.source +
        /nothing was overwritten\n {2}fix: /.source,
      'm',
    );
    expect(term.stderr()).toMatch(conflict);
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
    noScalableTargets();
    let reads = 0;
    lambdaMock.on(GetProvisionedConcurrencyConfigCommand, { Qualifier: 'live' }).callsFake(() => {
      // The warm-capacity read before the first weight (no scalable target here: nothing held).
      if (aws.writes.length === 0)
        return { Status: 'READY', RequestedProvisionedConcurrentExecutions: 4, AllocatedProvisionedConcurrentExecutions: 4 };
      reads++;
      const ready = reads % 3 === 0;
      return {
        Status: ready ? 'READY' : 'IN_PROGRESS',
        RequestedProvisionedConcurrentExecutions: 4,
        AllocatedProvisionedConcurrentExecutions: ready ? 4 : 1,
      };
    });
    const term = fakeTerminal();

    // WHEN
    const code = await runCli(['canary', 'hello', ...BAKE, '--steps', '50,100'], term.runtime);

    // THEN each step waited two 5-second polls for READY, then baked (1 minute at 50%, 2 at 100%)
    expect(code).toBe(0);
    expect(aws.writes).toHaveLength(3);
    expect(term.sleeps.filter((s) => s === 5_000)).toHaveLength(4);
    expect(term.elapsed()).toBe(2 * 5_000 + MINUTE + 2 * 5_000 + 2 * MINUTE);
  });

  it('does not promote with --no-promote: stays at 100% and says what to run', async () => {
    const aws = fakeAws({ primary: '3' });
    const term = fakeTerminal();
    const code = await runCli(['canary', 'hello', ...BAKE, '--steps', '50,100', '--no-promote'], term.runtime);
    expect(code).toBe(0);
    expect(aws.alias).toMatchObject({ primary: '3', candidate: '4', weight: 1 });
    expect(term.stdout()).toMatch(/`faas promote hello` makes it the primary/);
  });

  it.each<[string, string[], (version: string) => { invocations: number; errors: number; p99Ms?: number }, RegExp]>([
    [
      'too little traffic',
      [],
      (version) => (version === '4' ? { invocations: 3, errors: 0, p99Ms: 100 } : { invocations: 60, errors: 0, p99Ms: 100 }),
      /^inconclusive, not enough traffic: 3 candidate invocations < 5 after 360s/,
    ],
    [
      'no data for a gate',
      ['--gate', 'p99<800ms'],
      (version) => (version === '4' ? { invocations: 400, errors: 2 } : { invocations: 3600, errors: 18 }),
      /^inconclusive, no data for gate p99<800ms after 360s/,
    ],
  ])('ends inconclusive on %s by the max bake: back on stable, result "inconclusive", exit 5', async (_case, extra, scenario, reason) => {
    // GIVEN
    const aws = fakeAws({ primary: '3' });
    aws.metrics = scenario;
    const term = fakeTerminal();

    // WHEN
    const code = await runCli(['canary', 'hello', ...BAKE, '--max-bake', '6m', '--json', ...extra], term.runtime);

    // THEN quiet traffic never promotes, but it is not reported as a regression either
    expect(code).toBe(5);
    expect(term.elapsed()).toBe(6 * MINUTE);
    expect(aws.writes.map((w) => w.routing)).toEqual([{ '4': 0.01 }, {}]);
    expect(aws.alias).toMatchObject({ primary: '3', candidate: undefined });
    const result = JSON.parse(term.stdout()) as Summary;
    expect(result.result).toBe('inconclusive');
    expect(result.reason).toMatch(reason);
    expect(result.history[result.history.length - 1].action).toMatchObject({ kind: 'rollback', cause: 'inconclusive' });
  });

  it('says in human output that an inconclusive end returned live to stable and may be retried', async () => {
    const aws = fakeAws({ primary: '3' });
    aws.metrics = (version) => (version === '4' ? { invocations: 3, errors: 0, p99Ms: 100 } : { invocations: 60, errors: 0, p99Ms: 100 });
    const term = fakeTerminal();
    expect(await runCli(['canary', 'hello', ...BAKE], term.runtime)).toBe(5);
    expect(term.stdout()).toMatch(/^returned hello to version 3: inconclusive, not enough traffic: 3 candidate invocations < 5/);
    expect(term.stdout()).toMatch(
      /live serves only version 3; version 4 was not found worse, only not judged: rerun `faas canary hello --to 4`/,
    );
    expect(term.stderr()).toMatch(/returned to stable: inconclusive, not enough traffic.* → live → 3\n/);
    expect(term.stdout()).not.toMatch(/rolled back/);
  });

  it('on --dry-run validates, prints the plan and writes nothing', async () => {
    fakeAws({ primary: '3' });
    const term = fakeTerminal();
    const code = await runCli(['canary', 'hello', '--dry-run', '--gate', 'p99<800ms', '--alarm', 'errors'], term.runtime);
    expect(code).toBe(0);
    expect(lambdaMock).toHaveReceivedCommandTimes(UpdateAliasCommand, 0);
    expect(term.stdout()).toMatch(/dry run: live → 3; would set 4 to 1%/);
    const stepsLine = new RegExp(
      /steps 1% → 3% → 20% → 50% → 100%, /.source +
        /bake 1m per step below 100% and 5m at 100% \(max 15m per step\), min 5 invocations per step/.source,
    );
    const gatesLine = new RegExp(
      /gates: errors vs stable \(SPRT α=0.02, β=0.05, ×2–×20, /.source +
        /per minute since the rollout began \(on resume: the 1h before\)\), p99<800ms, alarm faas-dev-hello-live-errors/.source,
    );
    expect(term.stdout()).toMatch(stepsLine);
    expect(term.stdout()).toMatch(gatesLine);
  });

  it('uses canary defaults: steps 1,3,20,50,100, 1m below 100%, 5m at 100%, max 15m, min 5, 60m lookback, per-minute test', async () => {
    fakeAws({ primary: '3' });
    const term = fakeTerminal();
    expect(await runCli(['canary', 'hello', '--dry-run', '--json'], term.runtime)).toBe(0);
    expect((JSON.parse(term.stdout()) as Summary).plan).toEqual({
      steps: [0.01, 0.03, 0.2, 0.5, 1],
      bakeMs: 5 * MINUTE,
      rampBakeMs: MINUTE,
      maxBakeMs: 15 * MINUTE,
      minInvocations: 5,
      lookbackMs: 60 * MINUTE,
      gates: [],
      alarms: [],
      comparison: { alpha: 0.02, beta: 0.05, worseRatio: 2, maxRatio: 20, holdAt: 2, intoFull: { ratio: 0.5, errors: 10 } },
    });
  });

  it.each<[string, string[], Record<string, unknown>]>([
    [
      'a --bake shorter than the ramp default also shortens the ramp',
      ['--bake', '20s'],
      { bakeMs: 20_000, rampBakeMs: 20_000, maxBakeMs: 60_000 },
    ],
    [
      '--ramp-bake longer than --bake sets the max bake default',
      ['--bake', '1m', '--ramp-bake', '2m'],
      { bakeMs: MINUTE, rampBakeMs: 2 * MINUTE, maxBakeMs: 6 * MINUTE },
    ],
    [
      "--lookback 0 compares each step alone with Wald's SPRT",
      ['--lookback', '0'],
      { lookbackMs: 0, comparison: { alpha: 0.01, beta: 0.05, worseRatio: 2 } },
    ],
    ['--no-compare reads no lookback', ['--no-compare'], { lookbackMs: 0, comparison: null }],
  ])('%s', async (_case, extra, expected) => {
    fakeAws({ primary: '3' });
    const term = fakeTerminal();
    expect(await runCli(['canary', 'hello', '--dry-run', '--json', ...extra], term.runtime)).toBe(0);
    expect((JSON.parse(term.stdout()) as Summary).plan).toMatchObject(expected);
  });

  it('on interrupt leaves the alias at a valid step and prints what to run next', async () => {
    // GIVEN Ctrl-C arrives during the second bake
    const aws = fakeAws({ primary: '3' });
    const term = fakeTerminal({
      onSleep: () => {
        if (aws.alias.weight === 0.03) term.abort();
      },
    });

    // WHEN
    const code = await runCli(['canary', 'hello', ...BAKE], term.runtime);

    // THEN
    expect(code).toBe(130);
    expect(aws.alias).toMatchObject({ primary: '3', candidate: '4', weight: 0.03 });
    const interrupted = new RegExp(
      /interrupted: the alias is valid \(live → 3 with 4 at 3%\)\.\n/.source +
        /next: `faas resume hello` to continue, or `faas rollback hello` to return to 3/.source,
    );
    expect(term.stderr()).toMatch(interrupted);
  });
});

describe('faas resume', () => {
  it('continues from 20%: bakes there, then 50 and 100, then promotes', async () => {
    // GIVEN a rollout interrupted at 20%
    const aws = fakeAws({ primary: '3', candidate: '4', weight: 0.2 });
    const term = fakeTerminal();

    // WHEN
    const code = await runCli(['resume', 'hello', ...BAKE], term.runtime);

    // THEN no step below 20% is written again
    expect(code).toBe(0);
    expect(aws.writes.map((w) => [w.primary, w.routing])).toEqual([
      ['3', { '4': 0.5 }],
      ['3', { '4': 1 }],
      ['4', {}],
    ]);
    // Both ramp steps end at their first poll: the fake reports the whole lookback before the
    // resume at the current weight, already enough per-minute evidence to pass early.
    expect(term.elapsed()).toBe(2 * MINUTE);
    expect(term.stderr()).toMatch(/resuming: live → 3 with 4 at 20%/);
    // With no state but the alias, the per-minute history starts the lookback before the resume.
    expect(metricRanges().some(([start]) => start === T0 - 60 * MINUTE)).toBe(true);
  });

  it('refuses to resume when no rollout is in progress', async () => {
    fakeAws({ primary: '3' });
    const term = fakeTerminal();
    expect(await runCli(['resume', 'hello'], term.runtime)).toBe(2);
    expect(term.stderr()).toMatch(
      /error: no rollout in progress on faas-dev-hello: live → 3\n {2}fix: start one with `faas canary <function>`/,
    );
  });
});
