/**
 * The asynchronous side in the template: EventInvokeConfig on the live alias with destinations,
 * the function DLQ, the work queue (encrypted, TLS-only, redrive DLQ, event source mapping on
 * live, API → SQS without Lambda), the S3 and schedule triggers, queue alarms and outputs.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import faasConfig from '../../faas.config';
import type { FunctionInput, PlatformInput } from '../../lib/declaration/schema';
import { InMemoryPlacement } from '../../lib/placement/placement-file';
import { buildPlatformApp, stacksOf } from '../../lib/platform-app';
import { buildFunctions } from './support/function-fixture';
import { build, CDK_CONTEXT, NO_BUNDLING, declaration, hello, logicalIds, REPO_ROOT } from './support/platform-fixture';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] }>;

const worker = (overrides: Partial<FunctionInput> = {}): FunctionInput => ({
  entry: 'functions/worker/index.ts',
  timeoutSeconds: 20,
  queue: { batchSize: 10, maxBatchingWindowSeconds: 2, maxConcurrency: 5, maxReceiveCount: 4 },
  ...overrides,
});
const transform = (overrides: Partial<FunctionInput> = {}): FunctionInput => ({
  entry: 'functions/transform/index.ts',
  triggers: { s3: { prefix: 'in/', suffix: '.json', outputPrefix: 'out/' } },
  ...overrides,
});
const plain = (overrides: Partial<FunctionInput> = {}): FunctionInput => ({ entry: 'functions/hello/index.ts', ...overrides });

/** The logical ID of the alias with this name that belongs to the function with this declared name. */
function aliasId(template: Template, functionName: string, aliasName = 'live'): string {
  const ids = Object.entries(template.findResources('AWS::Lambda::Alias', { Properties: { Name: aliasName } }))
    .filter(([id]) => id.startsWith(`Fn${functionName.replace(/-/g, '')}`))
    .map(([id]) => id);
  expect(ids).toHaveLength(1);
  return ids[0];
}

/** Logical IDs of a type under a construct path prefix (e.g. "Fnworker"). */
const idsUnder = (template: Template, type: string, prefix: string) => logicalIds(template, type).filter((id) => id.startsWith(prefix));

