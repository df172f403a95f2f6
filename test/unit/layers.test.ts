import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { resolvePlatform } from '../../lib/declaration/resolve';
import type { PlatformInput } from '../../lib/declaration/schema';
import { readProject, type LayerSource } from '../../lib/project';
import { FunctionStack } from '../../lib/stacks/function-stack';
import { build, CDK_CONTEXT, NO_CFN_VALIDATION, declaration, hello, logicalIds, NO_BUNDLING, REPO_ROOT } from './support/platform-fixture';

/** A layer folder in a temp dir with one package whose code exports `mark`. */
function makeLayer(name: string, pkg: string, mark: string): LayerSource {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `faas-layer-${name}-`));
  const pkgDir = path.join(dir, 'pkg');
  fs.mkdirSync(path.join(pkgDir, 'src'), { recursive: true });
  fs.writeFileSync(path.join(pkgDir, 'package.json'), JSON.stringify({ name: pkg, version: '1.0.0' }));
  fs.writeFileSync(path.join(pkgDir, 'src', 'index.ts'), `export const mark = ${JSON.stringify(mark)};\n`);
  return { name, dir, packages: [{ name: pkg, dir: pkgDir, entry: path.join(pkgDir, 'src', 'index.ts') }] };
}

/**
 * Builds the stack with the repository's functions and the given layers instead of layers/; bundles
 * only when a test needs the staged code or its hash.
 */
function buildWith(layers: LayerSource[], input: PlatformInput, options: { bundle?: boolean } = {}) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'faas-test-'));
  const app = new App({ outdir, ...NO_CFN_VALIDATION, context: { ...CDK_CONTEXT, ...(options.bundle ? {} : NO_BUNDLING) } });
  const project = { ...readProject(REPO_ROOT), layerSources: layers, layers: layers.map((l) => l.name) };
  const platform = resolvePlatform(input, 'dev', project);
  const api = { restApiId: 'api', rootResourceId: 'root', previewResourceId: 'preview', requestValidatorId: 'validator' };
  const stack = new FunctionStack(app, 'LayerTest', { namePrefix: 'test-dev', stage: 'dev', project, functions: platform.functions, api });
  const assembly = app.synth();
  return { stack, template: Template.fromStack(stack), outdir: assembly.directory };
}

/** The staged asset folder of a resource's code (S3Key is "<hash>.zip"). */
function assetDir(outdir: string, s3Key: unknown): string {
  const hash = String(s3Key).replace(/\.zip$/, '');
  return path.join(outdir, `asset.${hash}`);
}

