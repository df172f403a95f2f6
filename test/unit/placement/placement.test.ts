/**
 * The placement rules on plain data: limits respected, existing functions never move unless
 * their stack would exceed a limit, new stacks numbered after every earlier one.
 */
import { placeUnits, type PlacementLimits, type PlacementUnit, type StackAssignment } from '../../../lib/placement/placement';
import { mulberry32 } from '../../../simulation/random';

const LIMITS: PlacementLimits = { maxResources: 100, maxOutputs: 20 };
const PROVIDER = { provider: { resources: 6, outputs: 0 } };

function unit(
  key: string,
  resources: number,
  outputs = 2,
  shared: PlacementUnit['cost']['shared'] = PROVIDER,
  members = [key],
): PlacementUnit {
  return { key, members, segments: [], cost: { resources, outputs, shared } };
}

describe('placeUnits', () => {
  test('fills stacks in order up to the resource limit, counting a shared part once per stack', () => {
    // 6 (provider) + 3 × 30 = 96 fits; a fourth 30 would make 126
    const result = placeUnits([unit('a', 30), unit('b', 30), unit('c', 30), unit('d', 30)], { stacks: {} }, LIMITS);
    expect(result.assignment).toEqual({ 'functions-1': ['a', 'b', 'c'], 'functions-2': ['d'] });
    expect(result.stacks.map((s) => s.resources)).toEqual([96, 36]);
    expect(result.moves).toEqual([]);
  });

  test('respects the output limit as well', () => {
    const result = placeUnits([unit('a', 5, 8), unit('b', 5, 8), unit('c', 5, 8)], { stacks: {} }, LIMITS);
    expect(result.assignment).toEqual({ 'functions-1': ['a', 'b'], 'functions-2': ['c'] });
  });

  test('a new function goes to the first stack with room, and nobody else moves', () => {
    const previous: StackAssignment = { 'functions-1': ['a', 'b', 'c'], 'functions-2': ['d'] };
    // "new" is declared first, yet the recorded placement wins over declaration order
    const result = placeUnits([unit('new', 30), unit('a', 30), unit('b', 30), unit('c', 30), unit('d', 30)], { stacks: previous }, LIMITS);
    expect(result.assignment).toEqual({ 'functions-1': ['a', 'b', 'c'], 'functions-2': ['d', 'new'] });
    expect(result.moves).toEqual([]);
  });

  test('a stack that grew past the limit gives up its last-declared group, reported as a move', () => {
    const previous: StackAssignment = { 'functions-1': ['a', 'b', 'c'] };
    const result = placeUnits([unit('a', 30), unit('b', 30), unit('c', 40)], { stacks: previous }, LIMITS);
    expect(result.assignment).toEqual({ 'functions-1': ['a', 'b'], 'functions-2': ['c'] });
    expect(result.moves).toEqual([
      { name: 'c', from: 'functions-1', to: 'functions-2', reason: expect.stringMatching(/would exceed 100 resources/) },
    ]);
    // the new home deploys after the old one, recorded for every later deploy
    expect(result.after).toEqual({ 'functions-2': ['functions-1'] });
    expect(
      placeUnits([unit('a', 30), unit('b', 30), unit('c', 40)], { stacks: result.assignment, after: result.after }, LIMITS).after,
    ).toEqual({ 'functions-2': ['functions-1'] });
  });

  test('a move against a recorded order is refused with the fix, not deployed in an unsafe order', () => {
    const previous = { stacks: { 'functions-1': ['a', 'b'], 'functions-2': ['c'] }, after: { 'functions-2': ['functions-1'] } };
    // b grows: functions-1 must give it up, and it fits only back in functions-2 — which deploys after functions-1 already
    const result = placeUnits([unit('a', 50), unit('b', 50), unit('c', 10)], previous, LIMITS);
    expect(result.moves).toEqual([expect.objectContaining({ name: 'b', from: 'functions-1', to: 'functions-2' })]);
    expect(result.after).toEqual({ 'functions-2': ['functions-1'] });
    const back = placeUnits(
      [unit('a', 10), unit('c', 50), unit('c2', 50, 2, PROVIDER, ['c2'])],
      { stacks: { 'functions-1': ['a'], 'functions-2': ['c', 'c2'] }, after: { 'functions-2': ['functions-1'] } },
      LIMITS,
    );
    expect(back.moves).toEqual([expect.objectContaining({ name: 'c2', from: 'functions-2', to: 'functions-1' })]);
    expect(back.problems).toEqual([
      expect.stringMatching(
        new RegExp(
          '"c2" would move from functions-2 to functions-1, but functions-2 is recorded to deploy after functions-1' +
            '.*fix: deploy the recorded placement first',
        ),
      ),
    ]);
  });

  test('a group alone in its stack that grew past a limit is a problem, not a silent overflow', () => {
    const result = placeUnits([unit('a', 120, 30)], { stacks: { 'functions-1': ['a'] } }, LIMITS);
    expect(result.problems).toEqual([
      expect.stringMatching(/functions a need 126 resources and 30 outputs in one stack, over the limit of 100 and 20/),
    ]);
  });

  test('a recorded stack whose functions were removed takes the next new one; otherwise it is reported for deletion', () => {
    const previous: StackAssignment = { 'functions-1': ['a'], 'functions-2': ['gone'], 'functions-3': ['b'] };
    expect(placeUnits([unit('a', 90), unit('b', 90), unit('c', 90)], { stacks: previous }, LIMITS).assignment).toEqual({
      'functions-1': ['a'],
      'functions-2': ['c'],
      'functions-3': ['b'],
    });
    const without = placeUnits([unit('a', 90), unit('b', 90)], { stacks: previous }, LIMITS);
    // kept, empty: it is deployed empty so its old resources go before anything else needs their names
    expect(without.assignment).toEqual({ 'functions-1': ['a'], 'functions-2': [], 'functions-3': ['b'] });
    expect(without.stacks.map((st) => st.id)).toEqual(['functions-1', 'functions-3']);
    expect(without.emptied).toEqual(['functions-2']);
  });

  test('new stacks are numbered after every recorded one', () => {
    // functions-2 was deleted earlier (no longer recorded): a new stack is functions-4, not 2
    const result = placeUnits(
      [unit('a', 90), unit('b', 90), unit('c', 90)],
      { stacks: { 'functions-1': ['a'], 'functions-3': ['b'] } },
      LIMITS,
    );
    expect(result.assignment).toEqual({ 'functions-1': ['a'], 'functions-3': ['b'], 'functions-4': ['c'] });
  });

  test('a group formed across stacks goes where most of its members are', () => {
    const previous: StackAssignment = { 'functions-1': ['a'], 'functions-2': ['b', 'c'] };
    const result = placeUnits([unit('a', 10, 2, PROVIDER, ['a', 'b', 'c'])], { stacks: previous }, LIMITS);
    expect(result.assignment).toEqual({ 'functions-1': [], 'functions-2': ['a', 'b', 'c'] });
    expect(result.after).toEqual({ 'functions-2': ['functions-1'] });
    expect(result.moves).toEqual([expect.objectContaining({ name: 'a', from: 'functions-1', to: 'functions-2' })]);
  });

  test('a group that fits no stack alone is a problem that names its functions and the fix', () => {
    const big = { ...unit('orders', 120, 2, PROVIDER, ['orders', 'order-items']), segments: ['orders'] };
    const result = placeUnits([big, unit('ok', 10)], { stacks: {} }, LIMITS);
    expect(result.problems).toEqual([
      expect.stringMatching(
        new RegExp(
          'functions orders, order-items \\(routes under /orders\\) need 126 resources .*over the limit of 100' +
            '.*fix: put their routes under different first path segments',
        ),
      ),
    ]);
    expect(result.assignment).toEqual({ 'functions-1': ['ok'] });
  });

  test('property: over random growth, limits always hold and a function only moves when its stack overflowed', () => {
    const random = mulberry32(42);
    for (let run = 0; run < 50; run++) {
      let previous: StackAssignment = {};
      const units: PlacementUnit[] = [];
      for (let step = 0; step < 30; step++) {
        // add a function at a random position, sometimes let an existing one grow
        units.splice(
          Math.floor(random() * (units.length + 1)),
          0,
          unit(`f${run}-${step}`, 5 + Math.floor(random() * 40), 1 + Math.floor(random() * 4)),
        );
        const grow = random() < 0.2 && units.length > 1 ? Math.floor(random() * units.length) : -1;
        if (grow >= 0) units[grow] = unit(units[grow].key, Math.min(90, units[grow].cost.resources + 20), units[grow].cost.outputs);
        const result = placeUnits(units, { stacks: previous }, LIMITS);
        expect(result.problems).toEqual([]);
        for (const stack of result.stacks) {
          expect(stack.resources).toBeLessThanOrEqual(LIMITS.maxResources);
          expect(stack.outputs).toBeLessThanOrEqual(LIMITS.maxOutputs);
        }
        const before = new Map(Object.entries(previous).flatMap(([id, names]) => names.map((n) => [n, id] as const)));
        const after = new Map(Object.entries(result.assignment).flatMap(([id, names]) => names.map((n) => [n, id] as const)));
        const moved = [...before].filter(([name, id]) => after.get(name) !== id).map(([name]) => name);
        expect(moved.sort()).toEqual(result.moves.map((m) => m.name).sort());
        if (grow < 0) expect(moved).toEqual([]);
        expect(after.size).toBe(units.length);
        previous = result.assignment;
      }
    }
  });
});
