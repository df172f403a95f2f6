/**
 * The default comparative gate: is the candidate's error rate worse than the stable version's,
 * over the same window? Wald's sequential probability ratio test on the conditional binomial:
 * given E errors in the window, the number that came from the candidate is Binomial(E, π) with
 *   π = n_c·p_c / (n_c·p_c + n_s·p_s)        (n = invocations, p = error rate per version).
 * H0 "as good"  (p_c = p_s):            π0 = n_c / (n_c + n_s)       — its traffic share
 * H1 "worse"    (p_c = worseRatio·p_s):  π1 = r·π0 / (r·π0 + 1 − π0)
 * The log-likelihood ratio after e_c candidate and e_s stable errors is
 *   LLR = e_c·ln(π1/π0) + e_s·ln((1−π1)/(1−π0)),
 * rolled back at LLR ≥ ln((1−β)/α) and "not worse than the margin" at LLR ≤ ln(β/(1−α)).
 * Conditioning on the total cancels the unknown base rate, so no baseline is needed; with no
 * errors at all there is no evidence either way and the bake timer decides (docs/cli.md).
 * Pure; error rates of the defaults are checked by simulation in test/unit/cli/engine.test.ts.
 */
import type { VersionWindow } from './gates';

export interface SprtParams {
  /** Chance to roll back a candidate exactly as good as the stable version (per step). */
  readonly alpha: number;
  /** Chance to pass a step early with a candidate that is `worseRatio` times worse. */
  readonly beta: number;
  /** The margin: how many times the stable error rate counts as worse. */
  readonly worseRatio: number;
}

export const DEFAULT_SPRT: SprtParams = { alpha: 0.01, beta: 0.05, worseRatio: 2 };

export type SprtVerdict = 'worse' | 'not-worse' | 'continue' | 'n/a';

export interface SprtResult {
  readonly verdict: SprtVerdict;
  readonly llr: number;
  readonly rollbackAt: number;
  readonly passAt: number;
  /** Candidate's share of the window's invocations (π0). */
  readonly share: number;
}

export function sprt(candidate: VersionWindow, stable: VersionWindow, params: SprtParams): SprtResult {
  const rollbackAt = Math.log((1 - params.beta) / params.alpha);
  const passAt = Math.log(params.beta / (1 - params.alpha));
  const total = candidate.invocations + stable.invocations;
  // Without traffic on both versions there is nothing to compare (e.g. at 100%).
  if (candidate.invocations === 0 || stable.invocations === 0) {
    return { verdict: 'n/a', llr: 0, rollbackAt, passAt, share: total === 0 ? 0 : candidate.invocations / total };
  }
  const p0 = candidate.invocations / total;
  const p1 = (params.worseRatio * p0) / (params.worseRatio * p0 + 1 - p0);
  const llr = candidate.errors * Math.log(p1 / p0) + stable.errors * Math.log((1 - p1) / (1 - p0));
  const verdict: SprtVerdict = llr >= rollbackAt ? 'worse' : llr <= passAt ? 'not-worse' : 'continue';
  return { verdict, llr, rollbackAt, passAt, share: p0 };
}

export function validateSprt(params: SprtParams): string[] {
  const problems: string[] = [];
  if (!(params.alpha > 0 && params.alpha < 0.5)) problems.push(`alpha must be in (0, 0.5), got: ${params.alpha}`);
  if (!(params.beta > 0 && params.beta < 0.5)) problems.push(`beta must be in (0, 0.5), got: ${params.beta}`);
  if (!(params.worseRatio > 1)) problems.push(`the worse ratio must be above 1, got: ${params.worseRatio}`);
  return problems;
}
