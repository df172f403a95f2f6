/**
 * Who may call a route: the declaration's `auth` (routes, queue endpoints, containers, api.auth
 * and its stage override), what synth refuses, and what API Gateway gets — per auth kind, on the
 * live route and its /preview twin alike — with cdk-nag told only what the declaration says.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import faasConfig from '../../faas.config';
import { ApiRoutes, type RouteAuthorization } from '../../lib/constructs/api-routes';
import { resolvePlatformWithContainers } from '../../lib/declaration/container';
import { DeclarationError, resolvePlatform, type ProjectView } from '../../lib/declaration/resolve';
import type { PlatformInput } from '../../lib/declaration/schema';
import { build, hello } from './support/platform-fixture';

const project: ProjectView = { layers: ['shared'], fileExists: () => true };
const USER_POOL = 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123';
const PUBLIC = { kind: 'none', reason: 'public health check: no data behind it' } as const;

function problems(input: unknown, stage = 'dev'): string {
  try {
    resolvePlatformWithContainers(input, stage, project);
  } catch (error) {
    if (error instanceof DeclarationError) return error.message;
    throw error;
  }
  throw new Error('expected a DeclarationError, but the declaration resolved');
}

describe('declaring auth', () => {
  test("a route takes its own auth, else the stage's api.auth, else the app's", () => {
    // GIVEN an app default of iam, replaced by apiKey in prod, and one route with its own auth
    const input: PlatformInput = {
      app: 'demo',
      api: { auth: { kind: 'iam' } },
      functions: {
        hello: {
          routes: [
            { method: 'GET', path: '/a' },
            { method: 'GET', path: '/b', auth: PUBLIC },
          ],
        },
        worker: { queue: {} },
      },
      stages: { dev: {}, prod: { api: { auth: { kind: 'apiKey' } } } },
    };

    // WHEN
    const dev = resolvePlatform(input, 'dev', project);
    const prod = resolvePlatform(input, 'prod', project);

    // THEN
    expect(dev.functions[0].routes.map((r) => r.auth?.kind)).toEqual(['iam', 'none']);
    expect(prod.functions[0].routes.map((r) => r.auth?.kind)).toEqual(['apiKey', 'none']);
    expect(dev.functions[1].queue?.auth).toEqual({ kind: 'iam' });
    expect(prod.functions[1].queue?.auth).toEqual({ kind: 'apiKey' });
  });

  test("a container's auth covers its default routes; a route of its own wins", () => {
    const platform = resolvePlatformWithContainers(
      {
        app: 'demo',
        functions: { hello: {} },
        containers: {
          todo: { auth: { kind: 'iam' } },
          web: { routes: [{ method: 'GET', path: '/web', auth: PUBLIC }], auth: { kind: 'apiKey' } },
        },
      },
      'dev',
      project,
    );
    expect(platform.containers.map((c) => c.routes.map((r) => `${r.method} ${r.path} ${r.auth?.kind}`))).toEqual([
      ['ANY /todo iam', 'ANY /todo/{proxy+} iam'],
      ['GET /web none'],
    ]);
  });

  test('synth lists every route whose auth nobody decided, with the fix, in every stage', () => {
    // GIVEN no api.auth: two routes, a queue endpoint and a container say nothing
    const input = {
      app: 'demo',
      functions: {
        hello: {
          routes: [
            { method: 'GET', path: '/a' },
            { method: 'GET', path: '/b', auth: PUBLIC },
            { method: 'POST', path: '/c' },
          ],
        },
        worker: { queue: {} },
      },
      containers: { todo: {} },
      stages: { dev: {}, prod: {} },
    };

    // WHEN
    const message = problems(input);

    // THEN one line each, naming the route and the three ways out
    const fix =
      "fix: add auth to it (e.g. { kind: 'iam' } or { kind: 'apiKey' }), " +
      'set api.auth (or stages.dev.api.auth) as the default for every route, ' +
      "or declare it public with { kind: 'none', reason: '…' }";
    expect(message).toContain(
      'function "hello", field "routes[0].auth": got nothing — route GET /a has no auth and no default applies, ' +
        `so it would be open to anyone; ${fix}`,
    );
    expect(message).toContain('function "hello", field "routes[2].auth": got nothing — route POST /c has no auth');
    expect(message).toContain('function "worker", field "queue.auth": got nothing — the jobs endpoint POST /worker/jobs has no auth');
    expect(message).toContain(
      'field "containers.todo.auth": got nothing — container "todo" (routes ANY /todo, ANY /todo/{proxy+}) has no auth',
    );
    expect(message).not.toContain('routes[1].auth');
    // Every stage is checked: prod's lines name prod's override as a way out.
    expect(message).toContain('field "routes[0].auth" (stage "prod"): got nothing');
    expect(message).toContain('stages.prod.api.auth');
  });

  test.each<[string, unknown, RegExp]>([
    [
      'an authorizer naming no declared function',
      { kind: 'authorizer', function: 'gatekeepr' },
      /field "routes\[0\]\.auth\.function": got "gatekeepr" — no function "gatekeepr" is declared; fix: name one of hello, gatekeeper/,
    ],
    [
      'a function authorizing its own route',
      { kind: 'authorizer', function: 'hello' },
      /field "routes\[0\]\.auth\.function": got "hello" — a function cannot authorize its own routes/,
    ],
    [
      'scopes without cognito',
      { kind: 'iam', scopes: ['orders/read'] },
      new RegExp(
        /field "routes\[0\]\.auth\.scopes": got \["orders\/read"\] — scopes applies to kind "cognito" only; /.source +
          /fix: remove scopes, or use \{ kind: 'cognito', userPoolArn, scopes \}/.source,
      ),
    ],
    [
      'a public route without a reason',
      { kind: 'none' },
      /field "routes\[0\]\.auth\.reason": got nothing — a public route needs a reason; fix: say why anyone may call it/,
    ],
    [
      'a reason that says nothing',
      { kind: 'none', reason: 'public' },
      /field "routes\[0\]\.auth\.reason": got "public" — reason must say why anyone may call the route \(at least 20 characters\)/,
    ],
    [
      'an unknown kind',
      { kind: 'jwt' },
      /field "routes\[0\]\.auth(\.kind)?": got .* — auth must be \{ kind: "iam" \} \| .*fix: pick one of these kinds/,
    ],
    [
      'a cognito ARN that is not a user pool',
      { kind: 'cognito', userPoolArn: 'arn:aws:iam::123456789012:role/x' },
      /field "routes\[0\]\.auth\.userPoolArn": got .* — userPoolArn must be a Cognito user pool ARN/,
    ],
    [
      'a token authorizer reading two sources',
      { kind: 'authorizer', function: 'gatekeeper', identitySource: ['method.request.header.A', 'method.request.header.B'] },
      /field "routes\[0\]\.auth\.identitySource": got .* — a token authorizer reads exactly one header/,
    ],
    [
      'a cache longer than API Gateway keeps',
      { kind: 'authorizer', function: 'gatekeeper', cacheTtlSeconds: 7200 },
      /field "routes\[0\]\.auth\.cacheTtlSeconds": got 7200 — cacheTtlSeconds must be from 0 to 3600/,
    ],
  ])('refuses %s, naming function, field, value and fix', (_name, auth, expected) => {
    const input = { app: 'demo', functions: { hello: { routes: [{ method: 'GET', path: '/a', auth }] }, gatekeeper: {} } };
    expect(problems(input)).toMatch(expected);
  });

  test.each<[string, unknown, RegExp]>([
    [
      "a body limit above SQS's",
      { auth: { kind: 'apiKey' }, maxBodyBytes: 2_000_000 },
      /field "queue\.maxBodyBytes": got 2000000 — queue\.maxBodyBytes must be from 1024 to 1048576/,
    ],
    [
      'a body schema without a type',
      { auth: { kind: 'apiKey' }, bodySchema: { required: ['id'] } },
      /field "queue\.bodySchema": got .* — bodySchema needs a top-level "type"/,
    ],
    [
      'a body schema in a draft API Gateway does not speak',
      { auth: { kind: 'apiKey' }, bodySchema: { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' } },
      /API Gateway models are JSON Schema draft 4/,
    ],
  ])('refuses %s on a queue endpoint', (_name, queue, expected) => {
    expect(problems({ app: 'demo', functions: { worker: { queue } } })).toMatch(expected);
  });

  test('an app-wide authorizer that names no function is reported once, on api.auth', () => {
    const message = problems({
      app: 'demo',
      api: { auth: { kind: 'authorizer', function: 'nobody' } },
      functions: { hello: { routes: [{ method: 'GET', path: '/a' }] } },
    });
    expect(message).toMatch(/field "api\.auth\.function": got "nobody" — no function "nobody" is declared/);
    expect(message.match(/nobody" is declared/g)).toHaveLength(1);
  });

  test('the example app decides every route: one public, the rest protected', () => {
    for (const stage of ['dev', 'prod']) {
      const platform = resolvePlatformWithContainers(faasConfig, stage, project);
      const kinds = [
        ...platform.functions.flatMap((f) => [
          ...f.routes.map((r) => `${r.method} ${r.path}: ${r.auth?.kind}`),
          ...(f.queue ? [`POST /${f.name}/jobs: ${f.queue.auth?.kind}`] : []),
        ]),
        ...platform.containers.flatMap((c) => c.routes.map((r) => `${r.method} ${r.path}: ${r.auth?.kind}`)),
      ];
      expect(kinds).toEqual([
        'GET /hello: none',
        'GET /hello/team: authorizer',
        'GET /hello/internal: iam',
        'POST /worker/jobs: apiKey',
        'ANY /todo: iam',
        'ANY /todo/{proxy+}: iam',
      ]);
    }
  });
});

describe('what API Gateway gets', () => {
  // One synth for every kind: it bundles real handlers, so it is shared by the tests below.
  const built = build({
    app: 'auth',
    api: { auth: { kind: 'iam' }, usagePlan: { rateLimit: 5, burstLimit: 10, quota: { limit: 1000, period: 'WEEK' } } },
    functions: {
      hello: hello({
        routes: [
          { method: 'GET', path: '/open', auth: PUBLIC },
          { method: 'GET', path: '/signed' },
          { method: 'GET', path: '/pool', auth: { kind: 'cognito', userPoolArn: USER_POOL, scopes: ['orders/read'] } },
          { method: 'GET', path: '/token', auth: { kind: 'authorizer', function: 'gatekeeper', cacheTtlSeconds: 60 } },
          { method: 'GET', path: '/token2', auth: { kind: 'authorizer', function: 'gatekeeper', cacheTtlSeconds: 60 } },
          {
            method: 'GET',
            path: '/request',
            auth: {
              kind: 'authorizer',
              function: 'gatekeeper',
              type: 'request',
              identitySource: ['method.request.header.X-Team', 'context.sourceIp'],
              cacheTtlSeconds: 0,
            },
          },
          { method: 'GET', path: '/keyed', auth: { kind: 'apiKey' } },
        ],
      }),
      gatekeeper: { entry: 'functions/gatekeeper/index.ts' },
      worker: {
        entry: 'functions/worker/index.ts',
        timeoutSeconds: 20,
        queue: { auth: { kind: 'apiKey' }, maxBodyBytes: 4096, bodySchema: { type: 'object', required: ['id'] } },
      },
    },
  });
  const resources = built.template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
  const pathOf = (resourceRef: unknown): string => {
    const parts: string[] = [];
    let ref = resourceRef as { Ref?: string } | string;
    while (typeof ref === 'object' && ref.Ref && resources[ref.Ref]?.Type === 'AWS::ApiGateway::Resource') {
      const r = resources[ref.Ref].Properties;
      parts.unshift(r.PathPart as string);
      ref = r.ParentId as { Ref?: string };
    }
    return `/${parts.join('/')}`;
  };
  /** "GET /open" and "GET /preview/open"-style keys → the method's properties (the imported /preview is not in this template). */
  const methods = new Map<string, Record<string, unknown>>(
    Object.values(resources)
      .filter((r) => r.Type === 'AWS::ApiGateway::Method')
      .map((r) => {
        const preview =
          JSON.stringify(r.Properties.ResourceId).includes('Preview') || JSON.stringify(r.Properties.ResourceId).includes('preview');
        return [`${r.Properties.HttpMethod} ${preview ? '/preview' : ''}${pathOf(r.Properties.ResourceId)}`, r.Properties];
      }),
  );
  const method = (key: string) => {
    const found = methods.get(key);
    if (!found) throw new Error(`no method ${key}; methods: ${[...methods.keys()].join(', ')}`);
    return found;
  };

  test.each([
    ['GET /open', 'NONE', false],
    ['GET /signed', 'AWS_IAM', false],
    ['GET /pool', 'COGNITO_USER_POOLS', false],
    ['GET /token', 'CUSTOM', false],
    ['GET /request', 'CUSTOM', false],
    ['GET /keyed', 'NONE', true],
    ['POST /worker/jobs', 'NONE', true],
  ])('%s: AuthorizationType %s, ApiKeyRequired %s, on live and /preview alike', (key, type, keyRequired) => {
    expect(method(key)).toMatchObject({ AuthorizationType: type, ApiKeyRequired: keyRequired });
    if (!key.includes('/jobs')) {
      const [verb, path] = key.split(' ');
      const preview = method(`${verb} /preview${path}`);
      expect({
        type: preview.AuthorizationType,
        key: preview.ApiKeyRequired,
        authorizer: preview.AuthorizerId,
        scopes: preview.AuthorizationScopes,
      }).toEqual({
        type: method(key).AuthorizationType,
        key: method(key).ApiKeyRequired,
        authorizer: method(key).AuthorizerId,
        scopes: method(key).AuthorizationScopes,
      });
    }
  });

  test('cognito routes carry the pool and the scopes', () => {
    expect(method('GET /pool').AuthorizationScopes).toEqual(['orders/read']);
    built.template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'COGNITO_USER_POOLS',
      ProviderARNs: [USER_POOL],
      IdentitySource: 'method.request.header.Authorization',
    });
  });

  test('lambda authorizers: one per setting, shared by routes, invoking the live alias, with the declared cache', () => {
    const authorizers = built.template.findResources('AWS::ApiGateway::Authorizer');
    const lambdaOnes = Object.entries(authorizers).filter(([, r]) => r.Properties.Type !== 'COGNITO_USER_POOLS');
    expect(
      lambdaOnes.map(([, r]) => [r.Properties.Type, r.Properties.IdentitySource, r.Properties.AuthorizerResultTtlInSeconds]).sort(),
    ).toEqual([
      ['REQUEST', 'method.request.header.X-Team,context.sourceIp', 0],
      ['TOKEN', 'method.request.header.Authorization', 60],
    ]);
    // /token and /token2 share one authorizer.
    expect(method('GET /token').AuthorizerId).toEqual(method('GET /token2').AuthorizerId);
    // The authorizer calls the gatekeeper's live alias, which lets API Gateway invoke it.
    const uri = JSON.stringify(lambdaOnes[0][1].Properties.AuthorizerUri);
    const liveAlias = Object.entries(resources).find(
      ([, r]) =>
        r.Type === 'AWS::Lambda::Alias' && r.Properties.Name === 'live' && JSON.stringify(r.Properties.FunctionName).includes('gatekeeper'),
    );
    expect(liveAlias).toBeDefined();
    expect(uri).toContain(liveAlias![0]);
    built.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { Ref: liveAlias![0] },
      Principal: 'apigateway.amazonaws.com',
    });
  });

  test('API-key routes get a usage plan on the stage with the declared limits, and a key in it', () => {
    const api = built.apiTemplate!;
    api.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: 5, BurstLimit: 10 },
      Quota: { Limit: 1000, Period: 'WEEK' },
      ApiStages: [Match.objectLike({ Stage: Match.anyValue() })],
    });
    api.resourceCountIs('AWS::ApiGateway::ApiKey', 1);
    api.resourceCountIs('AWS::ApiGateway::UsagePlanKey', 1);
    expect(Object.keys(api.findOutputs('ApiKeyId'))).toEqual(['ApiKeyId']);
  });

  test('an app without API-key routes has no usage plan and no key', () => {
    const plain = build({ app: 'nokey', api: { auth: { kind: 'iam' } }, functions: { hello: hello() } });
    plain.apiTemplate!.resourceCountIs('AWS::ApiGateway::UsagePlan', 0);
    plain.apiTemplate!.resourceCountIs('AWS::ApiGateway::ApiKey', 0);
  });

  test("a queue endpoint checks the body: the schema as a model, the size as the queue's maximum message size", () => {
    built.template.hasResourceProperties('AWS::ApiGateway::Model', {
      ContentType: 'application/json',
      Schema: { type: 'object', required: ['id'] },
    });
    expect(method('POST /worker/jobs').RequestModels).toEqual({ 'application/json': { Ref: expect.stringMatching(/^ApiJobBodyworker/) } });
    built.template.hasResourceProperties('AWS::SQS::Queue', { MaximumMessageSize: 4096 });
    built.baseTemplate.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'BAD_REQUEST_BODY', StatusCode: '400' });
  });

  test('cdk-nag is told, per method, only what the declaration says', () => {
    const acknowledged = (key: string): Record<string, string> => {
      const [verb, path] = key.split(' ');
      const construct = built.stack.node
        .findAll()
        .find((c) => c instanceof apigateway.Method && c.httpMethod === verb && c.resource.path === path);
      if (!construct) throw new Error(`no method ${key}`);
      const data = construct.node.metadata
        .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .map((m) => m.data as Record<string, string>);
      return Object.assign({}, ...data) as Record<string, string>;
    };
    expect(acknowledged('GET /open')['Annotation::AwsSolutions-APIG4']).toBe(
      'Declared public in faas.config.ts: public health check: no data behind it',
    );
    expect(acknowledged('GET /keyed')['Annotation::AwsSolutions-APIG4']).toMatch(/^Declared apiKey in faas.config.ts/);
    for (const key of ['GET /signed', 'GET /pool', 'GET /token'])
      expect(acknowledged(key)['Annotation::AwsSolutions-APIG4']).toBeUndefined();
    expect(acknowledged('GET /pool')['Annotation::AwsSolutions-COG4']).toBeUndefined();
    expect(acknowledged('GET /signed')['Annotation::AwsSolutions-COG4']).toMatch(/IAM \(SigV4/);
  });
});

