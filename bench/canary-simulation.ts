/**
 * Canary gates in a seeded traffic simulation: the CLI's rollout controller
 * (cli/rollout/controller.ts, the loop `faas canary` runs) in the simulated world (simulation/world.ts), with the
 * plan the CLI parses from its defaults (CANARY_DEFAULTS from cli/engine/plan.ts: steps 1,3,20,50,100, 1 min per step below 100 %,
 * 5 min at 100 %, max bake 15m, min 5 invocations per step, mixture SPRT α=0.02 over 2–20×
 * (a ramp step held while its likelihood ratio is ≥ 2; the step into 100 % held, once there are 10
 * errors, until Wald's ratio at ×2 is ≤ 0.5), poll 30s, per-minute counts since the rollout began, and
 * `--alarm p99-duration`) next to a CodeDeploy-style policy (10 % for 5 minutes, then 100 %), both against the
 * same candidates and traffic; and ours once more without the per-minute history. No AWS, deterministic
 * (mulberry32).
 *
 * Model (docs/benchmarks.md):
 * - stable error rate 1 %; candidates: as good, 2×, 5×, 20× errors, or a latency regression;
 * - latency is modelled by the share of requests at or above the p99 alarm threshold (1500 ms,
 *   hello's p99Ms): stable 0.1 %, a latency-regressed candidate 5 %. A 1-minute datapoint has
 *   p99 ≥ 1500 ms when that share reaches the nearest-rank p99 of the minute's requests;
 * - both policies watch the platform's p99-duration alarm (on the alias, all versions mixed,
 *   3 of 5 one-minute datapoints). CodeDeploy also watches an error-rate alarm on the new
 *   version: 1-minute error rate ≥ 2 × the stable baseline (2 %) with at least 3 errors in the
 *   minute (metric math guard), 1 of 1 datapoints. Ours uses no error alarm: the SPRT decides;
 * - "bad requests" = failed requests served by the candidate (for the latency case: candidate
 *   requests at or above 1500 ms), counted from the start until rollback, or — if a bad release
 *   is promoted — until a 60-minute horizon (a promoted bad release keeps serving).
 */
import type { AlarmState } from '../cli/engine/decide';
import type { CanaryPlan } from '../cli/engine/plan';
import { parseSettings, rolloutFlags } from '../cli/rollout/settings';
import { CANDIDATE_VERSION, quantile, simulateRollout } from '../simulation/prediction';
import { binomial, mulberry32 } from '../simulation/random';

export const STABLE_ERROR_RATE = 0.01;
export const STABLE_SLOW_RATE = 0.001;
export const REGRESSED_SLOW_RATE = 0.05;
export const P99_THRESHOLD_MS = 1500;
export const CD_ERROR_RATE_THRESHOLD = 2 * STABLE_ERROR_RATE;
export const CD_MIN_ERRORS = 3;
export const HORIZON_MIN = 60;
/** `faas canary --alarm p99-duration` with every other flag at its default, parsed as the CLI parses it. */
const SETTINGS = parseSettings(rolloutFlags({ alarm: ['p99-duration'] }));

export interface Candidate {
  readonly name: string;
  readonly errorRate: number;
  readonly slowRate: number;
  readonly bad: boolean;
}

/** What counts as a bad request for this candidate: a failure, or (latency case) a slow one. */
const isLatency = (c: Candidate) => c.slowRate !== STABLE_SLOW_RATE;
const badOf = (c: Candidate, errors: number, slow: number) => (!c.bad ? 0 : isLatency(c) ? slow : errors);
const badRate = (c: Candidate) => (isLatency(c) ? c.slowRate : c.errorRate);

export const CANDIDATES: readonly Candidate[] = [
  { name: 'healthy', errorRate: STABLE_ERROR_RATE, slowRate: STABLE_SLOW_RATE, bad: false },
  { name: 'errors 2×', errorRate: 2 * STABLE_ERROR_RATE, slowRate: STABLE_SLOW_RATE, bad: true },
  { name: 'errors 5×', errorRate: 5 * STABLE_ERROR_RATE, slowRate: STABLE_SLOW_RATE, bad: true },
  { name: 'errors 20×', errorRate: 20 * STABLE_ERROR_RATE, slowRate: STABLE_SLOW_RATE, bad: true },
  { name: 'latency p99', errorRate: STABLE_ERROR_RATE, slowRate: REGRESSED_SLOW_RATE, bad: true },
];

