/**
 * Placement measured in place: a platform whose stacks fit builds each function once; one whose
 * zero-cost placement overflows falls back to measuring every group alone, with the placement and
 * templates measuring gives, and leaves no stack of the first try behind (in an App or a Stage).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stage } from 'aws-cdk-lib';
import { FaasPlatform } from '../../../lib/faas-platform';
import { PlatformFunction } from '../../../lib/constructs/platform-function';
import { measureGroups } from '../../../lib/placement/measure';
import { placeUnits, type PlacedStack, type PlacementLimits } from '../../../lib/placement/placement';
import { InMemoryPlacement, type PlacementStore } from '../../../lib/placement/placement-file';
import { buildPlatformApp, stacksOf, type PlatformApp } from '../../../lib/platform-app';
import { generatedDeclaration } from '../support/generated-declaration';
import { CDK_CONTEXT, NO_CFN_VALIDATION, NO_BUNDLING, REPO_ROOT } from '../support/platform-fixture';

/** Low enough that six generated functions need three stacks. */
const LIMITS: PlacementLimits = { maxResources: 80, maxOutputs: 20 };
const OVERFLOWING = 6;

const outdir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'faas-built-once-'));

function build(count: number, store: PlacementStore, limits?: PlacementLimits): PlatformApp {
  return buildPlatformApp({
    declaration: generatedDeclaration(count),
    projectRoot: REPO_ROOT,
    nag: false,
    placement: store,
    limits,
    appProps: { outdir: outdir(), ...NO_CFN_VALIDATION, context: { ...CDK_CONTEXT, ...NO_BUNDLING, stage: 'dev' } },
  });
}

/** How many times each function was built: FunctionStack connects every function's events once. */
function countBuilds(run: () => void): Map<string, number> {
  const spy = jest.spyOn(PlatformFunction.prototype, 'connectEvents');
  try {
    run();
    const builds = new Map<string, number>();
    const built: readonly PlatformFunction[] = spy.mock.contexts;
    for (const fn of built) builds.set(fn.name, (builds.get(fn.name) ?? 0) + 1);
    return builds;
  } finally {
    spy.mockRestore();
  }
}

const templatesOf = (built: PlatformApp) => {
  const assembly = built.app.synth();
  return new Map(stacksOf(built).map((s) => [s.stackName, assembly.getStackByName(s.stackName).template as unknown]));
};

/**
 * Templates with the asset hashes of skipped bundles set aside: CDK makes those up from the path of
 * the first construct that staged a source into an outdir (its asset cache), so a function first
 * built in another stack by the fallback's first try keeps that made-up hash, and with it the code
 * hash in its Version's logical id. Real bundles hash their output, which is the same either way.
 */
const withoutSkippedBundleHashes = (templates: Map<string, unknown>) =>
  new Map(
    [...templates].map(([name, t]) => [
      name,
      JSON.parse(
        JSON.stringify(t)
          .replace(/[0-9a-f]{64}/g, '<asset hash>')
          .replace(/(CurrentVersion[0-9A-F]{8})[0-9a-f]{32}/g, '$1<code hash>'),
      ) as unknown,
    ]),
  );

