/**
 * Capability matrix: which behaviours the current endpoint (MiniStack, LocalStack, AWS) actually
 * executes, probed — so a scenario that needs a missing one is skipped with the reason printed,
 * never silently, and a new emulator release that gains a capability turns the skipped test on by itself.
 *
 * The probes work on throwaway resources only — a function `faas-capability-probe-…` with two
 * published versions and an alias, and an alarm — deleted again at the end; the stack is never
 * changed (api-sqs-integration sends its route one request that SQS refuses).
 *   - weighted-alias-routing: an alias on version 1 with version 2 at 50 %, invoked N = 40
 *     times; supported when both versions executed (all 40 on one version at 50 %: odds 2^-40).
 *   - per-version-lambda-metrics: after those invokes, GetMetricData Invocations with the
 *     dimensions the CLI reads (FunctionName, Resource=<fn>:<alias>, ExecutedVersion).
 *   - alias-revision-guard: UpdateAlias with a stale RevisionId is refused (PreconditionFailed).
 *   - alarm-set-state: SetAlarmState ALARM on an alarm shows in DescribeAlarms.
 *   - app-autoscaling-suspend: a scalable target on the probe alias, suspended with
 *     RegisterScalableTarget's SuspendedState alone (min/max kept) and tagged: how the CLI holds
 *     warm capacity during a rollout. Deregistered at the end.
 * Asynchronous and queue behaviours (scenarios d–g), on a second throwaway function (it throws
 * when the event says `fail`), with an alias, and throwaway queues — deleted at the end:
 *   - async-on-failure-alias: an EventInvokeConfig on the alias (retries 0, OnFailure → queue),
 *     an async invoke of the alias that fails: the record with the error reaches the queue.
 *     This is the platform's path (S3, EventBridge and direct invokes all target `live`).
 *   - async-on-success-alias: the same config's OnSuccess queue gets the record of a success.
 *   - async-on-failure-unqualified: only after the alias probes (an unqualified config must not
 *     stand in for the alias's): the same with the config and the invoke on $LATEST.
 *   - sqs-message-move-task: a message in a redrive DLQ moved back with StartMessageMoveTask,
 *     ListMessageMoveTasks reports COMPLETED, the message is in the source queue.
 *   - api-sqs-integration: `POST /<fn>/jobs` of the deployment with an empty JSON body, which SQS
 *     must refuse: the mapped 400 (or a 202) proves API Gateway reached SQS; 5xx means it cannot.
 *     Nothing is queued. Needs the deployment (capabilities(deployment) passes it), and its API key.
 *   - apigw-iam-signature: a throwaway REST API's AWS_IAM method (MOCK integration) called without
 *     Authorization and with a forged SigV4 header; supported when both are refused (AWS: 403).
 *   - apigw-body-schema: a throwaway POST with a model under a body validator called with a body
 *     that breaks it (AWS: 400), and the deployed jobs method read back (GetMethod): supported when
 *     the body is refused and the deployed method has its model and a body validator.
 *   - sqs-max-message-size: a throwaway queue with MaximumMessageSize 1024 sent 2048 bytes (AWS refuses).
 *
 * Jest decides `test` or `test.skip` while it loads a test file, before any hook runs, so
 * `capabilities(deployment)` is synchronous: it returns the matrix cached for this deployment in
 * .emulator/capabilities.json, or runs this file as a child process (ts-node) to probe and
 * cache it (≈ 3–5 s on MiniStack). Every test file of the run shares the one probe.
 * By hand: `npx ts-node --transpile-only test/integration/harness/capabilities.ts [endpoint]`.
 */
import { spawnSync } from 'node:child_process';
import {
  ApplicationAutoScalingClient,
  DeregisterScalableTargetCommand,
  DescribeScalableTargetsCommand,
  ListTagsForResourceCommand,
  RegisterScalableTargetCommand,
  TagResourceCommand,
} from '@aws-sdk/client-application-auto-scaling';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
  type Dimension,
} from '@aws-sdk/client-cloudwatch';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  DeleteFunctionEventInvokeConfigCommand,
  DeleteProvisionedConcurrencyConfigCommand,
  PutProvisionedConcurrencyConfigCommand,
  GetAliasCommand,
  InvokeCommand,
  LambdaClient,
  PublishVersionCommand,
  PutFunctionEventInvokeConfigCommand,
  UpdateAliasCommand,
  UpdateFunctionConfigurationCommand,
  GetFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  SetQueueAttributesCommand,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import {
  APIGatewayClient,
  CreateDeploymentCommand,
  CreateModelCommand,
  CreateRequestValidatorCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  DeleteRestApiCommand,
  GetMethodCommand,
  GetRequestValidatorsCommand,
  GetResourcesCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  type PutMethodCommandInput,
} from '@aws-sdk/client-api-gateway';
import { API_KEY_HEADER, apiKeyValue } from './api-access';
import { routeUrls } from './data-plane';
import type { StackOutputs } from './deploy';
import type { Deployment } from './deployment';
import { ACCOUNT, DEFAULT_ENDPOINT, REGION, childEnv, emulatorDir } from './emulator';

export const CAPABILITY_NAMES = [
  'weighted-alias-routing',
  'per-version-lambda-metrics',
  'alarm-dimensions',
  'pc-weighted-alias-refusal',
  'app-autoscaling-suspend',
  'alias-revision-guard',
  'alarm-set-state',
  'async-on-failure-alias',
  'async-on-success-alias',
  'async-on-failure-unqualified',
  'function-error-type',
  'sqs-message-move-task',
  'api-sqs-integration',
  'apigw-iam-signature',
  'apigw-body-schema',
  'sqs-max-message-size',
] as const;
export type CapabilityName = (typeof CAPABILITY_NAMES)[number];

/**
 * `native`: the emulator does it itself; `added`: it does it because our fidelity layer
 * (test/integration/fidelity) adds it — reported as such everywhere; `missing`: it does not.
 */
export type CapabilityStatus = 'native' | 'added' | 'missing';

export interface Capability {
  readonly name: CapabilityName;
  /** `status !== 'missing'`: the behaviour executes at this endpoint, natively or added. */
  readonly supported: boolean;
  readonly status: CapabilityStatus;
  /** What the probe saw, in one line (also when supported). */
  readonly reason: string;
}

type ProbeResult = Omit<Capability, 'status'>;

export type CapabilityMatrix = Readonly<Record<CapabilityName, Capability>>;

/**
 * The fidelity-layer behaviours (GET /_faas/fidelity) a capability rests on: when the endpoint
 * lists any of them, a supported capability is `added`, not `native`.
 */