describe('async invocation on the live alias', () => {
  test('EventInvokeConfig sits on the live qualifier with retries, maximum age and both destinations', () => {
    // GIVEN a function that reports success to another function and keeps failures in the platform queue
    const { template } = buildFunctions(
      declaration({
        orders: plain({ async: { retryAttempts: 1, maxEventAgeSeconds: 600, onSuccess: { kind: 'function', name: 'audit' } } }),
        audit: plain(),
      }),
    );
    const live = aliasId(template, 'orders');
    const auditLive = aliasId(template, 'audit');
    const [failures] = idsUnder(template, 'AWS::SQS::Queue', 'FnordersAsyncFailures');
    const auditLiveArn = { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^FnauditFunction'), 'Arn'] }, ':live']] };

    // THEN the config is on the alias qualifier, not $LATEST
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: Match.stringLikeRegexp('^FnordersFunction') },
      Qualifier: { 'Fn::Select': [7, { 'Fn::Split': [':', { Ref: live }] }] },
      MaximumRetryAttempts: 1,
      MaximumEventAgeInSeconds: 600,
      // AND success goes to the other function's live alias, failure to the platform's failure queue
      DestinationConfig: {
        OnSuccess: { Destination: auditLiveArn },
        OnFailure: { Destination: { 'Fn::GetAtt': [failures, 'Arn'] } },
      },
    });
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 1);
    // (by ARN, so no dependency cycle through the alias-state provider; the config still waits for the alias)
    template.hasResource('AWS::Lambda::EventInvokeConfig', { DependsOn: Match.arrayWith([auditLive]) });
    // AND the function may invoke exactly that alias and send to exactly that queue
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^FnordersFunctionServiceRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: Match.arrayWith(['sqs:SendMessage']), Resource: { 'Fn::GetAtt': [failures, 'Arn'] } }),
          Match.objectLike({ Action: 'lambda:InvokeFunction', Resource: auditLiveArn }),
        ]),
      },
    });
  });

  test('the failure queue is encrypted, TLS-only, keeps messages 14 days and alarms when not empty', () => {
    const { template } = build(declaration({ orders: plain({ async: {} }) }));
    const [failures] = idsUnder(template, 'AWS::SQS::Queue', 'FnordersAsyncFailures');
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: failures }],
      PolicyDocument: {
        Statement: [
          {
            Action: 'sqs:*',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Resource: { 'Fn::GetAtt': [failures, 'Arn'] },
          },
        ],
      },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'test-dev-orders-failures-not-empty',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [failures, 'QueueName'] } }],
    });
    // The oldest message alarms 4 days before SQS would drop it.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'test-dev-orders-failures-age',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Threshold: 864000,
    });
    template.hasOutput('Dlqorders', { Value: { Ref: failures } });
    template.hasOutput('Failuresorders', { Value: { Ref: failures } });
  });

  test.each<[string, NonNullable<FunctionInput['async']>, object, object]>([
    [
      'an existing queue',
      { onFailure: { kind: 'queue', arn: 'arn:aws:sqs:eu-west-1:123456789012:ops-failures' } },
      { OnFailure: { Destination: 'arn:aws:sqs:eu-west-1:123456789012:ops-failures' } },
      { Action: Match.arrayWith(['sqs:SendMessage']), Resource: 'arn:aws:sqs:eu-west-1:123456789012:ops-failures' },
    ],
    [
      'an SNS topic',
      { onFailure: { kind: 'topic', arn: 'arn:aws:sns:eu-west-1:123456789012:alerts' } },
      { OnFailure: { Destination: 'arn:aws:sns:eu-west-1:123456789012:alerts' } },
      { Action: 'sns:Publish', Resource: 'arn:aws:sns:eu-west-1:123456789012:alerts' },
    ],
    [
      'the default event bus',
      { onFailure: { kind: 'bus' } },
      { OnFailure: { Destination: { 'Fn::Join': ['', Match.arrayWith([':event-bus/default'])] } } },
      { Action: 'events:PutEvents', Resource: { 'Fn::Join': ['', Match.arrayWith([':event-bus/default'])] } },
    ],
  ])('failures can go to %s, with only the right to deliver there', (_label, asyncDeclaration, destinationConfig, statement) => {
    const { template } = buildFunctions(declaration({ orders: plain({ async: asyncDeclaration }) }));
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { DestinationConfig: destinationConfig });
    template.hasResourceProperties('AWS::IAM::Policy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike(statement)]) } });
    // no platform failure queue when failures go elsewhere
    template.resourceCountIs('AWS::SQS::Queue', 0);
  });

  test('opting out with a reason leaves no failure destination, and the reason becomes the acknowledgement', () => {
    const reason = 'a health probe: the next run repeats it within a minute';
    const { template, stack } = buildFunctions(
      declaration({ probe: plain({ async: { retryAttempts: 0, onFailure: { kind: 'none', reason } } }) }),
    );
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0, DestinationConfig: Match.absent() });
    template.resourceCountIs('AWS::SQS::Queue', 0);
    const acknowledged = stack.node.findAll().flatMap((c) => c.node.metadata.map((m) => JSON.stringify(m.data)));
    expect(acknowledged.some((text) => text.includes('Serverless-LambdaAsyncFailureDestination') && text.includes(reason))).toBe(true);
  });

  test("a function DLQ is the function's DeadLetterConfig, encrypted and alarmed", () => {
    const { template } = buildFunctions(declaration({ orders: plain({ async: { deadLetterQueue: true } }) }));
    const [dlq] = idsUnder(template, 'AWS::SQS::Queue', 'FnordersFunctionDlq');
    template.hasResourceProperties('AWS::Lambda::Function', { DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] } } });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'test-dev-orders-function-dlq-not-empty' });
    // the failure queue stays the on-failure destination (it carries the error)
    expect(idsUnder(template, 'AWS::SQS::Queue', 'FnordersAsyncFailures')).toHaveLength(1);
  });

  test('a synchronous function gets no async configuration and no queues', () => {
    const { template } = build(declaration({ hello: hello() }));
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 0);
    template.resourceCountIs('AWS::SQS::Queue', 0);
    expect(Object.keys(template.findOutputs('*')).filter((id) => id.startsWith('Dlq'))).toEqual([]);
  });
});

