/**
 * Which function stack holds each group of functions (docs/architecture.md "Stack placement").
 * Pure: costs are counted elsewhere (measure.ts), the previous placement comes from
 * faas.placement.json (placement-file.ts).
 *
 * Rules, in order:
 * 1. A group stays where its members were (moving a function replaces it: new name, empty
 *    queues, versions gone), unless its stack would exceed a limit.
 * 2. A stack over a limit gives up its last-declared groups until it fits (reported as moves).
 * 3. New and evicted groups go, in declaration order, to the first recorded stack with room
 *    (one whose functions were all removed included: it still exists), else to a new stack
 *    numbered after every recorded one.
 * 4. A stack that loses every function stays recorded (empty): it is deployed empty, so its
 *    resources are deleted, and it takes the next new group.
 * 5. A moved function's new stack deploys after its old one (recorded in `after`), so the old
 *    stack has deleted the alarm names, export and API resources before the new one creates them.
 */
import type { PlacementGroup } from './units';

export interface StackCost {
  readonly resources: number;
  readonly outputs: number;
}

export interface UnitCost extends StackCost {
  /** Per-stack parts the group needs (the custom-resource provider, a layer…): counted once per stack, by id. */
  readonly shared: Readonly<Record<string, StackCost>>;
}

export interface PlacementUnit extends PlacementGroup {
  readonly cost: UnitCost;
}

/** Stack id ("functions-1") → member names, sorted. */
export type StackAssignment = Readonly<Record<string, readonly string[]>>;

/** Stack id → stacks it must deploy after (left by moves). */
export type StackOrder = Readonly<Record<string, readonly string[]>>;

export interface PlacementRecord {
  readonly stacks: StackAssignment;
  /** @default - no ordering between function stacks */
  readonly after?: StackOrder;
}

export interface PlacementLimits {
  /** CloudFormation allows 500; the rest is headroom for CDK-added resources and later growth. */
  readonly maxResources: number;
  /** CloudFormation allows 200 outputs per stack. */
  readonly maxOutputs: number;
}

export const DEFAULT_LIMITS: PlacementLimits = { maxResources: 450, maxOutputs: 190 };

/**
 * `resources` and `outputs` are the sum of the units' costs here; a built platform app reports
 * those its built stack has (lib/platform-app.ts).
 */
export interface PlacedStack extends StackCost {
  readonly id: string;
  /** Groups in declaration order (what a group cost is not kept: it may not have been measured). */
  readonly units: readonly PlacementGroup[];
}

export interface Move {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
}

export interface PlacementResult {
  /** Non-empty stacks in number order. */
  readonly stacks: readonly PlacedStack[];
  /** Every recorded stack, empty ones included. */
  readonly assignment: StackAssignment;
  readonly after: StackOrder;
  /** Existing functions that change stack: each is replaced by the deploy. */
  readonly moves: readonly Move[];
  /** Recorded stacks that hold nothing: deployed empty (delete them once that deploy is done, or let a new function take one). */
  readonly emptied: readonly string[];
  /** Groups that fit no stack even alone. */
  readonly problems: readonly string[];
}

const STACK_PREFIX = 'functions-';

export function stackNumber(id: string): number {
  return Number(id.slice(STACK_PREFIX.length));
}

/** What a stack holding these costs costs: each shared part once, by id. */
export function stackCost(costs: readonly UnitCost[]): StackCost {
  const shared = new Map<string, StackCost>();
  let resources = 0;
  let outputs = 0;
  for (const cost of costs) {
    resources += cost.resources;
    outputs += cost.outputs;
    for (const [id, part] of Object.entries(cost.shared)) shared.set(id, part);
  }
  for (const cost of shared.values()) {
    resources += cost.resources;
    outputs += cost.outputs;
  }
  return { resources, outputs };
}

const costOf = (units: readonly PlacementUnit[]): StackCost => stackCost(units.map((u) => u.cost));

export const fits = (cost: StackCost, limits: PlacementLimits): boolean =>
  cost.resources <= limits.maxResources && cost.outputs <= limits.maxOutputs;

