/**
 * The entry construct in a user's own CDK app: straight in an App (stack names and paths as the
 * example app has deployed them), inside a Stage (a pipeline's), and which stage wins.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { FaasPlatform, InMemoryPlacement } from '../../../lib';
import { buildPlatformApp } from '../../../lib/platform-app';
import { CDK_CONTEXT, NO_CFN_VALIDATION, NO_BUNDLING, REPO_ROOT, declaration, hello } from '../support/platform-fixture';

const input = declaration({ hello: hello() });
const outdir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'faas-entry-'));

describe('FaasPlatform', () => {
  test("straight in an App, its stacks are the App's children with today's names", () => {
    // GIVEN
    const app = new App({ outdir: outdir(), ...NO_CFN_VALIDATION, context: { ...CDK_CONTEXT, ...NO_BUNDLING } });

    // WHEN
    const faas = new FaasPlatform(app, 'Faas', {
      declaration: input,
      projectRoot: REPO_ROOT,
      nag: false,
      placement: new InMemoryPlacement(),
    });

    // THEN
    expect(faas.stacks.map((s) => [s.node.path, s.stackName])).toEqual([
      ['test-dev', 'test-dev'],
      ['test-dev-functions-1', 'test-dev-functions-1'],
      ['test-dev-api', 'test-dev-api'],
    ]);
    Template.fromStack(faas.functionStacks[0]).hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
    });
  });

  test('inside a Stage, the stacks go into the Stage and synthesize there', () => {
    // GIVEN
    const app = new App({ outdir: outdir(), ...NO_CFN_VALIDATION, context: { ...CDK_CONTEXT, ...NO_BUNDLING } });
    const stage = new Stage(app, 'Prod');

    // WHEN
    const faas = new FaasPlatform(stage, 'Faas', {
      declaration: input,
      projectRoot: REPO_ROOT,
      stage: 'prod',
      nag: false,
      placement: new InMemoryPlacement(),
    });
    const assembly = app.synth();

    // THEN
    expect(faas.base.node.path).toBe('Prod/test-prod');
    expect(Stage.of(faas.base)).toBe(stage);
    // The stack names stay the declaration's (CDK would prefix them with the Stage's): the CLI finds them by these.
    expect(
      assembly
        .getNestedAssembly(stage.artifactId)
        .stacks.map((s) => s.stackName)
        .sort(),
    ).toEqual(['test-prod', 'test-prod-api', 'test-prod-functions-1']);
  });

  test('an explicit stage wins over -c stage, which applies when none is given', () => {
    // GIVEN -c stage=prod
    const context = { ...CDK_CONTEXT, ...NO_BUNDLING, stage: 'prod' };

    // WHEN
    const explicit = new FaasPlatform(new App({ outdir: outdir(), ...NO_CFN_VALIDATION, context }), 'Faas', {
      declaration: input,
      projectRoot: REPO_ROOT,
      stage: 'dev',
      nag: false,
      placement: new InMemoryPlacement(),
    });
    const fromContext = new FaasPlatform(new App({ outdir: outdir(), ...NO_CFN_VALIDATION, context }), 'Faas', {
      declaration: input,
      projectRoot: REPO_ROOT,
      nag: false,
      placement: new InMemoryPlacement(),
    });

    // THEN
    expect(explicit.platform.stage).toBe('dev');
    expect(explicit.base.stackName).toBe('test-dev');
    expect(fromContext.platform.stage).toBe('prod');
    expect(fromContext.base.stackName).toBe('test-prod');
  });

  test('records a changed placement only when synth succeeds', () => {
    // GIVEN
    const store = new InMemoryPlacement();
    const faas = new FaasPlatform(
      new App({ outdir: outdir(), ...NO_CFN_VALIDATION, context: { ...CDK_CONTEXT, ...NO_BUNDLING } }),
      'Faas',
      {
        declaration: input,
        projectRoot: REPO_ROOT,
        nag: false,
        placement: store,
      },
    );
    expect(store.read('test-dev')).toBeUndefined();

    // WHEN
    faas.recordPlacement();

    // THEN
    expect(store.read('test-dev')).toEqual({ stacks: { 'functions-1': ['hello'] } });
  });

  test('in a Stack (not an App or Stage) it is an error that says where to put it', () => {
    const stack = new Stack(new App(), 'Mine');
    expect(() => new FaasPlatform(stack, 'Faas', { declaration: input, projectRoot: REPO_ROOT })).toThrow(
      /FaasPlatform "Faas" is in Mine, which is neither an App nor a Stage; fix: create it directly in your App or in a Stage/,
    );
  });

  test('buildPlatformApp refuses a scope together with appProps, which only configure the App it makes', () => {
    expect(() =>
      buildPlatformApp({ declaration: input, projectRoot: REPO_ROOT, scope: new App(), appProps: { outdir: outdir() } }),
    ).toThrow(/scope and appProps given together; fix: pass appProps only when no scope is given/);
  });
});
