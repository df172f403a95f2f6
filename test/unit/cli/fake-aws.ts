/**
 * Test doubles for the CLI: a fake clock and terminal (no real waiting), and aws-sdk-client-mock
 * mocks that behave like one function's live alias (RevisionId bumps on each write), its
 * CloudWatch metrics per ExecutedVersion, its alarms and its stack outputs.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import {
  GetAliasCommand,
  GetProvisionedConcurrencyConfigCommand,
  LambdaClient,
  ListVersionsByFunctionCommand,
  ProvisionedConcurrencyConfigNotFoundException,
  UpdateAliasCommand,
} from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import faasConfig from '../../../faas.config';
import { declaredNames } from '../../../cli/commands/declared';
import type { Runtime } from '../../../cli/commands/runtime';
import { Interrupted } from '../../../cli/commands/runtime';
import { lineProgress } from '../../../cli/commands/progress';
import { createAdapters } from '../../../cli/adapters/clients';
import { INDEX_OUTPUT_PREFIX, type FunctionIndexEntry } from '../../../lib/contract';

export const lambdaMock = mockClient(LambdaClient);
export const cloudWatchMock = mockClient(CloudWatchClient);
export const sqsMock = mockClient(SQSClient);
export const cfnMock = mockClient(CloudFormationClient);

export const FN = 'faas-dev-hello';
export const ALARMS = ['faas-dev-hello-live-errors', 'faas-dev-hello-live-throttles', 'faas-dev-hello-live-p99-duration'];

/** The FaasIndex output a function stack publishes for one function (its key as CDK writes it: no "-"). */
export function indexOutput(
  entry: Pick<FunctionIndexEntry, 'name' | 'functionName'> & Partial<FunctionIndexEntry>,
): Record<string, string> {
  return {
    [`${INDEX_OUTPUT_PREFIX}${entry.name.replace(/[^A-Za-z0-9]/g, '')}`]: JSON.stringify({
      kind: 'function',
      alarms: [],
      routes: [],
      ...entry,
    }),
  };
}

export interface FakeTerminal {
  readonly runtime: Runtime;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Fake time in ms since the test began. */
  readonly elapsed: () => number;
  /** Sleeps requested, in ms. */
  readonly sleeps: number[];
  readonly abort: () => void;
}

/** The fake clock's start: every test's rollout begins at this whole minute. */
export const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);

export function fakeTerminal(options: { onSleep?: (slept: number) => void } = {}): FakeTerminal {
  let now = T0;
  const start = now;
  let out = '';
  let err = '';
  const sleeps: number[] = [];
  const controller = new AbortController();
  const runtime: Runtime = {
    adapters: createAdapters,
    now: () => now,
    sleep: async (ms, signal) => {
      if (signal.aborted) throw new Interrupted();
      sleeps.push(ms);
      now += ms;
      options.onSleep?.(sleeps.length);
      if (signal.aborted) throw new Interrupted();
    },
    stdout: { write: (s) => void (out += s) },
    stderr: { write: (s) => void (err += s) },
    interrupt: controller.signal,
    progress: (json) => lineProgress(json ? undefined : { write: (s) => void (err += s) }),
    declared: () => declaredNames(faasConfig),
  };
  return { runtime, stdout: () => out, stderr: () => err, elapsed: () => now - start, sleeps, abort: () => controller.abort() };
}

export interface AliasRecord {
  primary: string;
  candidate?: string;
  weight: number;
  revision: number;
}

export interface VersionMetrics {
  readonly invocations: number;
  readonly errors: number;
  readonly p99Ms?: number;
}

/** The time range a GetMetricData call asked for. */
export interface QueryWindow {
  readonly start: Date;
  readonly end: Date;
}

/** Metrics for one version given the alias at the time of the query and the range it asked for. */
export type MetricsScenario = (version: string, alias: AliasRecord, window: QueryWindow) => VersionMetrics;

/** Healthy traffic: 4000 invocations per window split by weight, 0.5% errors on both versions (any window, the lookback too). */
export const healthy: MetricsScenario = (version, alias) => {
  const share = version === alias.candidate ? alias.weight : 1 - alias.weight;
  const invocations = Math.round(4000 * share);
  return { invocations, errors: Math.round(invocations * 0.005), p99Ms: 180 };
};

/** The hour before the rollout (T0): stable-only traffic, 0.5% errors. */
export const stableOnly: MetricsScenario = (version, alias) =>
  version === alias.primary ? { invocations: 240_000, errors: 1_200 } : { invocations: 0, errors: 0 };

