/**
 * ContainerFunction's template: an image function behind the Lambda Web Adapter, with versions,
 * live and preview aliases, warm capacity, alarms and routes exactly as zip functions get them.
 * Synth runs esbuild for real and stages the image context, with no Docker daemon anywhere.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { resolveContainers, type ContainerInput, type ResolvedContainer } from '../../../lib/declaration/container';
import { BUNDLE_OUTFILE, ContainerFunction, LAMBDA_WEB_ADAPTER_VERSION } from '../../../lib/constructs/container-function';
import { ApiRoutes } from '../../../lib/constructs/api-routes';
import { containerFunctionProps } from '../../../lib/stacks/construct-props';
import { readProject } from '../../../lib/project';
import { CDK_CONTEXT, NO_CFN_VALIDATION, NO_BUNDLING, REPO_ROOT } from '../support/platform-fixture';
import { sharedBuilds, type SharedBuild } from '../support/shared-builds';
import { call, killLeftoverServers, startTodoServer } from './todo-scenario';

const TODO: ContainerInput = { bundle: { entry: 'src/server.ts' }, bucket: { environmentVariable: 'TODO_BUCKET' } };

function resolved(todo: ContainerInput = TODO, projectRoot = REPO_ROOT): ResolvedContainer {
  const { containers, problems } = resolveContainers(
    { api: { auth: { kind: 'iam' } }, containers: { todo } },
    'dev',
    readProject(projectRoot),
  );
  expect(problems).toEqual([]);
  return containers[0];
}

interface Built {
  readonly app: App;
  readonly stack: Stack;
  readonly container: ContainerFunction;
  readonly template: Template;
  readonly outdir: string;
}

/**
 * App + Stack + the container + its routes on an imported API, as a function stack wires them.
 * Tests asking for the same declaration share one build (shared-builds.ts); one with its own
 * project folder, whose files it changes between builds, always gets a new one.
 */
const build: SharedBuild<[declaration?: ResolvedContainer, options?: BuildOptions], Built> = sharedBuilds(
  (declaration: ResolvedContainer = resolved(), options: BuildOptions = {}) => buildFresh(declaration, options),
  (declaration = resolved(), options = {}) => (options.projectRoot ? undefined : JSON.stringify([declaration, options])),
);

interface BuildOptions {
  readonly projectRoot?: string;
  readonly nag?: boolean;
}

function buildFresh(declaration: ResolvedContainer, options: BuildOptions): Built {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'faas-container-test-'));
  const app = new App({ outdir, ...NO_CFN_VALIDATION, context: { ...CDK_CONTEXT, ...NO_BUNDLING } });
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  const stack = new Stack(app, 'test-dev');
  const container = new ContainerFunction(
    stack,
    'Container-todo',
    containerFunctionProps(declaration, { projectRoot: options.projectRoot ?? REPO_ROOT, namePrefix: 'test-dev' }),
  );
  const api = new ApiRoutes(stack, 'Api', {
    stage: 'dev',
    attributes: { restApiId: 'api', rootResourceId: 'root', previewResourceId: 'preview', requestValidatorId: 'validator' },
  });
  const authorization = { authorizationType: apigateway.AuthorizationType.IAM, description: 'IAM' };
  for (const route of declaration.routes)
    api.addRoute({
      functionName: declaration.name,
      method: route.method,
      path: route.path,
      live: container.live,
      preview: container.preview,
      authorization,
    });
  return { app, stack, container, template: Template.fromStack(stack), outdir };
}

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** The alias (by Name) whose ARN a value references, if any. */
function aliasNameOf(resources: Resources, value: unknown): string | undefined {
  const refs =
    JSON.stringify(value)
      .match(/"Ref":"([A-Za-z0-9]+)"/g)
      ?.map((r) => r.slice(7, -1)) ?? [];
  const alias = refs.map((id) => resources[id]).find((r) => r?.Type === 'AWS::Lambda::Alias');
  return alias?.Properties.Name as string | undefined;
}

/** The base stack's resources, imported by id: the root and /preview. */
const imported = (id: string): string => (id === 'preview' ? '/preview' : '');

