/**
 * Who may call a route: API Gateway REST's built-in authorization, declared per route, per
 * queue endpoint or per container, with an app-wide default (`api.auth`) that a stage may
 * replace. A route is public only when its effective auth says `none`, with a reason; a route
 * with no effective auth fails synth (`decideAuth`).
 *
 * Plain data like schema.ts: no aws-cdk-lib. lib/stacks/route-auth.ts maps it to API Gateway.
 */
import { z } from 'zod';
import { isRecord } from './names';
import type { DeclarationProblem } from './zod-problems';

/** API Gateway's longest authorizer result cache (1 hour). */
const MAX_AUTHORIZER_TTL_SECONDS = 3600;
/** The header a TOKEN authorizer reads when none is declared. */
export const DEFAULT_TOKEN_SOURCE = 'method.request.header.Authorization';
/** The header API Gateway reads an API key from. */
export const API_KEY_HEADER = 'x-api-key';

const FUNCTION_NAME = /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/;
const USER_POOL_ARN = /^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool\/[\w-]+_[0-9a-zA-Z]+$/;
// API Gateway's identity sources: request headers, query strings, stage variables and context values.
const IDENTITY_SOURCE = /^(method\.request\.(header|querystring)\.[A-Za-z0-9_.-]+|stageVariables\.[A-Za-z0-9_]+|context\.[A-Za-z0-9_.]+)$/;
const HEADER_SOURCE = /^method\.request\.header\.[A-Za-z0-9_-]+$/;

// Fields that belong to one kind only get a message that says so, instead of "unknown field".
const cognitoOnly = (field: string) =>
  z
    .never({ error: `${field} applies to kind "cognito" only; fix: remove ${field}, or use { kind: 'cognito', userPoolArn, ${field} }` })
    .optional();

const none = z
  .object({
    kind: z.literal('none'),
    /** Why anyone may call the route; kept as the cdk-nag acknowledgement on its methods. */
    reason: z
      .string({
        error:
          'a public route needs a reason; fix: say why anyone may call it (at least 20 characters), ' +
          'e.g. "public greeting: no data behind it"',
      })
      .trim()
      .min(20, { error: 'reason must say why anyone may call the route (at least 20 characters); fix: write the reason out' }),
    scopes: cognitoOnly('scopes'),
  })
  .strict();

const iam = z.object({ kind: z.literal('iam'), scopes: cognitoOnly('scopes') }).strict();

const cognito = z
  .object({
    kind: z.literal('cognito'),
    /** The user pool whose ID or access tokens the route accepts (Authorization header). */
    userPoolArn: z.string({ error: 'cognito auth needs userPoolArn; fix: give the ARN of the user pool' }).regex(USER_POOL_ARN, {
      error:
        'userPoolArn must be a Cognito user pool ARN, arn:aws:cognito-idp:<region>:<account>:userpool/<region>_<id>; fix: copy ' +
        'it from the user pool',
    }),
    /**
     * OAuth scopes an access token must carry (any one of them); with scopes, ID tokens are refused.
     * @default - no scopes: ID tokens of the pool are accepted
     */
    scopes: z
      .array(
        z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, {
          error: 'a scope is printable ASCII without spaces, quotes or backslashes, e.g. "orders/read"',
        }),
      )
      .min(1, { error: 'scopes must list at least one scope; fix: remove scopes to accept ID tokens' })
      .optional(),
  })
  .strict();

