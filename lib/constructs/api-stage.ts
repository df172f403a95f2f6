/**
 * The REST API's stage, in the API stack, deployed after every function stack: a deployment is
 * a snapshot of the methods, so it must come last. Stage-wide throttling, JSON access logs,
 * execution logs, metrics, X-Ray.
 */
import { Lazy, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { stageUrl } from './rest-api';

export interface ApiStageProps {
  readonly restApiId: string;
  /** Stage name, e.g. "dev". */
  readonly stageName: string;
  readonly throttleRateLimit: number;
  readonly throttleBurstLimit: number;
  /**
   * Every method of the API, one line each (ApiRoutes.signatures): the deployment's logical id
   * hashes them, so a route change creates a new deployment (the methods live in other stacks,
   * where CDK's own hashing cannot see them).
   */
  readonly methodSignatures: () => readonly string[];
}

export class ApiStage extends Construct {
  readonly stage: apigateway.Stage;
  readonly url: string;

  constructor(scope: Construct, id: string, props: ApiStageProps) {
    super(scope, id);
    const api = apigateway.RestApi.fromRestApiId(this, 'Api', props.restApiId);
    const deployment = new apigateway.Deployment(this, 'Deployment', { api, description: 'faas platform routes' });
    deployment.addToLogicalId(Lazy.list({ produce: () => [...props.methodSignatures()].sort() }));
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.ONE_MONTH });
    this.stage = new apigateway.Stage(this, 'Stage', {
      deployment,
      stageName: props.stageName,
      throttlingRateLimit: props.throttleRateLimit,
      throttlingBurstLimit: props.throttleBurstLimit,
      accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
      accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
      loggingLevel: apigateway.MethodLoggingLevel.ERROR,
      metricsEnabled: true,
      tracingEnabled: true,
    });
    this.url = stageUrl(props.restApiId, props.stageName);

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason: 'WAF is an account-level choice (web ACL and its cost); attach one to the stage with a WebACLAssociation where needed.',
    });
  }
}
