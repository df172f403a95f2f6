/**
 * The pure canary engine, without mocks: plan and gate parsing, the sequential test, `decide`,
 * and the error rates of the default comparative gate in a seeded traffic simulation (the rollout
 * controller in the simulated world).
 */
import { decide, type AliasView, type Observations } from '../../../cli/engine/decide';
import { evaluateGates, parseGate } from '../../../cli/engine/gates';
import { InputError } from '../../../cli/engine/input-error';
import {
  CANARY_DEFAULTS,
  nextStep,
  parseDuration,
  parseSteps,
  parseWeight,
  stepIndex,
  validateCandidate,
  type CanaryPlan,
} from '../../../cli/engine/plan';
import { DEFAULT_SPRT, mixtureRatios, POOLED_SPRT, sprt, stratifiedSprt } from '../../../cli/engine/sequential-test';
import { simulateBatch } from './traffic-simulation';

function plan(overrides: Partial<CanaryPlan> = {}): CanaryPlan {
  return {
    candidate: '4',
    steps: [0.05, 0.25, 0.5, 1],
    bakeMs: 300_000,
    maxBakeMs: 900_000,
    minInvocations: 100,
    gates: [],
    alarms: [],
    comparison: DEFAULT_SPRT,
    ...overrides,
  };
}

const AT_25: AliasView = { primary: '3', candidate: '4', weight: 0.25 };

function seen(candidate: [number, number], stable: [number, number], alarms: Observations['alarms'] = []): Observations {
  return {
    candidate: { invocations: candidate[0], errors: candidate[1], p99Ms: 120 },
    stable: { invocations: stable[0], errors: stable[1], p99Ms: 110 },
    alarms,
  };
}

describe('plan parsing', () => {
  it('turns percent steps into fractions', () => {
    expect(parseSteps('5,25,50,100')).toEqual([0.05, 0.25, 0.5, 1]);
    expect(parseSteps('100')).toEqual([1]);
  });

  it.each([
    ['5,25,25,100', /strictly increasing/],
    ['50,25,100', /strictly increasing/],
    ['5,25,50', /last step must be 100/],
    ['0,50,100', /in \(0, 100\]/],
    ['5,150', /in \(0, 100\]/],
    ['5,,100', /percentages separated by commas/],
    ['abc', /percentages separated by commas/],
  ])('refuses steps "%s"', (text, message) => {
    expect(() => parseSteps(text)).toThrow(message);
    expect(() => parseSteps(text)).toThrow(InputError);
  });

  it('accepts weights 0–1 and refuses anything else', () => {
    expect(parseWeight('0')).toBe(0);
    expect(parseWeight('0.25')).toBe(0.25);
    expect(parseWeight('1')).toBe(1);
    for (const bad of ['1.5', '-0.1', '25', 'half', '']) expect(() => parseWeight(bad)).toThrow(/weight must be a number from 0 to 1/);
  });

  it('parses durations and refuses garbage', () => {
    expect(parseDuration('5m', 'bake')).toBe(300_000);
    expect(parseDuration('30s', 'bake')).toBe(30_000);
    expect(parseDuration('0', 'bake')).toBe(0);
    expect(parseDuration('1500ms', 'bake')).toBe(1500);
    expect(() => parseDuration('5 minutes', 'bake')).toThrow(/bake must be a duration like 30s/);
  });

  it('validates the candidate version', () => {
    expect(() => validateCandidate('$LATEST', '3', ['1', '2', '3', '4'])).toThrow(/published version, got: \$LATEST/);
    expect(() => validateCandidate('3', '3', ['1', '2', '3', '4'])).toThrow(/already the primary/);
    expect(() => validateCandidate('9', '3', ['1', '2', '3', '4'])).toThrow(/version 9 does not exist \(published: 1, 2, 3, 4\)/);
    expect(() => validateCandidate('2', '3', ['1', '2', '3', '4'])).toThrow(/older than the stable version 3/);
    expect(() => validateCandidate('v4', '3', ['4'])).toThrow(/must be a version number/);
    expect(() => validateCandidate('4', '3', ['1', '2', '3', '4'])).not.toThrow();
  });

  it('finds the next step and the step index from a weight', () => {
    const steps = [0.05, 0.25, 0.5, 1];
    expect(nextStep(steps, 0.25)).toBe(0.5);
    expect(nextStep(steps, 0.3)).toBe(0.5);
    expect(nextStep(steps, 1)).toBeUndefined();
    expect(stepIndex(steps, 0.25)).toBe(2);
    expect(stepIndex(steps, 0.3)).toBe(3);
  });
});