const authorizer = z
  .object({
    kind: z.literal('authorizer'),
    /** A function declared in this app; its `live` alias answers API Gateway with an IAM policy. */
    function: z
      .string({ error: 'authorizer auth needs function; fix: name the declared function that authorizes callers' })
      .regex(FUNCTION_NAME, {
        error: 'function must be the name of a function declared in this app',
      }),
    /**
     * `token`: the function receives one header (a bearer token); `request`: it receives the
     * headers, query string and context named in identitySource.
     * @default 'token'
     */
    type: z.enum(['token', 'request'], { error: 'type must be "token" or "request"' }).default('token'),
    /**
     * Where the caller's identity is read from; a missing one is refused with 401 before the
     * function runs. Also the cache key.
     * @default - ['method.request.header.Authorization']
     */
    identitySource: z
      .array(
        z.string().regex(IDENTITY_SOURCE, {
          error:
            'identitySource entries look like "method.request.header.Authorization", "method.request.querystring.token", ' +
            '"stageVariables.x" or "context.x"',
        }),
      )
      .min(1, { error: 'identitySource must name at least one source; fix: e.g. ["method.request.header.Authorization"]' })
      .optional(),
    /**
     * How long API Gateway caches the function's answer per identity; 0 asks the function every time.
     * @default 300
     */
    cacheTtlSeconds: z
      .number({ error: `cacheTtlSeconds must be a whole number from 0 to ${MAX_AUTHORIZER_TTL_SECONDS}` })
      .int({ error: `cacheTtlSeconds must be a whole number from 0 to ${MAX_AUTHORIZER_TTL_SECONDS}` })
      .min(0, { error: `cacheTtlSeconds must be from 0 to ${MAX_AUTHORIZER_TTL_SECONDS} (API Gateway's limit); fix: e.g. 300` })
      .max(MAX_AUTHORIZER_TTL_SECONDS, {
        error: `cacheTtlSeconds must be from 0 to ${MAX_AUTHORIZER_TTL_SECONDS} (API Gateway's limit); fix: e.g. 300`,
      })
      .default(300),
    scopes: cognitoOnly('scopes'),
  })
  .strict();

const apiKey = z.object({ kind: z.literal('apiKey'), scopes: cognitoOnly('scopes') }).strict();

export const authSchema = z.discriminatedUnion('kind', [none, iam, cognito, authorizer, apiKey], {
  error:
    'auth must be { kind: "iam" } | { kind: "cognito", userPoolArn, scopes? } | { kind: "authorizer", function, type? } ' +
    '| { kind: "apiKey" } | { kind: "none", reason }; fix: pick one of these kinds',
});

const positive = (what: string, max: number, fix: string) =>
  z
    .number({ error: `${what} must be a whole number from 1 to ${max}; ${fix}` })
    .int({ error: `${what} must be a whole number from 1 to ${max}; ${fix}` })
    .min(1, { error: `${what} must be from 1 to ${max}; ${fix}` })
    .max(max, { error: `${what} must be from 1 to ${max}; ${fix}` });

/** The usage plan every `apiKey` route's key belongs to: per-key throttling and an optional quota. */
export const usagePlanSchema = z
  .object({
    /**
     * Requests per second one key may make.
     * @default 10
     */
    rateLimit: positive('api.usagePlan.rateLimit', 100000, 'fix: give requests per second per key').default(10),
    /**
     * Requests one key may make in a burst.
     * @default 20
     */
    burstLimit: positive('api.usagePlan.burstLimit', 100000, 'fix: give the burst size per key').default(20),
    /**
     * Requests one key may make per period; more are refused with 429.
     * @default - no quota
     */
    quota: z
      .object({
        limit: positive('api.usagePlan.quota.limit', 1_000_000_000, 'fix: give requests per period per key'),
        period: z.enum(['DAY', 'WEEK', 'MONTH'], { error: 'quota.period must be "DAY", "WEEK" or "MONTH"' }),
      })
      .strict()
      .optional(),
  })
  .strict();

export type AuthDeclaration = z.output<typeof authSchema>;

/** One problem, before the resolver adds the function name. */
export interface AuthProblem {
  readonly field: string;
  readonly value: unknown;
  readonly message: string;
}

/** The fix for a route nobody decided about: what to add, and where. */
export function undecidedAuth(what: string, stage: string): string {
  return (
    `${what} has no auth and no default applies, so it would be open to anyone; ` +
    `fix: add auth to it (e.g. { kind: 'iam' } or { kind: 'apiKey' }), set api.auth (or stages.${stage}.api.auth) as the ` +
    `default for every route, or declare it public with { kind: 'none', reason: '…' }`
  );
}

/**
 * Rules the schema cannot express: an authorizer names a declared function (not itself), a
 * TOKEN authorizer reads exactly one header.
 * @param field where the auth was declared, e.g. "routes[0].auth"
 * @param owner the function or container whose route it guards
 * @param functions every declared zip function
 */
