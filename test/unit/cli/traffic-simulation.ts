/**
 * Batches of seeded rollouts for the engine's error-rate tests: the rollout controller
 * (cli/rollout/controller.ts) in the simulated world (simulation/world.ts), requests arriving
 * each minute and the controller polling each minute, each step judged on its own window
 * (no per-minute history). Deterministic (mulberry32), so tests assert counts.
 */
import type { CanaryPlan } from '../../../cli/engine/plan';
import { simulateRollout } from '../../../simulation/prediction';
import { mulberry32 } from '../../../simulation/random';

export interface Traffic {
  readonly perMinute: number;
  readonly stableErrorRate: number;
  readonly candidateErrorRate: number;
}

export interface BatchSummary {
  readonly runs: number;
  readonly rollbacks: number;
  readonly promotes: number;
  /** Rollbacks by the weight they happened at. */
  readonly rollbacksAt: Readonly<Record<string, number>>;
  /** Steps (below 100 %) that ended before their bake time, of those that passed. */
  readonly earlySteps: number;
  readonly passedSteps: number;
  readonly meanMinutes: number;
}

export async function simulateBatch(seed: number, runs: number, traffic: Traffic, plan: CanaryPlan): Promise<BatchSummary> {
  const rand = mulberry32(seed);
  const model = {
    requestsPerSecond: traffic.perMinute / 60,
    stable: { errorRate: traffic.stableErrorRate },
    candidate: { errorRate: traffic.candidateErrorRate },
  };
  let rollbacks = 0;
  let earlySteps = 0;
  let passedSteps = 0;
  let minutes = 0;
  const rollbacksAt: Record<string, number> = {};
  for (let i = 0; i < runs; i++) {
    const { outcome, durationMs } = await simulateRollout(rand, { plan, lookbackMs: 0, pollMs: 60_000 }, model);
    const { end, history } = outcome;
    if (end.kind === 'rolled-back') {
      rollbacks++;
      const at = String(history[history.length - 1].weight);
      rollbacksAt[at] = (rollbacksAt[at] ?? 0) + 1;
    }
    const passed = history.filter((h) => h.action.kind === 'advance' && h.weight > 0);
    passedSteps += passed.length;
    earlySteps += passed.filter((h) => /step ends early/.test(h.reason)).length;
    minutes += durationMs / 60_000;
  }
  return { runs, rollbacks, promotes: runs - rollbacks, rollbacksAt, earlySteps, passedSteps, meanMinutes: minutes / runs };
}
