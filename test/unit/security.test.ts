import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CfnResource, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import faasConfig from '../../faas.config';
import type { PlatformInput } from '../../lib/declaration/schema';
import { InMemoryPlacement } from '../../lib/placement/placement-file';
import { buildPlatformApp } from '../../lib/platform-app';
import { CDK_CONTEXT, NO_BUNDLING, declaration, hello, REPO_ROOT } from './support/platform-fixture';

/** Synthesizes with cdk-nag's AwsSolutions and Serverless packs; resolves to the findings report. */
function synthWithNag(input: PlatformInput, stage: string, mutate?: (stack: import('aws-cdk-lib').Stack) => void) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'faas-nag-'));
  const { app, functionStacks } = buildPlatformApp({
    declaration: input,
    projectRoot: REPO_ROOT,
    placement: new InMemoryPlacement(),
    appProps: { outdir, context: { ...CDK_CONTEXT, ...NO_BUNDLING, stage } },
  });
  mutate?.(functionStacks[0]);
  return () => app.synth();
}

describe('cdk-nag (AwsSolutions + Serverless packs) and CloudFormation rules', () => {
  test.each(['dev', 'prod'])('the example app has zero unacknowledged findings in %s', (stage) => {
    expect(synthWithNag(faasConfig, stage)).not.toThrow();
  });

  test('codedeploy mode with warm capacity has zero unacknowledged findings', () => {
    const input = declaration({
      hello: hello({ release: { mode: 'codedeploy' }, warm: { provisioned: 1, max: 3 }, reservedConcurrency: 5 }),
    });
    expect(synthWithNag(input, 'dev')).not.toThrow();
  });

  test('the check can fail: an unencrypted queue added to the stack fails synth', () => {
    const synth = synthWithNag(faasConfig, 'dev', (stack) => {
      new sqs.Queue(stack, 'Unencrypted', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    });
    expect(synth).toThrow(/AwsSolutions-SQS2/);
  });

  test("CloudFormation's rules are checked too: a template CloudFormation would refuse fails synth", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'faas-cfn-rules-'));
    const { app, functionStacks } = buildPlatformApp({
      declaration: faasConfig,
      projectRoot: REPO_ROOT,
      nag: false,
      placement: new InMemoryPlacement(),
      appProps: { outdir, context: { ...CDK_CONTEXT, ...NO_BUNDLING, stage: 'dev' } },
    });
    new CfnResource(functionStacks[0], 'Invalid', { type: 'AWS::SQS::Queue', properties: { VisibilityTimeout: 'a while' } });
    expect(() => app.synth()).toThrow(/VisibilityTimeout: 'a while' is not of type 'integer' \(CloudFormation Validate\)/);
  });

  test('every acknowledgement carries a reason', () => {
    const { app } = buildPlatformApp({
      declaration: faasConfig,
      projectRoot: REPO_ROOT,
      placement: new InMemoryPlacement(),
      appProps: { context: { ...CDK_CONTEXT, ...NO_BUNDLING, stage: 'prod' } },
    });
    const acknowledgements = app.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));
    expect(acknowledgements.length).toBeGreaterThan(5);
    for (const [id, reason] of acknowledgements) {
      expect({ id, reasonLength: reason.trim().length > 30 }).toEqual({ id, reasonLength: true });
    }
  });
});
