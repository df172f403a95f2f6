/**
 * The API stack (`<app>-<stage>-api`): the REST API's stage, deployed after every function
 * stack so its deployment sees all their methods.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ApiStage, type ApiStageProps } from '../constructs/api-stage';

export type ApiStackProps = StackProps & ApiStageProps;

export class ApiStack extends Stack {
  readonly stage: ApiStage;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    this.stage = new ApiStage(this, 'Http', props);
    new CfnOutput(this, 'HttpApiEndpoint', { description: 'Base URL of the REST API stage', value: this.stage.url });
    if (this.stage.apiKey) {
      new CfnOutput(this, 'ApiKeyId', {
        description: 'Id of the API key for API-key routes; its value: aws apigateway get-api-key --include-value --api-key <id>',
        value: this.stage.apiKey.keyId,
      });
    }
  }
}