export const ADDED_BY: Readonly<Record<CapabilityName, readonly string[]>> = {
  'weighted-alias-routing': ['weighted-alias-routing'],
  'per-version-lambda-metrics': ['per-version-lambda-metrics'],
  'alarm-dimensions': ['alarm-dimensions'],
  'pc-weighted-alias-refusal': ['pc-weighted-alias-refusal'],
  'app-autoscaling-suspend': ['app-autoscaling-suspend'],
  'alias-revision-guard': [],
  'alarm-set-state': [],
  'async-on-failure-alias': ['async-config-on-alias', 'async-failure-record'],
  'async-on-success-alias': ['async-config-on-alias', 'async-on-success-destination'],
  'async-on-failure-unqualified': ['async-failure-record'],
  'function-error-type': ['function-error-type'],
  'sqs-message-move-task': ['sqs-message-move-task'],
  'api-sqs-integration': [],
  'apigw-iam-signature': [],
  'apigw-body-schema': [],
  'sqs-max-message-size': [],
};

/** What the endpoint's fidelity layer says it added; undefined when it has none (plain emulator, LocalStack, AWS). */
export async function fidelityLayer(
  endpoint: string,
): Promise<{ ministack: string; added: Array<{ name: string; emulates: string; aws_doc: string }> } | undefined> {
  try {
    const response = await fetch(`${endpoint.replace(/\/+$/, '')}/_faas/fidelity`, { signal: AbortSignal.timeout(3_000) });
    if (!response.ok) return undefined;
    const body = (await response.json()) as {
      layer?: string;
      ministack: string;
      added: Array<{ name: string; emulates: string; aws_doc: string }>;
    };
    return body.layer === 'faas-fidelity' ? body : undefined;
  } catch {
    return undefined;
  }
}

function withStatus(results: Record<CapabilityName, ProbeResult>, added: ReadonlySet<string>): CapabilityMatrix {
  const entries = CAPABILITY_NAMES.map((name): [CapabilityName, Capability] => {
    const result = results[name];
    const status: CapabilityStatus = !result.supported ? 'missing' : ADDED_BY[name].some((b) => added.has(b)) ? 'added' : 'native';
    return [name, { ...result, status }];
  });
  return Object.fromEntries(entries) as Record<CapabilityName, Capability>;
}

export interface ProbeOptions {
  /** Invocations of the weighted alias (default 40). */
  readonly invocations?: number;
  /** How long to wait for per-version datapoints (default 2 s; AWS publishes after a minute or more). */
  readonly metricsWaitMs?: number;
  /** Execution role of the throwaway function (emulators accept any; on AWS pass a real one). */
  readonly roleArn?: string;
  /** How long to wait for a destination record or a move task (default 10 s). */
  readonly asyncWaitMs?: number;
  /** URL of a `POST /<fn>/jobs` route on the data plane (api-sqs-integration; unprobed without it). */
  readonly jobsUrl?: string;
  /** Headers the jobs route needs (its API key). @default - none */
  readonly jobsHeaders?: Readonly<Record<string, string>>;
}

interface CacheFile {
  readonly endpoint: string;
  readonly deployedAt: string;
  readonly probedAt: string;
  readonly probeMs: number;
  readonly matrix: CapabilityMatrix;
}

const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');
const CACHE_FILE = path.join(emulatorDir(PROJECT_ROOT), 'capabilities.json');

/**
 * The matrix for this deployment (endpoint + deploy time): from the cache, else probed now in a
 * child process. Synchronous, for use while jest collects tests. Throws when the probe fails.
 */
export function capabilities(deployment: { readonly endpoint: string; readonly deployedAt: string }): CapabilityMatrix {
  const cached = readCache();
  // A cache written before a probe was added lacks its name: probe again.
  const complete = (m: CapabilityMatrix) => CAPABILITY_NAMES.every((n) => m[n] !== undefined);
  if (cached && cached.endpoint === deployment.endpoint && cached.deployedAt === deployment.deployedAt && complete(cached.matrix))
    return cached.matrix;
  const child = spawnSync(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', __filename, deployment.endpoint, '--deployed-at', deployment.deployedAt],
    {
      cwd: PROJECT_ROOT,
      env: { ...childEnv(deployment.endpoint), TS_NODE_PROJECT: path.join(PROJECT_ROOT, 'tsconfig.json') },
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  const fresh = readCache();
  if (child.status !== 0 || !fresh || fresh.deployedAt !== deployment.deployedAt) {
    throw new Error(
      `capability probe failed (exit ${child.status ?? child.signal}):\n${child.stderr || child.stdout || child.error?.message}`,
    );
  }
  return fresh.matrix;
}

function readCache(): CacheFile | undefined {
  try {
    return JSON.parse(fs.readFileSync(CACHE_FILE, 'utf8')) as CacheFile;
  } catch {
    return undefined;
  }
}

/** One line per capability, for the test log. */
export function formatMatrix(endpoint: string, matrix: CapabilityMatrix): string {
  const mark: Record<CapabilityStatus, string> = { native: '✓ native', added: '✓ added (fidelity layer)', missing: '✗ missing' };
  return [`[capabilities] ${endpoint}`, ...Object.values(matrix).map((c) => `  ${mark[c.status]} ${c.name}: ${c.reason}`)].join('\n');
}

/** Runs every probe against `endpoint` and deletes what it created. */
export async function probeCapabilities(endpoint: string, options: ProbeOptions = {}): Promise<CapabilityMatrix> {
  const config = { endpoint, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  const lambda = new LambdaClient(config);
  const cw = new CloudWatchClient(config);
  const sqs = new SQSClient(config);
  const functionName = `faas-capability-probe-${process.pid}-${Date.now().toString(36)}`;
  const alias = 'probe';
  try {
    const [primary, candidate] = await twoVersions(
      lambda,
      functionName,
      options.roleArn ?? `arn:aws:iam::${ACCOUNT}:role/faas-capability-probe`,
    );
    const created = await lambda.send(
      new CreateAliasCommand({
        FunctionName: functionName,
        Name: alias,
        FunctionVersion: primary,
        RoutingConfig: { AdditionalVersionWeights: { [candidate]: 0.5 } },
      }),
    );
    const since = new Date();
    const routing = await probeWeightedRouting(lambda, { functionName, alias, primary, candidate }, options.invocations ?? 40);
    const metrics = await probePerVersionMetrics(
      cw,
      { functionName, alias, versions: [primary, candidate], since, invoked: routing.counts },
      options.metricsWaitMs ?? 2_000,
    );
    const refusal = await probePcRefusal(lambda, functionName, alias);
    const suspend = await probeScalableTargetSuspend(endpoint, functionName, alias);
    const guard = await probeRevisionGuard(lambda, functionName, alias, primary, created.RevisionId);
    const alarm = await probeAlarmSetState(cw);
    // These wait on the emulator's background work: side by side.
    const waitMs = options.asyncWaitMs ?? 10_000;
    const [asyncCaps, moveTask, apiSqs, alarmDims, layer, apiChecks, maxSize] = await Promise.all([
      probeAsyncDestinations(lambda, sqs, options.roleArn ?? `arn:aws:iam::${ACCOUNT}:role/faas-capability-probe`, waitMs),
      probeMessageMoveTask(sqs, waitMs),
      probeApiSqs(options.jobsUrl, options.jobsHeaders ?? {}),
      probeAlarmDimensions(cw, waitMs),
      fidelityLayer(endpoint),
      probeApiGatewayChecks(endpoint, options.jobsUrl),
      probeMaxMessageSize(sqs),
    ]);
    return withStatus(
      {
        'weighted-alias-routing': routing.capability,
        'per-version-lambda-metrics': metrics,
        'alarm-dimensions': alarmDims,
        'pc-weighted-alias-refusal': refusal,
        'app-autoscaling-suspend': suspend,
        'alias-revision-guard': guard,
        'alarm-set-state': alarm,
        ...asyncCaps,
        'sqs-message-move-task': moveTask,
        'api-sqs-integration': apiSqs,
        ...apiChecks,
        'sqs-max-message-size': maxSize,
      },
      new Set((layer?.added ?? []).map((behaviour) => behaviour.name)),
    );
  } finally {
    // Deleting the function deletes its versions and aliases.
    await lambda.send(new DeleteFunctionCommand({ FunctionName: functionName })).catch(() => undefined);
    lambda.destroy();
    cw.destroy();
    sqs.destroy();
  }
}

/** The throwaway function: answers which version ran; versions 1 and 2 differ in one variable. */
async function twoVersions(lambda: LambdaClient, functionName: string, role: string): Promise<[string, string]> {
  const code = 'exports.handler = async (event, context) => ({ version: context.functionVersion });\n';
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: functionName,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Role: role,
      Code: { ZipFile: zipOne('index.js', code) },
      Environment: { Variables: { PROBE: '1' } },
      Timeout: 10,
      MemorySize: 128,
    }),
  );
  await waitReady(lambda, functionName);
  const first = await lambda.send(new PublishVersionCommand({ FunctionName: functionName }));
  await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: functionName, Environment: { Variables: { PROBE: '2' } } }));
  await waitReady(lambda, functionName);
  const second = await lambda.send(new PublishVersionCommand({ FunctionName: functionName }));
  if (!first.Version || !second.Version || first.Version === second.Version) {
    throw new Error(`could not publish two versions of ${functionName} (got ${first.Version} and ${second.Version})`);
  }
  return [first.Version, second.Version];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Until the function is Active and its last update Successful. Polls every 100 ms: the SDK's
 * waiters sleep at least 1 s, much longer than an emulator takes.
 */