/** `before` for queries that end by T0 (the lookback of a step that began at T0), `during` otherwise. */
export function beforeRollout(before: MetricsScenario, during: MetricsScenario): MetricsScenario {
  return (version, alias, window) => (window.end.getTime() <= T0 ? before : during)(version, alias, window);
}

export interface FakeAws {
  readonly alias: AliasRecord;
  /** What UpdateAlias received, in order. */
  readonly writes: Array<{ primary: string; routing: Record<string, number>; revisionId?: string }>;
  alarmStates: Record<string, string>;
  metrics: MetricsScenario;
}

export function fakeAws(
  initial: { primary: string; candidate?: string; weight?: number; versions?: string[]; outputs?: Record<string, string> } = {
    primary: '3',
  },
): FakeAws {
  lambdaMock.reset();
  cloudWatchMock.reset();
  sqsMock.reset();
  cfnMock.reset();
  const state: FakeAws = {
    alias: { primary: initial.primary, candidate: initial.candidate, weight: initial.weight ?? 0, revision: 1 },
    writes: [],
    alarmStates: Object.fromEntries(ALARMS.map((a) => [a, 'OK'])),
    metrics: healthy,
  };
  const versions = initial.versions ?? ['1', '2', '3', '4'];
  const outputs = initial.outputs ?? indexOutput({ name: 'hello', functionName: FN, alarms: ALARMS });

  cfnMock.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'faas-dev',
        CreationTime: new Date(0),
        StackStatus: 'CREATE_COMPLETE',
        Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  });
  lambdaMock.on(GetAliasCommand).callsFake(() => {
    const a = state.alias;
    return {
      Name: 'live',
      FunctionVersion: a.primary,
      RoutingConfig: a.candidate === undefined ? undefined : { AdditionalVersionWeights: { [a.candidate]: a.weight } },
      RevisionId: `rev-${a.revision}`,
    };
  });
  lambdaMock
    .on(UpdateAliasCommand)
    .callsFake(
      (input: { FunctionVersion?: string; RoutingConfig?: { AdditionalVersionWeights?: Record<string, number> }; RevisionId?: string }) => {
        const routing = input.RoutingConfig?.AdditionalVersionWeights ?? {};
        state.writes.push({ primary: input.FunctionVersion ?? '', routing, revisionId: input.RevisionId });
        const [candidate, weight] = Object.entries(routing)[0] ?? [undefined, 0];
        state.alias.primary = input.FunctionVersion ?? state.alias.primary;
        state.alias.candidate = candidate;
        state.alias.weight = weight;
        state.alias.revision++;
        return { FunctionVersion: state.alias.primary, RevisionId: `rev-${state.alias.revision}` };
      },
    );
  lambdaMock.on(ListVersionsByFunctionCommand).resolves({ Versions: ['$LATEST', ...versions].map((Version) => ({ Version })) });
  lambdaMock
    .on(GetProvisionedConcurrencyConfigCommand)
    .rejects(new ProvisionedConcurrencyConfigNotFoundException({ message: 'No Provisioned Concurrency Config found', $metadata: {} }));
  cloudWatchMock.on(DescribeAlarmsCommand).callsFake((input: { AlarmNames?: string[] }) => ({
    MetricAlarms: (input.AlarmNames ?? [])
      .filter((n) => n in state.alarmStates)
      .map((AlarmName) => ({ AlarmName, StateValue: state.alarmStates[AlarmName] })),
  }));
  cloudWatchMock.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
    MetricDataResults: (input.MetricDataQueries ?? []).map((q): MetricDataResult => {
      const version = q.MetricStat?.Metric?.Dimensions?.find((d) => d.Name === 'ExecutedVersion')?.Value ?? '';
      const name = q.MetricStat?.Metric?.MetricName;
      // One datapoint per Period in the range, each from the scenario for that period's window.
      const from = new Date(input.StartTime ?? 0).getTime();
      const to = new Date(input.EndTime ?? 0).getTime();
      const period = (q.MetricStat?.Period ?? (to - from) / 1000) * 1000;
      const points: Array<[Date, number]> = [];
      for (let t = from; t < to; t += period) {
        const m = state.metrics(version, state.alias, { start: new Date(t), end: new Date(Math.min(t + period, to)) });
        const value = name === 'Invocations' ? m.invocations : name === 'Errors' ? m.errors : m.p99Ms;
        if (value !== undefined) points.push([new Date(t), value]);
      }
      return { Id: q.Id, StatusCode: 'Complete', Timestamps: points.map(([t]) => t), Values: points.map(([, v]) => v) };
    }),
  }));
  return state;
}
