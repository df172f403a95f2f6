/**
 * The CLI's own overhead per canary step against an emulator (issue 5: target ≤ 2 s per step):
 * `faas canary hello` with a bake of 0 and no traffic gates to wait for, so each step is only
 * what the CLI does — the API round trips (GetAlias, GetMetricData, DescribeAlarms, UpdateAlias,
 * GetProvisionedConcurrencyConfig) and its own work — never a bake.
 *
 *   npx ts-node --transpile-only bench/cli-emulator.ts [runs=10]
 *
 * Uses AWS_ENDPOINT_URL when set (deploys the app there if its stack is missing); otherwise
 * starts MiniStack through the test harness, deploys the dev stage, and stops it at the end.
 * Publishes one candidate version of hello through the SDK, then per run puts live back on the
 * stable version (not timed) and runs the canary in-process (the real CLI code and SDK clients;
 * only Node/ts-node start-up is left out, measured separately with `node bin/faas.js` runs).
 * Leaves live where it found it.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetAliasCommand, GetFunctionConfigurationCommand, PublishVersionCommand, UpdateAliasCommand, UpdateFunctionConfigurationCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import declaration from '../faas.config';
import { createAdapters } from '../cli/adapters/clients';
import { runCli } from '../cli/commands/program';
import { lineProgress } from '../cli/commands/progress';
import { realSleep, type Runtime } from '../cli/commands/runtime';
import { waitReady } from '../test/integration/harness/capabilities';
import { deployApp, STAGE } from '../test/integration/harness/deploy';
import { PROJECT_ROOT, lambdaClient } from '../test/integration/harness/deployment';
import { REGION, awsEnv, childEnv, reset, startOrAttach, stop, type Emulator } from '../test/integration/harness/emulator';

const TARGET_MS = 2_000;
const CHILD_RUNS = 5;
const STEPS = '5,25,50,100';
const runs = Number(process.argv[2] ?? 10);
const stackName = `${declaration.app}-${STAGE}`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function summary(values: readonly number[]): { median: number; p95: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), p95: quantile(sorted, 0.95) };
}

/** The stack's outputs, or undefined when it is not deployed (or lacks the function output). */
async function stackOutputs(endpoint: string): Promise<Record<string, string> | undefined> {
  const cfn = new CloudFormationClient({ endpoint, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  try {
    const answer = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    const outputs = Object.fromEntries((answer.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
    return outputs.Functionhello ? outputs : undefined;
  } catch {
    return undefined;
  } finally {
    cfn.destroy();
  }
}

/** Emulator up and the dev stage deployed: what the bench needs, and what it must undo. */
async function setUp(): Promise<{ emulator: Emulator; functionName: string }> {
  const emulator = await startOrAttach(PROJECT_ROOT);
  console.log(`${emulator.kind} at ${emulator.endpoint} (${emulator.pid ? `started, pid ${emulator.pid}` : 'attached'})`);
  try {
    let outputs = await stackOutputs(emulator.endpoint);
    if (!outputs) {
      // A fresh MiniStack: wipe and deploy; an attached endpoint is never reset, only deployed to.
      if (emulator.pid) await reset(emulator);
      const t = Date.now();
      await deployApp(PROJECT_ROOT, emulator.endpoint);
      console.log(`deployed ${stackName} in ${seconds(Date.now() - t)}`);
      outputs = await stackOutputs(emulator.endpoint);
      if (!outputs) throw new Error(`${stackName} deployed without a Functionhello output`);
    }
    return { emulator, functionName: outputs.Functionhello };
  } catch (error) {
    await stop(emulator);
    throw error;
  }
}

/** A new version of hello that differs from $LATEST in one variable; $LATEST is put back. */
async function publishCandidate(client: LambdaClient, functionName: string): Promise<string> {
  const config = await client.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  const variables = { ...config.Environment?.Variables };
  await client.send(new UpdateFunctionConfigurationCommand({ FunctionName: functionName, Environment: { Variables: { ...variables, BENCH_RUN: Date.now().toString(36) } } }));
  await waitReady(client, functionName);
  const published = await client.send(new PublishVersionCommand({ FunctionName: functionName, Description: 'bench/cli-emulator.ts candidate' }));
  await client.send(new UpdateFunctionConfigurationCommand({ FunctionName: functionName, Environment: { Variables: variables } }));
  await waitReady(client, functionName);
  return published.Version!;
}

function runtime(): Runtime {
  const sink = { write: (s: string) => void (process.env.BENCH_DEBUG && process.stderr.write(s)) };
  return {
    adapters: createAdapters,
    now: () => Date.now(),
    sleep: realSleep,
    stdout: sink,
    stderr: sink,
    interrupt: new AbortController().signal,
    progress: () => lineProgress(undefined),
    defaultApp: () => declaration.app,
  };
}

/** `node bin/faas.js <args>` as a user runs it; resolves with its wall time. */
function child(endpoint: string, args: string[]): Promise<{ code: number | null; ms: number; stderr: string }> {
  const started = Date.now();
  const proc = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'faas.js'), ...args], { cwd: PROJECT_ROOT, env: childEnv(endpoint), stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    proc.once('error', reject);
    proc.once('close', (code) => resolve({ code, ms: Date.now() - started, stderr }));
  });
}

async function main(): Promise<void> {
  if (!Number.isInteger(runs) || runs < 5) throw new Error(`runs must be a whole number ≥ 5, got: ${process.argv[2]}`);
  const { emulator, functionName } = await setUp();
  // The in-process CLI builds its SDK clients from the environment, as it does for a user.
  Object.assign(process.env, awsEnv(emulator.endpoint));
  const client = lambdaClient(emulator);
  const original = await client.send(new GetAliasCommand({ FunctionName: functionName, Name: 'live' }));
  const stable = original.FunctionVersion!;
  try {
    if (Object.keys(original.RoutingConfig?.AdditionalVersionWeights ?? {}).length > 0) {
      throw new Error(`live routes ${JSON.stringify(original.RoutingConfig?.AdditionalVersionWeights)} besides ${stable}: a rollout is in progress; finish it (faas resume / rollback) before benchmarking`);
    }
    const candidate = await publishCandidate(client, functionName);
    const stepCount = STEPS.split(',').length;
    const args = ['canary', 'hello', '--stage', STAGE, '--to', candidate, '--steps', STEPS, '--bake', '0s', '--min-invocations', '0', '--alarm', 'errors', '--json'];
    const resetAlias = () => client.send(new UpdateAliasCommand({ FunctionName: functionName, Name: 'live', FunctionVersion: stable, RoutingConfig: { AdditionalVersionWeights: {} } }));

    // One GetAlias round trip, for scale.
    const roundTrips: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = process.hrtime.bigint();
      await client.send(new GetAliasCommand({ FunctionName: functionName, Name: 'live' }));
      roundTrips.push(Number(process.hrtime.bigint() - t) / 1e6);
    }

    // In-process: one warm-up (module loading, the SDK's first-call setup), then the runs.
    const perStep: number[] = [];
    for (let i = -1; i < runs; i++) {
      await resetAlias();
      const t = process.hrtime.bigint();
      const code = await runCli(args, runtime());
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      if (code !== 0) throw new Error(`run ${i + 1}: faas ${args.join(' ')} exited ${code} (rerun with BENCH_DEBUG=1 to see its output)`);
      if (i >= 0) perStep.push(ms / stepCount);
    }

    // As a user runs it: Node + ts-node start-up is paid once per command, not per step.
    const startup: number[] = [];
    const wall: number[] = [];
    for (let i = 0; i < CHILD_RUNS; i++) {
      const help = await child(emulator.endpoint, ['--help']);
      startup.push(help.ms);
      await resetAlias();
      const run = await child(emulator.endpoint, args);
      if (run.code !== 0) throw new Error(`node bin/faas.js ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
      wall.push(run.ms);
    }

    const step = summary(perStep);
    const rt = summary(roundTrips);
    const within = step.p95 <= TARGET_MS;
    console.log(
      [
        `faas canary overhead per step against ${emulator.kind} (${emulator.endpoint}), bake 0, ${stepCount} steps + promote, ${runs} runs:`,
        `  median ${step.median.toFixed(1)} ms, p95 ${step.p95.toFixed(1)} ms per step — target ≤ ${TARGET_MS} ms: ${within ? 'within' : 'OVER'} (${(TARGET_MS / step.p95).toFixed(0)}× headroom at p95)`,
        `  for scale: one GetAlias round trip median ${rt.median.toFixed(1)} ms, p95 ${rt.p95.toFixed(1)} ms`,
        `  as a child process (node bin/faas.js, ${CHILD_RUNS} runs): whole canary median ${summary(wall).median.toFixed(0)} ms; Node + ts-node start-up (faas --help) median ${summary(startup).median.toFixed(0)} ms, paid once per command, not per step`,
        `  candidate version ${candidate} (published for this bench); live left on ${stable}`,
      ].join('\n'),
    );
    if (!within) process.exitCode = 1;
  } finally {
    await client.send(
      new UpdateAliasCommand({ FunctionName: functionName, Name: 'live', FunctionVersion: stable, RoutingConfig: { AdditionalVersionWeights: original.RoutingConfig?.AdditionalVersionWeights ?? {} } }),
    ).catch((error: Error) => console.error(`could not restore live to ${stable}: ${error.message}`));
    client.destroy();
    if (emulator.pid) {
      await stop(emulator);
      console.log(`stopped MiniStack (pid ${emulator.pid})`);
    }
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