describe('gates', () => {
  it('parses error-rate and p99 gates', () => {
    expect(parseGate('errors<1%')).toEqual({ metric: 'errors', below: 0.01, text: 'errors<1%' });
    expect(parseGate('p99 < 800ms')).toEqual({ metric: 'p99', belowMs: 800, text: 'p99<800ms' });
    expect(parseGate('p99<2s')).toEqual({ metric: 'p99', belowMs: 2000, text: 'p99<2s' });
  });

  it.each(['errors>1%', 'errors<1', 'p99<800', 'p95<800ms', 'latency<1s', 'errors<0%', ''])('refuses malformed gate "%s"', (text) => {
    expect(() => parseGate(text)).toThrow(InputError);
    expect(() => parseGate(text)).toThrow(/gate/);
  });

  it('judges thresholds on the candidate window, pending without data', () => {
    const gates = [parseGate('errors<1%'), parseGate('p99<800ms')];
    expect(evaluateGates(gates, { invocations: 1000, errors: 5, p99Ms: 300 }).map((g) => g.status)).toEqual(['pass', 'pass']);
    expect(evaluateGates(gates, { invocations: 1000, errors: 10, p99Ms: 900 }).map((g) => g.status)).toEqual(['fail', 'fail']);
    expect(evaluateGates(gates, { invocations: 0, errors: 0 }).map((g) => g.status)).toEqual(['pending', 'pending']);
  });
});

describe('sequential test (conditional binomial SPRT)', () => {
  it('has Wald bounds from alpha and beta', () => {
    const r = sprt({ invocations: 100, errors: 0 }, { invocations: 900, errors: 0 }, DEFAULT_SPRT);
    expect(r.rollbackAt).toBeCloseTo(Math.log(0.95 / 0.01));
    expect(r.passAt).toBeCloseTo(Math.log(0.05 / 0.99));
    expect(r).toMatchObject({ verdict: 'continue', llr: 0, share: 0.1 });
  });

  it('finds a candidate with most of the errors on a small share worse', () => {
    expect(sprt({ invocations: 100, errors: 10 }, { invocations: 900, errors: 9 }, DEFAULT_SPRT).verdict).toBe('worse');
  });

  it('finds a candidate with its share of errors not worse once errors accumulate', () => {
    expect(sprt({ invocations: 500, errors: 5 }, { invocations: 500, errors: 5 }, DEFAULT_SPRT).verdict).toBe('continue');
    expect(sprt({ invocations: 5000, errors: 45 }, { invocations: 5000, errors: 50 }, DEFAULT_SPRT).verdict).toBe('not-worse');
  });

  it('is not applicable without traffic on both versions', () => {
    expect(sprt({ invocations: 100, errors: 3 }, { invocations: 0, errors: 0 }, DEFAULT_SPRT).verdict).toBe('n/a');
  });

  it('leans worse between holdAt and the rollback bound, and only with holdAt', () => {
    // 15 candidate calls against a stable 1% over 3000: 0 errors favours H0, 1–2 lean worse, 3 roll back.
    const stable = { invocations: 3000, errors: 30 };
    const at = (errors: number) => sprt({ invocations: 15, errors }, stable, POOLED_SPRT);
    expect(at(0)).toMatchObject({ verdict: 'continue', leansWorse: false });
    expect(Math.exp(at(1).rollbackLlr)).toBeGreaterThanOrEqual(POOLED_SPRT.holdAt!);
    expect(at(1)).toMatchObject({ verdict: 'continue', leansWorse: true });
    expect(at(2)).toMatchObject({ verdict: 'continue', leansWorse: true });
    expect(at(3)).toMatchObject({ verdict: 'worse', leansWorse: false });
    expect(sprt({ invocations: 15, errors: 2 }, stable, { ...POOLED_SPRT, holdAt: undefined }).leansWorse).toBe(false);
    expect(sprt({ invocations: 15, errors: 2 }, stable, DEFAULT_SPRT).leansWorse).toBe(false);
  });

  it('averages the rollback side over log-spaced ratios from the margin to maxRatio', () => {
    expect(mixtureRatios(DEFAULT_SPRT)).toEqual([2]);
    const ratios = mixtureRatios(POOLED_SPRT);
    expect(ratios[0]).toBeCloseTo(2);
    expect(ratios[ratios.length - 1]).toBeCloseTo(20);
    for (let i = 1; i < ratios.length; i++) expect(ratios[i] / ratios[i - 1]).toBeLessThanOrEqual(1.5 + 1e-9);
  });

  it('rolls back a strong regression after 3 errors with the mixture, where Wald at ×2 needs more', () => {
    // 3 errors in 15 candidate calls against a stable 1% over 3000: about 20 times worse.
    const candidate = { invocations: 15, errors: 3 };
    const stable = { invocations: 3000, errors: 30 };
    expect(sprt(candidate, stable, POOLED_SPRT).verdict).toBe('worse');
    expect(sprt({ ...candidate, errors: 2 }, stable, POOLED_SPRT).verdict).toBe('continue');
    expect(sprt(candidate, stable, DEFAULT_SPRT).verdict).toBe('continue');
  });

  it("uses Ville's bound 1/α for the mixture and Wald's (1−β)/α without one", () => {
    const none = { invocations: 100, errors: 0 };
    expect(sprt(none, none, POOLED_SPRT).rollbackAt).toBeCloseTo(Math.log(1 / 0.02));
    expect(sprt(none, none, DEFAULT_SPRT).rollbackAt).toBeCloseTo(Math.log(0.95 / 0.01));
  });
});

