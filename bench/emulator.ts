/**
 * The platform against an emulator: how long from `cdk deploy` to the first answer,
 * how fast a warm request through API Gateway is, and the `faas` CLI's own overhead per canary
 * step (target: ≤ 2 s).
 *
 *   npx ts-node --transpile-only bench/emulator.ts [runs=10] [requests=300]
 *
 * Uses AWS_ENDPOINT_URL when set (never resets it; deploys the app only if it is missing, and
 * only then measures the deploy); otherwise installs and starts MiniStack through the test
 * harness on a fresh state, deploys the dev stage, and stops it at the end.
 * - deploy-to-first-response: from the start of `cdklocal deploy --all` (all stacks: base,
 *   function stacks, API stage) to the first 200 from GET /hello on the data plane;
 * - warm latency: `requests` sequential GET /hello after 20 warm-up requests, paced at
 *   20 requests/s — under the dev stage's throttle (50/s), which answers 429 to a tighter loop —
 *   p50/p99 of the 200s, other statuses counted;
 * - CLI per step: `faas canary hello` in-process with a bake of 0 and no traffic gates, so each
 *   step is only the CLI's API round trips and work; Node + ts-node start-up measured apart.
 * - bad version end to end: a version of hello failing BAD_ERROR_RATE of requests (stable: none),
 *   `faas canary` with the release scenarios' compressed options under real traffic through API
 *   Gateway (BAD_RUNS times), failed requests it served before the rollback, beside the canary
 *   simulation's prediction (simulation/prediction.ts: the same controller, settings and traffic).
 *   Needs weighted routing and per-version metrics (MiniStack: the fidelity layer, reported).
 * Leaves live where it found it. Writes bench/results/emulator.json.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetAliasCommand, UpdateAliasCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import declaration from '../faas.config';
import { createAdapters } from '../cli/adapters/clients';
import { StackAdapter } from '../cli/adapters/stack';
import { declaredNames } from '../cli/commands/declared';
import { runCli } from '../cli/commands/program';
import { lineProgress } from '../cli/commands/progress';
import { realSleep, type Runtime } from '../cli/commands/runtime';
import { predictRollout } from '../simulation/prediction';
import { fidelityLayer } from '../test/integration/harness/capabilities';
import { apiBaseUrl } from '../test/integration/harness/data-plane';
import { deployApp, STAGE } from '../test/integration/harness/deploy';
import { PROJECT_ROOT, allOutputs, lambdaClient } from '../test/integration/harness/deployment';
import { REGION, awsEnv, childEnv, reset, startOrAttach, stop, type Emulator } from '../test/integration/harness/emulator';
import { BAD_ERROR_RATE, FAST_ROLLOUT, HelloReleases, canaryUnderTraffic, rolloutArgs } from '../test/integration/harness/release';
import { tally } from '../test/integration/harness/traffic';

const TARGET_MS = 2_000;
const CHILD_RUNS = 5;
const WARM_UP = 20;
/** Requests per second of the latency loop: below the dev stage's throttleRateLimit (50). */
const PACE_RPS = 20;
const STEPS = '1,3,10,30,100'; // the CLI's default steps
const BAD_RUNS = 3;
const runs = Number(process.argv[2] ?? 10);
const requests = Number(process.argv[3] ?? 300);
const stackName = `${declaration.app}-${STAGE}`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function summary(values: readonly number[]): { median: number; p95: number; p99: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), p99: quantile(sorted, 0.99) };
}

interface Target {
  readonly functionName: string;
  /** GET /hello on the emulator's data plane. */
  readonly helloUrl: string;
}

