/**
 * What a rollout will do, predicted by running the real controller (cli/rollout/controller.ts)
 * in the simulated world (./world.ts): one seeded run (`simulateRollout`, which bench/ and test/
 * build on), or the distribution over many for the settings a user passes to `faas canary`
 * (`predictRollout`), parsed by the CLI's own parseSettings, so an end-to-end run and its
 * prediction share one plan.
 */
import { InputError } from '../cli/engine/input-error';
import type { CanaryPlan } from '../cli/engine/plan';
import { driveRollout, type RolloutOutcome } from '../cli/rollout/controller';
import { parseSettings, rolloutFlags, type RolloutFlags } from '../cli/rollout/settings';
import { mulberry32 } from './random';
import { SimulatedWorld, type Served, type SimulatedAlarm, type TrafficModel, type WorldOptions } from './world';

const STABLE_VERSION = '1';
export const CANDIDATE_VERSION = '2';

/** How the controller is run: the settings parseSettings yields, with the plan's candidate and alarms filled in. */
export interface SimulatedSettings {
  readonly plan: CanaryPlan;
  readonly lookbackMs: number;
  readonly pollMs: number;
  /** @default 15 minutes */
  readonly warmTimeoutMs?: number;
  /** @default true */
  readonly promote?: boolean;
}

export interface SimulatedRun {
  readonly outcome: RolloutOutcome;
  /** What the candidate served until the rollout ended. */
  readonly candidate: Served;
  readonly durationMs: number;
  /** When the candidate got 100 %, since the start; undefined if never. */
  readonly toFullMs?: number;
}

/** One fresh rollout (live on STABLE_VERSION, CANDIDATE_VERSION published) in a new world drawing from `rand`. */
export async function simulateRollout(
  rand: () => number,
  settings: SimulatedSettings,
  traffic: TrafficModel,
  world: Omit<WorldOptions, 'rand' | 'traffic' | 'alias'> = {},
): Promise<SimulatedRun> {
  const sim = new SimulatedWorld({ ...world, rand, traffic, alias: { primary: STABLE_VERSION } });
  let toFullMs: number | undefined;
  const outcome = await driveRollout(
    {
      name: 'simulated',
      functionName: world.functionName ?? 'simulated-fn',
      plan: settings.plan,
      alias: sim.aliasState,
      lookbackMs: settings.lookbackMs,
      pollMs: settings.pollMs,
      warmTimeoutMs: settings.warmTimeoutMs ?? 15 * 60_000,
      promote: settings.promote ?? true,
    },
    {
      ...sim.ports,
      report: (event) => {
        if (event.kind === 'advanced' && event.alias.weight >= 1) toFullMs ??= sim.elapsedMs;
      },
    },
  );
  return {
    outcome,
    candidate: sim.servedBy(settings.plan.candidate),
    durationMs: sim.elapsedMs,
    ...(toFullMs === undefined ? {} : { toFullMs }),
  };
}

export interface PredictionTraffic {
  readonly requestsPerSecond: number;
  readonly stableErrorRate: number;
  readonly candidateErrorRate: number;
  /**
   * Requests take fastMs, the slow share of each version slowMs (p99 gates, the p99-duration alarm at slowMs).
   * @default - no latency: a p99 gate never gets data, --alarm p99-duration is refused
   */
  readonly latency?: {
    readonly fastMs: number;
    readonly slowMs: number;
    readonly stableSlowRate: number;
    readonly candidateSlowRate: number;
  };
  /**
   * Errors per minute on the alias at which the function's errors alarm fires.
   * @default - --alarm errors is refused
   */
  readonly errorsAlarmPerMinute?: number;
}

export interface PredictionRequest {
  /**
   * Flags as passed to `faas canary` (RolloutOptions' names: steps, bake, rampBake, maxBake, poll, …); missing ones take the
   * CLI's defaults.
   */
  readonly options?: Partial<RolloutFlags>;
  readonly traffic: PredictionTraffic;
  readonly seed: number;
  readonly runs: number;
}