/** "ANY /todo/{proxy+}" → alias name, for every API method. */
function routeTable(template: Template): Record<string, string | undefined> {
  const resources = template.toJSON().Resources as Resources;
  const pathOf = (id: string): string => {
    const r = resources[id];
    if (r?.Type !== 'AWS::ApiGateway::Resource') return '';
    const parent = r.Properties.ParentId as { Ref?: string } | string;
    return `${typeof parent === 'string' ? imported(parent) : pathOf(parent.Ref!)}/${r.Properties.PathPart as string}`;
  };
  const table: Record<string, string | undefined> = {};
  for (const method of Object.values(resources).filter((r) => r.Type === 'AWS::ApiGateway::Method')) {
    const resourceId = method.Properties.ResourceId as { Ref?: string } | string;
    const resourcePath = typeof resourceId === 'string' ? imported(resourceId) || '/' : pathOf(resourceId.Ref!);
    const key = `${method.Properties.HttpMethod as string} ${resourcePath}`;
    table[key] = aliasNameOf(resources, (method.Properties.Integration as { Uri: unknown }).Uri);
  }
  return table;
}

/** The image asset of the one container function, from the assets manifest: its hash and its staged build context. */
function imageAsset(built: Built): { hash: string; dir: string; platform?: string } {
  const assembly = built.app.synth();
  const manifest = assembly.artifacts.find((a): a is cxapi.AssetManifestArtifact => a instanceof cxapi.AssetManifestArtifact);
  expect(manifest).toBeDefined();
  const { dockerImages } = JSON.parse(fs.readFileSync(manifest!.file, 'utf8')) as {
    dockerImages: Record<string, { source: { directory: string; platform?: string } }>;
  };
  const images = Object.entries(dockerImages);
  expect(images).toHaveLength(1);
  const [hash, { source }] = images[0];
  return { hash, dir: path.join(built.outdir, source.directory), platform: source.platform };
}

