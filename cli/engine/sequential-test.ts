/**
 * The default comparative gate: is the candidate's error rate worse than the stable version's?
 * Conditional binomial: given E errors, the number that came from the candidate is Binomial(E, π)
 *   π = n_c·p_c / (n_c·p_c + n_s·p_s)        (n = invocations, p = error rate per version).
 * H0 "as good"  (p_c = p_s):       π0 = n_c / (n_c + n_s)       — its traffic share
 * H1(r) "r times worse":           π(r) = r·π0 / (r·π0 + 1 − π0)
 *   LLR(r) = e_c·ln(π(r)/π0) + e_s·ln((1−π(r))/(1−π0)).
 * Conditioning on the total cancels the unknown base rate, so both windows may include earlier
 * traffic (decide.ts pools the lookback before the step): more stable errors, a sharper test.
 *
 * Rollback ("worse"): a mixture SPRT — the likelihood ratio averaged over r log-uniform in
 * [worseRatio, maxRatio] — at ≥ 1/α. It is a martingale under H0, so by Ville's inequality the
 * chance it ever crosses is ≤ α however often it is polled; averaging over r lets a 20× regression
 * roll back after ~3 candidate errors instead of the ~8 a test tuned for 2× needs.
 * With maxRatio = worseRatio it is Wald's SPRT, rolled back at LLR ≥ ln((1−β)/α).
 * Early pass ("not worse than the margin"): Wald's LLR(worseRatio) ≤ ln(β/(1−α)).
 * Hold ("leans worse"): the rollback side's likelihood ratio ≥ holdAt, below the rollback bound;
 * decide.ts then keeps a ramp step at its weight instead of advancing. It decides nothing (the
 * bounds and α are unchanged): a regression keeps gathering evidence at the lower weight, where
 * each poll adds fewer failed requests before the rollback.
 * With no errors at all there is no evidence either way; the bake timer decides (docs/cli.md).
 * Pure; error rates of the defaults are checked by simulation in test/unit/cli/engine.test.ts.
 */
import type { VersionWindow } from './gates';

export interface SprtParams {
  /** Chance to roll back a candidate exactly as good as the stable version (per tested window). */
  readonly alpha: number;
  /** Chance to pass a step early with a candidate that is `worseRatio` times worse. */
  readonly beta: number;
  /** The margin: how many times the stable error rate counts as worse. */
  readonly worseRatio: number;
  /**
   * The largest error ratio the rollback side averages over (mixture from worseRatio up to it);
   * equal to worseRatio gives Wald's plain SPRT.
   * @default worseRatio
   */
  readonly maxRatio?: number;
  /**
   * Likelihood ratio (rollback side) at or above which the evidence leans worse: a step below
   * 100 % then waits at its weight instead of advancing (up to maxBake). Must be in [1, 1/α).
   * @default none — steps advance when their bake is over, whatever the evidence
   */
  readonly holdAt?: number;
}

/** Wald's SPRT per step window: what the CLI uses without a lookback (`--lookback 0`, no `observations.before`). */
export const DEFAULT_SPRT: SprtParams = { alpha: 0.01, beta: 0.05, worseRatio: 2 };

/**
 * With the lookback pooled in, one test spans the whole rollout, so α = 0.02 is its whole budget
 * (0.3–0.7 % false rollbacks simulated at 10–100 rps); ratios 2–20× span slow leaks to broken releases.
 * holdAt 2: a ramp step does not advance while the data favour a regression 2:1, so a 5× or 20×
 * release is mostly caught at 1–10 % rather than after the jump to 30 % (benchmarks.md section 1:
 * 15–20 % fewer failed requests at 10–100 rps); a healthy one rarely leans worse for long (median
 * time to 100 % unchanged). Lower holds delay healthy releases more for little gain.
 * Without the lookback it would be spent per step: use DEFAULT_SPRT there.
 */
export const POOLED_SPRT: SprtParams = { alpha: 0.02, beta: 0.05, worseRatio: 2, maxRatio: 20, holdAt: 2 };