test("in the example app's prod stage, the only methods without authorization are the route declared public and the API-key one", () => {
  const prod = build(faasConfig, { stage: 'prod' });
  const open = Object.values(prod.template.findResources('AWS::ApiGateway::Method'))
    .filter((m) => m.Properties.AuthorizationType === 'NONE')
    .map((m) => {
      const resource = JSON.stringify(m.Properties.ResourceId).match(/"Ref":"(Api\w+?)[0-9A-F]{8}"/)?.[1];
      return `${m.Properties.HttpMethod} ${resource} key:${m.Properties.ApiKeyRequired}`;
    })
    .sort();
  expect(open).toEqual(['GET ApiPreviewhello key:false', 'GET Apihello key:false', 'POST Apiworkerjobs key:true']);
});

describe('ApiRoutes on a bare stack', () => {
  function routes(authorization: RouteAuthorization) {
    const app = new App();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const stack = new Stack(app, 'Routes');
    const fn = lambda.Function.fromFunctionArn(stack, 'Fn', 'arn:aws:lambda:eu-west-1:123456789012:function:hello:live');
    const api = new ApiRoutes(stack, 'Api', {
      stage: 'dev',
      attributes: { restApiId: 'api', rootResourceId: 'root', previewResourceId: 'preview', requestValidatorId: 'validator' },
    });
    api.addRoute({ functionName: 'hello', method: 'GET', path: '/hello', live: fn, preview: fn, authorization });
    return () => app.synth();
  }

  test('a method without authorization and without a reason fails synth on APIG4', () => {
    expect(routes({ authorizationType: apigateway.AuthorizationType.NONE, description: 'nobody decided' })).toThrow(/AwsSolutions-APIG4/);
  });

  test('the same method with a reason synthesizes, and so does an IAM one without', () => {
    expect(
      routes({
        authorizationType: apigateway.AuthorizationType.NONE,
        description: 'public',
        noAuthorizationReason: 'public by declaration, for this test',
      }),
    ).not.toThrow();
    const iam = routes({ authorizationType: apigateway.AuthorizationType.IAM, description: 'IAM' });
    expect(iam).not.toThrow();
    Template.fromJSON(iam().getStackByName('Routes').template).hasResourceProperties('AWS::ApiGateway::Method', {
      AuthorizationType: 'AWS_IAM',
      ApiKeyRequired: false,
    });
  });
});