describe('queue-buffered functions', () => {
  test('an encrypted, TLS-only queue with a redrive DLQ and a visibility timeout of 6 × timeout + window', () => {
    // GIVEN
    const { template } = buildFunctions(declaration({ worker: worker() }));
    const [dlq] = idsUnder(template, 'AWS::SQS::Queue', 'FnworkerQueueDeadLetter');
    const queue = idsUnder(template, 'AWS::SQS::Queue', 'FnworkerQueue').find((id) => id !== dlq)!;

    // THEN
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 122,
      MessageRetentionPeriod: 345600,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] }, maxReceiveCount: 4 },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1209600,
      RedrivePolicy: Match.absent(),
    });
    for (const id of [queue, dlq]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
        },
      });
    }
  });

  test('the event source mapping polls into the live alias with batching, max concurrency and partial batch responses', () => {
    const { template } = buildFunctions(declaration({ worker: worker() }));
    const live = aliasId(template, 'worker');
    const queue = idsUnder(template, 'AWS::SQS::Queue', 'FnworkerQueue').find((id) => !id.includes('DeadLetter'))!;
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queue, 'Arn'] },
      FunctionName: { 'Fn::Join': ['', [{ 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: live }] }] }, ':live']] },
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 2,
      ScalingConfig: { MaximumConcurrency: 5 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    // AND the handler learns the queue URL and the receive limit (for its backoff)
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ FAAS_QUEUE_URL: { Ref: queue }, FAAS_MAX_RECEIVE_COUNT: '4' }) },
    });
    // AND may consume (incl. change visibility) on that queue only
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^FnworkerFunctionServiceRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: Match.arrayWith(['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:ReceiveMessage']),
            Resource: { 'Fn::GetAtt': [queue, 'Arn'] },
          }),
        ]),
      },
    });
  });

  test('POST /worker/jobs is an API Gateway → SQS SendMessage integration answering 202 with the message id, no Lambda in front', () => {
    // GIVEN
    const { template } = build(declaration({ worker: worker() }));
    const resources = template.toJSON().Resources as Resources;
    const queue = idsUnder(template, 'AWS::SQS::Queue', 'FnworkerQueue').find((id) => !id.includes('DeadLetter'))!;
    const [role] = logicalIds(template, 'AWS::IAM::Role').filter((id) => id.startsWith('ApiSendToworker'));

    // THEN the method is an AWS (service) integration on the queue, signed with its own role
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      RequestValidatorId: Match.anyValue(),
      Integration: {
        Type: 'AWS',
        IntegrationHttpMethod: 'POST',
        Uri: {
          'Fn::Join': [
            '',
            Match.arrayWith([
              Match.stringLikeRegexp(':sqs:path/$'),
              { Ref: 'AWS::AccountId' },
              '/',
              { 'Fn::GetAtt': [queue, 'QueueName'] },
            ]),
          ],
        },
        Credentials: { 'Fn::GetAtt': [role, 'Arn'] },
        PassthroughBehavior: 'NEVER',
        RequestParameters: { 'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'" },
        RequestTemplates: { 'application/json': 'Action=SendMessage&MessageBody=$util.urlEncode($input.body)' },
        IntegrationResponses: Match.arrayWith([
          Match.objectLike({
            StatusCode: '202',
            ResponseTemplates: {
              'application/json': Match.stringLikeRegexp(
                '"messageId":"\\$input.path\\(\'\\$.SendMessageResponse.SendMessageResult.MessageId\'\\)"',
              ),
            },
          }),
          Match.objectLike({ StatusCode: '500', SelectionPattern: Match.absent() }),
        ]),
      },
      MethodResponses: [{ StatusCode: '202' }, { StatusCode: '400' }, { StatusCode: '500' }],
    });
    const paths = Object.values(resources)
      .filter((r) => r.Type === 'AWS::ApiGateway::Resource')
      .map((r) => r.Properties.PathPart);
    expect(paths.sort()).toEqual(['jobs', 'worker']);
    // AND no Lambda integration or permission: nothing runs before the queue
    template.resourceCountIs('AWS::Lambda::Permission', 0);
    // AND API Gateway's role may only send messages to this queue
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'apigateway.amazonaws.com' } })] },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: role }],
      PolicyDocument: { Statement: [{ Action: 'sqs:SendMessage', Effect: 'Allow', Resource: { 'Fn::GetAtt': [queue, 'Arn'] } }] },
    });
  });

  test('alarms on the queue backlog and on the DLQ, and outputs for the CLI', () => {
    const { template } = build(declaration({ worker: worker({ queue: { ageAlarmSeconds: 120 } }) }));
    const [dlq] = idsUnder(template, 'AWS::SQS::Queue', 'FnworkerQueueDeadLetter');
    const queue = idsUnder(template, 'AWS::SQS::Queue', 'FnworkerQueue').find((id) => id !== dlq)!;
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'test-dev-worker-queue-age',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Threshold: 120,
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'test-dev-worker-dlq-not-empty',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'test-dev-worker-dlq-age',
      MetricName: 'ApproximateAgeOfOldestMessage',
    });
    // `faas dlq` reads exactly Dlq<name>
    template.hasOutput('Dlqworker', { Value: { Ref: dlq } });
    template.hasOutput('Queueworker', { Value: { Ref: queue } });
    template.hasOutput('QueueAlarmsworker', { Value: 'test-dev-worker-queue-age,test-dev-worker-dlq-not-empty,test-dev-worker-dlq-age' });
    template.hasOutput('Routesworker', {
      Value: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('^POST https://'), '/dev/worker/jobs'])] },
    });
  });

  test('a queue function keeps its declared routes on the live and preview aliases', () => {
    const { template } = build(
      declaration({ worker: worker({ entry: 'functions/hello/index.ts', routes: [{ method: 'GET', path: '/worker/status' }] }) }),
    );
    // GET /worker/status, GET /preview/worker/status, POST /worker/jobs
    template.resourceCountIs('AWS::ApiGateway::Method', 3);
    template.resourceCountIs('AWS::Lambda::Permission', 2);
  });
});

