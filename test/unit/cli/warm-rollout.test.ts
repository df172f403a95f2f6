/**
 * `faas canary` / `faas resume` / `faas rollback` / `faas status` with warm capacity on live,
 * over mocked Lambda and Application Auto Scaling clients: the exact call sequence of a rollout's
 * start and end, Lambda's refusal when the order is wrong, a kill between suspend and restore
 * followed by `faas resume`, and functions the rollout must leave alone.
 */
import { ListTagsForResourceCommand, RegisterScalableTargetCommand, TagResourceCommand } from '@aws-sdk/client-application-auto-scaling';
import { LambdaClient, PutProvisionedConcurrencyConfigCommand } from '@aws-sdk/client-lambda';
import { LambdaAdapter } from '../../../cli/adapters/lambda';
import { runCli } from '../../../cli/commands/program';
import type { Runtime } from '../../../cli/commands/runtime';
import { FN, fakeAws, fakeTerminal, lambdaMock, type FakeAws } from './fake-aws';
import { TARGET_ARN, fakeWarm, logAliasWrites, scalingMock, type WarmRecord } from './fake-warm';

const FAST = ['--bake', '2m', '--poll', '30s'];
const HOLD = 'TagResource faas:rollout-candidate=4 faas:warm-level-before=2';
const SUSPEND = 'RegisterScalableTarget suspended=true,true,true';
const RESUME = 'RegisterScalableTarget suspended=false,false,false';
const UNTAG = 'UntagResource faas:rollout-candidate faas:warm-level-before';
/** What each read of the warm state sends: live's PC, the scalable target and its tags, reserved concurrency. */
const READ = (pc: string) => [
  `GetProvisionedConcurrencyConfig live READY ${pc}`,
  'DescribeScalableTargets',
  'ListTagsForResource',
  'GetFunctionConcurrency',
];

/** Everything but the READY checks after each weight (the controller's wait, tested in canary.test.ts). */
const writesAndReads = (warm: WarmRecord) =>
  warm.calls.filter(
    (c, i) => !(c.startsWith('GetProvisionedConcurrencyConfig live READY') && /^UpdateAlias .*=/.test(warm.calls[i - 1] ?? '')),
  );

function setUp(initial: Parameters<typeof fakeWarm>[1] = { requested: 2, min: 2, max: 10 }): { aws: FakeAws; warm: WarmRecord } {
  const aws = fakeAws({ primary: '3' });
  const warm = fakeWarm(aws, initial);
  logAliasWrites(aws, warm);
  return { aws, warm };
}

/** A terminal whose process dies (nothing runs any more) at its `at`-th sleep. */
function killedAt(at: number): { runtime: Runtime } {
  const term = fakeTerminal();
  let sleeps = 0;
  return {
    runtime: {
      ...term.runtime,
      sleep: (ms, signal) => (++sleeps >= at ? new Promise<void>(() => undefined) : term.runtime.sleep(ms, signal)),
    },
  };
}