export function checkAuth(auth: AuthDeclaration, field: string, owner: string, functions: readonly string[]): AuthProblem[] {
  if (auth.kind !== 'authorizer') return [];
  const problems: AuthProblem[] = [];
  if (!functions.includes(auth.function)) {
    const known = functions.length > 0 ? `one of ${functions.join(', ')}` : 'a function declared under functions';
    problems.push({
      field: `${field}.function`,
      value: auth.function,
      message: `no function "${auth.function}" is declared; fix: name ${known}, or declare the authorizer function`,
    });
  } else if (auth.function === owner) {
    problems.push({
      field: `${field}.function`,
      value: auth.function,
      message:
        'a function cannot authorize its own routes (API Gateway would call it twice per request with different events); fix: ' +
        'declare a separate authorizer function',
    });
  }
  const sources = auth.identitySource ?? [DEFAULT_TOKEN_SOURCE];
  if (auth.type === 'token' && (sources.length !== 1 || !HEADER_SOURCE.test(sources[0]))) {
    problems.push({
      field: `${field}.identitySource`,
      value: auth.identitySource,
      message:
        'a token authorizer reads exactly one header, e.g. ["method.request.header.Authorization"]; fix: name one header, or ' +
        'use type "request" for several sources',
    });
  }
  return problems;
}

/** One line naming who may call, for outputs, docs and acknowledgement reasons. */
export function describeAuth(auth: AuthDeclaration): string {
  switch (auth.kind) {
    case 'none':
      return `public (${auth.reason})`;
    case 'iam':
      return 'IAM (SigV4-signed requests from principals allowed execute-api:Invoke)';
    case 'cognito':
      return `Cognito user pool ${auth.userPoolArn}${auth.scopes ? ` with scope ${auth.scopes.join(' or ')}` : ''}`;
    case 'authorizer':
      return `${auth.type} authorizer function "${auth.function}" (answers cached ${auth.cacheTtlSeconds} s)`;
    case 'apiKey':
      return `API key of the usage plan (header ${API_KEY_HEADER})`;
  }
}

/**
 * Fills in every route's effective auth — its own, else `defaultAuth` — and reports a route left
 * with none (it would be public without anyone having said so) and authorizers that name no
 * declared function. Returns the routes with `auth` set where it could be decided.
 * @param field the declared field of route i, e.g. "routes[0]" or "queue"
 */
export function decideAuth<R extends { method: string; path: string; auth?: AuthDeclaration }>(
  owner: string,
  routes: readonly R[],
  defaultAuth: AuthDeclaration | 'unknown' | undefined,
  stage: string,
  functions: readonly string[],
  field: (i: number) => string,
  problems: DeclarationProblem[],
  functionName: string | undefined = owner,
): R[] {
  return routes.map((route, i) => {
    const at = `${field(i)}.auth`;
    const what = field(i) === 'queue' ? `the jobs endpoint POST ${route.path}` : `route ${route.method} ${route.path}`;
    if (route.auth) {
      problems.push(...checkAuth(route.auth, at, owner, functions).map((p) => ({ functionName, ...p })));
      return route;
    }
    if (defaultAuth === 'unknown') return route;
    if (!defaultAuth) {
      problems.push({ functionName, field: at, value: undefined, message: undecidedAuth(what, stage) });
      return route;
    }
    if (defaultAuth.kind === 'authorizer' && defaultAuth.function === owner) {
      problems.push({
        functionName,
        field: at,
        value: undefined,
        message: `${what} takes api.auth, whose authorizer is this function itself; fix: give the route its own auth`,
      });
    }
    return { ...route, auth: defaultAuth };
  });
}

/** api.auth of the stage, else of the app, read from a declaration that did not validate as a whole. */
export function declaredDefaultAuth(input: unknown, stage: string): AuthDeclaration | 'unknown' | undefined {
  const root = isRecord(input) ? input : {};
  const stageApi = isRecord(root.stages) && isRecord(root.stages[stage]) && isRecord(root.stages[stage].api) ? root.stages[stage].api : {};
  const api = isRecord(root.api) ? root.api : {};
  const declared = stageApi.auth ?? api.auth;
  if (declared === undefined) return undefined;
  const parsed = authSchema.safeParse(declared);
  return parsed.success ? parsed.data : 'unknown';
}
