/**
 * Bad input never changes anything: each case exits 2 with one clear line and its fix, and no
 * UpdateAlias (nor any other write) is sent.
 */
import { UpdateAliasCommand } from '@aws-sdk/client-lambda';
import { StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import { runCli } from '../../../cli/commands/program';
import { fakeAws, fakeTerminal, lambdaMock, sqsMock } from './fake-aws';

describe('bad input', () => {
  it.each<[string, string[], RegExp, { primary: string; candidate?: string; weight?: number } | null]>([
    [
      'unknown function',
      ['canary', 'helo'],
      new RegExp(
        /function "helo" is not declared in faas.config.ts \(declared: hello, worker, transform, audit, gatekeeper, todo\)/.source +
          /\n {2}fix: did you mean "hello"\?/.source,
      ),
      null,
    ],
    ['weight above 1', ['set-weight', 'hello', '1.5'], /weight must be a number from 0 to 1, got: "1.5"/, null],
    ['weight below 0', ['set-weight', 'hello', '-0.2'], /weight must be a number from 0 to 1, got: "-0.2"/, null],
    ['weight as a percentage', ['set-weight', 'hello', '25'], /weight must be a number from 0 to 1, got: "25"/, null],
    ['candidate equal to primary', ['canary', 'hello', '--to', '3'], /version 3 is already the primary \(stable\) version of live/, null],
    ['$LATEST as candidate', ['canary', 'hello', '--to', '$LATEST'], /the candidate must be a published version, got: \$LATEST/, null],
    [
      '$LATEST for set-weight',
      ['set-weight', 'hello', '0.1', '--to', '$LATEST'],
      /the candidate must be a published version, got: \$LATEST/,
      null,
    ],
    ['nonexistent version', ['canary', 'hello', '--to', '9'], /version 9 does not exist \(published: 1, 2, 3, 4\)/, null],
    ['version older than stable', ['canary', 'hello', '--to', '2'], /version 2 is older than the stable version 3/, null],
    ['malformed gate', ['canary', 'hello', '--gate', 'errors>1%'], /malformed gate "errors>1%"/, null],
    ['gate without unit', ['canary', 'hello', '--gate', 'p99<800'], /malformed gate "p99<800"/, null],
    ['steps not increasing', ['canary', 'hello', '--steps', '5,50,25,100'], /steps must be strictly increasing, got: 50 then 25/, null],
    ['steps not ending at 100', ['canary', 'hello', '--steps', '5,25,50'], /the last step must be 100/, null],
    ['step outside (0, 100]', ['canary', 'hello', '--steps', '0,100'], /each step must be in \(0, 100\]/, null],
    ['bad bake', ['canary', 'hello', '--bake', 'five'], /bake must be a duration like 30s, 5m or 1h, got: "five"/, null],
    [
      'max bake shorter than bake',
      ['canary', 'hello', '--bake', '5m', '--max-bake', '1m'],
      /--max-bake \(1m\) must not be shorter than --bake \(5m\)/,
      null,
    ],
    ['bad ramp bake', ['canary', 'hello', '--ramp-bake', 'soon'], /ramp-bake must be a duration like 30s, 5m or 1h, got: "soon"/, null],
    [
      'max bake shorter than ramp bake',
      ['canary', 'hello', '--bake', '1m', '--ramp-bake', '3m', '--max-bake', '2m'],
      /--max-bake \(2m\) must not be shorter than --ramp-bake \(3m\)/,
      null,
    ],
    ['bad lookback', ['canary', 'hello', '--lookback', 'an hour'], /lookback must be a duration like 30s, 5m or 1h, got: "an hour"/, null],
    ['unknown alarm', ['canary', 'hello', '--alarm', 'nope'], /unknown alarm nope/, null],
    [
      'another rollout in progress',
      ['canary', 'hello', '--to', '5'],
      /a rollout is in progress: live → 3 with 4 at 25%; refusing to start another to 5/,
      { primary: '3', candidate: '4', weight: 0.25 },
    ],
    ['promote without candidate', ['promote', 'hello'], /nothing to promote: live → 3 has no candidate/, null],
    ['rollback to a missing version', ['rollback', 'hello', '--to', '7'], /version 7 does not exist/, null],
    ['unknown stage', ['status', '--stage', 'qa'], /stage "qa" is not declared in faas.config.ts \(stages: dev, prod\)/, null],
    ['dlq on a function without one', ['dlq', 'redrive', 'hello'], /function hello has no DLQ; declare async\/queue settings/, null],
    ['unknown option', ['canary', 'hello', '--weight', '5'], /unknown option '--weight'/, null],
  ])('%s: exit 2, a clear error, no write', async (_case, argv, message, alias) => {
    // GIVEN live on 3 (versions 1–4 published), stack faas-dev deployed
    // (jest passes a done callback for a missing last column: every row has four.)
    fakeAws({ versions: ['1', '2', '3', '4', '5'].slice(0, alias ? 5 : 4), ...(alias ?? { primary: '3' }) });
    const term = fakeTerminal();

    // WHEN
    const code = await runCli(argv, term.runtime);

    // THEN
    expect(code).toBe(2);
    expect(term.stderr()).toMatch(message);
    expect(term.stderr()).toMatch(/^error: .*\n {2}fix: \S.*\n$|\(run with --help for usage\)/);
    expect(lambdaMock).toHaveReceivedCommandTimes(UpdateAliasCommand, 0);
    expect(sqsMock).toHaveReceivedCommandTimes(StartMessageMoveTaskCommand, 0);
  });

  it('with --json also prints the error as JSON on stdout', async () => {
    fakeAws({ primary: '3' });
    const term = fakeTerminal();
    expect(await runCli(['canary', 'hello', '--to', '3', '--json'], term.runtime)).toBe(2);
    expect(JSON.parse(term.stdout())).toEqual({
      error: 'version 3 is already the primary (stable) version of live',
      fix: expect.stringMatching(/publish a new version/),
      exitCode: 2,
    });
  });
});