export interface Distribution {
  readonly mean: number;
  readonly median: number;
  readonly p90: number;
}

export interface RolloutPrediction {
  readonly runs: number;
  /** Failed requests the candidate served before the rollout ended (promotion, rollback or inconclusive end). */
  readonly failedOnCandidate: Distribution;
  /** Runs by how they ended; held: at 100 % with --no-promote. */
  readonly outcomes: { readonly rolledBack: number; readonly inconclusive: number; readonly promoted: number; readonly held: number };
  readonly meanDurationMs: number;
  /** The plan the runs used, as the CLI parsed it. */
  readonly plan: CanaryPlan;
}

/** Runs `runs` rollouts of one seeded stream with the CLI's parse of `options`. */
export async function predictRollout(request: PredictionRequest): Promise<RolloutPrediction> {
  const flags = rolloutFlags(request.options);
  const parsed = parseSettings(flags);
  const { traffic } = request;
  const alarms = Object.fromEntries(flags.alarm.map((name) => [name, simulatedAlarm(name, traffic)]));
  const plan: CanaryPlan = { ...parsed.plan, candidate: CANDIDATE_VERSION, alarms: flags.alarm };
  const model: TrafficModel = {
    requestsPerSecond: traffic.requestsPerSecond,
    stable: { errorRate: traffic.stableErrorRate, slowRate: traffic.latency?.stableSlowRate },
    candidate: { errorRate: traffic.candidateErrorRate, slowRate: traffic.latency?.candidateSlowRate },
    ...(traffic.latency ? { latency: { fastMs: traffic.latency.fastMs, slowMs: traffic.latency.slowMs } } : {}),
  };
  const rand = mulberry32(request.seed);
  const failed: number[] = [];
  const outcomes = { rolledBack: 0, inconclusive: 0, promoted: 0, held: 0 };
  let duration = 0;
  for (let i = 0; i < request.runs; i++) {
    const run = await simulateRollout(rand, { ...parsed, plan, promote: flags.promote }, model, { alarms });
    const { end } = run.outcome;
    if (end.kind === 'rolled-back') outcomes[end.cause === 'regression' ? 'rolledBack' : 'inconclusive']++;
    else if (end.kind === 'promoted' || end.kind === 'held') outcomes[end.kind]++;
    failed.push(run.candidate.errors);
    duration += run.durationMs;
  }
  failed.sort((a, b) => a - b);
  return {
    runs: request.runs,
    failedOnCandidate: {
      mean: failed.reduce((a, b) => a + b, 0) / failed.length,
      median: quantile(failed, 0.5),
      p90: quantile(failed, 0.9),
    },
    outcomes,
    meanDurationMs: duration / request.runs,
    plan,
  };
}

/** Nearest rank; NaN for no values. */
export function quantile(sorted: readonly number[], q: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** The platform's alias alarms by kind (lib/constructs/alias-alarms.ts), short or full name. */
function simulatedAlarm(name: string, traffic: PredictionTraffic): SimulatedAlarm {
  if (name.endsWith('p99-duration')) {
    if (!traffic.latency) throw new InputError(`alarm ${name} needs a latency model`, 'pass traffic.latency, or leave the alarm out');
    return { kind: 'p99', thresholdMs: traffic.latency.slowMs };
  }
  if (name.endsWith('errors')) {
    if (traffic.errorsAlarmPerMinute === undefined)
      throw new InputError(`alarm ${name} needs its threshold`, 'pass traffic.errorsAlarmPerMinute, or leave the alarm out');
    return { kind: 'errors', perMinute: traffic.errorsAlarmPerMinute };
  }
  if (name.endsWith('throttles')) return { kind: 'quiet' };
  throw new InputError(`the simulation has no model for alarm ${name}`, 'use errors, throttles or p99-duration');
}