describe('layers', () => {
  test('a layer folder becomes a LayerVersion with the nodejs/node_modules/<package> layout', () => {
    const { template, app } = build(declaration({ hello: hello() }), { bundle: true });
    const layer = Object.values(template.findResources('AWS::Lambda::LayerVersion'))[0];
    const content = (layer.Properties as { Content: { S3Key: string } }).Content;
    const dir = assetDir(app.outdir, content.S3Key);
    const pkgDir = path.join(dir, 'nodejs', 'node_modules', '@faas-platform', 'shared');
    const manifest = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as unknown;
    expect(manifest).toMatchObject({ name: '@faas-platform/shared', main: 'index.js' });
    // AND the package works from there, as the runtime will load it
    const shared = require(path.join(pkgDir, 'index.js')) as { SHARED_LAYER_MARK: string };
    expect(shared.SHARED_LAYER_MARK).toBe('faas-shared@1');
    template.hasResourceProperties('AWS::Lambda::LayerVersion', { CompatibleRuntimes: ['nodejs24.x'] });
  });

  test("a function's esbuild externals are exactly the runtime SDK plus its layers' packages", () => {
    const { stack } = build(declaration({ hello: hello() }));
    expect(stack.functions.get('hello')!.externalModules).toEqual(['@aws-sdk/*', '@faas-platform/shared']);
  });

  test('the bundle keeps layer packages external and bundles them in when the layer is not used', () => {
    const bundleOf = (layers: string[]) => {
      const { template, app } = build(declaration({ hello: hello({ layers }) }), { bundle: true });
      const [fnId] = logicalIds(template, 'AWS::Lambda::Function').filter((id) => id.startsWith('Fnhello'));
      const code = (template.toJSON().Resources[fnId].Properties as { Code: { S3Key: string } }).Code;
      return fs.readFileSync(path.join(assetDir(app.outdir, code.S3Key), 'index.js'), 'utf8');
    };
    const withLayer = bundleOf(['shared']);
    expect(withLayer).toMatch(/require\("@faas-platform\/shared"\)/);
    expect(withLayer).not.toContain('faas-shared@1');
    const withoutLayer = bundleOf([]);
    expect(withoutLayer).not.toMatch(/require\("@faas-platform\/shared"\)/);
    expect(withoutLayer).toContain('faas-shared@1');
  });

  test('layers are attached in the declared order', () => {
    const a = makeLayer('alpha', 'pkg-a', 'a');
    const b = makeLayer('beta', 'pkg-b', 'b');
    const ordered = (layers: string[]) => {
      const entry = 'functions/hello/index.ts';
      const { template } = buildWith([a, b], declaration({ hello: hello({ layers: [], entry }), other: { entry, layers } }));
      const other = { Properties: { Layers: Match.anyValue(), Description: 'faas function "other"' } };
      const [fn] = Object.values(template.findResources('AWS::Lambda::Function', other));
      return (fn.Properties as { Layers: { Ref: string }[] }).Layers.map((l) => l.Ref.replace(/^Layer(alpha|beta).*/, '$1'));
    };
    expect(ordered(['alpha', 'beta'])).toEqual(['alpha', 'beta']);
    expect(ordered(['beta', 'alpha'])).toEqual(['beta', 'alpha']);
  });

  test('reordering layers publishes a new version (the winner on /opt may change)', () => {
    const a = makeLayer('alpha', 'pkg-a', 'a');
    const b = makeLayer('beta', 'pkg-b', 'b');
    const versionWith = (layers: string[]) =>
      logicalIds(buildWith([a, b], declaration({ hello: hello({ layers }) })).template, 'AWS::Lambda::Version')[0];
    expect(versionWith(['beta', 'alpha'])).not.toEqual(versionWith(['alpha', 'beta']));
  });

  test('order rule: when two layers provide a package the last one wins, and synth says so', () => {
    // GIVEN two layers that both provide pkg-x
    const first = makeLayer('first', 'pkg-x', 'from-first');
    const second = makeLayer('second', 'pkg-x', 'from-second');
    const { stack, template, outdir } = buildWith([first, second], declaration({ hello: hello({ layers: ['first', 'second'] }) }), {
      bundle: true,
    });

    // WHEN the layers are extracted into one /opt in the declared order, as Lambda does
    const opt = fs.mkdtempSync(path.join(os.tmpdir(), 'faas-opt-'));
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Description: 'faas function "hello"' } }));
    const layerIds = (fn.Properties as { Layers: { Ref: string }[] }).Layers.map((l) => l.Ref);
    for (const id of layerIds) {
      const key = (template.toJSON().Resources[id].Properties as { Content: { S3Key: string } }).Content.S3Key;
      fs.cpSync(assetDir(outdir, key), opt, { recursive: true, force: true });
    }

    // THEN the package found on /opt/nodejs/node_modules is the last layer's
    const loaded = require(path.join(opt, 'nodejs', 'node_modules', 'pkg-x')) as { mark: string };
    expect(loaded.mark).toBe('from-second');
    // AND synth warns which layer shadows which
    const warning = 'layer "second" overrides package pkg-x from layer "first" \\(Lambda: the last layer wins\\)';
    Annotations.fromStack(stack).hasWarning('/LayerTest/Fn-hello', Match.stringLikeRegexp(warning));
  });

  test('a layer change publishes a new function version; the same layer content does not', () => {
    const versionWith = (mark: string) => {
      // Bundled: a skipped bundle's hash does not follow the layer's content.
      const { template } = buildWith([makeLayer('shared', '@faas-platform/shared', mark)], declaration({ hello: hello() }), {
        bundle: true,
      });
      return logicalIds(template, 'AWS::Lambda::Version')[0];
    };
    expect(versionWith('v1')).toEqual(versionWith('v1'));
    expect(versionWith('v2')).not.toEqual(versionWith('v1'));
  });

  test('a layer never ships the AWS SDK', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faas-layer-sdk-'));
    fs.mkdirSync(path.join(dir, 'sdk', 'src'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'sdk', 'package.json'), JSON.stringify({ name: '@aws-sdk/client-s3' }));
    fs.writeFileSync(path.join(dir, 'sdk', 'src', 'index.ts'), 'export {};\n');
    const root = path.dirname(dir);
    const layersRoot = fs.mkdtempSync(path.join(root, 'faas-proj-'));
    fs.mkdirSync(path.join(layersRoot, 'layers'));
    fs.renameSync(dir, path.join(layersRoot, 'layers', 'bad'));
    expect(() => readProject(layersRoot)).toThrow(
      /layer "bad": package @aws-sdk\/client-s3 shadows the runtime's AWS SDK; fix: a layer never ships @aws-sdk\/\*/,
    );
  });
});