export async function waitReady(lambda: LambdaClient, functionName: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    if (config.State === 'Failed' || config.LastUpdateStatus === 'Failed') {
      throw new Error(`function ${functionName} failed: ${config.StateReason ?? config.LastUpdateStatusReason ?? 'no reason given'}`);
    }
    if (config.State === 'Active' && (config.LastUpdateStatus ?? 'Successful') === 'Successful') return;
    if (Date.now() > deadline)
      throw new Error(
        `function ${functionName} not ready after ${timeoutMs / 1000} s ` +
          `(State ${config.State}, LastUpdateStatus ${config.LastUpdateStatus})`,
      );
    await sleep(100);
  }
}

/** Which version served an invocation: the handler's answer, else X-Amz-Executed-Version. */
function executedVersion(answer: { ExecutedVersion?: string; Payload?: Uint8Array }): string | undefined {
  try {
    const body = JSON.parse(Buffer.from(answer.Payload ?? new Uint8Array()).toString('utf8')) as { version?: unknown };
    if (typeof body.version === 'string' && body.version !== '$LATEST') return body.version;
  } catch {
    // Not JSON (an error answer): the header still says which version ran.
  }
  return answer.ExecutedVersion;
}

async function probeWeightedRouting(
  lambda: LambdaClient,
  p: { functionName: string; alias: string; primary: string; candidate: string },
  n: number,
): Promise<{ capability: ProbeResult; counts: Record<string, number> }> {
  const name = 'weighted-alias-routing';
  const stored = await lambda.send(new GetAliasCommand({ FunctionName: p.functionName, Name: p.alias }));
  const storedWeight = stored.RoutingConfig?.AdditionalVersionWeights?.[p.candidate];
  const counts: Record<string, number> = {};
  let failed = 0;
  for (let i = 0; i < n; i++) {
    const answer = await lambda.send(new InvokeCommand({ FunctionName: p.functionName, Qualifier: p.alias, Payload: Buffer.from('{}') }));
    if (answer.FunctionError) failed++;
    const version = executedVersion(answer) ?? 'unknown';
    counts[version] = (counts[version] ?? 0) + 1;
  }
  const seen =
    `${n} invokes of an alias on version ${p.primary} with ${p.candidate} at 50 % (weight read back: ${storedWeight ?? 'none'}) ` +
    `ran ${JSON.stringify(counts)}${failed ? `, ${failed} function errors` : ''}`;
  if ((counts[p.primary] ?? 0) > 0 && (counts[p.candidate] ?? 0) > 0)
    return { capability: { name, supported: true, reason: seen }, counts };
  const why = storedWeight === 0.5 ? 'alias weights are stored but not applied on Invoke' : 'alias weights are not stored';
  return { capability: { name, supported: false, reason: `${why}: ${seen}` }, counts };
}

