/**
 * The SDK clients the CLI uses. Region and credentials come from the usual AWS environment;
 * AWS_ENDPOINT_URL is honoured by SDK v3 itself (LocalStack, MiniStack), nothing to do here.
 */
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { LambdaAdapter } from './lambda';
import { MetricsAdapter } from './metrics';
import { QueueAdapter } from './queue';
import { ScalingAdapter } from './scaling';
import { StackAdapter } from './stack';

export interface Adapters {
  readonly lambda: LambdaAdapter;
  readonly metrics: MetricsAdapter;
  readonly queue: QueueAdapter;
  readonly scaling: ScalingAdapter;
  readonly stack: StackAdapter;
}

export function createAdapters(stackName: string): Adapters {
  return {
    lambda: new LambdaAdapter(new LambdaClient({})),
    metrics: new MetricsAdapter(new CloudWatchClient({})),
    queue: new QueueAdapter(new SQSClient({})),
    scaling: new ScalingAdapter(new ApplicationAutoScalingClient({})),
    stack: new StackAdapter(new CloudFormationClient({}), stackName),
  };
}