describe('placement measured in place', () => {
  test('a platform whose stacks fit builds each function once, with or without a record', () => {
    // GIVEN
    const store = new InMemoryPlacement();

    // WHEN
    const first = countBuilds(() => build(4, store).synth());
    const recorded = countBuilds(() => build(4, store));

    // THEN
    expect(store.read('gen-dev')).toEqual({ stacks: { 'functions-1': ['fn-000', 'fn-001', 'fn-002', 'fn-003'] } });
    const once = new Map(['fn-000', 'fn-001', 'fn-002', 'fn-003'].map((name) => [name, 1]));
    expect(first).toEqual(once);
    expect(recorded).toEqual(once);
  });

  test('the stacks it reports cost what their templates hold', () => {
    // WHEN
    const built = build(4, new InMemoryPlacement());

    // THEN
    const templates = templatesOf(built) as Map<string, { Resources: object; Outputs?: object }>;
    expect(built.placement.stacks).toHaveLength(1);
    const [placed] = built.placement.stacks;
    const template = templates.get(`gen-dev-${placed.id}`)!;
    const counts = [Object.keys(template.Resources).length, Object.keys(template.Outputs ?? {}).length];
    expect([placed.resources, placed.outputs]).toEqual(counts);
    // a placed unit carries no cost: none was measured
    expect(placed.units.map((u) => Object.keys(u).sort())).toEqual(placed.units.map(() => ['key', 'members', 'segments']));
  });

  describe('a first placement that overflows', () => {
    let built: PlatformApp;
    const builds = countBuilds(() => {
      built = build(OVERFLOWING, new InMemoryPlacement(), LIMITS);
    });

    test('falls back to measuring: the placement measured costs give', () => {
      // GIVEN the measured path, run by hand on the same groups
      const order = new Map(built.platform.functions.map((f, i) => [f.name, i]));
      const groups = built.placement.stacks.flatMap((s) => s.units).sort((a, b) => order.get(a.key)! - order.get(b.key)!);
      const units = measureGroups({
        groups,
        functions: built.platform.functions,
        containers: built.platform.containers,
        project: built.project,
        stage: 'dev',
        context: built.app.node.getAllContext() as Record<string, unknown>,
      });

      // THEN
      const measured = placeUnits(units, { stacks: {} }, LIMITS);
      expect(built.placement.assignment).toEqual(measured.assignment);
      const costs = (stacks: readonly PlacedStack[]) => stacks.map((s) => [s.id, s.resources, s.outputs]);
      expect(costs(built.placement.stacks)).toEqual(costs(measured.stacks));
      expect(Object.keys(built.placement.assignment).length).toBeGreaterThanOrEqual(3);
      // first try, measuring, final build
      expect([...builds.values()]).toEqual(built.platform.functions.map(() => 3));
    });

    test('leaves only the final stacks in the App, with the templates a build from that placement has', () => {
      // WHEN the same app is built from the placement it recorded (fits at once: built once)
      const store = new InMemoryPlacement({ 'gen-dev': { stacks: built.placement.assignment } });
      let again!: PlatformApp;
      const rebuilt = countBuilds(() => {
        again = build(OVERFLOWING, store, LIMITS);
      });

      // THEN
      expect([...rebuilt.values()]).toEqual(built.platform.functions.map(() => 1));
      const names = stacksOf(built).map((s) => s.stackName);
      expect(built.app.node.children.map((c) => c.node.id)).toEqual(names);
      const templates = templatesOf(built);
      expect(
        built.app
          .synth()
          .stacks.map((s) => s.stackName)
          .sort(),
      ).toEqual([...names].sort());
      expect(withoutSkippedBundleHashes(templatesOf(again))).toEqual(withoutSkippedBundleHashes(templates));
      // each depends on the final base stack only, not on one of the first try
      for (const stack of built.functionStacks) {
        expect(stack.dependencies).toHaveLength(1);
        expect(stack.dependencies[0]).toBe(built.base);
      }
    });
  });

  test('inside a Stage, the fallback leaves only the platform and its final stacks', () => {
    // GIVEN
    const app = new App({ outdir: outdir(), ...NO_CFN_VALIDATION, context: { ...CDK_CONTEXT, ...NO_BUNDLING } });
    const stage = new Stage(app, 'Prod');

    // WHEN
    const faas = new FaasPlatform(stage, 'Faas', {
      declaration: generatedDeclaration(OVERFLOWING),
      projectRoot: REPO_ROOT,
      stage: 'dev',
      nag: false,
      placement: new InMemoryPlacement(),
      limits: LIMITS,
    });

    // THEN
    expect(faas.functionStacks.length).toBeGreaterThanOrEqual(3);
    const names = faas.stacks.map((s) => s.stackName);
    expect(app.node.children.map((c) => c.node.id)).toEqual(['Prod']);
    expect(stage.node.children.map((c) => c.node.id)).toEqual(['Faas', ...names]);
    const assembly = app.synth().getNestedAssembly(stage.artifactId);
    expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual([...names].sort());
  });
});
