/**
 * A recorded function stack whose functions were all removed or moved away
 * (lib/placement/placement.ts, rule 4). Deployed empty — one resource that does nothing,
 * because CloudFormation rejects a template without resources — so the deploy deletes what the
 * stack held before a moved function is created elsewhere. The next new function may take it.
 */
import { CfnWaitConditionHandle, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

export class RetiredStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    new CfnWaitConditionHandle(this, 'Empty');
  }
}