async function probePerVersionMetrics(
  cw: CloudWatchClient,
  p: { functionName: string; alias: string; versions: string[]; since: Date; invoked: Record<string, number> },
  waitMs: number,
): Promise<ProbeResult> {
  const name = 'per-version-lambda-metrics';
  const minute = 60_000;
  const start = new Date(Math.floor(p.since.getTime() / minute) * minute - minute);
  const sums = async (dimensionSets: Dimension[][]): Promise<number[]> => {
    const end = new Date(Math.ceil(Date.now() / minute) * minute + minute);
    const answer = await cw.send(
      new GetMetricDataCommand({
        StartTime: start,
        EndTime: end,
        MetricDataQueries: dimensionSets.map((dims, i) => ({
          Id: `q${i}`,
          MetricStat: {
            Metric: { Namespace: 'AWS/Lambda', MetricName: 'Invocations', Dimensions: dims },
            Period: (end.getTime() - start.getTime()) / 1000,
            Stat: 'Sum',
          },
        })),
      }),
    );
    return dimensionSets.map((_, i) => (answer.MetricDataResults?.find((r) => r.Id === `q${i}`)?.Values ?? []).reduce((a, b) => a + b, 0));
  };
  const byVersion = p.versions.map((v) => [
    { Name: 'FunctionName', Value: p.functionName },
    { Name: 'Resource', Value: `${p.functionName}:${p.alias}` },
    { Name: 'ExecutedVersion', Value: v },
  ]);
  const byFunction = [{ Name: 'FunctionName', Value: p.functionName }];
  // Every version that ran in the routing probe must show up under its own ExecutedVersion. Data
  // by FunctionName without it settles the question at once: both are published together.
  const ran = p.versions.filter((v) => (p.invoked[v] ?? 0) > 0);
  const deadline = Date.now() + waitMs;
  let found: number[];
  let total: number;
  for (;;) {
    const answer = await sums([...byVersion, byFunction]);
    total = answer.pop() ?? 0;
    found = answer;
    if (ran.length > 0 && ran.every((v) => found[p.versions.indexOf(v)] > 0)) {
      return {
        name,
        supported: true,
        reason:
          `Invocations by ExecutedVersion: ${p.versions.map((v, i) => `${v}=${found[i]}`).join(', ')} ` +
          `after invokes ${JSON.stringify(p.invoked)}`,
      };
    }
    if (total > 0 || Date.now() >= deadline) break;
    await sleep(500);
  }
  const what =
    total > 0
      ? 'Lambda metrics carry the FunctionName dimension only'
      : `no Lambda metrics at all within ${waitMs / 1000} s (on AWS they arrive after a minute or more)`;
  return {
    name,
    supported: false,
    reason:
      `${what}: after invokes ${JSON.stringify(p.invoked)}, ` +
      `Invocations by FunctionName+Resource+ExecutedVersion ${p.versions.map((v, i) => `${v}=${found[i]}`).join(', ')}, ` +
      `by FunctionName ${total}`,
  };
}

/**
 * Lambda refuses provisioned concurrency on an alias with AdditionalVersionWeights ("Alias with
 * weights can not be used with Provisioned Concurrency"): the conflict a canary with warm
 * capacity meets on AWS. The probe alias has version 2 at 50 %.
 */
async function probePcRefusal(lambda: LambdaClient, functionName: string, alias: string): Promise<ProbeResult> {
  const name = 'pc-weighted-alias-refusal';
  try {
    await lambda.send(
      new PutProvisionedConcurrencyConfigCommand({ FunctionName: functionName, Qualifier: alias, ProvisionedConcurrentExecutions: 1 }),
    );
  } catch (error) {
    const e = error as Error;
    if (/Alias with weights can not be used with Provisioned Concurrency/.test(e.message)) {
      return { name, supported: true, reason: `PutProvisionedConcurrencyConfig on a weighted alias: ${e.name}: ${e.message}` };
    }
    return {
      name,
      supported: false,
      reason: `PutProvisionedConcurrencyConfig on a weighted alias failed otherwise: ${e.name}: ${e.message}`,
    };
  }
  await lambda.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: functionName, Qualifier: alias })).catch(() => undefined);
  return { name, supported: false, reason: 'PutProvisionedConcurrencyConfig on an alias with weights was accepted (AWS refuses it)' };
}

/**
 * Application Auto Scaling as the CLI holds warm capacity with it: a scalable target on the probe
 * alias, RegisterScalableTarget with only a SuspendedState (min and max kept), the state read
 * back, a tag on its ARN. Deregistered again.
 */
async function probeScalableTargetSuspend(endpoint: string, functionName: string, alias: string): Promise<ProbeResult> {
  const name = 'app-autoscaling-suspend';
  const client = new ApplicationAutoScalingClient({
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  const target = {
    ServiceNamespace: 'lambda' as const,
    ResourceId: `function:${functionName}:${alias}`,
    ScalableDimension: 'lambda:function:ProvisionedConcurrency' as const,
  };
  try {
    const { ScalableTargetARN } = await client.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 1, MaxCapacity: 3 }));
    await client.send(
      new RegisterScalableTargetCommand({
        ...target,
        SuspendedState: { DynamicScalingInSuspended: true, DynamicScalingOutSuspended: true, ScheduledScalingSuspended: true },
      }),
    );
    await client.send(new TagResourceCommand({ ResourceARN: ScalableTargetARN, Tags: { 'faas:probe': 'yes' } }));
    const [found] =
      (await client.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'lambda', ResourceIds: [target.ResourceId] })))
        .ScalableTargets ?? [];
    const tags = (await client.send(new ListTagsForResourceCommand({ ResourceARN: ScalableTargetARN }))).Tags ?? {};
    const s = found?.SuspendedState;
    const ok =
      found?.MinCapacity === 1 &&
      found.MaxCapacity === 3 &&
      s?.DynamicScalingInSuspended &&
      s.DynamicScalingOutSuspended &&
      s.ScheduledScalingSuspended &&
      tags['faas:probe'] === 'yes';
    return ok
      ? {
          name,
          supported: true,
          reason: 'RegisterScalableTarget with SuspendedState only: all three suspended, min 1 max 3 kept, tag on the target ARN read back',
        }
      : {
          name,
          supported: false,
          reason:
            'scalable target read back as ' + JSON.stringify({ min: found?.MinCapacity, max: found?.MaxCapacity, suspended: s, tags }),
        };
  } catch (error) {
    const e = error as Error;
    return { name, supported: false, reason: `Application Auto Scaling: ${e.name}: ${e.message}` };
  } finally {
    await client.send(new DeregisterScalableTargetCommand(target)).catch(() => undefined);
    client.destroy();
  }
}

/** A throwaway alarm: Sum ≥ 1 over one 1-minute period. */
function probeAlarm(input: {
  AlarmName: string;
  Namespace: string;
  MetricName: string;
  Dimensions?: Dimension[];
  TreatMissingData?: string;
}): PutMetricAlarmCommand {
  return new PutMetricAlarmCommand({
    Statistic: 'Sum',
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    ...input,
  });
}

/**
 * Alarms judge only their own metric's datapoints: two alarms on one metric name with different
 * dimensions, datapoints (≥ threshold) published under the first's dimensions only — the first
 * goes to ALARM, the second does not.
 */