describe('faas canary with warm capacity on live', () => {
  it('raises provisioned concurrency, awaits READY, suspends scaling before any weight; restores and resumes after promotion', async () => {
    // GIVEN live on 3 with 2 provisioned (min 2, max 10), IN_PROGRESS for two reads after a put
    const { aws, warm } = setUp();
    warm.inProgressReads = 2;
    const term = fakeTerminal();

    // WHEN
    const code = await runCli(['canary', 'hello', ...FAST], term.runtime);

    // THEN the exact sequence: record, raise to 2 + ⌈2 × 0.5⌉ = 3, READY, suspend, the five weights, promote,
    // the level before back, scaling resumed, the record removed
    expect(code).toBe(0);
    expect(writesAndReads(warm)).toEqual([
      ...READ('2'),
      HOLD,
      'PutProvisionedConcurrencyConfig live=3',
      'GetProvisionedConcurrencyConfig live IN_PROGRESS 3',
      'GetProvisionedConcurrencyConfig live IN_PROGRESS 3',
      'GetProvisionedConcurrencyConfig live READY 3',
      SUSPEND,
      'UpdateAlias 3 4=0.01',
      'UpdateAlias 3 4=0.03',
      'UpdateAlias 3 4=0.2',
      'UpdateAlias 3 4=0.5',
      'UpdateAlias 3 4=1',
      'UpdateAlias 4',
      ...READ('3'),
      'PutProvisionedConcurrencyConfig live=2',
      RESUME,
      UNTAG,
    ]);
    expect(aws.alias).toMatchObject({ primary: '4', candidate: undefined });
    expect(warm).toMatchObject({
      requested: 2,
      target: { min: 2, max: 10, suspended: { in: false, out: false, scheduled: false }, tags: {} },
    });
    expect(scalingMock).toHaveReceivedCommandWith(RegisterScalableTargetCommand, {
      ServiceNamespace: 'lambda',
      ResourceId: `function:${FN}:live`,
      ScalableDimension: 'lambda:function:ProvisionedConcurrency',
      SuspendedState: { DynamicScalingInSuspended: true, DynamicScalingOutSuspended: true, ScheduledScalingSuspended: true },
    });
    // Min and max are never re-registered: the template's values stay as declared.
    for (const call of scalingMock.commandCalls(RegisterScalableTargetCommand))
      expect(call.args[0].input).not.toHaveProperty('MinCapacity');
    expect(term.stderr()).toMatch(
      /warm capacity: provisioned concurrency 3 on live for the rollout \(was 2\); scaling suspended for the rollout/,
    );
    expect(term.stderr()).toMatch(/warm capacity released: provisioned concurrency back to 2, scaling resumed/);
  });

  it('on a rollback: the alias back on stable first, then the level before and scaling resumed', async () => {
    const { aws, warm } = setUp();
    aws.metrics = (version) =>
      version === '4' ? { invocations: 400, errors: 200, p99Ms: 100 } : { invocations: 4000, errors: 4, p99Ms: 100 };
    expect(await runCli(['canary', 'hello', ...FAST], fakeTerminal().runtime)).toBe(1);
    expect(writesAndReads(warm).slice(-9)).toEqual([
      'UpdateAlias 3 4=0.01',
      'UpdateAlias 3',
      ...READ('3'),
      'PutProvisionedConcurrencyConfig live=2',
      RESUME,
      UNTAG,
    ]);
  });

  it('on an interrupt (weights still on live): resumes scaling without touching provisioned concurrency', async () => {
    const { aws, warm } = setUp();
    const term = fakeTerminal({ onSleep: (n) => n === 2 && term.abort() });
    expect(await runCli(['canary', 'hello', ...FAST, '--json'], term.runtime)).toBe(130);
    expect(aws.alias).toMatchObject({ candidate: '4', weight: 0.01 });
    expect(writesAndReads(warm).slice(-6)).toEqual([...READ('3'), RESUME, UNTAG]);
    expect(JSON.parse(term.stdout())).toMatchObject({
      result: 'interrupted',
      warm: [expect.stringMatching(/^provisioned concurrency 3/), expect.stringMatching(/stays 3 while live has weights/)],
    });
  });

  it('keeps the rollout level within warm.max and reserved concurrency', async () => {
    const { warm } = setUp({ requested: 8, min: 8, max: 20, reserved: 10 });
    expect(await runCli(['canary', 'hello', ...FAST], fakeTerminal().runtime)).toBe(0);
    expect(warm.calls).toContain('PutProvisionedConcurrencyConfig live=10');
  });

  it('says on --dry-run what it would do with warm capacity, and changes nothing', async () => {
    const { warm } = setUp();
    const term = fakeTerminal();
    expect(await runCli(['canary', 'hello', '--dry-run'], term.runtime)).toBe(0);
    expect(term.stdout()).toMatch(
      /warm capacity: provisioned concurrency 3 on live for the rollout \(was 2\), then scaling suspended until the end/,
    );
    expect(warm.calls).toEqual(READ('2'));
  });
});