export const PLAN: CanaryPlan = { ...SETTINGS.plan, candidate: CANDIDATE_VERSION, alarms: ['p99-duration'] };
/** Minutes of per-minute history the controller reads (0: none, each step's window alone). */
export const LOOKBACK_MIN = SETTINGS.lookbackMs / 60_000;

export interface RunOutcome {
  /** Rolled back because a check found the candidate bad (alarm, comparative test, gate). */
  readonly rolledBack: boolean;
  /** Ended without promotion for lack of evidence (alias back to stable), not counted as a rollback. */
  readonly inconclusive?: boolean;
  /** Seconds from the start until 100 % of traffic reached the candidate; undefined if never. */
  readonly toFullS?: number;
  /** Bad requests served by the candidate (see the header). */
  readonly bad: number;
}

/** The platform's p99-duration alarm: alias p99 ≥ threshold in 3 of the last 5 one-minute datapoints. */
class P99Alarm {
  private readonly points: boolean[] = [];
  add(requests: number, slow: number): void {
    // Nearest-rank p99 ≥ T when the requests at or above T reach n − ceil(0.99·n) + 1.
    this.points.push(requests > 0 && slow >= requests - Math.ceil(0.99 * requests) + 1);
    if (this.points.length > 5) this.points.shift();
  }
  get state(): AlarmState {
    return this.points.filter(Boolean).length >= 3 ? 'ALARM' : 'OK';
  }
}

/** Requests served in one slice of time, split by version, with errors and slow ones. */
function serve(rand: () => number, requests: number, weight: number, c: Candidate, stableErrorRate = STABLE_ERROR_RATE) {
  const toCandidate = binomial(rand, requests, weight);
  const toStable = requests - toCandidate;
  return {
    toCandidate,
    toStable,
    candidateErrors: binomial(rand, toCandidate, c.errorRate),
    stableErrors: binomial(rand, toStable, stableErrorRate),
    candidateSlow: binomial(rand, toCandidate, c.slowRate),
    stableSlow: binomial(rand, toStable, STABLE_SLOW_RATE),
  };
}

/**
 * Our policy: the rollout controller against the simulated world, polling every 30 s. With a
 * lookback it reads both versions' counts per minute since the rollout began (the current minute
 * partial), as the CLI reads them from CloudWatch by ExecutedVersion; the world has no traffic
 * before the rollout (the stratified test gives stable-only minutes no weight). `stableErrorRate`
 * is the stable version's rate during the rollout (the ambient-shift check); the candidate's is c.errorRate.
 */
export async function runOurs(
  rand: () => number,
  rps: number,
  c: Candidate,
  plan: CanaryPlan = PLAN,
  lookbackMin = LOOKBACK_MIN,
  stableErrorRate = STABLE_ERROR_RATE,
): Promise<RunOutcome> {
  const run = await simulateRollout(
    rand,
    { plan, lookbackMs: lookbackMin * 60_000, pollMs: SETTINGS.pollMs },
    {
      requestsPerSecond: rps,
      stable: { errorRate: stableErrorRate, slowRate: STABLE_SLOW_RATE },
      candidate: { errorRate: c.errorRate, slowRate: c.slowRate },
      latency: { fastMs: 200, slowMs: P99_THRESHOLD_MS },
    },
    { alarms: { 'p99-duration': { kind: 'p99', thresholdMs: P99_THRESHOLD_MS } } },
  );
  const { end } = run.outcome;
  const toFullS = run.toFullMs === undefined ? undefined : run.toFullMs / 1000;
  let bad = badOf(c, run.candidate.errors, run.candidate.slow);
  // An inconclusive end returns the alias to stable too, but is not a rollback caused by the candidate.
  if (end.kind === 'rolled-back')
    return { rolledBack: end.cause === 'regression', inconclusive: end.cause === 'inconclusive', toFullS, bad };
  if (end.kind !== 'promoted') throw new Error(`a simulated rollout ended ${end.kind}`);
  // A promoted bad release keeps serving everything until the horizon.
  const t = run.durationMs / 1000;
  if (c.bad && t < HORIZON_MIN * 60) bad += binomial(rand, rps * (HORIZON_MIN * 60 - t), badRate(c));
  return { rolledBack: false, toFullS, bad };
}

