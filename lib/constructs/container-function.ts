/**
 * One declared container: an image function whose server runs behind the AWS Lambda Web Adapter,
 * with the release machinery zip functions get — versions, the `live` alias and its deploy-time
 * state, the `preview` alias, warm capacity and per-alias alarms — by composing the same constructs.
 *
 * The image asset is staged at synth and built only at deploy (`cdk deploy` / `cdk-assets publish`),
 * so synth needs no Docker. Given a bundle entry, esbuild bundles the server
 * into dist/server.js of a staged copy of the folder first, for the Dockerfile to COPY.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Annotations, RemovalPolicy, Tags, Validations, type Duration } from 'aws-cdk-lib';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { buildSync } from 'esbuild';
import { BASE_PATHS_ENV } from '../contract';
import { AliasAlarms } from './alias-alarms';
import { acknowledgeFunctionRole, addFunctionRelease, type FunctionReleaseOptions } from './function-release';
import type { LiveRelease } from './release';
import { NODE_TARGET } from './runtime';
import { WarmCapacity } from './warm-capacity';

/** The adapter release the platform is tested with; Dockerfiles copy /lambda-adapter from this tag. */
export const LAMBDA_WEB_ADAPTER_VERSION = '1.0.0';
const LAMBDA_WEB_ADAPTER_IMAGE = `public.ecr.aws/awsguru/aws-lambda-adapter:${LAMBDA_WEB_ADAPTER_VERSION}`;
/** Where esbuild writes the bundle inside the build context. */
export const BUNDLE_OUTFILE = 'dist/server.js';

export interface ContainerFunctionProps extends FunctionReleaseOptions {
  /** The declared name: alarm names, tags, the image's display name. */
  readonly name: string;
  /** Absolute path of the container folder (the Docker build context, with its Dockerfile). */
  readonly directory: string;
  /** Absolute project root: esbuild resolves the bundle's packages from it. */
  readonly projectRoot: string;
  /** The port the server listens on. */
  readonly port: number;
  /** Readiness path: the adapter sends no request before it answers 2xx. */
  readonly healthPath: string;
  /** Path prefixes the server strips (FAAS_BASE_PATHS), longest first. */
  readonly basePaths: readonly string[];
  /**
   * A TypeScript entry, relative to `directory`, that esbuild bundles into dist/server.js of a staged copy.
   * @default - the folder is the build context as it is
   */
  readonly bundleEntry?: string;
  /** @default - the image's ENTRYPOINT */
  readonly command?: readonly string[];
  /** @default - the image's CMD */
  readonly args?: readonly string[];
  readonly memorySize: number;
  readonly timeout: Duration;
  /** @default - only the adapter's variables */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * A state bucket the function may read and write; its name goes into this variable.
   * @default - no bucket
   */
  readonly bucketEnvironmentVariable?: string;
  /** @default - no reserved concurrency */
  readonly reservedConcurrentExecutions?: number;
  /** @default lambda.Tracing.DISABLED */
  readonly tracing?: lambda.Tracing;
  /** e.g. "faas-dev": prefixes alarm names. */
  readonly namePrefix: string;
  /**
   * CPU architecture of the function and the image.
   * @default lambda.Architecture.ARM_64 (as zip functions)
   */
  readonly architecture?: lambda.Architecture;
}