describe('decide', () => {
  it('starts at the first step when live has no candidate', () => {
    const d = decide({ alias: { primary: '3', weight: 0 }, plan: plan(), bakeElapsedMs: 0 });
    expect(d.action).toEqual({ kind: 'advance', weight: 0.05 });
    expect(d.step).toEqual({ index: 1, of: 4 });
  });

  it('waits while baking with inconclusive evidence', () => {
    const d = decide({ alias: AT_25, plan: plan(), observations: seen([250, 2], [750, 7]), bakeElapsedMs: 60_000 });
    expect(d.action).toEqual({ kind: 'wait' });
    expect(d.step).toEqual({ index: 2, of: 4 });
    expect(d.gates.map((g) => g.gate)).toEqual(['errors vs stable (×2 margin)', 'sample ≥ 100']);
  });

  it('advances to the next step when the bake is complete', () => {
    const d = decide({ alias: AT_25, plan: plan(), observations: seen([250, 2], [750, 7]), bakeElapsedMs: 300_000 });
    expect(d.action).toEqual({ kind: 'advance', weight: 0.5 });
  });

  it('ends a step early when the candidate is not worse and the sample is there', () => {
    const d = decide({ alias: AT_25, plan: plan(), observations: seen([2500, 20], [7500, 75]), bakeElapsedMs: 60_000 });
    expect(d.action).toEqual({ kind: 'advance', weight: 0.5 });
    expect(d.reason).toMatch(/step ends early/);
  });

  it('rolls back at once when the candidate is worse with confidence', () => {
    const d = decide({ alias: AT_25, plan: plan(), observations: seen([250, 14], [750, 6]), bakeElapsedMs: 60_000 });
    expect(d.action.kind).toBe('rollback');
    expect(d.reason).toMatch(/worse than stable/);
  });

  it('rolls back when an alarm is in ALARM', () => {
    const d = decide({
      alias: AT_25,
      plan: plan({ alarms: ['faas-dev-hello-live-errors'] }),
      observations: seen([10, 0], [30, 0], [{ name: 'faas-dev-hello-live-errors', state: 'ALARM' }]),
      bakeElapsedMs: 0,
    });
    expect(d.action).toEqual({ kind: 'rollback', reason: 'alarm faas-dev-hello-live-errors in ALARM', cause: 'regression' });
  });

  it('judges absolute gates when the step would end, not before', () => {
    const gated = plan({ gates: [parseGate('errors<1%')], comparison: undefined });
    expect(decide({ alias: AT_25, plan: gated, observations: seen([200, 4], [600, 1]), bakeElapsedMs: 60_000 }).action).toEqual({
      kind: 'wait',
    });
    const end = decide({ alias: AT_25, plan: gated, observations: seen([200, 4], [600, 1]), bakeElapsedMs: 300_000 });
    expect(end.action.kind).toBe('rollback');
    expect(end.reason).toMatch(/gate errors<1% breached: 2% \(4\/200\)/);
  });

  it('never passes a step on too little traffic, and rolls back at max bake', () => {
    expect(decide({ alias: AT_25, plan: plan(), observations: seen([40, 0], [120, 0]), bakeElapsedMs: 300_000 }).action).toEqual({
      kind: 'wait',
    });
    const d = decide({ alias: AT_25, plan: plan(), observations: seen([40, 0], [120, 0]), bakeElapsedMs: 900_000 });
    expect(d.action).toMatchObject({ kind: 'rollback', cause: 'inconclusive' });
    expect(d.reason).toMatch(/inconclusive, not enough traffic: 40 candidate invocations < 100/);
    expect(d.reason).toMatch(/not found worse/);
  });

  it('marks a rollback the candidate caused as a regression', () => {
    const d = decide({ alias: AT_25, plan: plan(), observations: seen([250, 14], [750, 6]), bakeElapsedMs: 60_000 });
    expect(d.action).toMatchObject({ kind: 'rollback', cause: 'regression' });
  });

  it('ends a step below 100% after rampBakeMs, but bakes the 100% step for bakeMs', () => {
    const ramp = plan({ rampBakeMs: 60_000, comparison: undefined });
    expect(decide({ alias: AT_25, plan: ramp, observations: seen([250, 2], [750, 7]), bakeElapsedMs: 60_000 }).action).toEqual({
      kind: 'advance',
      weight: 0.5,
    });
    const full = { primary: '3', candidate: '4', weight: 1 };
    expect(decide({ alias: full, plan: ramp, observations: seen([1000, 10], [0, 0]), bakeElapsedMs: 60_000 }).action).toEqual({
      kind: 'wait',
    });
    expect(decide({ alias: full, plan: ramp, observations: seen([1000, 10], [0, 0]), bakeElapsedMs: 300_000 }).action).toEqual({
      kind: 'promote',
    });
  });

  it('promotes after the bake at 100%, where the comparison is not applicable', () => {
    const d = decide({
      alias: { primary: '3', candidate: '4', weight: 1 },
      plan: plan(),
      observations: seen([400, 0], [0, 0]),
      bakeElapsedMs: 300_000,
    });
    expect(d.action).toEqual({ kind: 'promote' });
    expect(d.gates.find((g) => g.gate.startsWith('errors vs stable'))?.status).toBe('n/a');
  });

  it('resumes from a weight between steps toward the next step', () => {
    const d = decide({
      alias: { primary: '3', candidate: '4', weight: 0.3 },
      plan: plan(),
      observations: seen([300, 3], [700, 7]),
      bakeElapsedMs: 300_000,
    });
    expect(d.action).toEqual({ kind: 'advance', weight: 0.5 });
  });

  const minute = (c: [number, number], st: [number, number]) => ({
    candidate: { invocations: c[0], errors: c[1] },
    stable: { invocations: st[0], errors: st[1] },
  });

  it('does not blame the candidate for an error-rate rise that hits both versions mid-rollout (fails on pooled counts)', () => {
    // GIVEN an hour of stable-only traffic at 1 %, then both versions at 2.5 % during the rollout at 10 %
    const pooled = plan({ comparison: POOLED_SPRT });
    const atTen = { primary: '3', candidate: '4', weight: 0.1 };
    const hour = Array.from({ length: 60 }, () => minute([0, 0], [6000, 60]));
    const rollout = Array.from({ length: 3 }, () => minute([600, 15], [5400, 135]));
    const step = seen([1800, 45], [16_200, 405]);

    // WHEN per minute (old pooled logic: 45/1800 vs (60·60+405)/(360000+16200) ≈ 2.4× → rolled back)
    const d = decide({ alias: atTen, plan: pooled, observations: { ...step, minutes: [...hour, ...rollout] }, bakeElapsedMs: 60_000 });

    // THEN the old pooled counts (step + the hour before as one 2×2) would roll this candidate back...
    expect(sprt({ invocations: 1800, errors: 45 }, { invocations: 360_000 + 16_200, errors: 3600 + 405 }, POOLED_SPRT).verdict).toBe(
      'worse',
    );
    // ...while per minute a healthy candidate is not rolled back (it passes: per minute its share of errors is its share of traffic)
    expect(d.action).toEqual({ kind: 'advance', weight: 0.25 });
    // ...and a real 5× candidate in the same incident still is
    const bad = Array.from({ length: 3 }, () => minute([600, 75], [5400, 135]));
    const worse = decide({
      alias: atTen,
      plan: pooled,
      observations: { ...seen([1800, 225], [16_200, 405]), minutes: [...hour, ...bad] },
      bakeElapsedMs: 60_000,
    });
    expect(worse.action).toMatchObject({ kind: 'rollback', cause: 'regression' });
  });

  it('compares nothing at 100 % with per-minute history: minutes with one version add nothing', () => {
    const full = { primary: '3', candidate: '4', weight: 1 };
    const minutes = [...Array.from({ length: 30 }, () => minute([0, 0], [1000, 10])), minute([3000, 60], [0, 0])];
    const d = decide({
      alias: full,
      plan: plan({ comparison: POOLED_SPRT }),
      observations: { ...seen([3000, 60], [0, 0]), minutes },
      bakeElapsedMs: 60_000,
    });
    expect(d.gates.find((g) => g.gate.startsWith('errors vs stable'))).toMatchObject({
      status: 'n/a',
      value: 'no minute with traffic on both versions',
    });
    expect(d.action).toEqual({ kind: 'wait' });
  });

  it('sums the per-minute evidence: the same counts in one stratum equal the pooled SPRT', () => {
    const one = stratifiedSprt([minute([100, 5], [900, 10])], POOLED_SPRT);
    expect(one).toEqual(sprt({ invocations: 100, errors: 5 }, { invocations: 900, errors: 10 }, POOLED_SPRT));
    const two = stratifiedSprt([minute([100, 5], [900, 10]), minute([100, 5], [900, 10])], { ...POOLED_SPRT, maxRatio: undefined });
    expect(two.llr).toBeCloseTo(2 * one.llr);
  });

  it('ends a step below 100% early on per-minute evidence from earlier steps', () => {
    const minutes = Array.from({ length: 6 }, () => minute([300, 1], [900, 9]));
    const d = decide({
      alias: AT_25,
      plan: plan({ comparison: POOLED_SPRT }),
      observations: { ...seen([300, 2], [900, 9]), minutes },
      bakeElapsedMs: 30_000,
    });
    expect(d.action).toEqual({ kind: 'advance', weight: 0.5 });
    expect(d.reason).toMatch(/step ends early/);
  });

  it('holds a baked ramp step while the test leans worse, and ends inconclusive if it still does at max bake', () => {
    const held = plan({ comparison: POOLED_SPRT, rampBakeMs: 60_000, minInvocations: 5 });
    const leaning = { ...seen([15, 1], [45, 0]), minutes: [minute([15, 1], [45, 0])] };
    const d = decide({ alias: AT_25, plan: held, observations: leaning, bakeElapsedMs: 60_000 });
    expect(d.action).toEqual({ kind: 'wait' });
    expect(d.reason).toMatch(
      /holding at 25%: the comparison leans worse \(likelihood ratio \d\.\d ≥ 2, below the rollback bound\); not advancing/,
    );
    // The same bake advances without an error or without holdAt...
    expect(
      decide({
        alias: AT_25,
        plan: held,
        observations: { ...seen([15, 0], [45, 0]), minutes: [minute([15, 0], [45, 0])] },
        bakeElapsedMs: 60_000,
      }).action,
    ).toEqual({ kind: 'advance', weight: 0.5 });
    expect(
      decide({
        alias: AT_25,
        plan: plan({ ...held, comparison: { ...POOLED_SPRT, holdAt: undefined } }),
        observations: leaning,
        bakeElapsedMs: 60_000,
      }).action,
    ).toEqual({ kind: 'advance', weight: 0.5 });
    // ...but still leaning worse at max bake it neither advances nor counts as a regression.
    expect(decide({ alias: AT_25, plan: held, observations: leaning, bakeElapsedMs: 900_000 }).action).toMatchObject({
      kind: 'rollback',
      cause: 'inconclusive',
      reason: expect.stringMatching(/inconclusive: still held after 900s at 25%, the comparison leans worse/),
    });
  });

  it('passes into 100% only when the data favour "as good" over ×2 by 2 : 1, once there are 10 errors to tell', () => {
    // GIVEN the step before 100% (50%), its bake over, and a test that neither rolls back nor leans worse
    const gated = plan({ comparison: POOLED_SPRT, minInvocations: 5 });
    const AT_50: AliasView = { primary: '3', candidate: '4', weight: 0.5 };
    const at = (c: [number, number], st: [number, number], p = gated, alias = AT_50) =>
      decide({ alias, plan: p, observations: { ...seen(c, st), minutes: [minute(c, st)] }, bakeElapsedMs: 300_000 });
    // 6 vs 5 errors at 50/50: likelihood ratio ×2 vs as good 0.74 > 0.5 — held, then inconclusive at max bake
    const held = at([500, 6], [500, 5]);
    expect(held.action).toEqual({ kind: 'wait' });
    expect(held.reason).toMatch(
      /holding at 50%: not clearly as good as stable before 100 % \(likelihood ratio ×2 vs as good 0\.74 > 0\.5, over 11 errors\)/,
    );
    expect(
      decide({
        alias: AT_50,
        plan: gated,
        observations: { ...seen([500, 6], [500, 5]), minutes: [minute([500, 6], [500, 5])] },
        bakeElapsedMs: 900_000,
      }).action,
    ).toMatchObject({ kind: 'rollback', cause: 'inconclusive' });
    // 3 vs 8 errors: 0.09 ≤ 0.5 — advances
    expect(at([500, 3], [500, 8]).action).toEqual({ kind: 'advance', weight: 1 });
    // Too few errors to tell (3 vs 2): the bake decides, as before
    expect(at([500, 3], [500, 2]).action).toEqual({ kind: 'advance', weight: 1 });
    // Not the step into 100%, or without intoFull: advances
    expect(at([500, 6], [500, 5], gated, AT_25).action).toEqual({ kind: 'advance', weight: 0.5 });
    expect(at([500, 6], [500, 5], plan({ ...gated, comparison: { ...POOLED_SPRT, intoFull: undefined } })).action).toEqual({
      kind: 'advance',
      weight: 1,
    });
  });

  it('does not hold the 100% step: it promotes after its bake unless the test rolls back', () => {
    const held = plan({ comparison: POOLED_SPRT, minInvocations: 5 });
    const obs = { ...seen([15, 1], [0, 0]), minutes: [minute([15, 1], [45, 0]), minute([15, 0], [0, 0])] };
    const d = decide({ alias: { primary: '3', candidate: '4', weight: 1 }, plan: held, observations: obs, bakeElapsedMs: 300_000 });
    expect(d.action).toEqual({ kind: 'promote' });
  });

  it('refuses to drive another candidate than the one on the alias', () => {
    expect(() => decide({ alias: AT_25, plan: plan({ candidate: '5' }), bakeElapsedMs: 0 })).toThrow(
      /routes 25% to version 4, not to the planned candidate 5/,
    );
  });
});

