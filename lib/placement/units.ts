/**
 * Which functions must share a stack (docs/architecture.md "Stack placement"). Pure: plain data
 * in, plain data out.
 *
 * - Routes under the same first path segment share API Gateway resources (`/orders` is the
 *   parent of `/orders/{id}`); a resource can only be created in one stack, so all routes
 *   under one first segment live in one stack (the pattern CDK documents for splitting a REST
 *   API across stacks).
 * - A function destination (`onFailure: { kind: "function" }`) references the other function's
 *   live alias; keeping both in one stack means no export that could block a later deploy.
 */

export interface PlacementMember {
  /** Declared function or container name. */
  readonly name: string;
  /** Every API path the function answers, including implicit ones (`POST /<name>/jobs`). */
  readonly paths: readonly string[];
  /** Functions it references (destinations). */
  readonly linked: readonly string[];
}

export interface PlacementGroup {
  /** The first member in declaration order: names the group in messages. */
  readonly key: string;
  /** Members in declaration order. */
  readonly members: readonly string[];
  /** First path segments the group owns, e.g. ["orders"] ("" for routes on "/"). */
  readonly segments: readonly string[];
}

/** "/orders/{id}" → "orders"; "/" → "". */
export function firstSegment(path: string): string {
  return path.split('/').filter((s) => s !== '')[0] ?? '';
}

/** Groups members that must be placed together; groups and members keep declaration order. */
export function groupMembers(members: readonly PlacementMember[]): PlacementGroup[] {
  const parent = new Map<string, string>(members.map((m) => [m.name, m.name]));
  const find = (name: string): string => {
    let root = name;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(name, root);
    return root;
  };
  const order = new Map(members.map((m, i) => [m.name, i]));
  const union = (a: string, b: string) => {
    const [ra, rb] = [find(a), find(b)];
    if (ra === rb) return;
    // The earlier-declared root wins, so a group's key does not depend on visiting order.
    if (order.get(ra)! < order.get(rb)!) parent.set(rb, ra);
    else parent.set(ra, rb);
  };

  const owner = new Map<string, string>();
  for (const member of members) {
    for (const segment of new Set(member.paths.map(firstSegment))) {
      const earlier = owner.get(segment);
      if (earlier === undefined) owner.set(segment, member.name);
      else union(earlier, member.name);
    }
    for (const target of member.linked) if (parent.has(target)) union(member.name, target);
  }

  const groups = new Map<string, { members: string[]; segments: Set<string> }>();
  for (const member of members) {
    const root = find(member.name);
    const group = groups.get(root) ?? { members: [], segments: new Set<string>() };
    group.members.push(member.name);
    for (const path of member.paths) group.segments.add(firstSegment(path));
    groups.set(root, group);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => order.get(a)! - order.get(b)!)
    .map(([key, g]) => ({ key, members: g.members, segments: [...g.segments].sort() }));
}
