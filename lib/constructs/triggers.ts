/**
 * Events that start a function, both delivered to the live alias through Lambda's asynchronous
 * invoke, so the function's retries and destinations (AsyncInvocation) apply:
 *
 * - ObjectTrigger (the ETL pattern): a bucket created for the function — encrypted, public access
 *   blocked, TLS-only, access-logged — whose object-created events (prefix/suffix filter)
 *   invoke the live alias. The function may read under the trigger prefix and write only under
 *   its output prefix.
 * - ScheduleTriggers: EventBridge rules (cron/rate, validated at synth) targeting the live alias.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { INPUT_PREFIX_ENV, OUTPUT_PREFIX_ENV } from '../contract';

/** Which new objects invoke the function, and where it may write. */
export interface ObjectTriggerOptions {
  /** @default - every key */
  readonly prefix?: string;
  /** @default - every key */
  readonly suffix?: string;
  /** Key prefix the function may write results under. @default - the function may not write */
  readonly outputPrefix?: string;
}

export interface ObjectTriggerProps extends ObjectTriggerOptions {
  /** Declared function name: prefixes its access logs. */
  readonly functionName: string;
  /** The function whose role and environment the trigger extends. */
  readonly function: lambda.Function;
  /** The alias S3 invokes (live). */
  readonly alias: lambda.IFunction;
}

export class ObjectTrigger extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: ObjectTriggerProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      serverAccessLogsBucket: AccessLogBucket.of(Stack.of(this)).bucket,
      serverAccessLogsPrefix: `${props.functionName}/`,
      // Team data: a stack deletion must not take it along.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const filter: s3.NotificationKeyFilter = { prefix: props.prefix, suffix: props.suffix };
    const filters = props.prefix !== undefined || props.suffix !== undefined ? [filter] : [];
    this.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(props.alias), ...filters);

    // Object-level rights only, scoped to the prefixes: read the input, write the results.
    const objects = (prefix: string | undefined) => this.bucket.arnForObjects(`${prefix ?? ''}*`);
    props.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [objects(props.prefix)] }));
    props.function.addEnvironment(INPUT_PREFIX_ENV, props.prefix ?? '');
    if (props.outputPrefix !== undefined) {
      props.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [objects(props.outputPrefix)] }));
      props.function.addEnvironment(OUTPUT_PREFIX_ENV, props.outputPrefix);
    }

    const bucketId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket);
    for (const prefix of new Set([props.prefix ?? '', ...(props.outputPrefix !== undefined ? [props.outputPrefix] : [])])) {
      Validations.of(props.function).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${prefix}*]`,
        reason:
          'Object ARNs need a key wildcard; the grant is s3:GetObject or s3:PutObject only, limited to keys under ' +
          `"${prefix}" of the function's own trigger bucket.`,
      });
    }
    acknowledgeNotificationHandler(Stack.of(this));
  }
}

/** Stack-wide singleton: the bucket every trigger bucket writes its server access logs to. */
class AccessLogBucket extends Construct {
  static of(stack: Stack): AccessLogBucket {
    const id = 'FaasObjectAccessLogs';
    return (stack.node.tryFindChild(id) as AccessLogBucket | undefined) ?? new AccessLogBucket(stack, id);
  }

  readonly bucket: s3.Bucket;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      // Server access logs can only be delivered to SSE-S3 buckets. Object ownership is left to
      // CDK: log delivery needs ObjectWriter with ACLs, or a bucket policy (feature flag).
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket of the trigger buckets; logging it into itself would log its own log writes without end.',
    });
  }
}

/** CDK's own notification handler (one per stack) that writes bucket notification configurations. */
function acknowledgeNotificationHandler(stack: Stack): void {
  const handler = stack.node.children.find((c) => c.node.id.startsWith('BucketNotificationsHandler'));
  if (!handler) return;
  Validations.of(handler).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: "aws-cdk-lib's bucket-notifications handler role uses AWSLambdaBasicExecutionRole (log writing only); CDK generates it.",
  });
}

/** One EventBridge rule on the live alias. */
export interface ScheduleTrigger {
  /** Unique per function: the rule's construct id. */
  readonly name: string;
  readonly schedule: events.Schedule;
  /** @default - EventBridge's scheduled event */
  readonly input?: events.RuleTargetInput;
}

export interface ScheduleTriggersProps {
  /** The alias EventBridge invokes (live). */
  readonly alias: lambda.IFunction;
  readonly functionName: string;
  readonly schedules: readonly ScheduleTrigger[];
  /**
   * Where EventBridge puts an event it could not deliver to Lambda.
   * @default - none; `noDeadLetterReason` says why
   */
  readonly deadLetterQueue?: sqs.IQueue;
  /** Why there is no delivery dead-letter queue (when `deadLetterQueue` is absent). */
  readonly noDeadLetterReason?: string;
}

export class ScheduleTriggers extends Construct {
  readonly rules: events.Rule[];

  constructor(scope: Construct, id: string, props: ScheduleTriggersProps) {
    super(scope, id);
    this.rules = props.schedules.map((s) => {
      const rule = new events.Rule(this, s.name, {
        description: `faas: schedule "${s.name}" of function "${props.functionName}" (live alias)`,
        schedule: s.schedule,
        targets: [
          new targets.LambdaFunction(props.alias, {
            event: s.input,
            deadLetterQueue: props.deadLetterQueue,
          }),
        ],
      });
      if (!props.deadLetterQueue) {
        Validations.of(rule).acknowledge({
          id: 'Serverless-EventBusDLQ',
          reason: props.noDeadLetterReason ?? 'No platform failure queue to take undelivered events.',
        });
      }
      return rule;
    });
  }
}