async function probeAlarmDimensions(cw: CloudWatchClient, waitMs: number): Promise<ProbeResult> {
  const name = 'alarm-dimensions';
  const stamp = `${process.pid}-${Date.now().toString(36)}`;
  const namespace = `faas/probe-${stamp}`;
  const alarms = ['hit', 'other'].map((which) => `faas-probe-dims-${which}-${stamp}`);
  const dims = (which: string): Dimension[] => [{ Name: 'Probe', Value: which }];
  try {
    for (const [i, which] of ['hit', 'other'].entries()) {
      await cw.send(
        probeAlarm({
          AlarmName: alarms[i],
          Namespace: namespace,
          MetricName: 'Failures',
          Dimensions: dims(which),
          TreatMissingData: 'notBreaching',
        }),
      );
    }
    await cw.send(
      new PutMetricDataCommand({
        Namespace: namespace,
        MetricData: [{ MetricName: 'Failures', Dimensions: dims('hit'), Value: 3, Unit: 'Count' }],
      }),
    );
    const deadline = Date.now() + waitMs;
    let states: Array<string | undefined> = [];
    for (;;) {
      const { MetricAlarms = [] } = await cw.send(new DescribeAlarmsCommand({ AlarmNames: alarms }));
      states = alarms.map((a) => MetricAlarms.find((m) => m.AlarmName === a)?.StateValue);
      if (states[0] === 'ALARM' || Date.now() > deadline) break;
      await sleep(500);
    }
    const seen = `alarm on the published dimensions: ${states[0]}, alarm on other dimensions: ${states[1]}`;
    if (states[0] === 'ALARM' && states[1] !== 'ALARM') return { name, supported: true, reason: seen };
    if (states[0] === 'ALARM') return { name, supported: false, reason: `alarms ignore dimensions (${seen})` };
    return { name, supported: false, reason: `no alarm evaluated the datapoints within ${waitMs / 1000} s (${seen})` };
  } catch (error) {
    return { name, supported: false, reason: `${(error as Error).name}: ${(error as Error).message}` };
  } finally {
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: alarms })).catch(() => undefined);
  }
}

async function probeRevisionGuard(
  lambda: LambdaClient,
  functionName: string,
  alias: string,
  version: string,
  firstRevision: string | undefined,
): Promise<ProbeResult> {
  const name = 'alias-revision-guard';
  const current = await lambda.send(new GetAliasCommand({ FunctionName: functionName, Name: alias }));
  // A well-formed RevisionId that is not the alias's current one.
  const stale = firstRevision && firstRevision !== current.RevisionId ? firstRevision : '00000000-0000-4000-8000-000000000000';
  try {
    await lambda.send(
      new UpdateAliasCommand({
        FunctionName: functionName,
        Name: alias,
        FunctionVersion: version,
        Description: 'stale write',
        RevisionId: stale,
      }),
    );
  } catch (error) {
    const e = error as Error;
    if (e.name === 'PreconditionFailedException')
      return { name, supported: true, reason: 'UpdateAlias with a stale RevisionId: PreconditionFailedException' };
    return {
      name,
      supported: false,
      reason: `UpdateAlias with a stale RevisionId failed with ${e.name} (expected PreconditionFailedException): ${e.message}`,
    };
  }
  return { name, supported: false, reason: 'UpdateAlias with a stale RevisionId was accepted: a concurrent change would be overwritten' };
}

async function probeAlarmSetState(cw: CloudWatchClient): Promise<ProbeResult> {
  const name = 'alarm-set-state';
  const alarm = `faas-capability-probe-${process.pid}-${Date.now().toString(36)}`;
  try {
    await cw.send(probeAlarm({ AlarmName: alarm, Namespace: 'faas/capability-probe', MetricName: 'Nothing' }));
    await cw.send(new SetAlarmStateCommand({ AlarmName: alarm, StateValue: 'ALARM', StateReason: 'capability probe' }));
    const { MetricAlarms = [] } = await cw.send(new DescribeAlarmsCommand({ AlarmNames: [alarm] }));
    const state = MetricAlarms[0]?.StateValue;
    return state === 'ALARM'
      ? { name, supported: true, reason: 'SetAlarmState ALARM shows in DescribeAlarms' }
      : { name, supported: false, reason: `after SetAlarmState ALARM, DescribeAlarms says ${state ?? 'no such alarm'}` };
  } catch (error) {
    return { name, supported: false, reason: `${(error as Error).name}: ${(error as Error).message}` };
  } finally {
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: [alarm] })).catch(() => undefined);
  }
}

/** A throwaway queue; returns its URL and ARN. */
async function throwawayQueue(sqs: SQSClient, name: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

/** Polls `queue` until a message body contains `needle`, or `waitMs` passed; returns the body. */
async function waitForBody(sqs: SQSClient, queueUrl: string, needle: string, waitMs: number): Promise<string | undefined> {
  const deadline = Date.now() + waitMs;
  do {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 0 }),
    );
    const hit = Messages.find((m) => (m.Body ?? '').includes(needle));
    if (hit) return hit.Body;
  } while (Date.now() < deadline);
  return undefined;
}

/**
 * Lambda async invocation destinations, as the platform configures them (on an alias) and, for the
 * record, on $LATEST. The function throws `probe failure: <tag>` when the event has `fail: true`.
 */
async function probeAsyncDestinations(
  lambda: LambdaClient,
  sqs: SQSClient,
  role: string,
  waitMs: number,
): Promise<
  Record<'async-on-failure-alias' | 'async-on-success-alias' | 'async-on-failure-unqualified' | 'function-error-type', ProbeResult>