/** CodeDeploy-style Canary10Percent5Minutes: 10 % for 5 one-minute periods, then 100 % (done). */
export function runCodeDeploy(rand: () => number, rps: number, c: Candidate, stableErrorRate = STABLE_ERROR_RATE): RunOutcome {
  const alarm = new P99Alarm();
  let bad = 0;
  const perMinute = rps * 60;
  for (let m = 0; m < 5; m++) {
    const s = serve(rand, perMinute, 0.1, c, stableErrorRate);
    bad += badOf(c, s.candidateErrors, s.candidateSlow);
    alarm.add(perMinute, s.candidateSlow + s.stableSlow);
    const errorAlarm =
      s.toCandidate > 0 && s.candidateErrors >= CD_MIN_ERRORS && s.candidateErrors / s.toCandidate >= CD_ERROR_RATE_THRESHOLD;
    if (errorAlarm || alarm.state === 'ALARM') return { rolledBack: true, bad };
  }
  if (c.bad) bad += binomial(rand, rps * (HORIZON_MIN - 5) * 60, badRate(c));
  return { rolledBack: false, toFullS: 300, bad };
}

export interface PolicyStats {
  readonly runs: number;
  readonly rollbackRate: number;
  /** Ended without promotion for lack of evidence (not a rollback). */
  readonly inconclusiveRate: number;
  readonly badMedian: number;
  readonly badP95: number;
  readonly badMean: number;
  /** Healthy runs only: seconds to 100 %, over the runs that got there. */
  readonly toFullMedianS?: number;
  readonly toFullP95S?: number;
}

export interface CaseRow {
  readonly candidate: string;
  readonly rps: number;
  readonly ours: PolicyStats;
  readonly codedeploy: PolicyStats;
  /** Ours without the per-minute history (the same plan, lookback 0): each step's window alone, to show the plan needs it. */
  readonly oursStepWindows: PolicyStats;
  /** Mean bad requests, ours / CodeDeploy's (bad candidates only). */
  readonly exposureRatio?: number;
  /** Median bad requests, ours / CodeDeploy's (bad candidates only; the median ignores CodeDeploy's missed rollbacks' tail). */
  readonly exposureRatioMedian?: number;
}

function stats(outcomes: readonly RunOutcome[]): PolicyStats {
  const bad = outcomes.map((o) => o.bad).sort((a, b) => a - b);
  const full = outcomes.flatMap((o) => (o.toFullS === undefined ? [] : [o.toFullS])).sort((a, b) => a - b);
  return {
    runs: outcomes.length,
    rollbackRate: outcomes.filter((o) => o.rolledBack).length / outcomes.length,
    inconclusiveRate: outcomes.filter((o) => o.inconclusive === true).length / outcomes.length,
    badMedian: quantile(bad, 0.5),
    badP95: quantile(bad, 0.95),
    badMean: bad.reduce((a, b) => a + b, 0) / bad.length,
    ...(full.length > 0 ? { toFullMedianS: quantile(full, 0.5), toFullP95S: quantile(full, 0.95) } : {}),
  };
}

export interface SimulationOptions {
  readonly seed: number;
  readonly rates: readonly number[];
  readonly healthyRuns: number;
  readonly badRuns: number;
}

export const DEFAULT_SIMULATION: SimulationOptions = { seed: 6, rates: [1, 10, 100], healthyRuns: 5000, badRuns: 2000 };

/**
 * Ambient shift (one extra row per rate): both versions' error rate goes from 1 % to 2 % when the
 * rollout starts, the candidate as good as stable throughout, so any rollback is false. The
 * pooled test this replaced rolled back 80–100 % of such runs (candidate vs the stable hour at 1 %).
 * CodeDeploy's error alarm is fixed at 2 %, so it is shown for reference only.
 */
export const AMBIENT: Candidate = {
  name: 'healthy, both 1→2 % at start',
  errorRate: 2 * STABLE_ERROR_RATE,
  slowRate: STABLE_SLOW_RATE,
  bad: false,
};

