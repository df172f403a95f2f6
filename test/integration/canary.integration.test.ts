/**
 * Scenario c: canary releases with the real `faas` CLI, run as a child process (`node
 * bin/faas.js … --stage dev`) against the emulator, on the hello function of the deployment the
 * harness made. Versions are published through the SDK (an update deploy would re-create the
 * function on MiniStack); short bakes keep the file well under a minute.
 *   1. a second version goes 10 → 50 → 100 % and is promoted;
 *   2. a third version that errors is rolled back — through the named alarm (the test sets its
 *      state) everywhere, and through the per-version comparative and absolute gates where the
 *      endpoint publishes per-version metrics and routes by weight;
 *   3. a concurrent UpdateAlias during a bake is detected through RevisionId (exit 3), nothing
 *      is overwritten, and `faas rollback` then finishes the job;
 *   4. `faas set-weight` stores the weight; the split on invoke is asserted only where the
 *      endpoint routes by weight.
 * What the endpoint can do comes from the capability probe (harness/capabilities.ts); a test
 * that needs a missing capability is skipped with the reason printed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { CloudWatchClient, DescribeAlarmsCommand, SetAlarmStateCommand, type StateValue } from '@aws-sdk/client-cloudwatch';
import {
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionConfigurationCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { capabilities, formatMatrix, waitReady } from './harness/capabilities';
import { PROJECT_ROOT, functionNameOf, lambdaClient, readDeployment, allOutputs } from './harness/deployment';
import { REGION, childEnv } from './harness/emulator';
import { scenarioTest, scenarioTestUnless } from './harness/scenario-report';

const deployment = readDeployment();
// Decided while jest collects the tests: a probe (cached per deployment) says what the endpoint executes.
const caps = capabilities(deployment);
console.log(formatMatrix(deployment.endpoint, caps));

const perVersionGate = caps['per-version-lambda-metrics'].supported && caps['weighted-alias-routing'].supported;
const alarmGate = caps['alarm-set-state'].supported;
const revisionGuard = caps['alias-revision-guard'].supported;
const weightedRouting = caps['weighted-alias-routing'].supported;
const skips: string[] = [
  ...(alarmGate ? [] : [`2 (alarm gate): ${caps['alarm-set-state'].reason}`]),
  ...(perVersionGate
    ? []
    : [
        `2 (per-version comparative and errors<5% gates): the candidate must get live traffic and be measured per ExecutedVersion — ` +
          [caps['per-version-lambda-metrics'], caps['weighted-alias-routing']].filter((c) => !c.supported).map((c) => `${c.name}: ${c.reason}`).join('; '),
      ]),
  ...(revisionGuard ? [] : [`3 (RevisionId conflict): ${caps['alias-revision-guard'].reason}`]),
  ...(weightedRouting ? [] : [`4 (weighted split on invoke): ${caps['weighted-alias-routing'].reason}`]),
];
// Each skipped part prints its reason through skippedScenario below.
const reasonOf = (part: string): string | undefined => skips.find((s) => s.startsWith(part))?.replace(/^[^:]*: /, '');

const client: LambdaClient = lambdaClient(deployment);
const cw = new CloudWatchClient({ endpoint: deployment.endpoint, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const stackOutputs = allOutputs(deployment);
const errorsAlarm = (stackOutputs.Alarmshello ?? '').split(',').find((name) => name.endsWith('-errors'));

let functionName: string;
/** The live alias as the deploy left it, restored at the end (other scenarios share the deployment). */
let original: { version: string; weights: Record<string, number> };
let originalAlarmState: StateValue | undefined;
/** A healthy second version, and a third whose handler does not exist (every invoke is a function error). */
let v2: string;
let v3: string;
const children = new Set<ChildProcess>();

interface FaasRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed, with --json. */
  readonly json: Record<string, unknown> & { result?: string; reason?: string; exitCode?: number; history?: Array<{ action: { kind: string; weight?: number } }> };
  readonly ms: number;
}