/** hello's deployed name and URL, or undefined when the app is not deployed there. */
async function deployed(endpoint: string): Promise<Target | undefined> {
  const cfn = new CloudFormationClient({ endpoint, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  try {
    const hello = await new StackAdapter(cfn, stackName).resolve('hello');
    const api = await cfn.send(new DescribeStacksCommand({ StackName: `${stackName}-api` }));
    const outputs = Object.fromEntries((api.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
    return { functionName: hello.functionName, helloUrl: `${apiBaseUrl(outputs, endpoint)}hello` };
  } catch {
    return undefined;
  } finally {
    cfn.destroy();
  }
}

async function get(url: string): Promise<number> {
  const response = await fetch(url);
  await response.arrayBuffer();
  return response.status;
}

interface DeployFigures {
  /** cdklocal bootstrap: once per account and region, not part of a deploy. */
  readonly bootstrapMs: number;
  readonly deployMs: number;
  /** From the start of `cdklocal deploy` to the first 200. */
  readonly firstResponseMs: number;
}

/** Emulator up and the dev stage deployed: what the bench needs, and what it must undo. */
async function setUp(): Promise<{ emulator: Emulator; target: Target; deploy?: DeployFigures; deploySkipped?: string }> {
  const emulator = await startOrAttach(PROJECT_ROOT);
  console.log(`${emulator.kind} at ${emulator.endpoint} (${emulator.pid ? `started, pid ${emulator.pid}` : 'attached'})`);
  try {
    const existing = await deployed(emulator.endpoint);
    if (existing)
      return {
        emulator,
        target: existing,
        deploySkipped:
          `attached to ${emulator.endpoint} where ${stackName} is already deployed; unset AWS_ENDPOINT_URL to ` +
          'measure a deploy on a fresh MiniStack',
      };
    // A fresh MiniStack: wipe and deploy; an attached endpoint is never reset, only deployed to.
    if (emulator.pid) await reset(emulator);
    const t = Date.now();
    const { outputs, timings } = await deployApp(PROJECT_ROOT, emulator.endpoint);
    const deployStart = t + timings.bootstrapMs;
    const helloUrl = `${apiBaseUrl(allOutputs({ outputs, stackName }), emulator.endpoint)}hello`;
    let status = 0;
    for (let i = 0; i < 600 && status !== 200; i++) {
      status = await get(helloUrl).catch(() => 0);
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (status !== 200) throw new Error(`GET ${helloUrl} never answered 200 after the deploy (last status ${status})`);
    const firstResponseMs = Date.now() - deployStart;
    console.log(
      `deployed ${stackName} and its function/API stacks in ${seconds(timings.deployMs)} (bootstrap before it ` +
        `${seconds(timings.bootstrapMs)}); first 200 from GET /hello ${seconds(firstResponseMs)} after the deploy started`,
    );
    const target = await deployed(emulator.endpoint);
    if (!target) throw new Error(`${stackName} deployed, but hello or the API stage cannot be found through the stack outputs`);
    return { emulator, target, deploy: { bootstrapMs: timings.bootstrapMs, deployMs: timings.deployMs, firstResponseMs } };
  } catch (error) {
    await stop(emulator);
    throw error;
  }
}

/** Sequential GETs of a warm route: the emulator's API Gateway → Lambda path, per request. */
async function warmLatency(url: string): Promise<{ median: number; p95: number; p99: number; other: Record<string, number> }> {
  for (let i = 0; i < WARM_UP; i++) await get(url);
  const times: number[] = [];
  const other: Record<string, number> = {};
  const started = Date.now();
  for (let i = 0; i < requests; i++) {
    const wait = started + (i * 1000) / PACE_RPS - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const t = process.hrtime.bigint();
    const status = await get(url);
    if (status === 200) times.push(Number(process.hrtime.bigint() - t) / 1e6);
    else other[status] = (other[status] ?? 0) + 1;
  }
  if (times.length < requests / 2)
    throw new Error(`GET ${url}: only ${times.length} of ${requests} answered 200 (${JSON.stringify(other)})`);
  return { ...summary(times), other };
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
    declared: () => declaredNames(declaration),
  };
}

/** `node bin/faas.js <args>` as a user runs it; resolves with its wall time. */
function child(endpoint: string, args: string[]): Promise<{ code: number | null; ms: number; stderr: string }> {
  const started = Date.now();
  const proc = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'faas.js'), ...args], {
    cwd: PROJECT_ROOT,
    env: childEnv(endpoint),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    proc.once('error', reject);
    proc.once('close', (code) => resolve({ code, ms: Date.now() - started, stderr }));
  });
}

async function main(): Promise<void> {
  if (!Number.isInteger(runs) || runs < 5) throw new Error(`runs must be a whole number ≥ 5, got: ${process.argv[2]}`);
  if (!Number.isInteger(requests) || requests < 100) throw new Error(`requests must be a whole number ≥ 100, got: ${process.argv[3]}`);
  const { emulator, target, deploy, deploySkipped } = await setUp();
  const functionName = target.functionName;
  // The in-process CLI builds its SDK clients from the environment, as it does for a user.
  Object.assign(process.env, awsEnv(emulator.endpoint));
  const client = lambdaClient(emulator);
  const original = await client.send(new GetAliasCommand({ FunctionName: functionName, Name: 'live' }));
  const stable = original.FunctionVersion!;
  try {
    if (Object.keys(original.RoutingConfig?.AdditionalVersionWeights ?? {}).length > 0) {
      throw new Error(
        `live routes ${JSON.stringify(original.RoutingConfig?.AdditionalVersionWeights)} besides ${stable}: a rollout is in ` +
          'progress; finish it (faas resume / rollback) before benchmarking',
      );
    }
    const latency = await warmLatency(target.helloUrl);

    const candidate = await new HelloReleases(client, functionName, emulator).publish(
      { BENCH_RUN: Date.now().toString(36) },
      'bench/emulator.ts candidate',
    );
    const stepCount = STEPS.split(',').length;
    const args = [
      'canary',
      'hello',
      '--stage',
      STAGE,
      '--to',
      candidate,
      '--steps',
      STEPS,
      '--bake',
      '0s',
      '--min-invocations',
      '0',
      '--alarm',
      'errors',
      '--json',
    ];
    const resetAlias = () =>
      client.send(
        new UpdateAliasCommand({
          FunctionName: functionName,
          Name: 'live',
          FunctionVersion: stable,
          RoutingConfig: { AdditionalVersionWeights: {} },
        }),
      );

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

    const badRelease = await badVersionEndToEnd(client, emulator, target, stable);

    const step = summary(perStep);
    const rt = summary(roundTrips);
    const within = step.p95 <= TARGET_MS;
    const ms = (v: number) => `${v.toFixed(1)} ms`;
    console.log(
      [
        `Against ${emulator.kind} (${emulator.endpoint}):`,
        '| measure | value |',
        '|---|---|',
        deploy
          ? `| deploy (cdklocal deploy --all: base, function and API stacks; bootstrap before it ${seconds(deploy.bootstrapMs)}) | ` +
            `${seconds(deploy.deployMs)} |\n| deploy start → first 200 from GET /hello | ${seconds(deploy.firstResponseMs)} |`
          : `| deploy-to-first-response | not measured: ${deploySkipped} |`,
        `| warm GET /hello through API Gateway (${requests} sequential at ${PACE_RPS}/s) | p50 ${ms(latency.median)}, p99 ` +
          `${ms(latency.p99)}${Object.keys(latency.other).length > 0 ? `; not 200: ${JSON.stringify(latency.other)}` : ''} |`,
        `| faas canary overhead per step (bake 0, ${stepCount} steps + promote, ${runs} runs) | median ${ms(step.median)}, p95 ` +
          `${ms(step.p95)} — target ≤ ${TARGET_MS} ms: ${within ? 'within' : 'OVER'} (${(TARGET_MS / step.p95).toFixed(0)}× ` +
          'headroom at p95) |',
        `| one GetAlias round trip, for scale | median ${ms(rt.median)}, p95 ${ms(rt.p95)} |`,
        `| faas as a child process (node bin/faas.js, ${CHILD_RUNS} runs) | whole canary median ` +
          `${summary(wall).median.toFixed(0)} ms; start-up (faas --help) median ${summary(startup).median.toFixed(0)} ms, once ` +
          'per command |',
        `| bad version end to end (${badRelease.layer}; ${(BAD_ERROR_RATE * 100).toFixed(0)} % errors vs 0 %, ` +
          `${badRelease.rps.toFixed(1)} rps, ${rolloutArgs(FAST_ROLLOUT).join(' ')}; ${BAD_RUNS} runs) | failed requests ` +
          `before rollback: ${badRelease.failed.join(', ')} (mean ${mean(badRelease.failed).toFixed(1)}); results ` +
          `${badRelease.results.join(', ')} |`,
        `| the same in the canary simulation (shared controller, same settings and traffic, ${badRelease.prediction.runs} ` +
          `runs) | mean ${badRelease.prediction.failedOnCandidate.mean.toFixed(1)}, median ` +
          `${badRelease.prediction.failedOnCandidate.median}, p90 ${badRelease.prediction.failedOnCandidate.p90}; rolled back ` +
          `${badRelease.prediction.outcomes.rolledBack}/${badRelease.prediction.runs}; real / simulated mean ` +
          `${(mean(badRelease.failed) / badRelease.prediction.failedOnCandidate.mean).toFixed(2)} |`,
        `candidate version ${candidate} (published for this bench); live left on ${stable}`,
      ].join('\n'),
    );
    const file = path.join(__dirname, 'results', 'emulator.json');
    const record = {
      date: new Date().toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      cpu: os.cpus()[0]?.model ?? 'unknown',
      emulator: emulator.kind,
      deploy: deploy ?? { skipped: deploySkipped },
      warmLatencyMs: { requests, paceRps: PACE_RPS, ...latency },
      cliPerStepMs: { runs, steps: stepCount, ...step },
      getAliasMs: rt,
      badVersionEndToEnd: {
        ...badRelease,
        prediction: {
          runs: badRelease.prediction.runs,
          failedOnCandidate: badRelease.prediction.failedOnCandidate,
          outcomes: badRelease.prediction.outcomes,
        },
      },
      childProcessMs: { canary: summary(wall).median, startup: summary(startup).median },
    };
    fs.writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
    if (!within) process.exitCode = 1;
  } finally {
    await client
      .send(
        new UpdateAliasCommand({
          FunctionName: functionName,
          Name: 'live',
          FunctionVersion: stable,
          RoutingConfig: { AdditionalVersionWeights: original.RoutingConfig?.AdditionalVersionWeights ?? {} },
        }),
      )
      .catch((error: Error) => console.error(`could not restore live to ${stable}: ${error.message}`));
    client.destroy();
    if (emulator.pid) {
      await stop(emulator);
      console.log(`stopped MiniStack (pid ${emulator.pid})`);
    }
  }
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

/** BAD_RUNS canaries of a bad version under real traffic, and the simulation's prediction for the same. */
async function badVersionEndToEnd(client: LambdaClient, emulator: Emulator, target: Target, stable: string) {
  const layer = (await fidelityLayer(emulator.endpoint))
    ? 'weighted routing and per-version metrics added by the fidelity layer'
    : 'no fidelity layer';
  const hello = new HelloReleases(client, target.functionName, emulator);
  const failed: number[] = [];
  const candidates: string[] = [];
  const results: string[] = [];
  const rates: number[] = [];
  for (let i = 0; i < BAD_RUNS; i++) {
    // A fresh version each run: the comparison reads whole minutes, so an earlier run's errors of the same version would count.
    const bad = await hello.publish(
      { FAULT_ERROR_RATE: String(BAD_ERROR_RATE), FAULT_DELAY_MS: '0', BENCH_RUN: `${Date.now().toString(36)}-${i}` },
      'bench: a bad version',
    );
    candidates.push(bad);
    await hello.setLive(stable);
    const run = await canaryUnderTraffic({ endpoint: emulator.endpoint, stage: STAGE }, target.helloUrl, [
      '--to',
      bad,
      ...rolloutArgs(FAST_ROLLOUT),
    ]);
    failed.push(tally(run.answers).failed);
    results.push(String(run.cli.json.result ?? `exit ${run.cli.code}`));
    rates.push(run.rps);
  }
  await hello.setLive(stable);
  const rps = mean(rates);
  const prediction = await predictRollout({
    options: FAST_ROLLOUT,
    traffic: { requestsPerSecond: rps, stableErrorRate: 0, candidateErrorRate: BAD_ERROR_RATE },
    seed: 11,
    runs: 200,
  });
  return { layer, candidates, rps, failed, results, prediction };
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
