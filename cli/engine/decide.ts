/**
 * One decision of a canary rollout: given the alias as it is, the plan, what the versions did
 * since the current step began and how long it has baked, what happens next. Pure, so the CLI
 * and every simulation run the same code (through the rollout controller, cli/rollout/controller.ts).
 *
 * Order: alarms and the comparative test are watched continuously and roll back at once; a
 * step ends when its bake is over or, below 100 %, earlier when the comparative test finds the
 * candidate not worse — either way only with the minimum sample, and only if every absolute
 * threshold holds on the step's whole window. A step below 100 % whose test leans worse
 * (SprtParams.holdAt) keeps baking at its weight until the test decides; still leaning worse at
 * maxBake it ends inconclusive (back on stable, not counted as a regression); the step into 100 %
 * holds the same way until SprtParams.intoFull clears (the comparison's last say). The 100 %
 * step always bakes in full: alarms on mixed traffic (p99 over 3 of 5 minutes) need minutes,
 * and promotion is the last exit.
 * Too little traffic (or no data for a gate) by maxBake also returns the alias to stable, but
 * as `cause: 'inconclusive'`: the candidate was not found worse, it was not judged.
 */
import { evaluateGates, percent, type GateValue, type VersionWindow } from './gates';
import { InputError } from './input-error';
import { nextStep, stepBakeMs, stepIndex, type CanaryPlan } from './plan';
import { sprt, stratifiedSprt, type MinuteCounts, type SprtResult } from './sequential-test';

/** The live alias, as the engine needs it. */
export interface AliasView {
  readonly primary: string;
  readonly candidate?: string;
  /** The candidate's share of traffic, 0–1 (0 without a candidate). */
  readonly weight: number;
}

/** "live → 3", or "live → 3 with 4 at 20%": how every command names an alias state. */
export function describeAlias(alias: AliasView): string {
  if (alias.candidate === undefined) return `live → ${alias.primary}`;
  return `live → ${alias.primary} with ${alias.candidate} at ${Math.round(alias.weight * 10000) / 100}%`;
}

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface Observations {
  readonly candidate: VersionWindow;
  readonly stable: VersionWindow;
  readonly alarms: ReadonlyArray<{ readonly name: string; readonly state: AlarmState }>;
  /**
   * Both versions' counts per minute (by ExecutedVersion) since the rollout began — or over a
   * lookback before the step, on resume — including the step's own minutes. When present the
   * comparative test uses these instead of the step window, stratified per minute, so evidence
   * survives step changes while an error-rate change hitting both versions is not blamed on the
   * candidate. Minutes where one version served alone add nothing (the 100 % step compares nothing).
   * @default none — each step is compared on its own window
   */
  readonly minutes?: readonly MinuteCounts[];
}

export type Action =
  | { readonly kind: 'wait' }
  | { readonly kind: 'advance'; readonly weight: number }
  | {
      readonly kind: 'rollback';
      readonly reason: string;
      /**
       * 'regression': the candidate failed a check; 'inconclusive': too little evidence (or still leaning worse) by maxBake, not
       * judged worse.
       */
      readonly cause: RollbackCause;
    }
  | { readonly kind: 'promote' };

export type RollbackCause = 'regression' | 'inconclusive';

export interface Decision {
  readonly action: Action;
  /** Why, in one line. */
  readonly reason: string;
  readonly gates: readonly GateValue[];
  /** 1-based step the alias is at, of how many. */
  readonly step: { readonly index: number; readonly of: number };
}

export interface DecideInput {
  readonly alias: AliasView;
  readonly plan: CanaryPlan;
  /** What happened since the current step's weight was in place; absent before the first step. */
  readonly observations?: Observations;
  readonly bakeElapsedMs: number;
}

const EMPTY_WINDOW: VersionWindow = { invocations: 0, errors: 0 };

