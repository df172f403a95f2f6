/**
 * Placement on synthesized apps: every stack within the limits (with the measured cost equal to
 * the template's), a new function moves nobody, and every cross-stack reference resolves to an
 * export of a stack deployed before it. Limits are lowered so a dozen functions need several stacks.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import faasConfig from '../../../faas.config';
import type { FunctionInput, PlatformInput } from '../../../lib/declaration/schema';
import type { PlacementLimits } from '../../../lib/placement/placement';
import { InMemoryPlacement, PLACEMENT_FILE, PlacementFile, type PlacementStore } from '../../../lib/placement/placement-file';
import { buildPlatformApp, PlacementError, stacksOf } from '../../../lib/platform-app';
import { generatedDeclaration, generatedFunction } from '../support/generated-declaration';
import { CDK_CONTEXT, NO_CFN_VALIDATION, NO_BUNDLING, REPO_ROOT } from '../support/platform-fixture';

/** Routes of these tests are public: who may call them is auth.test.ts's subject. */
const OPEN = { auth: { kind: 'none', reason: 'test routes: public unless the test is about auth' } } as const;

const LIMITS: PlacementLimits = { maxResources: 150, maxOutputs: 40 };

type Template = {
  Resources: Record<string, { Type: string }>;
  Outputs?: Record<string, { Export?: { Name: string } }>;
  Parameters?: Record<string, unknown>;
};

/**
 * Synthesizes without bundling unless asked: "identical templates" below bundles for real, since it
 * includes the code hashes, which a skipped bundle only pretends to have.
 */
function synth(input: PlatformInput, store: PlacementStore, limits = LIMITS, options: { bundle?: boolean } = {}) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'faas-placement-test-'));
  const built = buildPlatformApp({
    declaration: input,
    projectRoot: REPO_ROOT,
    nag: false,
    placement: store,
    limits,
    appProps: { outdir, ...NO_CFN_VALIDATION, context: { ...CDK_CONTEXT, ...(options.bundle ? {} : NO_BUNDLING), stage: 'dev' } },
  });
  const assembly = built.synth();
  const artifacts = new Map(stacksOf(built).map((s) => [s.stackName, assembly.getStackByName(s.stackName)]));
  const templates = new Map([...artifacts].map(([name, a]) => [name, a.template as Template]));
  return { built, artifacts, templates };
}

/** Every value of a key anywhere in a JSON tree. */
function collect(node: unknown, key: string, found: unknown[] = []): unknown[] {
  if (Array.isArray(node)) node.forEach((n) => collect(n, key, found));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === key) found.push(v);
      collect(v, key, found);
    }
  }
  return found;
}

function dependsOn(artifact: CloudFormationStackArtifact, stackName: string): boolean {
  return artifact.dependencies.some(
    (d) => d.id === stackName || ('dependencies' in d && dependsOn(d as CloudFormationStackArtifact, stackName)),
  );
}

