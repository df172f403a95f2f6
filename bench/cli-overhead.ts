/**
 * The CLI's own overhead per canary step: `faas canary` end to end with mocked AWS clients
 * (aws-sdk-client-mock, answering at once) and a bake of 0, so what is measured is parsing,
 * the engine, the adapters' request building and the SDK middleware — never a bake.
 * Then the start-up a user waits for before any command: `node bin/faas.js --help` (the compiled
 * CLI, `npm run build`) as a child process, wall time, median of 5, beside npx's own start-up.
 *   npx ts-node --transpile-only bench/cli-overhead.ts [runs=50]
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import {
  GetAliasCommand,
  GetProvisionedConcurrencyConfigCommand,
  LambdaClient,
  ListVersionsByFunctionCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createAdapters } from '../cli/adapters/clients';
import { runCli } from '../cli/commands/program';
import { lineProgress } from '../cli/commands/progress';
import type { Runtime } from '../cli/commands/runtime';
import { declaredNames } from '../cli/commands/declared';
import faasConfig from '../faas.config';

const STEPS = '1,3,10,30,100'; // the CLI's default steps
const runs = Number(process.argv[2] ?? 50);

function mockAws(): void {
  let alias = { primary: '3', routing: {} as Record<string, number>, revision: 1 };
  // Each run starts by reading the stack: the alias goes back to 3 for the next rollout.
  mockClient(CloudFormationClient)
    .on(DescribeStacksCommand)
    .callsFake(() => {
      alias = { primary: '3', routing: {}, revision: alias.revision + 1 };
      return {
        Stacks: [
          {
            StackName: 'faas-dev',
            CreationTime: new Date(0),
            StackStatus: 'CREATE_COMPLETE',
            Outputs: [
              { OutputKey: 'Functionhello', OutputValue: 'faas-dev-hello' },
              { OutputKey: 'Alarmshello', OutputValue: 'faas-dev-hello-live-errors' },
            ],
          },
        ],
      };
    });
  const lambda = mockClient(LambdaClient);
  lambda.on(GetAliasCommand).callsFake(() => ({
    FunctionVersion: alias.primary,
    RoutingConfig: { AdditionalVersionWeights: alias.routing },
    RevisionId: `r${alias.revision}`,
  }));
  lambda
    .on(UpdateAliasCommand)
    .callsFake((input: { FunctionVersion: string; RoutingConfig?: { AdditionalVersionWeights?: Record<string, number> } }) => {
      alias = {
        primary: input.FunctionVersion,
        routing: input.RoutingConfig?.AdditionalVersionWeights ?? {},
        revision: alias.revision + 1,
      };
      return { RevisionId: `r${alias.revision}` };
    });
  lambda.on(ListVersionsByFunctionCommand).resolves({ Versions: [{ Version: '3' }, { Version: '4' }] });
  lambda
    .on(GetProvisionedConcurrencyConfigCommand)
    .rejects(Object.assign(new Error('none'), { name: 'ProvisionedConcurrencyConfigNotFoundException' }));
  const cw = mockClient(CloudWatchClient);
  cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'faas-dev-hello-live-errors', StateValue: 'OK' }] });
  cw.on(GetMetricDataCommand).callsFake((input: { MetricDataQueries: MetricDataQuery[] }) => ({
    MetricDataResults: input.MetricDataQueries.map((q) => ({
      Id: q.Id,
      Values: [q.Id?.startsWith('inv') ? 1000 : q.Id?.startsWith('err') ? 5 : 120],
    })),
  }));
}

function runtime(): Runtime {
  const sink = { write: (s: string) => void (process.env.BENCH_DEBUG && process.stderr.write(s)) };
  return {
    adapters: createAdapters,
    now: () => Date.now(),
    sleep: async () => undefined,
    stdout: sink,
    stderr: sink,
    interrupt: new AbortController().signal,
    progress: () => lineProgress(undefined),
    declared: () => declaredNames(faasConfig),
  };
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

/** Wall time of one run of a command, in ms. */
function wallMs(command: string, args: string[]): number {
  const t = process.hrtime.bigint();
  const run = spawnSync(command, args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** Median of five runs, sorted runs. */
function fiveRuns(command: string, args: string[]): number[] {
  return Array.from({ length: 5 }, () => wallMs(command, args)).sort((a, b) => a - b);
}

async function main(): Promise<void> {
  // `faas --help` in a fresh Node process, as npx starts it; and npx's own start (`npx -c true`), which
  // `npx faas --help` adds on top (more in this repository, whose own bin npx finds only by reading the tree).
  const startup = fiveRuns(process.execPath, [path.join(__dirname, '..', 'bin', 'faas.js'), '--help']);
  const npx = fiveRuns('npx', ['-c', 'true']);
  console.log(
    `faas --help start-up (node bin/faas.js, 5 runs): median ${quantile(startup, 0.5).toFixed(0)} ms, max ` +
      `${startup[4].toFixed(0)} ms; npx itself (npx -c true): median ${quantile(npx, 0.5).toFixed(0)} ms ` +
      `(target for npx faas --help ≤ 500 ms)`,
  );
  mockAws();
  const steps = STEPS.split(',').length;
  const perStep: number[] = [];
  // One warm-up run: module loading and the SDK's first-call setup are not per-step costs.
  await runCli(['canary', 'hello', '--bake', '0', '--steps', STEPS, '--alarm', 'errors', '--json'], runtime());
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    const code = await runCli(['canary', 'hello', '--bake', '0', '--steps', STEPS, '--alarm', 'errors', '--json'], runtime());
    if (code !== 0) throw new Error(`run ${i} exited ${code}`);
    perStep.push(Number(process.hrtime.bigint() - t) / 1e6 / steps);
  }
  perStep.sort((a, b) => a - b);
  console.log(
    `faas canary overhead per step (mocked AWS, bake 0, ${steps} steps + promote, ${runs} runs): median ` +
      `${quantile(perStep, 0.5).toFixed(2)} ms, p95 ${quantile(perStep, 0.95).toFixed(2)} ms`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