describe('ContainerFunction', () => {
  test('an image function: PackageType Image on arm64, no handler or runtime', () => {
    // GIVEN / WHEN
    const { template } = build();

    // THEN
    template.hasResourceProperties('AWS::Lambda::Function', {
      PackageType: 'Image',
      Code: { ImageUri: Match.anyValue() },
      Architectures: ['arm64'],
      Handler: Match.absent(),
      Runtime: Match.absent(),
      MemorySize: 256,
      Timeout: 10,
      TracingConfig: { Mode: 'Active' },
    });
  });

  test('the adapter settings come from the declaration: port, readiness path over http, base paths', () => {
    // GIVEN a container on port 3000 with a custom readiness path
    const { template } = build(resolved({ ...TODO, port: 3000, healthPath: '/ready' }));

    // THEN
    template.hasResourceProperties('AWS::Lambda::Function', {
      PackageType: 'Image',
      Environment: {
        Variables: Match.objectLike({
          PORT: '3000',
          AWS_LWA_PORT: '3000',
          AWS_LWA_READINESS_CHECK_PATH: '/ready',
          AWS_LWA_READINESS_CHECK_PROTOCOL: 'http',
          AWS_LWA_READINESS_CHECK_HEALTHY_STATUS: '200-299',
          AWS_LWA_ERROR_STATUS_CODES: '500-599',
          FAAS_BASE_PATHS: '/preview/todo,/todo',
          TODO_BUCKET: { Ref: Match.stringLikeRegexp('Bucket') },
        }),
      },
    });
  });

  test('defaults: port 8080 and /healthz', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ AWS_LWA_PORT: '8080', AWS_LWA_READINESS_CHECK_PATH: '/healthz' }) },
    });
  });

  test('command and args override the image ENTRYPOINT and CMD (FC: command / args)', () => {
    const { template } = build(resolved({ ...TODO, command: ['node', '--enable-source-maps'], args: ['server.js'] }));
    template.hasResourceProperties('AWS::Lambda::Function', {
      ImageConfig: { EntryPoint: ['node', '--enable-source-maps'], Command: ['server.js'] },
    });
  });

  test('without command and args the Dockerfile decides', () => {
    build().template.hasResourceProperties('AWS::Lambda::Function', { PackageType: 'Image', ImageConfig: Match.absent() });
  });

  test('platform settings win over the same names in environment', () => {
    // GIVEN a declaration that bypassed validation (resolveContainers rejects these names)
    const declaration: ResolvedContainer = { ...resolved(), environment: { AWS_LWA_PORT: '1', PORT: '1', KEEP: 'me' } };

    // THEN
    build(declaration).template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ AWS_LWA_PORT: '8080', PORT: '8080', KEEP: 'me' }) },
    });
  });

  test('a retained version, the live alias planned at deploy time, and a preview alias on the newest version', () => {
    const { template } = build();
    template.hasResource('AWS::Lambda::Version', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.hasResourceProperties('Custom::FaasLiveAliasState', { AliasName: 'live', InitialWeight: '0' });
    template.hasResourceProperties('AWS::Lambda::Alias', {
      Name: 'live',
      FunctionVersion: { 'Fn::GetAtt': [Match.stringLikeRegexp('LiveState'), 'FunctionVersion'] },
      RoutingConfig: { AdditionalVersionWeights: { 'Fn::GetAtt': [Match.stringLikeRegexp('LiveState'), 'AdditionalVersionWeights'] } },
      ProvisionedConcurrencyConfig: Match.absent(),
    });
    template.hasResourceProperties('AWS::Lambda::Alias', {
      Name: 'preview',
      FunctionVersion: { 'Fn::GetAtt': [Match.stringLikeRegexp('FunctionCurrentVersion'), 'Version'] },
    });
  });

  test('routes: ANY /todo and ANY /todo/{proxy+} to the live alias; their /preview twins to the preview alias', () => {
    expect(routeTable(build().template)).toEqual({
      'ANY /todo': 'live',
      'ANY /todo/{proxy+}': 'live',
      'ANY /preview/todo': 'preview',
      'ANY /preview/todo/{proxy+}': 'preview',
    });
  });

  test('declared routes replace the defaults', () => {
    const table = routeTable(build(resolved({ ...TODO, routes: [{ method: 'ANY', path: '/api/{proxy+}' }] })).template);
    expect(table).toEqual({ 'ANY /api/{proxy+}': 'live', 'ANY /preview/api/{proxy+}': 'preview' });
  });

  test("alarms on the live alias with the platform's stable names", () => {
    const { template, container } = build();
    expect(container.alarms.names).toEqual([
      'test-dev-todo-live-errors',
      'test-dev-todo-live-throttles',
      'test-dev-todo-live-p99-duration',
    ]);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'test-dev-todo-live-p99-duration',
      Threshold: 8000,
      Dimensions: Match.arrayWith([{ Name: 'Resource', Value: Match.anyValue() }]),
    });
  });

  test('warm capacity: provisioned concurrency on the live alias through Application Auto Scaling', () => {
    const { template } = build(resolved({ ...TODO, warm: { provisioned: 1, max: 4 }, reservedConcurrency: 10 }));
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ScalableDimension: 'lambda:function:ProvisionedConcurrency',
      ResourceId: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['function:', Match.stringLikeRegexp(':live$')])] }),
      MinCapacity: 1,
      MaxCapacity: 4,
    });
    template.hasResourceProperties('AWS::Lambda::Function', { PackageType: 'Image', ReservedConcurrentExecutions: 10 });
  });

  test('codedeploy mode hands the shift to a deployment group watching the alarms', () => {
    const { template } = build(resolved({ ...TODO, release: { mode: 'codedeploy', deploymentConfig: 'linear-10-1m' } }));
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentConfigName: 'CodeDeployDefault.LambdaLinear10PercentEvery1Minute',
      AlarmConfiguration: Match.objectLike({ Enabled: true }),
    });
    template.resourceCountIs('Custom::FaasLiveAliasState', 0);
  });

  test('the state bucket: encrypted, private, TLS only, retained, read/write for the function only', () => {
    const { template } = build();
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      }),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: Match.arrayWith(['s3:DeleteObject*', 's3:GetObject*', 's3:List*', 's3:PutObject']),
            Resource: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('Bucket'), 'Arn'] }, Match.anyValue()],
          }),
        ]),
      },
    });
  });

  test('no bucket unless declared', () => {
    build(resolved({ bundle: { entry: 'src/server.ts' } })).template.resourceCountIs('AWS::S3::Bucket', 0);
  });

  test('cdk-nag (AwsSolutions + Serverless): zero unacknowledged findings, with bucket, warm capacity and codedeploy', () => {
    expect(() =>
      build(resolved({ ...TODO, warm: { provisioned: 1, max: 2 }, reservedConcurrency: 5 }), { nag: true }).app.synth(),
    ).not.toThrow();
    expect(() => build(resolved({ ...TODO, release: { mode: 'codedeploy' } }), { nag: true }).app.synth()).not.toThrow();
  });
});