> {
  const stamp = `${process.pid}-${Date.now().toString(36)}`;
  const functionName = `faas-capability-probe-async-${stamp}`;
  const queues: string[] = [];
  const fail = (name: CapabilityName, error: unknown): ProbeResult => ({
    name,
    supported: false,
    reason: `${(error as Error).name}: ${(error as Error).message}`,
  });
  try {
    // A named error class, as handlers throw them: its name is the errorType Lambda reports.
    const code =
      "class ProbeFailure extends Error { constructor(m) { super(m); this.name = 'ProbeFailure'; } }\n" +
      "exports.handler = async (event) => { if (event.fail) throw new ProbeFailure('probe failure: ' + event.tag); " +
      'return { ok: event.tag }; };\n';
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: functionName,
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        Role: role,
        Code: { ZipFile: zipOne('index.js', code) },
        Timeout: 10,
        MemorySize: 128,
      }),
    );
    await waitReady(lambda, functionName);
    const { Version } = await lambda.send(new PublishVersionCommand({ FunctionName: functionName }));
    await lambda.send(new CreateAliasCommand({ FunctionName: functionName, Name: 'probe', FunctionVersion: Version }));
    const onSuccess = await throwawayQueue(sqs, `faas-probe-success-${stamp}`);
    const onFailure = await throwawayQueue(sqs, `faas-probe-failure-${stamp}`);
    queues.push(onSuccess.url, onFailure.url);
    const invoke = (qualifier: string | undefined, event: object) =>
      lambda.send(
        new InvokeCommand({
          FunctionName: functionName,
          Qualifier: qualifier,
          InvocationType: 'Event',
          Payload: Buffer.from(JSON.stringify(event)),
        }),
      );

    // 1. The alias's config only.
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: functionName,
        Qualifier: 'probe',
        MaximumRetryAttempts: 0,
        DestinationConfig: { OnSuccess: { Destination: onSuccess.arn }, OnFailure: { Destination: onFailure.arn } },
      }),
    );
    const aliasFail = `alias-fail-${stamp}`;
    const aliasOk = `alias-ok-${stamp}`;
    await invoke('probe', { fail: true, tag: aliasFail });
    await invoke('probe', { fail: false, tag: aliasOk });
    const [failureRecord, successRecord] = await Promise.all([
      waitForBody(sqs, onFailure.url, aliasFail, waitMs),
      waitForBody(sqs, onSuccess.url, aliasOk, waitMs),
    ]);
    const withError = failureRecord?.includes(`probe failure: ${aliasFail}`);
    const recordProblem = failureRecord
      ? invocationRecordProblem(failureRecord, { condition: 'RetriesExhausted', invokeCount: 1, qualifier: 'probe' })
      : undefined;
    const failureAlias: ProbeResult = failureRecord
      ? withError && recordProblem === undefined
        ? {
            name: 'async-on-failure-alias',
            supported: true,
            reason:
              'a failed async invoke of an alias with its own EventInvokeConfig (0 retries) reached its OnFailure queue: ' +
              'RetriesExhausted after 1 attempt, with the error',
          }
        : {
            name: 'async-on-failure-alias',
            supported: false,
            reason:
              `the OnFailure record is not what the alias's config asks for (${recordProblem ?? 'no error message'}): ` +
              failureRecord.slice(0, 300),
          }
      : {
          name: 'async-on-failure-alias',
          supported: false,
          reason:
            'a failed async invoke of an alias with an EventInvokeConfig on that alias (OnFailure → queue, 0 retries) ' +
            `left nothing in the queue within ${waitMs / 1000} s: async config on an alias qualifier is ignored`,
        };
    const successAlias: ProbeResult = successRecord
      ? { name: 'async-on-success-alias', supported: true, reason: 'a successful async invoke of the alias reached its OnSuccess queue' }
      : {
          name: 'async-on-success-alias',
          supported: false,
          reason: `a successful async invoke of the alias left nothing in its OnSuccess queue within ${waitMs / 1000} s`,
        };

    // A synchronous failure names the thrown error.
    const sync = await lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        Qualifier: 'probe',
        Payload: Buffer.from(JSON.stringify({ fail: true, tag: `sync-${stamp}` })),
      }),
    );
    const syncError = JSON.parse(Buffer.from(sync.Payload ?? new Uint8Array()).toString('utf8') || '{}') as { errorType?: string };
    const errorType: ProbeResult =
      syncError.errorType === 'ProbeFailure'
        ? { name: 'function-error-type', supported: true, reason: 'a handler that throws a ProbeFailure: errorType ProbeFailure' }
        : {
            name: 'function-error-type',
            supported: false,
            reason: `a handler that throws a ProbeFailure answered errorType ${syncError.errorType ?? '(none)'}`,
          };

    // 2. Only now a config on $LATEST (it must not stand in for the alias's above).
    let failureUnqualified: ProbeResult;
    try {
      await lambda.send(
        new PutFunctionEventInvokeConfigCommand({
          FunctionName: functionName,
          MaximumRetryAttempts: 0,
          DestinationConfig: { OnFailure: { Destination: onFailure.arn } },
        }),
      );
      const plainFail = `unqualified-fail-${stamp}`;
      await invoke(undefined, { fail: true, tag: plainFail });
      const record = await waitForBody(sqs, onFailure.url, plainFail, waitMs);
      failureUnqualified = record?.includes(`probe failure: ${plainFail}`)
        ? {
            name: 'async-on-failure-unqualified',
            supported: true,
            reason: 'a failed unqualified async invoke reached the OnFailure queue of the $LATEST config, with the error',
          }
        : {
            name: 'async-on-failure-unqualified',
            supported: false,
            reason: record
              ? `record without the error: ${record.slice(0, 300)}`
              : `nothing in the OnFailure queue within ${waitMs / 1000} s`,
          };
      await lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: functionName })).catch(() => undefined);
    } catch (error) {
      failureUnqualified = fail('async-on-failure-unqualified', error);
    }
    return {
      'async-on-failure-alias': failureAlias,
      'async-on-success-alias': successAlias,
      'async-on-failure-unqualified': failureUnqualified,
      'function-error-type': errorType,
    };
  } catch (error) {
    return {
      'async-on-failure-alias': fail('async-on-failure-alias', error),
      'async-on-success-alias': fail('async-on-success-alias', error),
      'async-on-failure-unqualified': fail('async-on-failure-unqualified', error),
      'function-error-type': fail('function-error-type', error),
    };
  } finally {
    await lambda.send(new DeleteFunctionCommand({ FunctionName: functionName })).catch(() => undefined);
    for (const url of queues) await sqs.send(new DeleteQueueCommand({ QueueUrl: url })).catch(() => undefined);
  }
}

/** Why an async invocation record is not what AWS sends for this case, or undefined when it is. */
function invocationRecordProblem(
  body: string,
  expected: { condition: string; invokeCount: number; qualifier: string },
): string | undefined {
  try {
    const record = JSON.parse(body) as { requestContext?: { condition?: string; approximateInvokeCount?: number; functionArn?: string } };
    const context = record.requestContext ?? {};
    if (context.condition !== expected.condition) return `condition ${context.condition}, expected ${expected.condition}`;
    if (context.approximateInvokeCount !== expected.invokeCount)
      return `approximateInvokeCount ${context.approximateInvokeCount}, expected ${expected.invokeCount}`;
    if (!context.functionArn?.endsWith(`:${expected.qualifier}`))
      return `functionArn ${context.functionArn} is not the invoked qualifier ${expected.qualifier}`;
    return undefined;
  } catch {
    return 'not a JSON invocation record';
  }
}

/** SQS message move task: a redrive DLQ's message back to its source queue (`faas dlq redrive`). */
async function probeMessageMoveTask(sqs: SQSClient, waitMs: number): Promise<ProbeResult> {
  const name = 'sqs-message-move-task';
  const stamp = `${process.pid}-${Date.now().toString(36)}`;
  const queues: string[] = [];
  try {
    const source = await throwawayQueue(sqs, `faas-probe-source-${stamp}`);
    const dlq = await throwawayQueue(sqs, `faas-probe-dlq-${stamp}`);
    queues.push(source.url, dlq.url);
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: source.url,
        Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 1 }) },
      }),
    );
    const body = `move-me-${stamp}`;
    await sqs.send(new SendMessageCommand({ QueueUrl: dlq.url, MessageBody: body }));
    let handle: string | undefined;
    try {
      handle = (await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, DestinationArn: source.arn }))).TaskHandle;
    } catch (error) {
      return { name, supported: false, reason: `StartMessageMoveTask: ${(error as Error).name}: ${(error as Error).message}` };
    }
    const deadline = Date.now() + waitMs;
    let status = 'unlisted';
    for (;;) {
      try {
        const { Results = [] } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn }));
        status = (Results.find((t) => t.TaskHandle === handle) ?? Results[0])?.Status ?? 'unlisted';
      } catch (error) {
        return {
          name,
          supported: false,
          reason: `StartMessageMoveTask accepted, ListMessageMoveTasks: ${(error as Error).name}: ${(error as Error).message}`,
        };
      }
      if (status === 'COMPLETED' || status === 'FAILED' || status === 'CANCELLED' || Date.now() > deadline) break;
      await sleep(250);
    }
    if (status !== 'COMPLETED') return { name, supported: false, reason: `move task ${handle} status ${status} after ${waitMs / 1000} s` };
    const moved = await waitForBody(sqs, source.url, body, 3_000);
    return moved
      ? {
          name,
          supported: true,
          reason: 'StartMessageMoveTask moved a DLQ message back to its source; ListMessageMoveTasks said COMPLETED',
        }
      : { name, supported: false, reason: 'the move task COMPLETED but the message is not in the source queue' };
  } catch (error) {
    return { name, supported: false, reason: `${(error as Error).name}: ${(error as Error).message}` };
  } finally {
    for (const url of queues) await sqs.send(new DeleteQueueCommand({ QueueUrl: url })).catch(() => undefined);
  }
}

