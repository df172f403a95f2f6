/**
 * The constructs on a bare Stack with CDK-shaped props (no declaration), and the mapping module
 * that turns a declaration into those props.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DeadLetterQueue } from '../../lib/constructs/dead-letter-queue';
import { QueueBuffer } from '../../lib/constructs/queue-buffer';
import { LiveRelease } from '../../lib/constructs/release';
import { WarmCapacity } from '../../lib/constructs/warm-capacity';
import { MAX_RECEIVE_COUNT_ENV, QUEUE_URL_ENV } from '../../lib/contract';
import type { QueueDeclaration } from '../../lib/declaration/async';
import type { ReleaseDeclaration, WarmDeclaration } from '../../lib/declaration/schema';
import { liveReleaseOptions, queueOptions, warmOptions } from '../../lib/stacks/construct-props';
import { NO_CFN_VALIDATION } from './support/platform-fixture';

function inlineFunction(stack: Stack): lambda.Function {
  return new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {}'),
  });
}

describe('constructs on a bare Stack', () => {
  test('QueueBuffer polls the alias with the given batch and sets the queue variables', () => {
    // GIVEN
    const stack = new Stack(new App(NO_CFN_VALIDATION));
    const fn = inlineFunction(stack);
    const alias = new lambda.Alias(stack, 'Live', { aliasName: 'live', version: fn.currentVersion });
    // WHEN
    new QueueBuffer(stack, 'Queue', {
      function: fn,
      alias,
      alarmNamePrefix: 'test-worker',
      visibilityTimeout: Duration.seconds(90),
      retentionPeriod: Duration.days(4),
      maxReceiveCount: 3,
      ageAlarmSeconds: 300,
      batchSize: 5,
      maxBatchingWindow: Duration.seconds(2),
    });
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 90,
      MessageRetentionPeriod: 345600,
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 3 }),
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 5,
      MaximumBatchingWindowInSeconds: 2,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [QUEUE_URL_ENV]: Match.anyValue(), [MAX_RECEIVE_COUNT_ENV]: '3' }) },
    });
  });

  test('DeadLetterQueue keeps messages 14 days unless told otherwise', () => {
    const stack = new Stack(new App(NO_CFN_VALIDATION));
    new DeadLetterQueue(stack, 'Default', { role: 'redrive', alarmNamePrefix: 'a' });
    new DeadLetterQueue(stack, 'Short', { role: 'redrive', alarmNamePrefix: 'b', retentionPeriod: Duration.days(7) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 1209600 });
    template.hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 604800 });
  });

  test('LiveRelease with a deployment config hands the shift to CodeDeploy', () => {
    const stack = new Stack(new App(NO_CFN_VALIDATION));
    const fn = inlineFunction(stack);
    const release = new LiveRelease(stack, 'Live', {
      function: fn,
      published: fn.currentVersion,
      release: { deploymentConfig: codedeploy.LambdaDeploymentConfig.ALL_AT_ONCE },
    });
    release.watch([new cloudwatch.Alarm(stack, 'Errors', { metric: fn.metricErrors(), threshold: 1, evaluationPeriods: 1 })]);
    Template.fromStack(stack).hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentConfigName: Match.stringLikeRegexp('AllAtOnce'),
    });
  });

  test('WarmCapacity scales the alias between the bounds, with its schedules', () => {
    const stack = new Stack(new App(NO_CFN_VALIDATION));
    const fn = inlineFunction(stack);
    const alias = new lambda.Alias(stack, 'Live', { aliasName: 'live', version: fn.currentVersion });
    new WarmCapacity(stack, 'Warm', {
      alias,
      minCapacity: 2,
      maxCapacity: 10,
      utilizationTarget: 0.7,
      schedules: [{ name: 'peak', schedule: appscaling.Schedule.expression('cron(0 8 * * ? *)'), minCapacity: 5, maxCapacity: 20 }],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 2,
      MaxCapacity: 10,
      ScheduledActions: [
        Match.objectLike({
          ScheduledActionName: 'peak',
          Schedule: 'cron(0 8 * * ? *)',
          ScalableTargetAction: { MinCapacity: 5, MaxCapacity: 20 },
        }),
      ],
    });
  });
});

describe('construct-props maps the declaration', () => {
  const queue: QueueDeclaration = {
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    maxReceiveCount: 5,
    retentionDays: 4,
    ageAlarmSeconds: 300,
  } as QueueDeclaration;

  test('a queue without a visibility timeout gets six function timeouts plus the batching window', () => {
    const options = queueOptions({ ...queue, maxBatchingWindowSeconds: 4 }, 10);
    expect(options.visibilityTimeout.toSeconds()).toBe(64);
    expect(options.maxBatchingWindow?.toSeconds()).toBe(4);
  });

  test('no batching window is no window at all, not a zero one', () => {
    expect(queueOptions(queue, 10).maxBatchingWindow).toBeUndefined();
  });

  test('release modes: alias keeps its initial weight, codedeploy names its configuration', () => {
    const alias: ReleaseDeclaration = { mode: 'alias', initialWeight: 0.1, deploymentConfig: 'canary-10-5m' };
    expect(liveReleaseOptions(alias)).toEqual({ initialWeight: 0.1 });
    const codedeployed = liveReleaseOptions({ mode: 'codedeploy', initialWeight: 0, deploymentConfig: 'linear-10-1m' });
    expect(codedeployed.deploymentConfig).toBe(codedeploy.LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_1MINUTE);
  });

  test('warm maps provisioned/max to the scaling bounds', () => {
    const warm: WarmDeclaration = {
      provisioned: 1,
      max: 4,
      utilizationTarget: 0.5,
      schedules: [{ name: 'n', expression: 'rate(1 day)', minProvisioned: 2, maxProvisioned: 3 }],
    };
    const options = warmOptions(warm);
    expect(options).toMatchObject({ minCapacity: 1, maxCapacity: 4, utilizationTarget: 0.5 });
    expect(options.schedules?.[0]).toMatchObject({ name: 'n', minCapacity: 2, maxCapacity: 3 });
    expect(options.schedules?.[0].schedule.expressionString).toBe('rate(1 day)');
  });
});