/** `node bin/faas.js <args> --stage <stage>` with the emulator's AWS environment; `during` runs while it does. */
async function faas(args: string[], during?: () => Promise<void>): Promise<FaasRun> {
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'faas.js'), ...args, '--stage', deployment.stage], {
    cwd: PROJECT_ROOT,
    env: childEnv(deployment.endpoint),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      children.delete(child);
      resolve(code);
    });
  });
  try {
    if (during) await during();
  } catch (error) {
    child.kill('SIGKILL');
    await exited.catch(() => undefined);
    throw new Error(`${(error as Error).message}\n--- faas ${args.join(' ')} stderr ---\n${stderr}`);
  }
  const code = await exited;
  let json: FaasRun['json'] = {};
  if (args.includes('--json')) {
    try {
      json = JSON.parse(stdout) as FaasRun['json'];
    } catch {
      throw new Error(`faas ${args.join(' ')} exited ${code} without one JSON document on stdout:\n${stdout}\n--- stderr ---\n${stderr}`);
    }
  }
  return { code, stdout, stderr: withoutSdkNodeWarning(stderr), json, ms: Date.now() - started };
}

/**
 * The AWS SDK warns on Node < 22 that later releases will need Node 22 (process.emitWarning):
 * environment noise, not the CLI's output, so it is taken out before stderr is asserted.
 */
