/**
 * The warm-capacity plan of a rollout (cli/engine/warm-capacity.ts), pure: the level rule, what
 * a start holds and provisions, what an end restores.
 */
import { HELD, RELEASED, planWarmEnd, planWarmStart, rolloutLevel, type WarmState } from '../../../cli/engine/warm-capacity';

const STEPS = [0.01, 0.03, 0.2, 0.5, 1];

function state(requested: number, target: Partial<NonNullable<WarmState['target']>> | null = {}, reservedConcurrency?: number): WarmState {
  return {
    live: { requested, allocated: requested, status: 'READY' },
    ...(target === null ? {} : { target: { min: 2, max: 10, suspended: RELEASED, ...target } }),
    ...(reservedConcurrency !== undefined ? { reservedConcurrency } : {}),
  };
}

describe('rolloutLevel', () => {
  it.each<[string, number, readonly number[], number, number | undefined, { level: number; wanted: number; limitedBy?: string }]>([
    ['default steps: level + half of it (largest ramp step 50 %), rounded up', 2, STEPS, 10, undefined, { level: 3, wanted: 3 }],
    ['rounded up: 5 + ⌈2.5⌉', 5, STEPS, 10, undefined, { level: 8, wanted: 8 }],
    ['a smaller largest step: 10 + ⌈10 × 0.2⌉', 10, [0.05, 0.2, 1], 100, undefined, { level: 12, wanted: 12 }],
    ['only a 100 % step: nothing extra', 4, [1], 10, undefined, { level: 4, wanted: 4 }],
    ['limited by warm.max', 8, STEPS, 10, undefined, { level: 10, wanted: 12, limitedBy: 'warm.max' }],
    ['limited by reserved concurrency (below warm.max)', 8, STEPS, 20, 9, { level: 9, wanted: 12, limitedBy: 'reserved concurrency' }],
    ['never below the level before, even over a limit', 12, STEPS, 10, undefined, { level: 12, wanted: 18, limitedBy: 'warm.max' }],
  ])('%s', (_case, before, steps, max, reserved, expected) => {
    expect(rolloutLevel(before, steps, max, reserved)).toEqual(expected);
  });
});

describe('planWarmStart', () => {
  it('leaves a function without provisioned concurrency on live alone', () => {
    expect(planWarmStart(undefined, '4', 0, STEPS)).toEqual({ kind: 'unmanaged', reason: 'no provisioned concurrency on live' });
  });

  it('leaves provisioned concurrency without a scalable target alone (nothing else changes it)', () => {
    expect(planWarmStart(state(2, null), '4', 0, STEPS)).toMatchObject({
      kind: 'unmanaged',
      reason: expect.stringMatching(/without a scalable target/),
    });
  });

  it('before the first weight: records the level before, provisions the rollout level, suspends', () => {
    expect(planWarmStart(state(2), '4', 0, STEPS)).toEqual({
      kind: 'hold',
      hold: { candidate: '4', levelBefore: 2 },
      provision: 3,
      suspend: true,
      reason: 'provisioned concurrency 3 on live for the rollout (was 2)',
    });
  });

  it('names the limit that capped the level', () => {
    expect(planWarmStart(state(8, {}, 9), '4', 0, STEPS)).toMatchObject({
      provision: 9,
      reason: expect.stringMatching(/12 limited by reserved concurrency/),
    });
  });

  it('provisions nothing when live already has the level', () => {
    expect(planWarmStart(state(4), '4', 0, [1])).not.toHaveProperty('provision');
  });

  it('with weights on live (resume): changes no provisioned concurrency, only suspends', () => {
    const start = planWarmStart(state(3), '4', 0.2, STEPS);
    expect(start).toMatchObject({ kind: 'hold', hold: { candidate: '4', levelBefore: 3 }, suspend: true });
    expect(start).not.toHaveProperty('provision');
    expect(start).toMatchObject({ reason: expect.stringMatching(/Lambda refuses changes on a weighted alias/) });
  });

  it('after a kill: keeps the recorded level before and does not suspend twice', () => {
    const killed = state(3, { suspended: HELD, hold: { candidate: '4', levelBefore: 2 } });
    expect(planWarmStart(killed, '4', 0.2, STEPS)).toMatchObject({ hold: { candidate: '4', levelBefore: 2 }, suspend: false });
    // A new canary over a hold that outlived its rollout plans from the level before, not the raised one:
    // 2 → 3, which live already has (from 3 it would ask for 5).
    const again = planWarmStart(killed, '5', 0, STEPS);
    expect(again).toMatchObject({
      hold: { candidate: '5', levelBefore: 2 },
      reason: 'provisioned concurrency 3 on live for the rollout (was 2)',
    });
    expect(again).not.toHaveProperty('provision');
  });
});

describe('planWarmEnd', () => {
  const held = (requested: number, levelBefore: number, target: Partial<NonNullable<WarmState['target']>> = {}) =>
    state(requested, { suspended: HELD, hold: { candidate: '4', levelBefore }, ...target });

  it('without a hold of ours: nothing (a target suspended by someone else stays so)', () => {
    expect(planWarmEnd(undefined, false)).toBeUndefined();
    expect(planWarmEnd(state(2), false)).toBeUndefined();
    expect(planWarmEnd(state(2, { suspended: HELD }), false)).toBeUndefined();
  });

  it('with no weights on live (promoted, rolled back, inconclusive): the level before back', () => {
    expect(planWarmEnd(held(3, 2), false)).toEqual({ provision: 2, reason: 'provisioned concurrency back to 2, scaling resumed' });
  });

  it('within the scalable target as it is now (a schedule may have moved min or max)', () => {
    expect(planWarmEnd(held(3, 2, { min: 4 }), false)).toMatchObject({ provision: 4 });
    expect(planWarmEnd(held(4, 4, { min: 3 }), false)).toEqual({ reason: 'provisioned concurrency 4, scaling resumed' });
  });

  it('with weights still on live (interrupted, held at 100 %): no provisioned concurrency change, scaling resumed', () => {
    expect(planWarmEnd(held(3, 2), true)).toEqual({
      reason: 'provisioned concurrency stays 3 while live has weights (scaling brings it back), scaling resumed',
    });
  });
});
