/**
 * One function stack's part of the app's REST API: every declared route goes to the function's
 * `live` alias and, under /preview, to its `preview` alias — never to $LATEST or the unqualified
 * function. A queue function's `POST /<name>/jobs` goes straight to its queue (AWS service
 * integration, no Lambda in front).
 *
 * The API, its root, `/preview` and the request validator come from the base stack by id; the
 * resources under a first path segment are created here, and placement keeps every route
 * under one first segment in one stack (lib/placement/units.ts), so no two stacks create the
 * same resource.
 */
import { Aws, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { PREVIEW_PREFIX } from '../contract';
import { stageUrl, type RestApiAttributes } from './rest-api';

/** Who may call a method: API Gateway's authorization settings, plus what cdk-nag is told. */
export interface RouteAuthorization {
  readonly authorizationType: apigateway.AuthorizationType;
  /** @default - none (required for COGNITO and CUSTOM) */
  readonly authorizer?: apigateway.IAuthorizer;
  /** OAuth scopes an access token must carry (COGNITO). @default - none */
  readonly scopes?: readonly string[];
  /** @default false */
  readonly apiKeyRequired?: boolean;
  /** Who may call, in one line: part of the deployment hash and of acknowledgement reasons. */
  readonly description: string;
  /**
   * Why the method may have no authorization (AuthorizationType NONE): acknowledges cdk-nag's
   * AwsSolutions-APIG4 on this method only.
   * @default - none: a method without authorization fails synth on APIG4
   */
  readonly noAuthorizationReason?: string;
}

export interface ApiRoutesProps {
  readonly attributes: RestApiAttributes;
  /** Stage name, e.g. "dev": only for the URLs this stack reports. */
  readonly stage: string;
}

export interface RouteTarget {
  readonly functionName: string;
  /** HTTP method, e.g. "GET". */
  readonly method: string;
  /** e.g. "/orders/{id}"; under /preview too. */
  readonly path: string;
  readonly live: lambda.IFunction;
  readonly preview: lambda.IFunction;
  /** Applies to the live route and its /preview twin alike. */
  readonly authorization: RouteAuthorization;
}

export interface QueueRouteTarget {
  readonly functionName: string;
  /** e.g. "/worker/jobs". */
  readonly path: string;
  readonly queue: sqs.IQueue;
  readonly authorization: RouteAuthorization;
  /**
   * JSON Schema (draft 4) the body must match; API Gateway answers 400 and queues nothing.
   * @default - any JSON body
   */
  readonly bodySchema?: apigateway.JsonSchema;
}

const JSON_TYPE = 'application/json';

/**
 * Bump when the way methods are rendered changes (integration options, validators…): the API
 * stack's deployment id hashes the route signatures, and only a new deployment publishes a change.
 */
const METHOD_FORMAT = 3;

/** The logical id of what an integration calls: a replaced alias or queue gets a new one, so a new deployment. */
function targetId(target: IConstruct): string {
  const element = target.node.defaultChild as CfnElement | undefined;
  return element ? Stack.of(target).getLogicalId(element) : target.node.path;
}

export class ApiRoutes extends Construct {
  readonly api: apigateway.IRestApi;
  /** One line per method, for the API stack's deployment hash. */
  readonly signatures: string[] = [];
  private readonly root: apigateway.IResource;
  private readonly preview: apigateway.IResource;
  private readonly requestValidator: apigateway.IRequestValidator;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: ApiRoutesProps,
  ) {
    super(scope, id);
    const a = props.attributes;
    this.api = apigateway.RestApi.fromRestApiAttributes(this, 'Api', { restApiId: a.restApiId, rootResourceId: a.rootResourceId });
    this.root = this.api.root;
    this.preview = apigateway.Resource.fromResourceAttributes(this, 'Preview', {
      resourceId: a.previewResourceId,
      restApi: this.api,
      path: PREVIEW_PREFIX,
    });
    this.requestValidator = apigateway.RequestValidator.fromRequestValidatorId(this, 'Validator', a.requestValidatorId);
  }

  /** Adds the route to the live alias and its /preview twin to the preview alias. */
  addRoute(target: RouteTarget): apigateway.Method[] {
    const { path, method } = target;
    return [
      this.addMethod(this.root, path, method, target.live, `${target.functionName}:live:${targetId(target.live)}`, target.authorization),
      this.addMethod(
        this.preview,
        path,
        method,
        target.preview,
        `${target.functionName}:preview:${targetId(target.preview)}`,
        target.authorization,
      ),
    ];
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
        requestParameters: { 'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'" },
        requestTemplates: { [JSON_TYPE]: 'Action=SendMessage&MessageBody=$util.urlEncode($input.body)' },
        integrationResponses: [
          {
            statusCode: '202',
            selectionPattern: '2\\d{2}',
            responseTemplates: { [JSON_TYPE]: '{"messageId":"$input.path(\'$.SendMessageResponse.SendMessageResult.MessageId\')"}' },
          },
          {
            statusCode: '400',
            selectionPattern: '400',
            responseTemplates: message("the queue rejected the job: empty body or larger than the queue's maximum message size"),
          },
          // Anything else (403 from a broken role, 5xx): no job was queued, the caller may retry.
          { statusCode: '500', responseTemplates: message('the job could not be queued; retry later') },
        ],
      },
    });
    const model = target.bodySchema
      ? new apigateway.Model(this, `JobBody-${target.functionName}`, {
          restApi: this.api,
          contentType: JSON_TYPE,
          schema: target.bodySchema,
          description: `Job body of function "${target.functionName}" (queue.bodySchema)`,
        })
      : undefined;
    const body = model ? ` body:${JSON.stringify(target.bodySchema)}` : '';
    this.signatures.push(
      `POST ${target.path} -> sqs:${target.functionName}:${targetId(target.queue)} ` +
        `auth:${target.authorization.description}${body} v${METHOD_FORMAT}`,
    );
    const posted = this.resourceFor(this.root, target.path).addMethod('POST', integration, {
      ...methodAuthorization(target.authorization),
      requestValidator: this.requestValidator,
      ...(model ? { requestModels: { [JSON_TYPE]: model } } : {}),
      methodResponses: [{ statusCode: '202' }, { statusCode: '400' }, { statusCode: '500' }],
    });
    acknowledgeAuthorization(posted, target.authorization);
    return posted;
  }

  /** The stage URL of a path, as API Gateway serves it (for outputs; no reference to the API stack). */
  urlFor(path: string): string {
    return stageUrl(this.props.attributes.restApiId, this.props.stage, path);
  }

  private resourceFor(base: apigateway.IResource, path: string): apigateway.IResource {
    const relative = path.replace(/^\/+/, '');
    return relative === '' ? base : base.resourceForPath(relative);
  }

  private addMethod(
    base: apigateway.IResource,
    path: string,
    method: string,
    alias: lambda.IFunction,
    target: string,
    authorization: RouteAuthorization,
  ): apigateway.Method {
    this.signatures.push(
      `${method} ${base === this.preview ? PREVIEW_PREFIX : ''}${path} -> lambda:${target} ` +
        `auth:${authorization.description} v${METHOD_FORMAT}`,
    );
    // allowTestInvoke: false keeps one permission per method (console test-invoke is not needed).
    const added = this.resourceFor(base, path).addMethod(method, new apigateway.LambdaIntegration(alias, { allowTestInvoke: false }), {
      ...methodAuthorization(authorization),
      requestValidator: this.requestValidator,
    });
    acknowledgeAuthorization(added, authorization);
    return added;
  }
}

function methodAuthorization(a: RouteAuthorization): apigateway.MethodOptions {
  return {
    authorizationType: a.authorizationType,
    authorizer: a.authorizer,
    authorizationScopes: a.scopes ? [...a.scopes] : undefined,
    apiKeyRequired: a.apiKeyRequired ?? false,
  };
}

/**
 * cdk-nag's authorization findings, answered on this method alone: APIG4 only where the route
 * was given a reason to have no authorization, COG4 where another mechanism was chosen.
 */
function acknowledgeAuthorization(method: apigateway.Method, a: RouteAuthorization): void {
  if (a.authorizationType === apigateway.AuthorizationType.NONE && a.noAuthorizationReason) {
    Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason: a.noAuthorizationReason });
  }
  if (a.authorizationType !== apigateway.AuthorizationType.COGNITO) {
    Validations.of(method).acknowledge({
      id: 'AwsSolutions-COG4',
      reason: `Callers are checked by ${a.description} instead of a Cognito user pool authorizer.`,
    });
  }
}