describe('object-storage trigger', () => {
  test('a bucket that is encrypted, blocks public access, requires TLS and logs access', () => {
    const { template } = build(declaration({ transform: transform() }));
    const [bucket] = idsUnder(template, 'AWS::S3::Bucket', 'FntransformObjectTrigger');
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: {
        DestinationBucketName: { Ref: Match.stringLikeRegexp('^FaasObjectAccessLogs') },
        LogFilePrefix: 'transform/',
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucket },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasOutput('Buckettransform', { Value: { Ref: bucket } });
  });

  test('created objects matching prefix and suffix invoke the live alias, whose async settings apply', () => {
    const { template } = buildFunctions(declaration({ transform: transform() }));
    const live = aliasId(template, 'transform');
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: {
              Key: {
                FilterRules: [
                  { Name: 'suffix', Value: '.json' },
                  { Name: 'prefix', Value: 'in/' },
                ],
              },
            },
            LambdaFunctionArn: { Ref: live },
          },
        ],
      },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', { Principal: 's3.amazonaws.com', FunctionName: { Ref: live } });
    // an S3-triggered function gets the async defaults without declaring them
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FntransformAsyncFailures'), 'Arn'] } } },
    });
  });

  test('the function may read under the trigger prefix and write under the output prefix only', () => {
    const { template } = buildFunctions(declaration({ transform: transform() }));
    const [bucket] = idsUnder(template, 'AWS::S3::Bucket', 'FntransformObjectTrigger');
    const objects = (prefix: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, `/${prefix}*`]] });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^FntransformFunctionServiceRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Action: 's3:GetObject', Effect: 'Allow', Resource: objects('in/') },
          { Action: 's3:PutObject', Effect: 'Allow', Resource: objects('out/') },
        ]),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ FAAS_INPUT_PREFIX: 'in/', FAAS_OUTPUT_PREFIX: 'out/' }) },
    });
  });

  test('one access-log bucket serves every trigger bucket of the stack', () => {
    const { template } = buildFunctions(
      declaration({ transform: transform(), archive: transform({ triggers: { s3: { prefix: 'raw/' } } }) }),
    );
    expect(idsUnder(template, 'AWS::S3::Bucket', 'FaasObjectAccessLogs')).toHaveLength(1);
    template.resourceCountIs('AWS::S3::Bucket', 3);
  });
});