/**
 * API Gateway → SQS service integration, on the deployed jobs route, without queueing anything: an
 * empty JSON body reaches SQS, which refuses it (the route maps that to 400); an emulator without
 * the integration answers 5xx.
 */
async function probeApiSqs(jobsUrl: string | undefined, headers: Readonly<Record<string, string>>): Promise<ProbeResult> {
  const name = 'api-sqs-integration';
  if (!jobsUrl) return { name, supported: false, reason: 'not probed: no deployment with a POST /<fn>/jobs route was given' };
  try {
    const response = await fetch(jobsUrl, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: '',
      signal: AbortSignal.timeout(15_000),
    });
    const text = (await response.text()).slice(0, 200);
    if (response.status === 400 && /queue rejected/.test(text)) {
      return {
        name,
        supported: true,
        reason:
          `POST ${new URL(jobsUrl).pathname} with an empty body: SQS refused it, mapped to 400 (${text}) ` +
          '— the integration reaches SQS',
      };
    }
    if (response.status === 202)
      return { name, supported: true, reason: `POST with an empty body answered 202 (the endpoint's SQS took an empty message): ${text}` };
    return { name, supported: false, reason: `POST ${new URL(jobsUrl).pathname} with an empty body answered ${response.status}: ${text}` };
  } catch (error) {
    return { name, supported: false, reason: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

/** A zip archive holding one file, stored (no compression): all a Lambda deployment package needs. */
function zipOne(name: string, text: string): Uint8Array {
  const data = Buffer.from(text, 'utf8');
  const file = Buffer.from(name, 'utf8');
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4); // version needed
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(file.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(0x0314, 4); // made by: Unix, 2.0
  central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(file.length, 28);
  central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // external attributes: a regular file, rw-r--r--
  const centralOffset = local.length + file.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + file.length, 12);
  end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([local, file, data, central, file, end]);
}

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** The recorded deployment's API key, for its `POST …/jobs` route (declared auth apiKey). */
async function jobsHeaders(endpoint: string): Promise<Record<string, string>> {
  try {
    const deployment = JSON.parse(fs.readFileSync(path.join(emulatorDir(PROJECT_ROOT), 'deployment.json'), 'utf8')) as Deployment;
    if (deployment.endpoint.replace(/\/+$/, '') !== endpoint) return {};
    return { [API_KEY_HEADER]: await apiKeyValue(deployment) };
  } catch {
    return {};
  }
}

/**
 * What API Gateway itself checks before an integration runs, on a throwaway REST API with MOCK
 * integrations: an AWS_IAM method given a made-up signature (AWS: 403), and a POST whose body
 * breaks the method's model under a body validator (AWS: 400).
 */
async function probeApiGatewayChecks(
  endpoint: string,
  jobsUrl: string | undefined,
): Promise<Record<'apigw-iam-signature' | 'apigw-body-schema', ProbeResult>> {
  const client = new APIGatewayClient({ endpoint, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const failed = (error: unknown): Record<'apigw-iam-signature' | 'apigw-body-schema', ProbeResult> => {
    const reason = `probe failed: ${(error as Error).name}: ${(error as Error).message}`.slice(0, 300);
    return {
      'apigw-iam-signature': { name: 'apigw-iam-signature', supported: false, reason },
      'apigw-body-schema': { name: 'apigw-body-schema', supported: false, reason },
    };
  };
  let apiId: string | undefined;
  try {
    const api = await client.send(new CreateRestApiCommand({ name: `faas-probe-${process.pid}` }));
    apiId = api.id!;
    const root = (await client.send(new GetResourcesCommand({ restApiId: apiId }))).items!.find((r) => r.path === '/')!.id!;
    const model = await client.send(
      new CreateModelCommand({
        restApiId: apiId,
        name: 'Job',
        contentType: 'application/json',
        schema: JSON.stringify({ type: 'object', required: ['id'] }),
      }),
    );
    const validator = await client.send(new CreateRequestValidatorCommand({ restApiId: apiId, name: 'body', validateRequestBody: true }));
    const mock = async (
      pathPart: string,
      method: string,
      extra: Omit<PutMethodCommandInput, 'restApiId' | 'resourceId' | 'httpMethod'>,
    ) => {
      const resource = await client.send(new CreateResourceCommand({ restApiId: apiId, parentId: root, pathPart }));
      await client.send(new PutMethodCommand({ restApiId: apiId, resourceId: resource.id, httpMethod: method, ...extra }));
      await client.send(
        new PutIntegrationCommand({
          restApiId: apiId,
          resourceId: resource.id,
          httpMethod: method,
          type: 'MOCK',
          requestTemplates: { 'application/json': '{"statusCode": 200}' },
        }),
      );
      await client.send(new PutMethodResponseCommand({ restApiId: apiId, resourceId: resource.id, httpMethod: method, statusCode: '200' }));
      await client.send(
        new PutIntegrationResponseCommand({
          restApiId: apiId,
          resourceId: resource.id,
          httpMethod: method,
          statusCode: '200',
          responseTemplates: { 'application/json': '{"ok":true}' },
        }),
      );
    };
    await mock('signed', 'GET', { authorizationType: 'AWS_IAM' });
    await mock('jobs', 'POST', {
      authorizationType: 'NONE',
      requestValidatorId: validator.id,
      requestModels: { 'application/json': model.name! },
    });
    await client.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'probe' }));
    const base = `${endpoint}/_aws/execute-api/${apiId}/probe`;
    const bogus = 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=0000';
    const [unsigned, forged, bad, good] = await Promise.all([
      fetch(`${base}/signed`, { signal: AbortSignal.timeout(15_000) }),
      fetch(`${base}/signed`, { headers: { authorization: bogus }, signal: AbortSignal.timeout(15_000) }),
      fetch(`${base}/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"action":"x"}',
        signal: AbortSignal.timeout(15_000),
      }),
      fetch(`${base}/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"id":"1"}',
        signal: AbortSignal.timeout(15_000),
      }),
    ]);
    const iam: ProbeResult =
      unsigned.status === 403 && forged.status === 403
        ? {
            name: 'apigw-iam-signature',
            supported: true,
            reason: 'an AWS_IAM method refused a request without a signature and one with a forged signature (403 both)',
          }
        : {
            name: 'apigw-iam-signature',
            supported: false,
            reason:
              `an AWS_IAM method answered ${unsigned.status} without Authorization and ${forged.status} to a forged SigV4 signature: ` +
              "the header's presence is checked, the signature is not",
          };
    const deployed = await deployedBodyValidation(client, jobsUrl);
    const schema: ProbeResult =
      bad.status !== 400 || good.status !== 200
        ? {
            name: 'apigw-body-schema',
            supported: false,
            reason:
              `a body breaking the method's model (required "id" missing) answered ${bad.status} (AWS: 400); ` +
              `a matching one ${good.status}: request validators do not check bodies here`,
          }
        : deployed
          ? {
              name: 'apigw-body-schema',
              supported: false,
              reason: `a validator created through the API checks bodies (400), but ${deployed}`,
            }
          : {
              name: 'apigw-body-schema',
              supported: true,
              reason:
                "a body breaking the method's model was refused with 400, a matching one passed; " +
                'the deployed jobs method has its model and a body validator',
            };
    return { 'apigw-iam-signature': iam, 'apigw-body-schema': schema };
  } catch (error) {
    return failed(error);
  } finally {
    if (apiId) await client.send(new DeleteRestApiCommand({ restApiId: apiId })).catch(() => undefined);
    client.destroy();
  }
}