export function decide({ alias, plan, observations, bakeElapsedMs }: DecideInput): Decision {
  const of = plan.steps.length;
  if (alias.candidate !== undefined && alias.candidate !== plan.candidate) {
    throw new InputError(
      `live routes ${percent(alias.weight)} to version ${alias.candidate}, not to the planned candidate ${plan.candidate}`,
      'finish or undo that rollout first: `faas resume <function>` or `faas rollback <function>`',
    );
  }
  if (alias.candidate === undefined || alias.weight <= 0) {
    const first = plan.steps[0];
    return {
      action: { kind: 'advance', weight: first },
      reason: `start: ${percent(first)} to version ${plan.candidate}`,
      gates: [],
      step: { index: 1, of },
    };
  }

  const step = { index: stepIndex(plan.steps, alias.weight), of };
  const seen: Observations = observations ?? { candidate: EMPTY_WINDOW, stable: EMPTY_WINDOW, alarms: [] };
  const gates: GateValue[] = [];
  const rollback = (reason: string, cause: RollbackCause = 'regression'): Decision => ({
    action: { kind: 'rollback', reason, cause },
    reason,
    gates,
    step,
  });

  const firing = seen.alarms.filter((a) => a.state === 'ALARM').map((a) => a.name);
  for (const alarm of seen.alarms)
    gates.push({ gate: `alarm ${alarm.name}`, value: alarm.state, status: alarm.state === 'ALARM' ? 'fail' : 'pass' });

  const compared = seen.minutes ? { candidate: summed(seen.minutes, 'candidate'), stable: summed(seen.minutes, 'stable') } : seen;
  const comparison = !plan.comparison
    ? undefined
    : seen.minutes
      ? stratifiedSprt(seen.minutes, plan.comparison)
      : sprt(seen.candidate, seen.stable, plan.comparison);
  if (comparison) {
    const value =
      comparison.verdict === 'n/a'
        ? seen.minutes
          ? 'no minute with traffic on both versions'
          : 'no traffic on both versions'
        : `LLR ${comparison.rollbackLlr.toFixed(2)} (roll back ≥ ${comparison.rollbackAt.toFixed(2)}), at the margin ` +
          `${comparison.llr.toFixed(2)} (pass ≤ ${comparison.passAt.toFixed(2)}); errors ${rate(compared.candidate)} vs stable ` +
          `${rate(compared.stable)}${seen.minutes ? ' (minutes with both versions, tested per minute)' : ''}`;
    const status =
      comparison.verdict === 'worse'
        ? 'fail'
        : comparison.verdict === 'not-worse'
          ? 'pass'
          : comparison.verdict === 'n/a'
            ? 'n/a'
            : 'pending';
    gates.push({ gate: `errors vs stable (×${plan.comparison!.worseRatio} margin)`, value, status });
  }
  const sampled = seen.candidate.invocations >= plan.minInvocations;
  gates.push({
    gate: `sample ≥ ${plan.minInvocations}`,
    value: `${seen.candidate.invocations} invocations`,
    status: sampled ? 'pass' : 'pending',
  });
  const thresholds = evaluateGates(plan.gates, seen.candidate);
  gates.push(...thresholds);

  if (firing.length > 0) return rollback(`alarm ${firing.join(', ')} in ALARM`);
  if (comparison?.verdict === 'worse') {
    return rollback(
      `candidate errors ${rate(compared.candidate)} are worse than stable ${rate(compared.stable)} (sequential test, ` +
        `α=${plan.comparison!.alpha})`,
    );
  }

  const final = nextStep(plan.steps, alias.weight) === undefined;
  const baked = bakeElapsedMs >= stepBakeMs(plan, alias.weight);
  const early = comparison?.verdict === 'not-worse' && !final;
  if (!baked && !early) return wait(`baking at ${percent(alias.weight)}`, gates, step);
  // Leaning worse: gather the rest of the evidence at this weight, where a regression fails fewer
  // requests per poll than after the next step. Still leaning worse by maxBake: not judged worse
  // (α is kept), but not advanced either — a doubtful release ends inconclusive, back on stable.
  if (!final && comparison !== undefined) {
    const doubt = leaning(comparison, plan, alias.weight, compared.candidate.errors + compared.stable.errors);
    if (doubt !== undefined) {
      if (bakeElapsedMs >= plan.maxBakeMs) {
        return rollback(
          `inconclusive: still held after ${Math.round(bakeElapsedMs / 1000)}s at ${percent(alias.weight)}, ${doubt}; the ` +
            'candidate was not found worse, but is not advanced',
          'inconclusive',
        );
      }
      return wait(`holding at ${percent(alias.weight)}: ${doubt}; not advancing until it decides or max bake`, gates, step);
    }
  }
  if (!sampled) {
    if (bakeElapsedMs >= plan.maxBakeMs) {
      return rollback(
        `inconclusive, not enough traffic: ${seen.candidate.invocations} candidate invocations < ${plan.minInvocations} after ` +
          `${Math.round(bakeElapsedMs / 1000)}s; the candidate was not found worse, but quiet traffic never promotes (lower ` +
          '--min-invocations or raise --max-bake to accept less evidence or wait longer)',
        'inconclusive',
      );
    }
    return wait(`waiting for ${plan.minInvocations} candidate invocations (have ${seen.candidate.invocations})`, gates, step);
  }
  const breached = thresholds.filter((g) => g.status === 'fail');
  if (breached.length > 0) return rollback(`gate ${breached.map((g) => `${g.gate} breached: ${g.value}`).join('; ')}`);
  const pending = thresholds.filter((g) => g.status === 'pending');
  if (pending.length > 0) {
    if (bakeElapsedMs >= plan.maxBakeMs)
      return rollback(
        `inconclusive, no data for gate ${pending.map((g) => g.gate).join(', ')} after ${Math.round(bakeElapsedMs / 1000)}s`,
        'inconclusive',
      );
    return wait(`waiting for data for ${pending.map((g) => g.gate).join(', ')}`, gates, step);
  }

  const why = baked ? 'bake complete' : 'not worse than stable (sequential test): step ends early';
  const next = nextStep(plan.steps, alias.weight);
  if (next === undefined) return { action: { kind: 'promote' }, reason: `${why}; promote version ${plan.candidate}`, gates, step };
  return { action: { kind: 'advance', weight: next }, reason: `${why}; next ${percent(next)}`, gates, step };
}