describe('the image asset', () => {
  const dockerBefore = process.env.CDK_DOCKER;
  beforeAll(() => {
    // Any attempt to run Docker during synth would fail loudly.
    process.env.CDK_DOCKER = path.join(os.tmpdir(), 'no-docker-here');
  });
  afterAll(async () => {
    await killLeftoverServers();
    if (dockerBefore === undefined) delete process.env.CDK_DOCKER;
    else process.env.CDK_DOCKER = dockerBefore;
  });

  test('synth needs no Docker: the context is staged with the Dockerfile and the esbuild bundle, nothing else', () => {
    // GIVEN no Docker (CDK_DOCKER points nowhere; this machine has no daemon either)
    // WHEN
    const asset = imageAsset(build());

    // THEN the image is built for the function's architecture, at deploy
    expect(asset.platform).toBe('linux/arm64');
    // AND the build context holds what the Dockerfile COPYs (the .dockerignore keeps sources out)
    expect(fs.readdirSync(asset.dir).sort()).toEqual(['.dockerignore', 'Dockerfile', 'dist']);
    expect(fs.readdirSync(path.join(asset.dir, 'dist'))).toEqual(['server.js']);
    expect(fs.statSync(path.join(asset.dir, BUNDLE_OUTFILE)).size).toBeGreaterThan(10000);
  });

  test('the example Dockerfile copies the pinned adapter into /opt/extensions and has no RUN step', () => {
    const dockerfile = fs.readFileSync(path.join(REPO_ROOT, 'containers', 'todo', 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain(
      `COPY --from=public.ecr.aws/awsguru/aws-lambda-adapter:${LAMBDA_WEB_ADAPTER_VERSION} /lambda-adapter /opt/extensions/lambda-adapter`,
    );
    expect(dockerfile).toContain(`COPY ${BUNDLE_OUTFILE} ./server.js`);
    expect(dockerfile).not.toMatch(/^RUN /m);
    Annotations.fromStack(build().stack).hasNoWarning('*', Match.anyValue());
  });

  test('an unchanged server keeps its image hash (no new version); a README does not change it; code does', () => {
    // GIVEN a copy of the project's todo container, synthesized once
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'faas-container-project-'));
    fs.cpSync(path.join(REPO_ROOT, 'containers', 'todo'), path.join(root, 'containers', 'todo'), { recursive: true });
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
    const hashOf = () => imageAsset(build(resolved(TODO, root), { projectRoot: root })).hash;
    const first = hashOf();

    // WHEN synthesized again, then with a README added, then with a code change
    const again = hashOf();
    fs.writeFileSync(path.join(root, 'containers', 'todo', 'README.md'), '# notes\n');
    const withReadme = hashOf();
    fs.appendFileSync(path.join(root, 'containers', 'todo', 'src', 'server.ts'), "\nlog('info', 'changed');\n");
    const changed = hashOf();

    // THEN
    expect({ again, withReadme }).toEqual({ again: first, withReadme: first });
    expect(changed).not.toBe(first);
  });

  test('a Dockerfile without the adapter is flagged at synth', () => {
    // GIVEN a container whose Dockerfile forgot the adapter
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'faas-container-project-'));
    fs.mkdirSync(path.join(root, 'containers', 'todo'), { recursive: true });
    fs.writeFileSync(
      path.join(root, 'containers', 'todo', 'Dockerfile'),
      'FROM public.ecr.aws/docker/library/node:24-slim\nCMD ["node", "server.js"]\n',
    );

    // WHEN
    const { stack } = build(resolved({}, root), { projectRoot: root });

    // THEN
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('does not copy the Lambda Web Adapter'));
  });

  test('the staged bundle is the server: it starts under plain node, answers /healthz and stops on SIGTERM', async () => {
    // GIVEN the dist/server.js the image will run
    const asset = imageAsset(build());

    // WHEN started the way the image starts it (no ts-node, no node_modules: the SDK is inside)
    const server = await startTodoServer({ entry: path.join(asset.dir, BUNDLE_OUTFILE), env: { TODO_BUCKET: 'unused' } });

    // THEN
    expect((await call(server, 'GET', '/todo/healthz')).status).toBe(200);
    await expect(server.stop('SIGTERM')).resolves.toBe(0);
  }, 30000);
});