describe('Lambda refuses provisioned concurrency on a weighted alias', () => {
  it("so the order matters: a raise after the first weight fails with Lambda's error", async () => {
    // GIVEN the wrong order: a weight first
    const { aws } = setUp();
    aws.alias.candidate = '4';
    aws.alias.weight = 0.01;

    // WHEN provisioned concurrency is changed afterwards
    const put = new LambdaAdapter(new LambdaClient({})).provisionWarmCapacity(FN, 3);

    // THEN Lambda's refusal, as the CLI reports it
    const refusal = new RegExp(
      /PutProvisionedConcurrencyConfig faas-dev-hello:live 3 failed: /.source +
        /InvalidParameterValueException: Alias with weights can not be used with Provisioned Concurrency/.source,
    );
    await expect(put).rejects.toMatchObject({
      name: 'AwsError',
      message: expect.stringMatching(refusal),
      fix: expect.stringMatching(/only while live has no weights/),
    });
  });

  it('so `faas resume` of a weighted alias never tries: it only suspends, and restores after the alias is settled', async () => {
    // GIVEN a rollout at 20 % whose hold was released by an interrupt (scaling active, no record)
    const { aws, warm } = setUp({ requested: 3, min: 2, max: 10 });
    aws.alias.candidate = '4';
    aws.alias.weight = 0.2;

    // WHEN
    expect(await runCli(['resume', 'hello', ...FAST], fakeTerminal().runtime)).toBe(0);

    // THEN no PutProvisionedConcurrencyConfig before the promotion; the level read at resume is restored
    const calls = writesAndReads(warm);
    const promoted = calls.indexOf('UpdateAlias 4');
    expect(calls.slice(0, promoted).filter((c) => c.startsWith('Put'))).toEqual([]);
    expect(calls.slice(0, 6)).toEqual([...READ('3'), 'TagResource faas:rollout-candidate=4 faas:warm-level-before=3', SUSPEND]);
    expect(lambdaMock.commandCalls(PutProvisionedConcurrencyConfigCommand)).toHaveLength(0);
    expect(calls.slice(-3)).toEqual([...READ('3').slice(-1), RESUME, UNTAG]);
  });
});