/**
 * Why a ramp step must not advance yet, or undefined: the rollback side leans worse (holdAt), or —
 * on the step into 100 %, where the comparison gets its last say — the test has enough errors to
 * tell (intoFull.errors) and the data do not favour "as good" over "worseRatio × worse" by at least
 * 1/intoFull.ratio : 1.
 */
function leaning(comparison: SprtResult, plan: CanaryPlan, weight: number, errors: number): string | undefined {
  const params = plan.comparison;
  if (params === undefined) return undefined;
  if (comparison.leansWorse) {
    return (
      `the comparison leans worse (likelihood ratio ${Math.exp(comparison.rollbackLlr).toFixed(1)} ≥ ` +
      `${params.holdAt ?? ''}, below the rollback bound)`
    );
  }
  const gate = params.intoFull;
  const intoFull = nextStep(plan.steps, weight) === plan.steps[plan.steps.length - 1];
  if (
    intoFull &&
    gate !== undefined &&
    comparison.verdict === 'continue' &&
    errors >= gate.errors &&
    comparison.llr > Math.log(gate.ratio)
  ) {
    return (
      `not clearly as good as stable before 100 % (likelihood ratio ×${params.worseRatio} vs as good ` +
      `${Math.exp(comparison.llr).toFixed(2)} > ${gate.ratio}, over ${errors} errors)`
    );
  }
  return undefined;
}

/** One version's counts over the minutes where both versions served (what the test compared). */
function summed(minutes: readonly MinuteCounts[], version: 'candidate' | 'stable'): VersionWindow {
  const both = minutes.filter((m) => m.candidate.invocations > 0 && m.stable.invocations > 0);
  return { invocations: both.reduce((a, m) => a + m[version].invocations, 0), errors: both.reduce((a, m) => a + m[version].errors, 0) };
}

function wait(reason: string, gates: readonly GateValue[], step: Decision['step']): Decision {
  return { action: { kind: 'wait' }, reason, gates, step };
}

function rate(window: VersionWindow): string {
  return window.invocations === 0 ? 'n/a' : `${percent(window.errors / window.invocations)} (${window.errors}/${window.invocations})`;
}