describe('error rates of the default comparative gate (seeded simulation, 500 rollouts each)', () => {
  // Steps 5/25/50/100, 10-minute bakes polled each minute, min 100 invocations, max bake 30 min,
  // stable error rate 1%. Counts are deterministic for the seed; bounds leave room for tuning.
  const simPlan = plan({ bakeMs: 600_000, maxBakeMs: 1_800_000 });
  const RUNS = 500;

  it('rolls back a candidate as good as stable rarely (300 and 2000 req/min)', async () => {
    const low = await simulateBatch(1, RUNS, { perMinute: 300, stableErrorRate: 0.01, candidateErrorRate: 0.01 }, simPlan);
    const high = await simulateBatch(2, RUNS, { perMinute: 2000, stableErrorRate: 0.01, candidateErrorRate: 0.01 }, simPlan);
    expect(low.rollbacks).toBeLessThanOrEqual(RUNS * 0.02);
    expect(high.rollbacks).toBeLessThanOrEqual(RUNS * 0.03);
    // With enough errors to compare, most steps end before their bake.
    expect(high.earlySteps / high.passedSteps).toBeGreaterThan(0.5);
  });

  it('detects a candidate 3× and 5× worse before it reaches 100%', async () => {
    const triple = await simulateBatch(3, RUNS, { perMinute: 300, stableErrorRate: 0.01, candidateErrorRate: 0.03 }, simPlan);
    const fivefold = await simulateBatch(4, RUNS, { perMinute: 300, stableErrorRate: 0.01, candidateErrorRate: 0.05 }, simPlan);
    expect(triple.rollbacks).toBeGreaterThanOrEqual(RUNS * 0.9);
    expect(fivefold.rollbacks).toBe(RUNS);
    expect(fivefold.rollbacksAt['1'] ?? 0).toBe(0);
  });

  it('detects a candidate 2× worse when traffic gives enough errors (2000 req/min)', async () => {
    const doubled = await simulateBatch(5, RUNS, { perMinute: 2000, stableErrorRate: 0.01, candidateErrorRate: 0.02 }, simPlan);
    expect(doubled.rollbacks).toBeGreaterThanOrEqual(RUNS * 0.95);
  });

  it('with the canary defaults, still never promotes on quiet traffic (2 req/min)', async () => {
    const defaults = plan({
      steps: parseSteps(CANARY_DEFAULTS.steps),
      rampBakeMs: 60_000,
      bakeMs: 300_000,
      maxBakeMs: 900_000,
      minInvocations: Number(CANARY_DEFAULTS.minInvocations),
      comparison: CANARY_DEFAULTS.comparison,
    });
    const quiet = await simulateBatch(7, RUNS, { perMinute: 2, stableErrorRate: 0.01, candidateErrorRate: 0.01 }, defaults);
    expect(quiet.promotes).toBe(0);
  });

  it('with the hold, catches 5× and 20× candidates at lower weights than without it (600 req/min, canary defaults)', async () => {
    // Per-step windows (no lookback), polled each minute; the same seed with and without holdAt.
    const defaults = plan({
      steps: parseSteps(CANARY_DEFAULTS.steps),
      rampBakeMs: 60_000,
      bakeMs: 300_000,
      maxBakeMs: 900_000,
      minInvocations: 5,
      comparison: POOLED_SPRT,
    });
    const noHold = plan({ ...defaults, comparison: { ...POOLED_SPRT, holdAt: undefined } });
    const run = (seed: number, candidateErrorRate: number, p: CanaryPlan) =>
      simulateBatch(seed, RUNS, { perMinute: 600, stableErrorRate: 0.01, candidateErrorRate }, p);
    // Past 20%: rolled back at 50% or 100%, or promoted.
    const late = (b: Awaited<ReturnType<typeof simulateBatch>>) => b.promotes + (b.rollbacksAt['0.5'] ?? 0) + (b.rollbacksAt['1'] ?? 0);
    expect(late(await run(8, 0.05, defaults))).toBeLessThan(late(await run(8, 0.05, noHold)) / 2);
    expect((await run(9, 0.2, defaults)).rollbacksAt['0.01'] ?? 0).toBeGreaterThan(
      2 * ((await run(9, 0.2, noHold)).rollbacksAt['0.01'] ?? 0),
    );
    // A healthy candidate is still rarely rolled back (per-step windows spend α once per ramp step:
    // at most 4α = 8 % in theory; 14 of 500 for this seed).
    expect((await run(10, 0.01, defaults)).rollbacks).toBeLessThanOrEqual(RUNS * 0.04);
  });

  it('never promotes on quiet traffic (10 req/min)', async () => {
    const quiet = await simulateBatch(6, RUNS, { perMinute: 10, stableErrorRate: 0.01, candidateErrorRate: 0.01 }, simPlan);
    expect(quiet.promotes).toBe(0);
  });
});
