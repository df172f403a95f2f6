/**
 * The app's REST API: every declared route goes to the function's `live` alias and, under
 * /preview, to its `preview` alias — never to $LATEST or the unqualified function. A queue
 * function's `POST /<name>/jobs` goes straight to its queue (AWS service integration, no
 * Lambda in front). Stage-wide throttling, JSON access logs, execution logs, metrics, tracing.
 */
import { Aws, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PREVIEW_PREFIX } from '../declaration/resolve';
import type { RouteDeclaration } from '../declaration/schema';

export interface HttpApiProps {
  /** Stage name, e.g. "dev". */
  readonly stage: string;
  readonly restApiName: string;
  readonly throttleRateLimit: number;
  readonly throttleBurstLimit: number;
}

export interface RouteTarget {
  readonly functionName: string;
  readonly route: RouteDeclaration;
  readonly live: lambda.IFunction;
  readonly preview: lambda.IFunction;
}

export interface QueueRouteTarget {
  readonly functionName: string;
  /** e.g. "/worker/jobs". */
  readonly path: string;
  readonly queue: sqs.IQueue;
}

const JSON_TYPE = 'application/json';

export class HttpApi extends Construct {
  readonly api: apigateway.RestApi;
  private readonly requestValidator: apigateway.RequestValidator;

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.ONE_MONTH });
    this.api = new apigateway.RestApi(this, 'Api', {
      restApiName: props.restApiName,
      description: 'faas platform routes (live and preview aliases)',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      cloudWatchRole: true,
      deployOptions: {
        stageName: props.stage,
        throttlingRateLimit: props.throttleRateLimit,
        throttlingBurstLimit: props.throttleBurstLimit,
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        metricsEnabled: true,
        tracingEnabled: true,
      },
    });
    this.requestValidator = this.api.addRequestValidator('Validator', {
      validateRequestParameters: true,
      validateRequestBody: true,
    });

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason: 'WAF is an account-level choice (web ACL and its cost); attach one to the stage with a WebACLAssociation where needed.',
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'Routes are public by declaration, as FC HTTP triggers with anonymous auth are; handlers validate input and answer 4xx.',
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-COG4',
      reason: 'Routes are public by declaration; no Cognito user pool is part of the platform.',
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: 'API Gateway\'s account-level CloudWatch role uses the AWS-managed AmazonAPIGatewayPushToCloudWatchLogs policy, its documented setup.',
    });
  }

  /** Adds the route to the live alias and its /preview twin to the preview alias. */
  addRoute(target: RouteTarget): void {
    this.addMethod(target.route.path, target.route.method, target.live);
    const previewPath = target.route.path === '/' ? PREVIEW_PREFIX : `${PREVIEW_PREFIX}${target.route.path}`;
    this.addMethod(previewPath, target.route.method, target.preview);
  }

  /**
   * `POST <path>` puts the JSON request body on the queue (SQS SendMessage) and answers 202
   * `{"messageId": …}`; 400 when SQS rejects the message, 500 when it cannot be sent. API Gateway
   * signs the call with a role that may only sqs:SendMessage to this queue.
   */
  addQueueRoute(target: QueueRouteTarget): apigateway.Method {
    const role = new iam.Role(this, `SendTo-${target.functionName}`, {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: `API Gateway: POST ${target.path} to the jobs queue of function "${target.functionName}"`,
    });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [target.queue.queueArn] }));
    const message = (text: string) => ({ [JSON_TYPE]: JSON.stringify({ message: text }) });
    const integration = new apigateway.AwsIntegration({
      service: 'sqs',
      path: `${Aws.ACCOUNT_ID}/${target.queue.queueName}`,
      integrationHttpMethod: 'POST',
      options: {
        credentialsRole: role,
        // Only JSON bodies reach the queue; anything else is answered 415 by API Gateway.
        passthroughBehavior: apigateway.PassthroughBehavior.NEVER,
        requestParameters: { 'integration.request.header.Content-Type': '\'application/x-www-form-urlencoded\'' },
        requestTemplates: { [JSON_TYPE]: 'Action=SendMessage&MessageBody=$util.urlEncode($input.body)' },
        integrationResponses: [
          {
            statusCode: '202',
            selectionPattern: '2\\d{2}',
            responseTemplates: { [JSON_TYPE]: '{"messageId":"$input.path(\'$.SendMessageResponse.SendMessageResult.MessageId\')"}' },
          },
          { statusCode: '400', selectionPattern: '400', responseTemplates: message('the queue rejected the message (empty body or above the size limit)') },
          // Anything else (403 from a broken role, 5xx): no job was queued, the caller may retry.
          { statusCode: '500', responseTemplates: message('the job could not be queued; retry later') },
        ],
      },
    });
    const resource = this.api.root.resourceForPath(target.path);
    return resource.addMethod('POST', integration, {
      requestValidator: this.requestValidator,
      methodResponses: [{ statusCode: '202' }, { statusCode: '400' }, { statusCode: '500' }],
    });
  }

  /** URL of a path on this stage (for outputs). */
  urlFor(path: string): string {
    return this.api.urlForPath(path);
  }

  private addMethod(path: string, method: string, alias: lambda.IFunction): void {
    const resource = this.api.root.resourceForPath(path);
    // allowTestInvoke: false keeps one permission per method (console test-invoke is not needed).
    resource.addMethod(method, new apigateway.LambdaIntegration(alias, { allowTestInvoke: false }), {
      requestValidator: this.requestValidator,
    });
  }
}
