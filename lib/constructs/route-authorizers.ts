/**
 * The API Gateway authorizers one function stack's routes use, each created once however many
 * routes share it: Lambda TOKEN / REQUEST authorizers (with result caching) and Cognito user pool
 * authorizers. An authorizer belongs to one REST API; the routes of this stack all use the same one.
 */
import { createHash } from 'node:crypto';
import type { Duration } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

export interface LambdaAuthorizerOptions {
  /** A short name of the handler for the construct id, e.g. the declared function name. */
  readonly name: string;
  /** The function (alias) that answers API Gateway with an IAM policy. */
  readonly handler: lambda.IFunction;
  /** `token`: one header; `request`: the headers, query strings and context in identitySources. */
  readonly type: 'token' | 'request';
  /** e.g. ["method.request.header.Authorization"]; exactly one header for `token`. */
  readonly identitySources: readonly string[];
  /** How long API Gateway caches an answer per identity; zero turns the cache off. */
  readonly resultsCacheTtl: Duration;
}

export class RouteAuthorizers extends Construct {
  private readonly created = new Map<string, apigateway.IAuthorizer>();

  /** The Lambda authorizer for these options, created on first use. */
  lambda(options: LambdaAuthorizerOptions): apigateway.IAuthorizer {
    const key = JSON.stringify([options.type, options.identitySources, options.resultsCacheTtl.toSeconds()]);
    // The id is stable for a function's usual settings, so changing another route does not replace it.
    const id = `${options.type === 'token' ? 'Token' : 'Request'}-${options.name}-${shortHash(key)}`;
    return this.once(id, () =>
      options.type === 'token'
        ? new apigateway.TokenAuthorizer(this, id, {
            handler: options.handler,
            identitySource: options.identitySources[0],
            resultsCacheTtl: options.resultsCacheTtl,
          })
        : new apigateway.RequestAuthorizer(this, id, {
            handler: options.handler,
            identitySources: [...options.identitySources],
            resultsCacheTtl: options.resultsCacheTtl,
          }),
    );
  }

  /** The Cognito authorizer for a user pool, created on first use. */
  cognito(userPoolArn: string): apigateway.IAuthorizer {
    const id = `Cognito-${shortHash(userPoolArn)}`;
    return this.once(id, () => {
      const pool = cognito.UserPool.fromUserPoolArn(this, `${id}-Pool`, userPoolArn);
      return new apigateway.CognitoUserPoolsAuthorizer(this, id, { cognitoUserPools: [pool] });
    });
  }

  private once(id: string, create: () => apigateway.IAuthorizer): apigateway.IAuthorizer {
    const existing = this.created.get(id);
    if (existing) return existing;
    const authorizer = create();
    this.created.set(id, authorizer);
    return authorizer;
  }
}

const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 8);
