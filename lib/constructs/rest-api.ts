/**
 * The app's REST API itself, in the base stack: the API, its request validator, the `/preview`
 * resource and API Gateway's account-level CloudWatch role. Routes are added by the function
 * stacks (api-routes.ts), the stage by the API stack (api-stage.ts): a REST API split across
 * stacks the way CDK documents it, so no stack holds every route.
 *
 * L1 resources: aws-cdk-lib's RestApi insists on having methods in its own stack.
 */
import { Aws, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { PREVIEW_PREFIX } from '../contract';

export interface PlatformRestApiProps {
  readonly restApiName: string;
}

/** What a function stack needs to add routes: ids only, exported under fixed names by the base stack. */
export interface RestApiAttributes {
  readonly restApiId: string;
  readonly rootResourceId: string;
  readonly previewResourceId: string;
  readonly requestValidatorId: string;
}

/** A path's URL on a stage, as API Gateway serves it; built from the id alone, so no stack references another's stage. */
export function stageUrl(restApiId: string, stage: string, path = '/'): string {
  return `https://${restApiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}/${stage}${path}`;
}

export class PlatformRestApi extends Construct {
  readonly attributes: RestApiAttributes;
  /** API Gateway's account settings (the CloudWatch role): a stage's logging needs it first. */
  readonly account: apigateway.CfnAccount;

  constructor(scope: Construct, id: string, props: PlatformRestApiProps) {
    super(scope, id);
    const api = new apigateway.CfnRestApi(this, 'Api', {
      name: props.restApiName,
      description: 'faas platform routes (live and preview aliases)',
      endpointConfiguration: { types: ['REGIONAL'] },
    });
    const validator = new apigateway.CfnRequestValidator(this, 'Validator', {
      restApiId: api.ref,
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    // A body that fails its route's JSON Schema is answered 400 with the reason, not just "Invalid request body".
    new apigateway.CfnGatewayResponse(this, 'BadRequestBody', {
      restApiId: api.ref,
      responseType: 'BAD_REQUEST_BODY',
      statusCode: '400',
      responseTemplates: {
        'application/json': '{"message":"request body does not match the route\'s schema: $context.error.validationErrorString"}',
      },
    });
    const preview = new apigateway.CfnResource(this, 'Preview', {
      restApiId: api.ref,
      parentId: api.attrRootResourceId,
      pathPart: PREVIEW_PREFIX.replace(/^\//, ''),
    });
    const role = new iam.Role(this, 'CloudWatchRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs')],
    });
    this.account = new apigateway.CfnAccount(this, 'Account', { cloudWatchRoleArn: role.roleArn });
    this.account.node.addDependency(api);
    this.attributes = {
      restApiId: api.ref,
      rootResourceId: api.attrRootResourceId,
      previewResourceId: preview.ref,
      requestValidatorId: validator.ref,
    };

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        "API Gateway's account-level CloudWatch role uses the AWS-managed AmazonAPIGatewayPushToCloudWatchLogs policy, its " +
        'documented setup.',
    });
  }
}