export function placeUnits(
  units: readonly PlacementUnit[],
  record: PlacementRecord,
  limits: PlacementLimits = DEFAULT_LIMITS,
): PlacementResult {
  const previous = record.stacks;
  const order = new Map(units.map((u, i) => [u.key, i]));
  const previousStack = new Map<string, string>();
  for (const [id, names] of Object.entries(previous)) for (const name of names) previousStack.set(name, id);

  const stacks = new Map<string, PlacementUnit[]>(
    Object.keys(previous)
      .sort((a, b) => stackNumber(a) - stackNumber(b))
      .map((id) => [id, []]),
  );
  let highest = Math.max(0, ...Object.keys(previous).map(stackNumber));
  const moves: { -readonly [K in keyof Move]: Move[K] }[] = [];
  const pending: PlacementUnit[] = [];

  // 1. Keep groups where their members were; a group formed across stacks goes where most of it is.
  for (const unit of units) {
    const homes = unit.members.flatMap((m) => (previousStack.has(m) ? [previousStack.get(m)!] : []));
    if (homes.length === 0) {
      pending.push(unit);
      continue;
    }
    const counts = new Map<string, number>();
    for (const h of homes) counts.set(h, (counts.get(h) ?? 0) + 1);
    const home = [...counts.entries()].sort((a, b) => b[1] - a[1] || stackNumber(a[0]) - stackNumber(b[0]))[0][0];
    stacks.get(home)!.push(unit);
    for (const m of unit.members) {
      const from = previousStack.get(m);
      if (from !== undefined && from !== home)
        moves.push({
          name: m,
          from,
          to: home,
          reason: `it now shares a stack with ${unit.members.filter((o) => o !== m).join(', ')} (common route segment or destination)`,
        });
    }
  }

  // 2. A stack that grew past a limit gives up its last-declared groups.
  const problems: string[] = [];
  for (const [id, placed] of stacks) {
    while (placed.length > 1 && !fits(costOf(placed), limits)) {
      const evicted = placed.reduce((last, u) => (order.get(u.key)! > order.get(last.key)! ? u : last));
      placed.splice(placed.indexOf(evicted), 1);
      pending.push(evicted);
      for (const m of evicted.members) {
        if (previousStack.get(m) === id)
          moves.push({
            name: m,
            from: id,
            to: '',
            reason: `${id} would exceed ${limits.maxResources} resources or ${limits.maxOutputs} outputs`,
          });
      }
    }
  }

  // 3. New and evicted groups: first stack with room, else a new one.
  const tooLarge = (unit: PlacementUnit) => {
    const alone = costOf([unit]);
    const routes = unit.segments.length > 0 ? ` (routes under ${unit.segments.map((s) => `/${s}`).join(', ')})` : '';
    problems.push(
      `functions ${unit.members.join(', ')}${routes} need ${alone.resources} resources and ${alone.outputs} outputs in one stack, ` +
        `over the limit of ${limits.maxResources} and ${limits.maxOutputs}; ` +
        'fix: put their routes under different first path segments (each segment can go to its own stack) ' +
        'or drop function destinations between them',
    );
  };
  // A group alone in its stack that grew past a limit cannot be helped by moving it.
  for (const placed of stacks.values()) if (placed.length === 1 && !fits(costOf(placed), limits)) tooLarge(placed[0]);
  pending.sort((a, b) => order.get(a.key)! - order.get(b.key)!);
  for (const unit of pending) {
    if (!fits(costOf([unit]), limits)) {
      tooLarge(unit);
      continue;
    }
    let home = [...stacks.entries()].find(([, placed]) => fits(costOf([...placed, unit]), limits))?.[0];
    if (home === undefined) {
      home = `${STACK_PREFIX}${++highest}`;
      stacks.set(home, []);
    }
    stacks.get(home)!.push(unit);
    for (const move of moves) if (move.to === '' && unit.members.includes(move.name)) move.to = home;
  }

  const sorted = [...stacks.entries()].sort((a, b) => stackNumber(a[0]) - stackNumber(b[0]));
  const placed: PlacedStack[] = sorted
    .filter(([, us]) => us.length > 0)
    .map(([id, us]) => ({ id, units: [...us].sort((a, b) => order.get(a.key)! - order.get(b.key)!), ...costOf(us) }));
  const assignment: Record<string, string[]> = {};
  for (const [id, us] of sorted) assignment[id] = us.flatMap((u) => u.members).sort();
  // An evicted group may find room again in its own stack once a later one left it.
  const realMoves = moves.filter((m) => m.from !== m.to);

  // 5. The new stack of a moved function deploys after the old one, for good: the record is all
  // a later deploy knows, and an ordering costs nothing.
  const after = new Map<string, Set<string>>(Object.entries(record.after ?? {}).map(([id, before]) => [id, new Set(before)]));
  for (const move of realMoves) {
    if (reaches(after, move.from, move.to)) {
      problems.push(
        `function "${move.name}" would move from ${move.from} to ${move.to}, ` +
          `but ${move.from} is recorded to deploy after ${move.to} (an earlier move), so neither order is safe; ` +
          `fix: deploy the recorded placement first, then remove "${move.to}" from after["${move.from}"] ` +
          'in faas.placement.json and synth again',
      );
      continue;
    }
    after.set(move.to, (after.get(move.to) ?? new Set()).add(move.from));
  }
  return {
    stacks: placed,
    assignment,
    after: Object.fromEntries(
      [...after]
        .filter(([, b]) => b.size > 0)
        .sort((a, b) => stackNumber(a[0]) - stackNumber(b[0]))
        .map(([id, b]) => [id, [...b].sort((x, y) => stackNumber(x) - stackNumber(y))]),
    ),
    moves: realMoves,
    emptied: sorted.filter(([, us]) => us.length === 0).map(([id]) => id),
    problems,
  };
}

/** Whether `from` already deploys after `to`, directly or through other stacks. */
function reaches(after: ReadonlyMap<string, ReadonlySet<string>>, from: string, to: string, seen = new Set<string>()): boolean {
  if (from === to) return true;
  if (seen.has(from)) return false;
  seen.add(from);
  return [...(after.get(from) ?? [])].some((next) => reaches(after, next, to, seen));
}
