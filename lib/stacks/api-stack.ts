/**
 * The API stack (`<app>-<stage>-api`): the REST API's stage, deployed after every function
 * stack so its deployment sees all their methods.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ApiStage, type ApiStageProps } from '../constructs/api-stage';
import { API_ENDPOINT_OUTPUT, LEGACY_API_ENDPOINT_OUTPUT } from '../contract';

export type ApiStackProps = StackProps & ApiStageProps;

export class ApiStack extends Stack {
  readonly stage: ApiStage;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    this.stage = new ApiStage(this, 'Http', props);
    new CfnOutput(this, API_ENDPOINT_OUTPUT, { description: 'Base URL of the REST API stage', value: this.stage.url });
    // Deprecated (the API is a REST API): kept, unchanged, for the scripts that read it.
    new CfnOutput(this, LEGACY_API_ENDPOINT_OUTPUT, { description: 'Base URL of the REST API stage', value: this.stage.url });
    if (this.stage.apiKey) {
      new CfnOutput(this, 'ApiKeyId', {
        description: 'Id of the API key for API-key routes; its value: aws apigateway get-api-key --include-value --api-key <id>',
        value: this.stage.apiKey.keyId,
      });
    }
  }
}