describe('a kill between suspend and restore, then `faas resume`', () => {
  it('finds the hold on AWS (tags, suspended state), continues without a PC change, and restores the level before', async () => {
    // GIVEN `faas canary` killed while baking the 20 % step (its 5th sleep): no code ran after the kill
    const { aws, warm } = setUp();
    void runCli(['canary', 'hello', ...FAST], killedAt(5).runtime);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(aws.alias).toMatchObject({ primary: '3', candidate: '4', weight: 0.2 });
    expect(warm).toMatchObject({
      requested: 3,
      target: {
        suspended: { in: true, out: true, scheduled: true },
        tags: { 'faas:rollout-candidate': '4', 'faas:warm-level-before': '2' },
      },
    });

    // WHEN
    const before = warm.calls.length;
    const term = fakeTerminal();
    const code = await runCli(['resume', 'hello', ...FAST], term.runtime);

    // THEN it read the hold, changed nothing before the weights, and restored 2 after promoting
    expect(code).toBe(0);
    const resumed = writesAndReads({ ...warm, calls: warm.calls.slice(before) });
    expect(resumed).toEqual([
      ...READ('3'),
      HOLD,
      // the resumed step waits for READY, as every step does
      'GetProvisionedConcurrencyConfig live READY 3',
      'UpdateAlias 3 4=0.5',
      'UpdateAlias 3 4=1',
      'UpdateAlias 4',
      ...READ('3'),
      'PutProvisionedConcurrencyConfig live=2',
      RESUME,
      UNTAG,
    ]);
    expect(warm).toMatchObject({ requested: 2, target: { suspended: { in: false, out: false, scheduled: false }, tags: {} } });
  });

  it('after a kill between promotion and restore, `faas resume` releases the hold', async () => {
    // GIVEN the canary promoted, then died while putting the level back
    const { aws, warm } = setUp();
    warm.killAt = 'PutProvisionedConcurrencyConfig live=2';
    void runCli(['canary', 'hello', ...FAST], fakeTerminal().runtime);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(aws.alias).toMatchObject({ primary: '4', candidate: undefined });
    expect(warm.target).toMatchObject({ suspended: { in: true, out: true, scheduled: true }, tags: { 'faas:warm-level-before': '2' } });

    // WHEN
    warm.killAt = undefined;
    const term = fakeTerminal();
    const code = await runCli(['resume', 'hello'], term.runtime);

    // THEN
    expect(code).toBe(0);
    const released = new RegExp(
      /no rollout in progress on faas-dev-hello \(live → 4\); /.source +
        /released the warm capacity an earlier rollout held: provisioned concurrency back to 2, scaling resumed/.source,
    );
    expect(term.stdout()).toMatch(released);
    expect(warm).toMatchObject({ requested: 2, target: { suspended: { in: false, out: false, scheduled: false }, tags: {} } });
  });

  it('`faas status` shows the hold while it lasts', async () => {
    const { warm } = setUp({ requested: 3, min: 2, max: 10 });
    Object.assign(warm.target!, {
      suspended: { in: true, out: true, scheduled: true },
      tags: { 'faas:rollout-candidate': '4', 'faas:warm-level-before': '2' },
    });
    const term = fakeTerminal();
    expect(await runCli(['status', 'hello'], term.runtime)).toBe(0);
    expect(term.stdout()).toMatch(
      /warm capacity: scalable target min 2 max 10, held by a rollout to 4 \(level before 2\), suspended: scale-in, scale-out, scheduled/,
    );
  });

  it('`faas rollback` ends the hold too', async () => {
    const { aws, warm } = setUp({ requested: 3, min: 2, max: 10 });
    aws.alias.candidate = '4';
    aws.alias.weight = 0.2;
    Object.assign(warm.target!, {
      suspended: { in: true, out: true, scheduled: true },
      tags: { 'faas:rollout-candidate': '4', 'faas:warm-level-before': '2' },
    });
    const term = fakeTerminal();
    expect(await runCli(['rollback', 'hello'], term.runtime)).toBe(0);
    expect(warm.calls).toEqual(['UpdateAlias 3', ...READ('3'), 'PutProvisionedConcurrencyConfig live=2', RESUME, UNTAG]);
    expect(term.stdout()).toMatch(/warm capacity released: provisioned concurrency back to 2, scaling resumed/);
  });
});

describe('functions the rollout leaves alone', () => {
  it('without provisioned concurrency on live (no warm, or Lambda Managed Instances): no scaling call, no PC change', async () => {
    fakeAws({ primary: '3' });
    scalingMock.reset();
    expect(await runCli(['canary', 'hello', ...FAST], fakeTerminal().runtime)).toBe(0);
    expect(scalingMock.calls()).toHaveLength(0);
    expect(lambdaMock.commandCalls(PutProvisionedConcurrencyConfigCommand)).toHaveLength(0);
  });

  it('provisioned concurrency without a scalable target: waits for READY as before, changes nothing', async () => {
    const { warm } = setUp({ requested: 2, scalableTarget: false });
    expect(await runCli(['canary', 'hello', ...FAST], fakeTerminal().runtime)).toBe(0);
    expect(warm.calls.filter((c) => !c.startsWith('Get') && !c.startsWith('UpdateAlias') && c !== 'DescribeScalableTargets')).toEqual([]);
    expect(scalingMock.commandCalls(TagResourceCommand)).toHaveLength(0);
    expect(scalingMock.commandCalls(ListTagsForResourceCommand)).toHaveLength(0);
  });
});

it("reads the hold from the scalable target's ARN", async () => {
  setUp();
  await runCli(['canary', 'hello', '--dry-run'], fakeTerminal().runtime);
  expect(scalingMock).toHaveReceivedCommandWith(ListTagsForResourceCommand, { ResourceARN: TARGET_ARN });
});