describe('stack placement of a synthesized app', () => {
  const store = new InMemoryPlacement();
  const first = synth(generatedDeclaration(12), store, LIMITS, { bundle: true });

  test('needs several function stacks, each within the limits, with the measured cost equal to the template', () => {
    const { built, templates } = first;
    expect(built.functionStacks.length).toBeGreaterThanOrEqual(3);
    for (const placed of built.placement.stacks) {
      const template = templates.get(`gen-dev-${placed.id}`)!;
      const resources = Object.keys(template.Resources).length;
      const outputs = Object.keys(template.Outputs ?? {}).length;
      expect({ id: placed.id, resources, outputs }).toEqual({ id: placed.id, resources: placed.resources, outputs: placed.outputs });
      expect(resources).toBeLessThanOrEqual(LIMITS.maxResources);
      expect(outputs).toBeLessThanOrEqual(LIMITS.maxOutputs);
    }
    // the S3 function with an on-success destination shares a stack with its target
    const home = (name: string) => built.functionStacks.find((s) => s.functions.has(name))!.stackName;
    expect(home('fn-002')).toBe(home('fn-000'));
  });

  test('every cross-stack reference is an export of a stack the importer depends on; local references stay local', () => {
    const { templates, artifacts } = first;
    const exporters = new Map<string, string>();
    for (const [name, t] of templates) for (const o of Object.values(t.Outputs ?? {})) if (o.Export) exporters.set(o.Export.Name, name);
    for (const [name, t] of templates) {
      for (const imported of collect(t, 'Fn::ImportValue')) {
        expect(typeof imported).toBe('string');
        const exporter = exporters.get(imported as string);
        expect({ name, imported, exporter: exporter !== undefined && exporter !== name }).toEqual({ name, imported, exporter: true });
        expect(dependsOn(artifacts.get(name)!, exporter!)).toBe(true);
      }
      const local = new Set([...Object.keys(t.Resources), ...Object.keys(t.Parameters ?? {})]);
      for (const ref of collect(t, 'Ref')) if (!(ref as string).startsWith('AWS::')) expect(local).toContain(ref);
      for (const att of collect(t, 'Fn::GetAtt')) expect(local).toContain((att as string[])[0]);
    }
    // few and fixed: function stacks import only the base stack's four API ids
    const imports = new Set([...templates].filter(([n]) => n.includes('-functions-')).flatMap(([, t]) => collect(t, 'Fn::ImportValue')));
    expect([...imports].sort()).toEqual(['gen-dev-api-id', 'gen-dev-api-preview', 'gen-dev-api-root', 'gen-dev-api-validator']);
  });

  test('adding a function moves nobody, and the stacks it does not join keep identical templates', () => {
    const [name, fn] = generatedFunction(0);
    const added: Record<string, FunctionInput> = { 'aaa-new': { ...fn, routes: [{ method: 'GET', path: '/aaa-new' }] } };
    expect(name).toBe('fn-000');
    const before = store.read('gen-dev')!.stacks;
    const second = synth(generatedDeclaration(12, added), store, LIMITS, { bundle: true });
    const after = second.built.placement.assignment;
    expect(second.built.placement.moves).toEqual([]);
    for (const [id, names] of Object.entries(before)) for (const n of names) expect(after[id]).toContain(n);
    const joined = Object.keys(after).find((id) => after[id].includes('aaa-new'))!;
    for (const id of Object.keys(before).filter((i) => i !== joined)) {
      expect(second.templates.get(`gen-dev-${id}`)).toEqual(first.templates.get(`gen-dev-${id}`));
    }
    // the REST API itself is untouched; only the stage's deployment changes
    expect(second.templates.get('gen-dev')!.Resources).toEqual(first.templates.get('gen-dev')!.Resources);
  });

  test('a route group too large for any stack fails synth, naming its functions, the segment and the fix', () => {
    const input: PlatformInput = {
      app: 'gen',
      api: OPEN,
      functions: {
        list: { entry: 'functions/hello/index.ts', routes: [{ method: 'GET', path: '/orders' }] },
        get: { entry: 'functions/hello/index.ts', routes: [{ method: 'GET', path: '/orders/{id}' }] },
      },
    };
    expect(() => synth(input, new InMemoryPlacement(), { maxResources: 30, maxOutputs: 40 })).toThrow(PlacementError);
    expect(() => synth(input, new InMemoryPlacement(), { maxResources: 30, maxOutputs: 40 })).toThrow(
      /functions list, get \(routes under \/orders\) need \d+ resources .*fix: put their routes under different first path segments/,
    );
  });
});

describe('faas.placement.json', () => {
  test('synth records the placement; with CI set a change fails synth and leaves the file as it was', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'faas-placement-file-')), PLACEMENT_FILE);
    const input = generatedDeclaration(2);
    synth(input, new PlacementFile(file, false));
    const recorded = fs.readFileSync(file, 'utf8');
    expect(JSON.parse(recorded).deployments['gen-dev']).toEqual({ stacks: { 'functions-1': ['fn-000', 'fn-001'] } });
    // unchanged placement: CI reads it happily
    expect(() => synth(input, new PlacementFile(file, true))).not.toThrow();
    // a new function under CI: refused, with the fix
    expect(() => synth(generatedDeclaration(3), new PlacementFile(file, true))).toThrow(
      /does not hold the placement of gen-dev .*fix: run the synth once without CI/,
    );
    expect(fs.readFileSync(file, 'utf8')).toBe(recorded);
  });

  test.each(['dev', 'prod'])('the committed file is current for the example app in %s', (stage) => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'faas-placement-example-'));
    const build = () =>
      buildPlatformApp({
        declaration: faasConfig,
        projectRoot: REPO_ROOT,
        nag: false,
        placement: new PlacementFile(path.join(REPO_ROOT, PLACEMENT_FILE), true),
        appProps: { outdir, ...NO_CFN_VALIDATION, context: { ...CDK_CONTEXT, ...NO_BUNDLING, stage } },
      });
    expect(build).not.toThrow();
  });
});

