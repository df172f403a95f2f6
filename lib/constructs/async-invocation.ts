/**
 * Asynchronous invocation of the live alias (seeds 03, 06): Lambda's retries and maximum event
 * age, and where the invocation record goes on success and on failure. The EventInvokeConfig
 * sits on the alias qualifier — the one S3, EventBridge and callers invoke — because a config
 * on $LATEST does not apply to invocations of an alias.
 *
 * Unless a team opts out in writing (`onFailure: { kind: 'none', reason }`), a failed event
 * always lands somewhere: by default in a failure queue created here.
 */
import { Validations, type Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DeadLetterQueue } from './dead-letter-queue';

/** Another declared function, as a destination: its live alias receives the invocation record. */
export interface DestinationFunction {
  readonly live: lambda.Alias;
  readonly published: lambda.IVersion;
}

/**
 * Where an invocation record goes. By ARN, so a destination outside the app needs no construct;
 * a queue without one is the failure queue created here, a bus without one the account's default bus.
 */
export type AsyncDestination =
  | { readonly kind: 'queue'; readonly arn?: string }
  | { readonly kind: 'topic'; readonly arn: string }
  | { readonly kind: 'bus'; readonly arn?: string }
  /** Another function of the stack, by the name `functionDestination` knows it. */
  | { readonly kind: 'function'; readonly name: string }
  /** No destination; the reason acknowledges cdk-nag's finding (onFailure only). */
  | { readonly kind: 'none'; readonly reason: string };

/** Lambda's retries, event age and destinations for asynchronous invocations. */
export interface AsyncInvocationOptions {
  /** Retries after a failed invocation, 0-2. */
  readonly retryAttempts: number;
  /** How long Lambda keeps an event it could not process yet. */
  readonly maxEventAge: Duration;
  /** @default - no destination on success */
  readonly onSuccess?: AsyncDestination;
  readonly onFailure: AsyncDestination;
}

export interface AsyncInvocationProps extends AsyncInvocationOptions {
  /** The alias callers and triggers invoke (live). */
  readonly alias: lambda.Alias;
  /** Prefix of the failure queue's alarm names, e.g. "faas-dev-transform". */
  readonly alarmNamePrefix: string;
  /** Another declared function by name, for `{ kind: 'function' }` destinations. */
  readonly functionDestination: (name: string) => DestinationFunction;
}

export class AsyncInvocation extends Construct {
  readonly config: lambda.EventInvokeConfig;
  /** The queue the platform created for failed events (onFailure `{ kind: 'queue' }` without arn). */
  readonly failureQueue?: DeadLetterQueue;
  /** Destination resources the config must be created after. */
  private readonly waitFor: lambda.Alias[] = [];

  constructor(scope: Construct, id: string, props: AsyncInvocationProps) {
    super(scope, id);
    const d = props;
    if (d.onFailure.kind === 'queue' && d.onFailure.arn === undefined) {
      this.failureQueue = new DeadLetterQueue(this, 'Failures', {
        role: 'on-failure',
        alarmNamePrefix: `${props.alarmNamePrefix}-failures`,
      });
    }
    props.alias.configureAsyncInvoke({
      retryAttempts: d.retryAttempts,
      maxEventAge: d.maxEventAge,
      onSuccess: d.onSuccess && this.destination('OnSuccess', d.onSuccess, props),
      onFailure: this.destination('OnFailure', d.onFailure, props),
    });
    this.config = props.alias.node.findChild('EventInvokeConfig') as lambda.EventInvokeConfig;
    for (const dependency of this.waitFor) this.config.node.addDependency(dependency);

    if (d.onFailure.kind === 'none') {
      // The team's own words, next to the resource they concern.
      Validations.of(this.config).acknowledge({
        id: 'Serverless-LambdaAsyncFailureDestination',
        reason: `Declared onFailure none: ${d.onFailure.reason}`,
      });
    }
  }

  private destination(id: string, d: AsyncDestination, props: AsyncInvocationProps): lambda.IDestination | undefined {
    switch (d.kind) {
      case 'queue':
        return new destinations.SqsDestination(
          d.arn === undefined ? this.failureQueue!.queue : sqs.Queue.fromQueueArn(this, `${id}Queue`, d.arn),
        );
      case 'topic':
        return new destinations.SnsDestination(sns.Topic.fromTopicArn(this, `${id}Topic`, d.arn));
      case 'bus':
        // Without a bus, EventBridgeDestination targets the account's default bus.
        return new destinations.EventBridgeDestination(
          d.arn === undefined ? undefined : events.EventBus.fromEventBusArn(this, `${id}Bus`, d.arn),
        );
      case 'function': {
        const target = props.functionDestination(d.name);
        // By ARN (function ARN + ":live"), not by the alias resource: the alias depends on the
        // stack's alias-state provider, whose policy depends on every function, so a reference
        // from this function's policy would close a dependency cycle. The config itself waits
        // for the alias, which closes none.
        const live = lambda.Alias.fromAliasAttributes(this, `${id}Function`, {
          aliasName: target.live.aliasName,
          aliasVersion: target.published,
        });
        this.waitFor.push(target.live);
        // The full invocation record (request, response or error), not only the response.
        return new destinations.LambdaDestination(live, { responseOnly: false });
      }
      case 'none':
        return undefined;
    }
  }
}
