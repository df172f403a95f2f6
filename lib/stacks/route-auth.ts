/**
 * A route's declared auth (lib/declaration/auth.ts) as API Gateway method settings
 * (constructs/api-routes.ts RouteAuthorization); with construct-props.ts, the only code that knows both.
 */
import { Duration } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { DEFAULT_TOKEN_SOURCE, describeAuth, type AuthDeclaration } from '../declaration/auth';
import type { RouteAuthorization } from '../constructs/api-routes';
import type { RouteAuthorizers } from '../constructs/route-authorizers';

export interface RouteAuthContext {
  readonly authorizers: RouteAuthorizers;
  /** The live alias of a declared function (an authorizer), which placement keeps in this stack. */
  readonly liveAliasOf: (functionName: string) => lambda.IFunction;
}

/**
 * @param auth the route's effective auth, always decided by resolution
 * @param what the route, for the error should resolution ever have left it open
 */
export function routeAuthorization(auth: AuthDeclaration | undefined, what: string, context: RouteAuthContext): RouteAuthorization {
  if (!auth)
    throw new Error(
      `${what} reached the stack with no auth decided; resolution reports such routes (lib/declaration/resolve.ts decideAuth)`,
    );
  const description = describeAuth(auth);
  switch (auth.kind) {
    case 'none':
      return {
        authorizationType: apigateway.AuthorizationType.NONE,
        description,
        noAuthorizationReason: `Declared public in faas.config.ts: ${auth.reason}`,
      };
    case 'iam':
      return { authorizationType: apigateway.AuthorizationType.IAM, description };
    case 'cognito':
      return {
        authorizationType: apigateway.AuthorizationType.COGNITO,
        authorizer: context.authorizers.cognito(auth.userPoolArn),
        scopes: auth.scopes,
        description,
      };
    case 'authorizer':
      return {
        authorizationType: apigateway.AuthorizationType.CUSTOM,
        authorizer: context.authorizers.lambda({
          name: auth.function,
          handler: context.liveAliasOf(auth.function),
          type: auth.type,
          identitySources: auth.identitySource ?? [DEFAULT_TOKEN_SOURCE],
          resultsCacheTtl: Duration.seconds(auth.cacheTtlSeconds),
        }),
        description,
      };
    case 'apiKey':
      return {
        authorizationType: apigateway.AuthorizationType.NONE,
        apiKeyRequired: true,
        description,
        noAuthorizationReason:
          'Declared apiKey in faas.config.ts: callers need a key of the usage plan, which throttles and meters each key; a key ' +
          'identifies a caller, it does not authorize one (use iam, cognito or authorizer for that).',
      };
  }
}

/** Whether any of these auths needs the usage plan and its key. */
export function needsApiKey(auths: Iterable<AuthDeclaration | undefined>): boolean {
  return [...auths].some((a) => a?.kind === 'apiKey');
}
