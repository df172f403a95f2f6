/**
 * A seeded traffic simulation around the pure engine: requests arrive each minute, go to the
 * candidate with the alias weight, fail with each version's error rate, and `decide` runs after
 * every minute — as the CLI would poll. Deterministic (mulberry32), so tests assert counts.
 */
import { decide, type AliasView } from '../../../cli/engine/decide';
import type { CanaryPlan } from '../../../cli/engine/plan';

export { mulberry32 } from '../support/random';
import { mulberry32 } from '../support/random';

export interface Traffic {
  readonly perMinute: number;
  readonly stableErrorRate: number;
  readonly candidateErrorRate: number;
}

export interface RolloutOutcome {
  readonly result: 'promote' | 'rollback';
  /** Weight the candidate had when the rollout ended. */
  readonly atWeight: number;
  readonly minutes: number;
  /** Steps (below 100%) that ended before their bake time. */
  readonly earlySteps: number;
  readonly passedSteps: number;
}

export function simulateRollout(rand: () => number, traffic: Traffic, plan: CanaryPlan): RolloutOutcome {
  let alias: AliasView = { primary: '1', weight: 0 };
  let candidate = { invocations: 0, errors: 0 };
  let stable = { invocations: 0, errors: 0 };
  let elapsed = 0;
  let minutes = 0;
  let earlySteps = 0;
  let passedSteps = 0;
  for (;;) {
    const { action } = decide({ alias, plan, observations: { candidate, stable, alarms: [] }, bakeElapsedMs: elapsed });
    if (action.kind === 'rollback') return { result: 'rollback', atWeight: alias.weight, minutes, earlySteps, passedSteps };
    if (action.kind === 'promote') return { result: 'promote', atWeight: alias.weight, minutes, earlySteps, passedSteps };
    if (action.kind === 'advance') {
      if (alias.weight > 0) {
        passedSteps++;
        if (elapsed < plan.bakeMs) earlySteps++;
      }
      alias = { primary: '1', candidate: plan.candidate, weight: action.weight };
      candidate = { invocations: 0, errors: 0 };
      stable = { invocations: 0, errors: 0 };
      elapsed = 0;
      continue;
    }
    const toCandidate = binomial(rand, traffic.perMinute, alias.weight);
    const c = { invocations: candidate.invocations + toCandidate, errors: candidate.errors + binomial(rand, toCandidate, traffic.candidateErrorRate) };
    const toStable = traffic.perMinute - toCandidate;
    const s = { invocations: stable.invocations + toStable, errors: stable.errors + binomial(rand, toStable, traffic.stableErrorRate) };
    candidate = c;
    stable = s;
    elapsed += 60_000;
    minutes++;
  }
}

/**
 * Binomial(n, p) draws, fast enough for thousands of rollouts: exact by geometric gaps when few
 * successes are expected, else the normal approximation (used only for the routing split).
 */
export function binomial(rand: () => number, n: number, p: number): number {
  if (n === 0 || p <= 0) return 0;
  if (p >= 1) return n;
  const q = Math.min(p, 1 - p);
  let count: number;
  if (n * q > 50) {
    const z = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    count = Math.min(n, Math.max(0, Math.round(n * q + z * Math.sqrt(n * q * (1 - q)))));
  } else {
    count = 0;
    const logMiss = Math.log(1 - q);
    for (let trial = Math.floor(Math.log(1 - rand()) / logMiss); trial < n; trial += 1 + Math.floor(Math.log(1 - rand()) / logMiss)) count++;
  }
  return q === p ? count : n - count;
}

export interface BatchSummary {
  readonly runs: number;
  readonly rollbacks: number;
  readonly promotes: number;
  /** Rollbacks by the weight they happened at. */
  readonly rollbacksAt: Readonly<Record<string, number>>;
  readonly earlySteps: number;
  readonly passedSteps: number;
  readonly meanMinutes: number;
}

export function simulateBatch(seed: number, runs: number, traffic: Traffic, plan: CanaryPlan): BatchSummary {
  const rand = mulberry32(seed);
  let rollbacks = 0;
  let earlySteps = 0;
  let passedSteps = 0;
  let minutes = 0;
  const rollbacksAt: Record<string, number> = {};
  for (let i = 0; i < runs; i++) {
    const outcome = simulateRollout(rand, traffic, plan);
    if (outcome.result === 'rollback') {
      rollbacks++;
      rollbacksAt[String(outcome.atWeight)] = (rollbacksAt[String(outcome.atWeight)] ?? 0) + 1;
    }
    earlySteps += outcome.earlySteps;
    passedSteps += outcome.passedSteps;
    minutes += outcome.minutes;
  }
  return { runs, rollbacks, promotes: runs - rollbacks, rollbacksAt, earlySteps, passedSteps, meanMinutes: minutes / runs };
}