/**
 * Whether the deployed `POST …/jobs` method is set up to check bodies the way its template says
 * (a model and a body validator): undefined when it is, else what is missing. An emulator's
 * CloudFormation may create the model but not the AWS::ApiGateway::RequestValidator.
 */
async function deployedBodyValidation(client: APIGatewayClient, jobsUrl: string | undefined): Promise<string | undefined> {
  const match = jobsUrl ? /\/_aws\/execute-api\/([^/]+)\/[^/]+(\/[^?#]*)/.exec(jobsUrl) : null;
  if (!match) return 'no deployed jobs route was given to check';
  const [, restApiId, path] = match;
  const resource = (await client.send(new GetResourcesCommand({ restApiId, limit: 500 }))).items?.find((r) => r.path === path);
  if (!resource) return `the deployed API has no resource ${path}`;
  const method = await client.send(new GetMethodCommand({ restApiId, resourceId: resource.id, httpMethod: 'POST' }));
  const validators = (await client.send(new GetRequestValidatorsCommand({ restApiId }))).items ?? [];
  const validator = validators.find((v) => v.id === method.requestValidatorId);
  if (!method.requestModels?.['application/json']) return `the deployed POST ${path} has no request model`;
  if (!validator?.validateRequestBody) {
    return (
      `the deployed POST ${path} has its model but no body validator (the deployed API has ${validators.length} request validators: ` +
      "CloudFormation's AWS::ApiGateway::RequestValidator is not created here)"
    );
  }
  return undefined;
}

/** A queue whose MaximumMessageSize is 1024 given a 2048-byte message: SQS refuses it (AWS: InvalidParameterValue). */
async function probeMaxMessageSize(sqs: SQSClient): Promise<ProbeResult> {
  const name = 'sqs-max-message-size';
  let queueUrl: string | undefined;
  try {
    queueUrl = (
      await sqs.send(new CreateQueueCommand({ QueueName: `faas-probe-size-${process.pid}`, Attributes: { MaximumMessageSize: '1024' } }))
    ).QueueUrl!;
    try {
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x'.repeat(2048) }));
      return {
        name,
        supported: false,
        reason: 'a 2048-byte message was accepted by a queue with MaximumMessageSize 1024 (AWS refuses it)',
      };
    } catch (error) {
      return {
        name,
        supported: true,
        reason: `a 2048-byte message to a queue with MaximumMessageSize 1024 was refused: ${(error as Error).name}`,
      };
    }
  } catch (error) {
    return { name, supported: false, reason: `probe failed: ${(error as Error).name}: ${(error as Error).message}`.slice(0, 300) };
  } finally {
    if (queueUrl) await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl })).catch(() => undefined);
  }
}

/** The first `POST …/jobs` route of the recorded deployment on this endpoint, if any. */
function jobsRoute(endpoint: string): string | undefined {
  try {
    const deployment = JSON.parse(fs.readFileSync(path.join(emulatorDir(PROJECT_ROOT), 'deployment.json'), 'utf8')) as {
      endpoint: string;
      outputs: StackOutputs;
    };
    if (deployment.endpoint.replace(/\/+$/, '') !== endpoint) return undefined;
    return routeUrls(deployment.outputs, endpoint).find((r) => r.method === 'POST' && r.path.endsWith('/jobs'))?.live;
  } catch {
    return undefined;
  }
}

/** Child-process entry (see `capabilities`): probe, print the matrix, write the cache. */
async function main(argv: string[]): Promise<void> {
  const endpoint = (
    argv.find((a) => !a.startsWith('--') && argv[argv.indexOf(a) - 1] !== '--deployed-at') ??
    process.env.AWS_ENDPOINT_URL ??
    DEFAULT_ENDPOINT
  ).replace(/\/+$/, '');
  const at = argv.indexOf('--deployed-at');
  const deployedAt = at >= 0 ? argv[at + 1] : '';
  const started = Date.now();
  const matrix = await probeCapabilities(endpoint, {
    roleArn: process.env.FAAS_PROBE_ROLE_ARN,
    jobsUrl: jobsRoute(endpoint),
    jobsHeaders: await jobsHeaders(endpoint),
    asyncWaitMs: process.env.FAAS_PROBE_ASYNC_WAIT_MS ? Number(process.env.FAAS_PROBE_ASYNC_WAIT_MS) : undefined,
    metricsWaitMs: process.env.FAAS_PROBE_METRICS_WAIT_MS ? Number(process.env.FAAS_PROBE_METRICS_WAIT_MS) : undefined,
  });
  const probeMs = Date.now() - started;
  console.log(`${formatMatrix(endpoint, matrix)}\n  (probed in ${(probeMs / 1000).toFixed(1)} s)`);
  if (deployedAt) {
    const cache: CacheFile = { endpoint, deployedAt, probedAt: new Date().toISOString(), probeMs, matrix };
    fs.mkdirSync(path.dirname(CACHE_FILE), { recursive: true });
    fs.writeFileSync(CACHE_FILE, `${JSON.stringify(cache, null, 2)}\n`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: Error) => {
    console.error(`capability probe failed: ${error.name}: ${error.message}`);
    process.exit(1);
  });
}