/** Mixture grid: log-spaced, adjacent ratios at most this factor apart (finer changes < 1 %). */
const GRID_FACTOR = 1.5;

export type SprtVerdict = 'worse' | 'not-worse' | 'continue' | 'n/a';

export interface SprtResult {
  readonly verdict: SprtVerdict;
  /** Wald's LLR at the margin (the early-pass side). */
  readonly llr: number;
  /** The rollback side's statistic: ln of the mixture likelihood ratio (Wald's LLR without a mixture). */
  readonly rollbackLlr: number;
  readonly rollbackAt: number;
  readonly passAt: number;
  /** The rollback side is at or above ln(holdAt) (and below rollbackAt): a ramp step should not advance yet. */
  readonly leansWorse: boolean;
  /** Candidate's share of the window's invocations (π0). */
  readonly share: number;
}

/** The ratios the rollback side averages over, equally weighted. */
export function mixtureRatios(params: SprtParams): number[] {
  const top = params.maxRatio ?? params.worseRatio;
  if (!(top > params.worseRatio)) return [params.worseRatio];
  const n = Math.ceil(Math.log(top / params.worseRatio) / Math.log(GRID_FACTOR)) + 1;
  return Array.from({ length: n }, (_, i) => params.worseRatio * Math.pow(top / params.worseRatio, i / (n - 1)));
}

export function sprt(candidate: VersionWindow, stable: VersionWindow, params: SprtParams): SprtResult {
  const ratios = mixtureRatios(params);
  const wald = ratios.length === 1;
  const rollbackAt = wald ? Math.log((1 - params.beta) / params.alpha) : Math.log(1 / params.alpha);
  const passAt = Math.log(params.beta / (1 - params.alpha));
  const total = candidate.invocations + stable.invocations;
  // Without traffic on both versions there is nothing to compare (e.g. at 100% without a lookback).
  if (candidate.invocations === 0 || stable.invocations === 0) {
    return { verdict: 'n/a', llr: 0, rollbackLlr: 0, rollbackAt, passAt, leansWorse: false, share: total === 0 ? 0 : candidate.invocations / total };
  }
  const p0 = candidate.invocations / total;
  const llrAt = (r: number) => {
    const p1 = (r * p0) / (r * p0 + 1 - p0);
    return candidate.errors * Math.log(p1 / p0) + stable.errors * Math.log((1 - p1) / (1 - p0));
  };
  const llr = llrAt(params.worseRatio);
  // log-mean-exp, shifted by the largest term so large LLRs do not overflow.
  const terms = ratios.map(llrAt);
  const top = Math.max(...terms);
  const rollbackLlr = wald ? llr : top + Math.log(terms.reduce((sum, t) => sum + Math.exp(t - top), 0) / terms.length);
  const verdict: SprtVerdict = rollbackLlr >= rollbackAt ? 'worse' : llr <= passAt ? 'not-worse' : 'continue';
  const leansWorse = verdict === 'continue' && params.holdAt !== undefined && rollbackLlr >= Math.log(params.holdAt);
  return { verdict, llr, rollbackLlr, rollbackAt, passAt, leansWorse, share: p0 };
}

export function validateSprt(params: SprtParams): string[] {
  const problems: string[] = [];
  if (!(params.alpha > 0 && params.alpha < 0.5)) problems.push(`alpha must be in (0, 0.5), got: ${params.alpha}`);
  if (!(params.beta > 0 && params.beta < 0.5)) problems.push(`beta must be in (0, 0.5), got: ${params.beta}`);
  if (!(params.worseRatio > 1)) problems.push(`the worse ratio must be above 1, got: ${params.worseRatio}`);
  if (params.maxRatio !== undefined && !(params.maxRatio >= params.worseRatio)) problems.push(`the max ratio must be at least the worse ratio, got: ${params.maxRatio}`);
  if (params.holdAt !== undefined && !(params.holdAt >= 1 && params.holdAt < 1 / params.alpha)) problems.push(`the hold ratio must be in [1, 1/alpha), got: ${params.holdAt}`);
  return problems;
}