function withoutSdkNodeWarning(stderr: string): string {
  return stderr.replace(/\(node:\d+\) Warning: NodeVersionSupportWarning:[\s\S]*?\(Use `node --trace-warnings[^\n]*\n?/g, '');
}

async function liveAlias(): Promise<{ version: string; weights: Record<string, number>; revisionId: string }> {
  const alias = await client.send(new GetAliasCommand({ FunctionName: functionName, Name: 'live' }));
  return { version: alias.FunctionVersion!, weights: alias.RoutingConfig?.AdditionalVersionWeights ?? {}, revisionId: alias.RevisionId! };
}

/** Polls the live alias every 100 ms until `predicate` holds (the CLI has made its first write). */
async function waitForAlias(predicate: (alias: Awaited<ReturnType<typeof liveAlias>>) => boolean, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alias = await liveAlias();
    if (predicate(alias)) return alias;
    if (Date.now() > deadline) throw new Error(`live alias never reached ${what} within ${timeoutMs / 1000} s (now ${JSON.stringify(alias)})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The live alias routes to exactly `version` plus `weights` (no other additional version). */
async function expectLive(version: string, weights: Record<string, number>): Promise<void> {
  const { version: actualVersion, weights: actualWeights } = await liveAlias();
  expect({ version: actualVersion, weights: actualWeights }).toEqual({ version, weights });
}

async function setAlarm(state: StateValue, reason: string): Promise<void> {
  await cw.send(new SetAlarmStateCommand({ AlarmName: errorsAlarm!, StateValue: state, StateReason: reason }));
}

/** Changes $LATEST, publishes it, and puts $LATEST back: the new version differs only as asked. */
async function publish(change: { environment?: Record<string, string>; handler?: string }, description: string): Promise<string> {
  const config = await client.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  const before = { Handler: config.Handler, Environment: { Variables: { ...config.Environment?.Variables } } };
  await client.send(
    new UpdateFunctionConfigurationCommand({
      FunctionName: functionName,
      Handler: change.handler ?? config.Handler,
      Environment: { Variables: { ...config.Environment?.Variables, ...change.environment } },
    }),
  );
  await waitReady(client, functionName);
  const published = await client.send(new PublishVersionCommand({ FunctionName: functionName, Description: description }));
  await client.send(new UpdateFunctionConfigurationCommand({ FunctionName: functionName, ...before }));
  await waitReady(client, functionName);
  return published.Version!;
}

const rollout = (to: string, extra: string[]) => ['canary', 'hello', '--to', to, '--steps', '10,50,100', '--poll', '1s', '--json', ...extra];
const advances = (run: FaasRun) => (run.json.history ?? []).filter((h) => h.action.kind === 'advance').map((h) => h.action.weight);

beforeAll(async () => {
  expect(errorsAlarm).toBeDefined();
  functionName = await functionNameOf(client, deployment.stackName, 'hello');
  const live = await liveAlias();
  original = { version: live.version, weights: live.weights };
  const alarms = await cw.send(new DescribeAlarmsCommand({ AlarmNames: [errorsAlarm!] }));
  originalAlarmState = alarms.MetricAlarms?.[0]?.StateValue;
  const run = Date.now().toString(36);
  v2 = await publish({ environment: { CANARY_SCENARIO: `v2-${run}` } }, 'integration c: second version');
  v3 = await publish({ environment: { CANARY_SCENARIO: `v3-${run}` }, handler: 'index.handlerThatDoesNotExist' }, 'integration c: a version that errors');
  expect(Number(v3)).toBeGreaterThan(Number(v2));
  expect(Number(v2)).toBeGreaterThan(Number(original.version));
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  // Later scenarios share this deployment: live back where the deploy left it, the alarm as it was.
  if (functionName && original) {
    await client.send(new UpdateAliasCommand({ FunctionName: functionName, Name: 'live', FunctionVersion: original.version, RoutingConfig: { AdditionalVersionWeights: original.weights } }));
  }
  if (errorsAlarm && originalAlarmState) await setAlarm(originalAlarmState, 'integration c: restored');
  client.destroy();
  cw.destroy();
});

describe('c: canary releases with the faas CLI', () => {
  scenarioTest('c1', 'a second version goes 10 → 50 → 100 % and is promoted (exit 0, live on it with no weights)', async () => {
    // GIVEN live on the deployed version, the errors alarm not firing
    await expectLive(original.version, {});
    if (alarmGate) await setAlarm('OK', 'integration c1: quiet');

    // WHEN (no traffic: --min-invocations 0 accepts a timer-only rollout; the errors alarm is watched)
    const run = await faas(rollout(v2, ['--bake', '2s', '--min-invocations', '0', '--alarm', 'errors']));

    // THEN
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.json).toMatchObject({ result: 'promoted', stable: original.version, candidate: v2, alias: { primary: v2, candidate: null, weight: 0 } });
    expect(advances(run)).toEqual([0.1, 0.5, 1]);
    expect(run.ms).toBeGreaterThanOrEqual(3 * 2_000);
    await expectLive(v2, {});
    console.log(`c1: promoted ${v2} in ${(run.ms / 1000).toFixed(1)} s (3 steps × 2 s bake)`);
  });

  scenarioTestUnless(reasonOf('2 (alarm gate)'), 'c2', 'a third version that errors is rolled back when its errors alarm fires during a bake (exit 1, live back on the second)', async () => {
    // GIVEN a version whose every invoke is a function error, and the alarm quiet
    const broken = await client.send(new InvokeCommand({ FunctionName: functionName, Qualifier: v3, Payload: Buffer.from('{}') }));
    expect(broken.FunctionError).toBeDefined();
    await setAlarm('OK', 'integration c2: quiet');
    // Per-version metrics only where the endpoint publishes them: otherwise the comparative gate
    // would judge empty windows, so it is off and the alarm is the gate.
    const gates = perVersionGate ? [] : ['--no-compare'];

    // WHEN the alarm goes to ALARM once the candidate takes 10 %
    const run = await faas(rollout(v3, ['--bake', '5s', '--min-invocations', '0', '--alarm', 'errors', ...gates]), async () => {
      await waitForAlias((a) => a.weights[v3] === 0.1, `${v3} at 10 %`);
      await setAlarm('ALARM', 'integration c2: the candidate errors');
    });
    await setAlarm('OK', 'integration c2: done');

    // THEN
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 1, stderr: '' });
    expect(run.json).toMatchObject({ result: 'rolled-back', stable: v2, candidate: v3, alias: { primary: v2, candidate: null, weight: 0 } });
    expect(run.json.reason).toBe(`alarm ${errorsAlarm} in ALARM`);
    expect(advances(run)).toEqual([0.1]);
    await expectLive(v2, {});
    console.log(`c2: rolled back ${v3} on the alarm in ${(run.ms / 1000).toFixed(1)} s`);
  });

  scenarioTestUnless(reasonOf('2 (per-version'), 'c2-per-version', 'live traffic to a candidate that errors is rolled back by the comparative or errors<5% gate (exit 1)', async () => {
    // GIVEN live traffic through the API while the candidate holds 50 %
    let done = false;
    const traffic = (async () => {
      let sent = 0;
      while (!done) {
        await fetch(new URL('hello', deployment.apiUrl)).then((r) => r.arrayBuffer()).catch(() => undefined);
        sent++;
      }
      return sent;
    })();

    // WHEN no alarm is named: only the per-version gates can stop it
    const run = await faas(['canary', 'hello', '--to', v3, '--steps', '50,100', '--bake', '20s', '--poll', '2s', '--min-invocations', '10', '--gate', 'errors<5%', '--json']);
    done = true;
    const sent = await traffic;

    // THEN
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 1, stderr: '' });
    expect(run.json).toMatchObject({ result: 'rolled-back', stable: v2, candidate: v3 });
    expect(run.json.reason).toMatch(/sequential test|errors<5% breached/);
    await expectLive(v2, {});
    console.log(`c2 (per-version): rolled back after ${sent} requests: ${run.json.reason}`);
  });

  scenarioTestUnless(reasonOf('3 (RevisionId'), 'c3', 'a concurrent UpdateAlias during the bake is detected through RevisionId (exit 3, nothing overwritten); faas rollback then finishes', async () => {
    // GIVEN live on the second version
    await expectLive(v2, {});

    // WHEN someone else sets the candidate's weight while the CLI bakes the first step
    const theirs = { [v3]: 0.33 };
    const run = await faas(rollout(v3, ['--bake', '5s', '--min-invocations', '0', '--no-compare']), async () => {
      const seen = await waitForAlias((a) => a.weights[v3] === 0.1, `${v3} at 10 %`);
      await client.send(new UpdateAliasCommand({ FunctionName: functionName, Name: 'live', FunctionVersion: v2, RoutingConfig: { AdditionalVersionWeights: theirs }, RevisionId: seen.revisionId }));
    });

    // THEN the CLI stops without a write: the alias keeps their value
    expect(run.code).toBe(3);
    expect(run.json).toMatchObject({ exitCode: 3, error: expect.stringMatching(/someone else changed the alias .*nothing was overwritten/) });
    expect(run.stderr).toMatch(/^error: someone else changed the alias/);
    await expectLive(v2, theirs);

    // AND `faas rollback` returns all traffic to the stable version
    const back = await faas(['rollback', 'hello', '--json']);
    expect({ code: back.code, stderr: back.stderr }).toEqual({ code: 0, stderr: '' });
    expect(back.json).toMatchObject({ before: { primary: v2, candidate: v3, weight: 0.33 }, after: { primary: v2, candidate: null, weight: 0 } });
    await expectLive(v2, {});
    console.log(`c3: conflict detected in ${(run.ms / 1000).toFixed(1)} s; rollback in ${(back.ms / 1000).toFixed(1)} s`);
  });

  scenarioTest('c4', 'faas set-weight stores the candidate weight on live', async () => {
    // WHEN
    const run = await faas(['set-weight', 'hello', '0.3', '--to', v3, '--json']);

    // THEN
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.json).toMatchObject({ before: { primary: v2, candidate: null }, after: { primary: v2, candidate: v3, weight: 0.3 } });
    await expectLive(v2, { [v3]: 0.3 });
  });

  scenarioTestUnless(reasonOf('4 (weighted'), 'c4-split', 'invokes of live split by the weight (≈30 % to the candidate)', async () => {
    // GIVEN live on v2 with v3 at 30 % (previous test)
    await expectLive(v2, { [v3]: 0.3 });

    // WHEN
    const counts: Record<string, number> = {};
    for (let i = 0; i < 40; i++) {
      // The candidate errors, so the version comes from X-Amz-Executed-Version, not from the answer.
      const answer = await client.send(new InvokeCommand({ FunctionName: functionName, Qualifier: 'live', Payload: Buffer.from('{}') }));
      counts[answer.ExecutedVersion ?? 'unknown'] = (counts[answer.ExecutedVersion ?? 'unknown'] ?? 0) + 1;
    }

    // THEN both versions served; the candidate's share is within ±3 standard deviations of 30 % of 40
    expect(Object.keys(counts).sort()).toEqual([v2, v3].sort());
    expect(counts[v3]).toBeGreaterThanOrEqual(3);
    expect(counts[v3]).toBeLessThanOrEqual(22);
    console.log(`c4: 40 invokes of live at 30 %: ${JSON.stringify(counts)}`);
  });

  scenarioTest('c4-rollback', 'faas rollback clears the weight', async () => {
    const run = await faas(['rollback', 'hello', '--json']);

    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    await expectLive(v2, {});
  });
});
