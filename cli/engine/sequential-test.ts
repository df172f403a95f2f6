/**
 * The default comparative gate: is the candidate's error rate worse than the stable version's?
 * Conditional binomial: given E errors, the number that came from the candidate is Binomial(E, π)
 *   π = n_c·p_c / (n_c·p_c + n_s·p_s)        (n = invocations, p = error rate per version).
 * H0 "as good"  (p_c = p_s):       π0 = n_c / (n_c + n_s)       — its traffic share
 * H1(r) "r times worse":           π(r) = r·π0 / (r·π0 + 1 − π0)
 *   LLR(r) = e_c·ln(π(r)/π0) + e_s·ln((1−π(r))/(1−π0)).
 * Conditioning on the total cancels the unknown base rate — but only if that rate is the same for
 * all counts conditioned together. Pooling minutes where the candidate's share differs (e.g. the
 * stable-only hour before the rollout) blames any shift in the base rate on the candidate, so the
 * CLI tests per minute (stratifiedSprt): each minute conditioned on its own errors, LLRs summed.
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
  /**
   * Into 100 %: once the minutes with both versions hold at least `errors` errors (enough to tell),
   * the step before 100 % advances only while Wald's likelihood ratio at the margin (worseRatio
   * vs as good) is at most `ratio` — the data favour "as good" at least 1/ratio : 1 — and otherwise
   * holds like holdAt (up to maxBake, then inconclusive). Nothing is compared at 100 %, so this is
   * the last point where the comparison can stop a release; it changes no bound and α.
   * @default none — the step into 100 % advances on its bake like the others
   */
  readonly intoFull?: { readonly ratio: number; readonly errors: number };
}

/** Wald's SPRT per step window: what the CLI uses without a lookback (`--lookback 0`, no `observations.minutes`). */
export const DEFAULT_SPRT: SprtParams = { alpha: 0.01, beta: 0.05, worseRatio: 2 };

/**
 * With per-minute counts since the rollout began (observations.minutes), one test spans the whole
 * rollout, so α = 0.02 is its whole budget; ratios 2–20× span slow leaks to broken releases.
 * holdAt 2: a ramp step does not advance while the data favour a regression 2:1, so a 5× or 20×
 * release is mostly caught at 1–3 % rather than after the jump to 20 %; a healthy one rarely
 * leans worse for long. Lower holds delay healthy releases more for little gain.
 * intoFull { ratio 0.5, errors 10 }: the step into 100 % (where the comparison has its last say)
 * waits, once 10 errors can tell, until the data favour "as good" over 2× at least 2 : 1. It lets
 * about a quarter of 2× releases at 10 rps through instead of four fifths; stricter ratios (0.3, 0.2) catch more
 * but push the healthy median time to 100 % at 10 rps past 5 min (docs/benchmarks.md section 1).
 * Without the per-minute history it would be spent per step: use DEFAULT_SPRT there.
 */
export const POOLED_SPRT: SprtParams = {
  alpha: 0.02,
  beta: 0.05,
  worseRatio: 2,
  maxRatio: 20,
  holdAt: 2,
  intoFull: { ratio: 0.5, errors: 10 },
};

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
  return stratifiedSprt([{ candidate, stable }], params);
}

/** Both versions' counts over one stratum (a CloudWatch minute, or a step's window). */
export interface MinuteCounts {
  readonly candidate: VersionWindow;
  readonly stable: VersionWindow;
}

/**
 * The same test stratified: each stratum (minute) has its own π0 = n_c(m)/n(m) and is conditioned
 * on its own total errors, so a change in error rate that hits both versions in some minutes
 * (an incident in a dependency, time of day) cancels instead of being blamed on the candidate,
 * whose traffic is concentrated in the last minutes. The per-stratum LLR(r) are summed per r
 * (independent strata: still a likelihood ratio, so the mixture is a martingale under H0 and
 * Ville's bound holds). Strata where only one version served carry no comparison and add 0.
 */
export function stratifiedSprt(strata: readonly MinuteCounts[], params: SprtParams): SprtResult {
  const ratios = mixtureRatios(params);
  const wald = ratios.length === 1;
  const rollbackAt = wald ? Math.log((1 - params.beta) / params.alpha) : Math.log(1 / params.alpha);
  const passAt = Math.log(params.beta / (1 - params.alpha));
  // Only strata with traffic on both versions compare anything (not the stable-only hour, not 100 %).
  const both = strata.filter((m) => m.candidate.invocations > 0 && m.stable.invocations > 0);
  const nc = both.reduce((a, m) => a + m.candidate.invocations, 0);
  const n = both.reduce((a, m) => a + m.candidate.invocations + m.stable.invocations, 0);
  if (both.length === 0) {
    const c = strata.reduce((a, m) => a + m.candidate.invocations, 0);
    const total = c + strata.reduce((a, m) => a + m.stable.invocations, 0);
    return { verdict: 'n/a', llr: 0, rollbackLlr: 0, rollbackAt, passAt, leansWorse: false, share: total === 0 ? 0 : c / total };
  }
  const llrAt = (r: number) =>
    both.reduce((sum, m) => {
      const p0 = m.candidate.invocations / (m.candidate.invocations + m.stable.invocations);
      const p1 = (r * p0) / (r * p0 + 1 - p0);
      return sum + m.candidate.errors * Math.log(p1 / p0) + m.stable.errors * Math.log((1 - p1) / (1 - p0));
    }, 0);
  const llr = llrAt(params.worseRatio);
  // log-mean-exp, shifted by the largest term so large LLRs do not overflow.
  const terms = ratios.map(llrAt);
  const top = Math.max(...terms);
  const rollbackLlr = wald ? llr : top + Math.log(terms.reduce((sum, t) => sum + Math.exp(t - top), 0) / terms.length);
  const verdict: SprtVerdict = rollbackLlr >= rollbackAt ? 'worse' : llr <= passAt ? 'not-worse' : 'continue';
  const leansWorse = verdict === 'continue' && params.holdAt !== undefined && rollbackLlr >= Math.log(params.holdAt);
  return { verdict, llr, rollbackLlr, rollbackAt, passAt, leansWorse, share: nc / n };
}
