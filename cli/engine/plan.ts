/**
 * The canary plan: which version, through which weights, for how long, judged by which gates.
 * Pure parsing and validation; every problem is an InputError that names the value.
 */
import type { Gate } from './gates';
import { InputError } from './input-error';
import { POOLED_SPRT, type SprtParams } from './sequential-test';

export interface CanaryPlan {
  /** The version the rollout moves traffic to. */
  readonly candidate: string;
  /** Weights as fractions, strictly increasing, in (0, 1], the last one 1. */
  readonly steps: readonly number[];
  /** Bake time of the 100 % step (and of every step without rampBakeMs), from the moment its weight (and warm capacity) is in place. */
  readonly bakeMs: number;
  /**
   * Bake of each step below 100 %: short, because the comparative test watches every poll and
   * the 100 % step still bakes bakeMs in full before promotion.
   * @default bakeMs
   */
  readonly rampBakeMs?: number;
  /** With too little traffic, a step waits up to this long for the minimum sample, then rolls back. */
  readonly maxBakeMs: number;
  /** Candidate invocations a step needs before it may pass (early or at the end of the bake). */
  readonly minInvocations: number;
  /** Absolute thresholds, judged on the step's whole window when it would end. */
  readonly gates: readonly Gate[];
  /** Alarm names: any in ALARM rolls back at once. */
  readonly alarms: readonly string[];
  /** The comparative test against the stable version; absent with --no-compare. */
  readonly comparison?: SprtParams;
}

/**
 * The defaults of `faas canary` / `faas resume` (cli/commands/program.ts reads them;
 * bench/canary-simulation.ts runs them, docs/benchmarks.md section 1):
 * - steps 1,3,20,50,100: a badly broken candidate is caught at 1–3 % after a few errors; a subtle one
 *   needs mixed traffic, and at 100 % nothing compares (the per-minute test needs both versions in a
 *   minute), so the ramp gives the candidate 20–50 % early, where errors on both sides arrive fast
 *   enough to tell 2× from as good before 100 % (bench: 10 rps 2× exposure 0.58 of CodeDeploy's,
 *   was 1.59 with 1,3,10,30,100), and the step into 100 % waits for that (POOLED_SPRT.intoFull);
 * - rampBake 1m below 100 %, bake 5m at 100 % (alarms need minutes; the last exit before promote);
 * - maxBake 15m (the CLI derives it as 3 × the longer bake, which is 15m with these);
 * - minInvocations 5 per step: the pooled sequential test is the evidence; the minimum only
 *   refuses a step whose candidate served (almost) nothing;
 * - lookback 60m: per-minute counts since the rollout began (on resume: the 60m before the
 *   resumed step) that the CLI passes as `observations.minutes`, with the comparison POOLED_SPRT (which also holds a ramp
 *   step while the test leans worse: holdAt). Without the per-minute history these steps are unsafe (a 5× regression
 *   reaches 100 % in most runs): the CLI falls back to DEFAULT_SPRT with `--lookback 0`.
 */
export const CANARY_DEFAULTS = {
  steps: '1,3,20,50,100',
  bake: '5m',
  rampBake: '1m',
  maxBake: '15m',
  minInvocations: '5',
  poll: '30s',
  lookback: '60m',
  comparison: POOLED_SPRT,
} as const;

/** "1,3,10,30,100" (percent) → [0.01, 0.03, 0.1, 0.3, 1]. */
export function parseSteps(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  const steps = parts.map((part) => {
    const value = Number(part.replace(/%$/, ''));
    if (part === '' || !Number.isFinite(value)) {
      throw new InputError(`steps must be percentages separated by commas, got: "${text}"`, 'pass e.g. --steps 1,3,10,30,100');
    }
    if (value <= 0 || value > 100) {
      throw new InputError(`each step must be in (0, 100], got: ${part} in "${text}"`, 'pass e.g. --steps 1,3,10,30,100');
    }
    return value;
  });
  for (let i = 1; i < steps.length; i++) {
    if (steps[i] <= steps[i - 1]) {
      throw new InputError(
        `steps must be strictly increasing, got: ${steps[i - 1]} then ${steps[i]} in "${text}"`,
        'pass e.g. --steps 1,3,10,30,100',
      );
    }
  }
  if (steps[steps.length - 1] !== 100) {
    throw new InputError(
      `the last step must be 100, got: ${steps[steps.length - 1]} in "${text}"`,
      'end the steps with 100, e.g. --steps 10,50,100 (use --no-promote to stop at 100% without promoting)',
    );
  }
  return steps.map((s) => s / 100);
}

/** A weight as a fraction 0–1 ("0.25"); percentages are refused to avoid 25 meaning 25%. */
export function parseWeight(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new InputError(`weight must be a number from 0 to 1, got: "${text}"`, 'pass a fraction, e.g. 0.25 for 25% of traffic');
  }
  return value;
}

/** "5m", "30s", "1h", "1500ms", "0" → milliseconds. */
export function parseDuration(text: string, what: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new InputError(`${what} must be a duration like 30s, 5m or 1h, got: "${text}"`, `pass e.g. --${what} 5m`);
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const unit = units[match[2] ?? 's'];
  return Math.round(Number(match[1]) * unit);
}

export function parseCount(text: string, what: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0)
    throw new InputError(`${what} must be a whole number ≥ 0, got: "${text}"`, `pass e.g. --${what} 100`);
  return value;
}

/**
 * A version the live alias may route to: a published version number, not $LATEST, not the
 * primary, not older than the primary (never route live traffic to an older version),
 * and one that exists.
 */
export function validateCandidate(candidate: string, primary: string, existing: readonly string[]): void {
  if (candidate === '$LATEST') {
    throw new InputError(
      'the candidate must be a published version, got: $LATEST',
      'publish a version (a deploy does) and pass its number with --to',
    );
  }
  if (!/^\d+$/.test(candidate)) {
    throw new InputError(
      `the candidate must be a version number, got: "${candidate}"`,
      'pass a published version number with --to, e.g. --to 4',
    );
  }
  if (candidate === primary) {
    throw new InputError(
      `version ${candidate} is already the primary (stable) version of live`,
      'publish a new version first, or pass another one with --to',
    );
  }
  if (Number(candidate) < Number(primary)) {
    throw new InputError(
      `version ${candidate} is older than the stable version ${primary}`,
      `to go back to ${candidate}, run \`faas rollback <function> --to ${candidate}\``,
    );
  }
  if (!existing.includes(candidate)) {
    const known = existing.length > 0 ? existing.join(', ') : 'none';
    throw new InputError(
      `version ${candidate} does not exist (published: ${known})`,
      'pass a published version with --to, or deploy to publish one',
    );
  }
}

/** How long the step at `weight` bakes: bakeMs at the last step (100 %), rampBakeMs (else bakeMs) below it. */
export function stepBakeMs(plan: Pick<CanaryPlan, 'steps' | 'bakeMs' | 'rampBakeMs'>, weight: number): number {
  return nextStep(plan.steps, weight) === undefined ? plan.bakeMs : (plan.rampBakeMs ?? plan.bakeMs);
}

/** The first step above the current weight, or undefined when the weight is at (or past) 100%. */
export function nextStep(steps: readonly number[], weight: number): number | undefined {
  return steps.find((s) => s > weight + 1e-9);
}

/** 1-based position of the step the weight is at (a weight between steps counts as the next one). */
export function stepIndex(steps: readonly number[], weight: number): number {
  const index = steps.findIndex((s) => s >= weight - 1e-9);
  return index === -1 ? steps.length : index + 1;
}