describe('schedule trigger', () => {
  test('an EventBridge rule per schedule targets the live alias, with the failure queue as its DLQ', () => {
    // GIVEN
    const { template } = buildFunctions(
      declaration({
        nightly: plain({
          triggers: {
            schedules: [
              { name: 'nightly', expression: 'cron(0 3 * * ? *)', input: { task: 'cleanup' } },
              { name: 'often', expression: 'rate(5 minutes)' },
            ],
          },
        }),
      }),
    );
    const live = aliasId(template, 'nightly');
    const [failures] = idsUnder(template, 'AWS::SQS::Queue', 'FnnightlyAsyncFailures');

    // THEN
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 3 * * ? *)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { Ref: live },
          Input: '{"task":"cleanup"}',
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [failures, 'Arn'] } },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    template.hasResourceProperties('AWS::Lambda::Permission', { Principal: 'events.amazonaws.com', FunctionName: { Ref: live } });
    // AND EventBridge may put undeliverable events into the failure queue
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: failures }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Action: 'sqs:SendMessage', Principal: { Service: 'events.amazonaws.com' } })]),
      },
    });
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 1);
  });
});

/** Synthesizes with cdk-nag's AwsSolutions and Serverless packs; throws on any unacknowledged finding. */
function synthWithNag(input: PlatformInput, stage = 'dev') {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'faas-nag-'));
  const { app } = buildPlatformApp({
    declaration: input,
    projectRoot: REPO_ROOT,
    placement: new InMemoryPlacement(),
    appProps: { outdir, context: { ...CDK_CONTEXT, ...NO_BUNDLING, stage } },
  });
  return () => app.synth();
}

describe('security and size', () => {
  test('every async feature at once has zero unacknowledged cdk-nag findings', () => {
    const input = declaration({
      hello: hello(),
      worker: worker({ async: { deadLetterQueue: true, onSuccess: { kind: 'bus' } } }),
      transform: transform({
        async: {
          onSuccess: { kind: 'function', name: 'hello' },
          onFailure: { kind: 'topic', arn: 'arn:aws:sns:eu-west-1:123456789012:alerts' },
        },
      }),
      nightly: plain({
        triggers: { schedules: [{ name: 'nightly', expression: 'rate(1 day)' }] },
        async: { onFailure: { kind: 'none', reason: 'the next nightly run redoes the whole job' } },
      }),
      ticker: plain({ triggers: { schedules: [{ name: 'tick', expression: 'rate(1 hour)' }] }, release: { mode: 'codedeploy' } }),
    });
    expect(synthWithNag(input)).not.toThrow();
  });

  test('the example dev stage stays free of types the emulator rejects', () => {
    const built = build(faasConfig, { stage: 'dev' });
    const types = new Set(
      stacksOf(built).flatMap((s) => Object.values(Template.fromStack(s).toJSON().Resources as Resources).map((r) => r.Type)),
    );
    expect([...types].filter((t) => t.startsWith('AWS::ApplicationAutoScaling') || t.startsWith('AWS::CodeDeploy'))).toEqual([]);
    expect([...types]).toEqual(
      expect.arrayContaining(['AWS::Lambda::EventSourceMapping', 'AWS::Lambda::EventInvokeConfig', 'Custom::S3BucketNotifications']),
    );
  });

  test.each<[string, FunctionInput, number]>([
    // function, role, policy, log group, version, live, preview, alias state, 3 alarms = 11 for any function
    // + queue, DLQ, 2 queue policies, mapping, 3 alarms, API role + policy, 2 API resources, method
    ['a queue function', worker(), 11 + 13],
    // + failure queue, its policy, 2 alarms, EventInvokeConfig, bucket, bucket policy, notifications, its handler policy, permission
    ['an S3-triggered function', transform(), 11 + 10],
  ])('%s costs a bounded number of resources', (_label, fn, expected) => {
    const count = (input: PlatformInput) => Object.keys(build(input).template.toJSON().Resources).length;
    const base = count(declaration({ hello: hello(), other: transform() }));
    const withIt = count(declaration({ hello: hello(), other: transform(), subject: fn }));
    expect(withIt - base).toBe(expected);
  });
});

describe('bundling the AWS SDK', () => {
  test('bundleAwsSdk drops @aws-sdk/* from the externals (for emulators without it), and only where declared', () => {
    const { functions } = buildFunctions(declaration({ hello: hello(), transform: transform({ bundleAwsSdk: true }) }));
    expect(functions.get('transform')!.externalModules).toEqual([]);
    expect(functions.get('hello')!.externalModules).toEqual(['@aws-sdk/*', '@faas-platform/shared']);
  });

  test('the example bundles it for transform in dev only', () => {
    const externals = (stage: string) => build(faasConfig, { stage }).stack.functions.get('transform')!.externalModules;
    expect(externals('dev')).toEqual([]);
    expect(externals('prod')).toEqual(['@aws-sdk/*']);
  });
});