export class ContainerFunction extends Construct {
  /** The declared name. */
  readonly name: string;
  readonly function: lambda.DockerImageFunction;
  /** The version this deploy publishes. */
  readonly published: lambda.Version;
  readonly live: lambda.Alias;
  readonly preview: lambda.Alias;
  readonly release: LiveRelease;
  readonly alarms: AliasAlarms;
  readonly warm?: WarmCapacity;
  /** Set when `bucketEnvironmentVariable` is given. */
  readonly bucket?: s3.Bucket;
  /** The adapter settings and platform variables forced onto the function. */
  readonly adapterEnvironment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: ContainerFunctionProps) {
    super(scope, id);
    const d = props;
    this.name = d.name;
    const architecture = props.architecture ?? lambda.Architecture.ARM_64;
    const sourceDir = d.directory;
    warnWithoutAdapter(this, path.join(sourceDir, 'Dockerfile'));

    this.adapterEnvironment = {
      PORT: String(d.port),
      AWS_LWA_PORT: String(d.port),
      AWS_LWA_READINESS_CHECK_PATH: d.healthPath,
      AWS_LWA_READINESS_CHECK_PROTOCOL: 'http',
      // The adapter's default (100-499) would call a 404 on a mistyped health path "ready".
      AWS_LWA_READINESS_CHECK_HEALTHY_STATUS: '200-299',
      // 5xx answers fail the invocation, so the live alias's errors alarm and the canary gates see them.
      AWS_LWA_ERROR_STATUS_CODES: '500-599',
      [BASE_PATHS_ENV]: d.basePaths.join(','),
    };
    if (d.bucketEnvironmentVariable) {
      this.bucket = new s3.Bucket(this, 'Bucket', {
        encryption: s3.BucketEncryption.S3_MANAGED,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        // The container's state: a stack deletion keeps it.
        removalPolicy: RemovalPolicy.RETAIN,
      });
      Validations.of(this.bucket).acknowledge({
        id: 'AwsSolutions-S1',
        reason:
          'Application state written only by the container function, whose own logs record every request; server access logs ' +
          'would add a second bucket per container.',
      });
    }

    const staged = d.bundleEntry ? stageBundledContext(sourceDir, d.bundleEntry, props.projectRoot) : undefined;
    this.function = new lambda.DockerImageFunction(this, 'Function', {
      code: lambda.DockerImageCode.fromImageAsset(staged ?? sourceDir, {
        platform: architecture === lambda.Architecture.ARM_64 ? ecrAssets.Platform.LINUX_ARM64 : ecrAssets.Platform.LINUX_AMD64,
        entrypoint: d.command && [...d.command],
        cmd: d.args && [...d.args],
        displayName: `faas container ${d.name}`,
      }),
      architecture,
      memorySize: d.memorySize,
      timeout: d.timeout,
      // Defaults < props.environment < what the platform must force (the adapter's contract with the image).
      environment: {
        ...d.environment,
        ...(this.bucket && d.bucketEnvironmentVariable ? { [d.bucketEnvironmentVariable]: this.bucket.bucketName } : {}),
        ...this.adapterEnvironment,
      },
      reservedConcurrentExecutions: d.reservedConcurrentExecutions,
      tracing: d.tracing ?? lambda.Tracing.DISABLED,
      loggingFormat: lambda.LoggingFormat.JSON,
      logGroup: new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH }),
      description: `faas container "${d.name}"`,
      // Old versions stay: the live alias may still point at one, and rollback needs them.
      currentVersionOptions: { removalPolicy: RemovalPolicy.RETAIN },
    });
    // The image asset was copied into the cloud assembly while the function bound its code.
    if (staged && !this.node.tryGetContext(cxapi.DISABLE_ASSET_STAGING_CONTEXT)) fs.rmSync(staged, { recursive: true, force: true });
    this.bucket?.grantReadWrite(this.function);
    Tags.of(this.function).add('faas:function', d.name);

    ({
      published: this.published,
      release: this.release,
      live: this.live,
      preview: this.preview,
      alarms: this.alarms,
      warm: this.warm,
    } = addFunctionRelease(this, {
      function: this.function,
      name: d.name,
      release: d.release,
      alarms: d.alarms,
      timeout: d.timeout,
      warm: d.warm,
      namePrefix: props.namePrefix,
    }));

    acknowledgeFunctionRole(this.function);
    Validations.of(this.function).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason: 'Invoked synchronously through API Gateway: the caller receives every failure, so there is nothing to dead-letter.',
    });
    if (this.bucket) {
      for (const finding of [
        'Action::s3:GetObject*',
        'Action::s3:GetBucket*',
        'Action::s3:List*',
        'Action::s3:DeleteObject*',
        'Action::s3:Abort*',
        `Resource::<${this.bucketLogicalId()}.Arn>/*`,
      ]) {
        Validations.of(this.function).acknowledge({
          id: `AwsSolutions-IAM5[${finding}]`,
          reason:
            "grantReadWrite on the container's own state bucket: object-level reads, writes and deletes under any key of that " +
            'one bucket (one object per item).',
        });
      }
    }
  }

  /** The bucket's logical id, as cdk-nag names it in IAM5 findings. */
  private bucketLogicalId(): string {
    return this.bucket ? this.bucket.stack.getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket) : '';
  }
}

/**
 * A copy of the container folder with the server bundled into dist/server.js: the Dockerfile only
 * COPYs it, so the image needs no build tools and no RUN step. esbuild's output depends only on the
 * sources, so an unchanged server keeps its asset hash — and the function its version.
 */
function stageBundledContext(sourceDir: string, entry: string, projectRoot: string): string {
  const staged = fs.mkdtempSync(path.join(os.tmpdir(), 'faas-container-'));
  fs.cpSync(sourceDir, staged, {
    recursive: true,
    filter: (source) => !['node_modules', 'dist'].includes(path.basename(source)) || source === sourceDir,
  });
  buildSync({
    entryPoints: [path.join(sourceDir, entry)],
    outfile: path.join(staged, BUNDLE_OUTFILE),
    absWorkingDir: projectRoot,
    bundle: true,
    platform: 'node',
    target: NODE_TARGET,
    format: 'cjs',
    minify: true,
    keepNames: true,
    sourcemap: false,
    legalComments: 'none',
    // The image has no AWS SDK of its own: bundle everything.
    logLevel: 'error',
  });
  return staged;
}

/** A Dockerfile without the adapter extension builds, deploys, and then fails every invoke. */
function warnWithoutAdapter(scope: Construct, dockerfile: string): void {
  const text = fs.existsSync(dockerfile) ? fs.readFileSync(dockerfile, 'utf8') : '';
  const adapter = text.match(/aws-lambda-adapter:(\S+)\s+\/lambda-adapter\s+\/opt\/extensions\//);
  if (!adapter) {
    Annotations.of(scope).addWarningV2(
      'faas:container-without-adapter',
      `${dockerfile} does not copy the Lambda Web Adapter; ` +
        `fix: add "COPY --from=${LAMBDA_WEB_ADAPTER_IMAGE} /lambda-adapter /opt/extensions/lambda-adapter"`,
    );
  } else if (adapter[1] !== LAMBDA_WEB_ADAPTER_VERSION) {
    Annotations.of(scope).addWarningV2(
      'faas:container-adapter-version',
      `${dockerfile} uses Lambda Web Adapter ${adapter[1]}; the platform is tested with ${LAMBDA_WEB_ADAPTER_VERSION}; fix: ` +
        `copy from ${LAMBDA_WEB_ADAPTER_IMAGE}`,
    );
  }
}
