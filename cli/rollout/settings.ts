/**
 * The rollout flags of `faas canary` / `faas resume` as the user types them, their defaults, and
 * the one parse into a plan and loop settings. The commands and the simulation's prediction
 * (simulation/prediction.ts) both parse here, so "the same settings" means the same plan.
 */
import { parseGate } from '../engine/gates';
import { InputError } from '../engine/input-error';
import { CANARY_DEFAULTS, parseCount, parseDuration, parseSteps, type CanaryPlan } from '../engine/plan';
import { DEFAULT_SPRT } from '../engine/sequential-test';

export interface RolloutFlags {
  readonly to?: string;
  readonly steps: string;
  /** Bake of the 100 % step, before promotion. */
  readonly bake: string;
  /**
   * Bake of each step below 100 %.
   * @default 1m, or --bake if that is shorter
   */
  readonly rampBake?: string;
  /**
   * How long a step may wait for the minimum sample (or gate data) before it ends inconclusive.
   * @default 3 × the longer of --bake and --ramp-bake (15m with the defaults)
   */
  readonly maxBake?: string;
  readonly minInvocations: string;
  /**
   * On resume, how far before the resumed step the per-minute comparison reaches back (a fresh rollout uses its own start);
   * 0 compares each step alone (Wald's SPRT).
   */
  readonly lookback: string;
  readonly gate: readonly string[];
  readonly alarm: readonly string[];
  readonly promote: boolean;
  readonly compare: boolean;
  readonly poll: string;
  readonly warmTimeout: string;
}

/** Flag defaults: the engine's CANARY_DEFAULTS (what bench/canary-simulation.ts measures), plus the CLI's own. */
export const ROLLOUT_DEFAULTS = {
  steps: CANARY_DEFAULTS.steps,
  bake: CANARY_DEFAULTS.bake,
  rampBake: CANARY_DEFAULTS.rampBake,
  minInvocations: CANARY_DEFAULTS.minInvocations,
  poll: CANARY_DEFAULTS.poll,
  lookback: CANARY_DEFAULTS.lookback,
  warmTimeout: '15m',
} as const;

/** The flags a command line without them gives (commander fills in the same defaults, cli/commands/program.ts). */
export function rolloutFlags(given: Partial<RolloutFlags> = {}): RolloutFlags {
  return {
    steps: ROLLOUT_DEFAULTS.steps,
    bake: ROLLOUT_DEFAULTS.bake,
    minInvocations: ROLLOUT_DEFAULTS.minInvocations,
    lookback: ROLLOUT_DEFAULTS.lookback,
    poll: ROLLOUT_DEFAULTS.poll,
    warmTimeout: ROLLOUT_DEFAULTS.warmTimeout,
    gate: [],
    alarm: [],
    promote: true,
    compare: true,
    ...given,
  };
}

export interface RolloutSettings {
  readonly plan: Omit<CanaryPlan, 'candidate' | 'alarms'>;
  /** 0 when off (--lookback 0 or --no-compare): no lookback query. */
  readonly lookbackMs: number;
  readonly alarmNames: readonly string[];
  readonly pollMs: number;
  readonly warmTimeoutMs: number;
}

/** Every option is checked before any AWS call: bad input changes nothing. */
export function parseSettings(options: RolloutFlags): RolloutSettings {
  const steps = parseSteps(options.steps);
  const bakeMs = parseDuration(options.bake, 'bake');
  // A ramp step never bakes longer than the final one unless asked: `--bake 2s` means short steps throughout.
  const rampBakeMs =
    options.rampBake === undefined
      ? Math.min(parseDuration(ROLLOUT_DEFAULTS.rampBake, 'ramp-bake'), bakeMs)
      : parseDuration(options.rampBake, 'ramp-bake');
  const longest = Math.max(bakeMs, rampBakeMs);
  const maxBakeMs = options.maxBake === undefined ? longest * 3 : parseDuration(options.maxBake, 'max-bake');
  if (maxBakeMs < bakeMs)
    throw new InputError(
      `--max-bake (${options.maxBake}) must not be shorter than --bake (${options.bake})`,
      'raise --max-bake or lower --bake',
    );
  if (maxBakeMs < rampBakeMs)
    throw new InputError(
      `--max-bake (${options.maxBake}) must not be shorter than --ramp-bake (${options.rampBake})`,
      'raise --max-bake or lower --ramp-bake',
    );
  const lookbackMs = parseDuration(options.lookback, 'lookback');
  const pollMs = parseDuration(options.poll, 'poll');
  if (pollMs <= 0) throw new InputError(`--poll must be above 0, got: "${options.poll}"`, 'pass e.g. --poll 30s');
  if (options.to !== undefined && options.to === '$LATEST') {
    throw new InputError(
      'the candidate must be a published version, got: $LATEST',
      'publish a version (a deploy does) and pass its number with --to',
    );
  }
  return {
    plan: {
      steps,
      bakeMs,
      rampBakeMs,
      maxBakeMs,
      minInvocations: parseCount(options.minInvocations, 'min-invocations'),
      gates: options.gate.map(parseGate),
      // POOLED_SPRT's α is one budget for the whole rollout only with the per-minute history;
      // without it each step is its own test, so Wald's per-step parameters apply.
      ...(options.compare ? { comparison: lookbackMs > 0 ? CANARY_DEFAULTS.comparison : DEFAULT_SPRT } : {}),
    },
    lookbackMs: options.compare ? lookbackMs : 0,
    alarmNames: options.alarm,
    pollMs,
    warmTimeoutMs: parseDuration(options.warmTimeout, 'warm-timeout'),
  };
}