export async function simulate(options: SimulationOptions = DEFAULT_SIMULATION): Promise<CaseRow[]> {
  const rows: CaseRow[] = [];
  for (const rps of options.rates) {
    const ambientRows = async (): Promise<CaseRow> => {
      const base = options.seed * 1_000_003 + rps * 101 + 90_000;
      const run = async (seed: number, f: (rand: () => number) => RunOutcome | Promise<RunOutcome>) => {
        const rand = mulberry32(seed);
        return stats(await repeat(options.healthyRuns, () => f(rand)));
      };
      return {
        candidate: AMBIENT.name,
        rps,
        ours: await run(base, (r) => runOurs(r, rps, AMBIENT, PLAN, LOOKBACK_MIN, AMBIENT.errorRate)),
        codedeploy: await run(base + 1, (r) => runCodeDeploy(r, rps, AMBIENT, AMBIENT.errorRate)),
        oursStepWindows: await run(base + 2, (r) => runOurs(r, rps, AMBIENT, PLAN, 0, AMBIENT.errorRate)),
      };
    };
    for (const [i, c] of CANDIDATES.entries()) {
      const runs = c.bad ? options.badRuns : options.healthyRuns;
      // One stream per case and policy, so adding a case does not change the others.
      const oursRand = mulberry32(options.seed * 1_000_003 + rps * 101 + i * 2);
      const cdRand = mulberry32(options.seed * 1_000_003 + rps * 101 + i * 2 + 1);
      const ours = stats(await repeat(runs, () => runOurs(oursRand, rps, c)));
      const codedeploy = stats(Array.from({ length: runs }, () => runCodeDeploy(cdRand, rps, c)));
      const stepRand = mulberry32(options.seed * 1_000_003 + rps * 101 + i * 2 + 50_000);
      const oursStepWindows = stats(await repeat(runs, () => runOurs(stepRand, rps, c, PLAN, 0)));
      rows.push({
        candidate: c.name,
        rps,
        ours,
        codedeploy,
        oursStepWindows,
        ...(c.bad
          ? {
              exposureRatio: codedeploy.badMean === 0 ? Infinity : ours.badMean / codedeploy.badMean,
              exposureRatioMedian: codedeploy.badMedian === 0 ? Infinity : ours.badMedian / codedeploy.badMedian,
            }
          : {}),
      });
    }
    rows.push(await ambientRows());
  }
  return rows;
}

/** `runs` outcomes, one after the other (each run draws from the stream the one before left). */
async function repeat(runs: number, run: () => RunOutcome | Promise<RunOutcome>): Promise<RunOutcome[]> {
  const outcomes: RunOutcome[] = [];
  for (let i = 0; i < runs; i++) outcomes.push(await run());
  return outcomes;
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const mins = (s?: number) => (s === undefined ? '—' : `${(s / 60).toFixed(1)} min`);

export function formatTable(rows: readonly CaseRow[]): string {
  const header = [
    'candidate',
    'rps',
    'ours: rolled back',
    'ours: inconclusive',
    'ours: bad med/p95',
    'ours: to 100 % med/p95',
    'CD: rolled back',
    'CD: bad med/p95',
    'CD: to 100 %',
    'exposure ours/CD (mean)',
    '(median)',
    'no lookback: rolled back / inconcl. / exposure / to 100 % med',
  ];
  const lines = rows.map((r) => [
    r.candidate,
    String(r.rps),
    pct(r.ours.rollbackRate),
    pct(r.ours.inconclusiveRate),
    `${r.ours.badMedian} / ${r.ours.badP95}`,
    `${mins(r.ours.toFullMedianS)} / ${mins(r.ours.toFullP95S)}`,
    pct(r.codedeploy.rollbackRate),
    `${r.codedeploy.badMedian} / ${r.codedeploy.badP95}`,
    mins(r.codedeploy.toFullMedianS),
    r.exposureRatio === undefined ? '—' : r.exposureRatio.toFixed(2),
    r.exposureRatioMedian === undefined ? '—' : r.exposureRatioMedian.toFixed(2),
    `${pct(r.oursStepWindows.rollbackRate)} / ${pct(r.oursStepWindows.inconclusiveRate)} / ` +
      `${r.exposureRatio === undefined ? '—' : (r.oursStepWindows.badMean / r.codedeploy.badMean).toFixed(2)} / ` +
      `${mins(r.oursStepWindows.toFullMedianS)}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [fmt(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}

if (require.main === module) {
  const t = Date.now();
  void simulate().then((rows) => {
    console.log(formatTable(rows));
    console.log(`(${((Date.now() - t) / 1000).toFixed(1)} s)`);
  });
}