describe('moves, retired stacks and the stage', () => {
  const routed = (...paths: string[]): FunctionInput => ({
    entry: 'functions/hello/index.ts',
    routes: paths.map((p) => ({ method: 'GET' as const, path: p })),
  });

  test("a function joining another stack's group moves after its old stack, which is deployed empty and no longer listed", () => {
    const store = new InMemoryPlacement({ 'gen-dev': { stacks: { 'functions-1': ['aa'], 'functions-2': ['bb'] } } });
    // bb now also answers under /aa: it must share a stack with aa
    const { built, artifacts, templates } = synth(
      { app: 'gen', api: OPEN, functions: { aa: routed('/aa'), bb: routed('/bb', '/aa/x') } },
      store,
    );
    expect(built.placement.moves).toEqual([expect.objectContaining({ name: 'bb', from: 'functions-2', to: 'functions-1' })]);
    expect(store.read('gen-dev')).toEqual({
      stacks: { 'functions-1': ['aa', 'bb'], 'functions-2': [] },
      after: { 'functions-1': ['functions-2'] },
    });
    // the old stack goes first (deletes bb's alarm names, export and API resources), then the new one creates them
    expect(dependsOn(artifacts.get('gen-dev-functions-1')!, 'gen-dev-functions-2')).toBe(true);
    expect(Object.values(templates.get('gen-dev-functions-2')!.Resources).map((r) => r.Type)).toEqual([
      'AWS::CloudFormation::WaitConditionHandle',
    ]);
    expect(templates.get('gen-dev')!.Outputs!.FunctionStacks).toMatchObject({ Value: 'gen-dev-functions-1' });
    // and the stage waits for both
    expect(dependsOn(artifacts.get('gen-dev-api')!, 'gen-dev-functions-2')).toBe(true);
    // the next synth, from the record alone (as CI runs it), keeps the order
    const again = synth({ app: 'gen', api: OPEN, functions: { aa: routed('/aa'), bb: routed('/bb', '/aa/x') } }, store);
    expect(again.built.placement.moves).toEqual([]);
    expect(dependsOn(again.artifacts.get('gen-dev-functions-1')!, 'gen-dev-functions-2')).toBe(true);
  });

  test('the example app, container included, costs what it was measured to cost', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'faas-placement-example-'));
    const built = buildPlatformApp({
      declaration: faasConfig,
      projectRoot: REPO_ROOT,
      nag: false,
      placement: new InMemoryPlacement(),
      appProps: { outdir, ...NO_CFN_VALIDATION, context: { ...CDK_CONTEXT, ...NO_BUNDLING, stage: 'prod' } },
    });
    const assembly = built.app.synth();
    expect(built.functionStacks[0].containers.has('todo')).toBe(true);
    for (const placed of built.placement.stacks) {
      const template = assembly.getStackByName(`faas-prod-${placed.id}`).template as Template;
      expect([Object.keys(template.Resources).length, Object.keys(template.Outputs ?? {}).length]).toEqual([
        placed.resources,
        placed.outputs,
      ]);
    }
  });

  test('with containers left out, FunctionStacks lists only the stacks that are deployed', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'faas-placement-containers-'));
    const store = new InMemoryPlacement({
      'faas-dev': { stacks: { 'functions-1': ['hello', 'transform', 'worker'], 'functions-2': ['todo'] } },
    });
    const built = buildPlatformApp({
      declaration: faasConfig,
      projectRoot: REPO_ROOT,
      nag: false,
      placement: store,
      appProps: { outdir, ...NO_CFN_VALIDATION, context: { ...CDK_CONTEXT, ...NO_BUNDLING, stage: 'dev', containers: 'false' } },
    });
    expect(stacksOf(built).map((s) => s.stackName)).toEqual(['faas-dev', 'faas-dev-functions-1', 'faas-dev-api']);
    const outputs = built.app.synth().getStackByName('faas-dev').template.Outputs as Record<string, { Value: string }>;
    expect(outputs.FunctionStacks.Value).toBe('faas-dev-functions-1');
  });

  test("the stage's deployment id changes with a route and only then", () => {
    const deploymentId = (input: PlatformInput) => {
      const t = synth(input, new InMemoryPlacement()).templates.get('gen-dev-api')!;
      return Object.entries(t.Resources)
        .filter(([, r]) => r.Type === 'AWS::ApiGateway::Deployment')
        .map(([id]) => id);
    };
    const one = { app: 'gen', api: OPEN, functions: { aa: routed('/aa') } };
    const [first] = deploymentId(one);
    expect(deploymentId(one)).toEqual([first]);
    expect(deploymentId({ app: 'gen', api: OPEN, functions: { aa: routed('/aa', '/aa/{id}') } })).not.toContain(first);
    // same routes, but the integration now calls another function's alias
    expect(deploymentId({ app: 'gen', api: OPEN, functions: { other: routed('/aa') } })).not.toContain(first);
  });
});
