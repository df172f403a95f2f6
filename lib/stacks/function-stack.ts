/**
 * One function stack (`<app>-<stage>-functions-<n>`): the groups placement put here
 * (lib/placement/), with the layers they use, their routes on the shared REST API and the
 * outputs the `faas` CLI reads. The declaration has been resolved and validated before this runs.
 */
import { CfnOutput, Stack, Token, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { jobsPath } from '../declaration/async';
import type { ResolvedFunction } from '../declaration/schema';
import type { ResolvedContainer } from '../declaration/container';
import { ApiRoutes } from '../constructs/api-routes';
import { RouteAuthorizers } from '../constructs/route-authorizers';
import { ContainerFunction } from '../constructs/container-function';
import { PlatformFunction } from '../constructs/platform-function';
import type { RestApiAttributes } from '../constructs/rest-api';
import { SharedLayer } from '../constructs/shared-layer';
import { INDEX_ENTRY_MAX_BYTES, INDEX_OUTPUT_PREFIX, OUTPUT_PREFIXES as OUT, type FunctionIndexEntry } from '../contract';
import type { Project } from '../project';
import { containerFunctionProps, platformFunctionProps } from './construct-props';
import { routeAuthorization, type RouteAuthContext } from './route-auth';

export interface FunctionStackProps extends StackProps {
  /** e.g. "faas-dev": prefixes alarm names and export names. */
  readonly namePrefix: string;
  readonly stage: string;
  readonly project: Project;
  readonly functions: readonly ResolvedFunction[];
  /** @default - no container functions */
  readonly containers?: readonly ResolvedContainer[];
  /** The base stack's REST API, by id. @default - no routes may be declared */
  readonly api?: RestApiAttributes;
}

export class FunctionStack extends Stack {
  readonly layers = new Map<string, SharedLayer>();
  readonly functions = new Map<string, PlatformFunction>();
  readonly containers = new Map<string, ContainerFunction>();
  readonly routes?: ApiRoutes;
  /** Top-level construct ids that belong to one declared function (the rest is per-stack, e.g. the provider). */
  readonly memberChildIds = new Set<string>();
  private readonly namePrefix: string;
  /** Declared name → its routes as "METHOD /path", for the index. */
  private readonly routeLists = new Map<string, string[]>();

  constructor(scope: Construct, id: string, props: FunctionStackProps) {
    super(scope, id, props);
    const { project, namePrefix } = props;
    this.namePrefix = namePrefix;

    const used = new Set(props.functions.flatMap((f) => f.layers));
    for (const source of project.layerSources.filter((l) => used.has(l.name))) {
      this.layers.set(source.name, new SharedLayer(this, `Layer-${source.name}`, { source }));
    }

    const context = { projectRoot: project.root, namePrefix };
    for (const declaration of props.functions) {
      const layers = declaration.layers.map((name) => this.layers.get(name)!);
      this.functions.set(
        declaration.name,
        new PlatformFunction(this, this.member(`Fn-${declaration.name}`), platformFunctionProps(declaration, layers, context)),
      );
    }
    for (const declaration of props.containers ?? []) {
      this.containers.set(
        declaration.name,
        new ContainerFunction(this, this.member(`Container-${declaration.name}`), containerFunctionProps(declaration, context)),
      );
    }

    // A destination names a function of the same placement group, hence of this stack.
    for (const fn of this.functions.values()) {
      fn.connectEvents((name) => {
        const target = this.functions.get(name);
        if (!target)
          throw new Error(
            `function "${fn.name}" names "${name}" as a destination, but ${id} does not hold it (placement keeps the two together)`,
          );
        return target;
      });
    }

    for (const fn of this.functions.values()) this.addFunctionOutputs(fn.name, 'function', fn.function.functionName, fn.alarms.names);
    for (const fn of this.functions.values()) this.addQueueOutputs(fn);
    for (const c of this.containers.values()) this.addFunctionOutputs(c.name, 'container', c.function.functionName, c.alarms.names);

    this.routes = this.addRoutes(id, props);
    for (const fn of this.functions.values()) this.addIndexOutput(this.functionIndexEntry(fn));
    for (const c of this.containers.values()) {
      this.addIndexOutput({
        name: c.name,
        kind: 'container',
        functionName: c.function.functionName,
        alarms: c.alarms.names,
        routes: this.routeList(c.name),
      });
    }
  }

  /** Routes on the shared REST API, with a Routes<name> output per routed function; undefined when none is routed. */
  private addRoutes(id: string, props: FunctionStackProps): ApiRoutes | undefined {
    const routed = props.functions.filter((d) => d.routes.length > 0 || this.functions.get(d.name)!.queueBuffer);
    const containers = (props.containers ?? []).filter((d) => d.routes.length > 0);
    if (routed.length === 0 && containers.length === 0) return undefined;
    if (!props.api) throw new Error(`stack ${id} has routes but no REST API to add them to`);
    const routes = new ApiRoutes(this, this.member('Api'), { attributes: props.api, stage: props.stage });
    let authorizers: RouteAuthorizers | undefined;
    const auth: RouteAuthContext = {
      // Created on first use, so a stack without authorizers has no construct for them.
      get authorizers() {
        authorizers ??= new RouteAuthorizers(routes, 'Authorizers');
        return authorizers;
      },
      liveAliasOf: (name) => {
        const target = this.functions.get(name);
        if (!target)
          throw new Error(`an authorizer names function "${name}", but ${id} does not hold it (placement keeps the two together)`);
        return target.live;
      },
    };
    for (const d of routed) {
      const { name } = d;
      const fn = this.functions.get(name)!;
      for (const route of d.routes) {
        const authorization = routeAuthorization(route.auth, `route ${route.method} ${route.path} of function "${name}"`, auth);
        routes.addRoute({ functionName: name, method: route.method, path: route.path, live: fn.live, preview: fn.preview, authorization });
      }
      const urls = d.routes.map((r) => `${r.method} ${routes.urlFor(r.path)}`);
      this.routeLists.set(
        name,
        d.routes.map((r) => `${r.method} ${r.path}`),
      );
      const queue = d.queue;
      if (fn.queueBuffer && queue) {
        const path = jobsPath(name);
        const authorization = routeAuthorization(queue.auth, `POST ${path} of function "${name}"`, auth);
        routes.addQueueRoute({ functionName: name, path, queue: fn.queueBuffer.queue, authorization, bodySchema: queue.bodySchema });
        urls.push(`POST ${routes.urlFor(path)}`);
        this.routeLists.get(name)!.push(`POST ${path}`);
      }
      this.output(
        `${OUT.routes}${name}`,
        `Routes of function "${name}" (live; preview under /preview${fn.queueBuffer ? '; POST /jobs goes to its queue' : ''})`,
        urls.join(' | '),
      );
    }
    for (const d of containers) {
      const { name } = d;
      const container = this.containers.get(name)!;
      this.routeLists.set(
        name,
        d.routes.map((r) => `${r.method} ${r.path}`),
      );
      for (const route of d.routes) {
        const authorization = routeAuthorization(route.auth, `route ${route.method} ${route.path} of container "${name}"`, auth);
        routes.addRoute({
          functionName: name,
          method: route.method,
          path: route.path,
          live: container.live,
          preview: container.preview,
          authorization,
        });
      }
      this.output(
        `${OUT.routes}${name}`,
        `Routes of container "${name}" (live; preview under /preview)`,
        d.routes.map((r) => `${r.method} ${routes.urlFor(r.path)}`).join(' | '),
      );
    }
    return routes;
  }

  private member(id: string): string {
    this.memberChildIds.add(id);
    return id;
  }

  private output(id: string, description: string, value: string, exportName?: string): CfnOutput {
    return new CfnOutput(this, this.member(id), { description, value, exportName });
  }

  private routeList(name: string): string[] {
    return this.routeLists.get(name) ?? [];
  }

  private functionIndexEntry(fn: PlatformFunction): FunctionIndexEntry {
    const failures = fn.asyncInvocation?.failureQueue?.queue;
    const dlq = fn.queueBuffer?.deadLetter.queue ?? failures ?? fn.functionDlq?.queue;
    const queueAlarms = fn.queueAlarmNames;
    return {
      name: fn.name,
      kind: 'function',
      functionName: fn.function.functionName,
      alarms: fn.alarms.names,
      ...(fn.queueBuffer ? { queue: fn.queueBuffer.queue.queueUrl } : {}),
      ...(dlq ? { dlq: dlq.queueUrl } : {}),
      ...(failures ? { failures: failures.queueUrl } : {}),
      ...(fn.objectTrigger ? { bucket: fn.objectTrigger.bucket.bucketName } : {}),
      ...(queueAlarms.length > 0 ? { queueAlarms } : {}),
      routes: this.routeList(fn.name),
    };
  }

  /**
   * The one output the `faas` CLI reads for a function. Its size is bounded at synth: each token
   * counts at the longest value it can deploy as; routes that would pass the bound are replaced by
   * the key of the Routes output that lists them, and what still does not fit is an error.
   */
  private addIndexOutput(entry: FunctionIndexEntry): void {
    let fitted = entry;
    if (deployedBytes(entry) > INDEX_ENTRY_MAX_BYTES && entry.routes.length > 0) {
      const routesOutput = this.node.findChild(`${OUT.routes}${entry.name}`) as CfnOutput;
      fitted = { ...entry, routes: [], routesOutput: this.getLogicalId(routesOutput) };
    }
    const bytes = deployedBytes(fitted);
    if (bytes > INDEX_ENTRY_MAX_BYTES) {
      throw new Error(
        `the ${INDEX_OUTPUT_PREFIX} output of ${entry.kind} "${entry.name}" may deploy as ${bytes} bytes, over ` +
          `${INDEX_ENTRY_MAX_BYTES}; fix: shorten its name`,
      );
    }
    this.output(
      `${INDEX_OUTPUT_PREFIX}-${entry.name}`,
      `faas CLI index of ${entry.kind} "${entry.name}" (JSON)`,
      this.toJsonString(fitted),
    );
  }

  /** Declared name → deployed name and alarm names, for scripts and operators (the `faas` CLI reads the index). */
  private addFunctionOutputs(name: string, kind: 'function' | 'container', functionName: string, alarms: readonly string[]): void {
    this.output(`${OUT.function}${name}`, `Deployed Lambda function name of ${kind} "${name}"`, functionName);
    this.output(
      `${OUT.alarms}${name}`,
      `Alarm names of ${kind} "${name}" (live alias): errors, throttles, p99 duration`,
      alarms.join(','),
      `${this.namePrefix}-${name}-live-alarms`,
    );
  }

  /**
   * Queue URLs for operators and scripts: Dlq<name> is the queue `faas dlq` reads (the work queue's
   * redrive DLQ, else the async failure queue, else the function DLQ), also the index's dlq.
   */
  private addQueueOutputs(fn: PlatformFunction): void {
    const name = fn.name;
    const failures = fn.asyncInvocation?.failureQueue?.queue;
    const dlq = fn.queueBuffer?.deadLetter.queue ?? failures ?? fn.functionDlq?.queue;
    if (fn.queueBuffer) this.output(`${OUT.queue}${name}`, `Jobs queue URL of function "${name}"`, fn.queueBuffer.queue.queueUrl);
    if (dlq) this.output(`${OUT.dlq}${name}`, `Dead-letter queue URL of function "${name}" (faas dlq)`, dlq.queueUrl);
    if (failures)
      this.output(
        `${OUT.failures}${name}`,
        `On-failure destination queue URL of function "${name}" (invocation records with the error)`,
        failures.queueUrl,
      );
    if (fn.objectTrigger) this.output(`${OUT.bucket}${name}`, `Trigger bucket of function "${name}"`, fn.objectTrigger.bucket.bucketName);
    const alarms = fn.queueAlarmNames;
    if (alarms.length > 0) this.output(`${OUT.queueAlarms}${name}`, `Alarm names on the queues of function "${name}"`, alarms.join(','));
  }
}

/** The longest each token of an entry can deploy as: a Lambda function name, an SQS queue URL, an S3 bucket name. */
const TOKEN_MAX_CHARS = { functionName: 64, queueUrl: 160, bucketName: 63 } as const;

function deployedBytes(entry: FunctionIndexEntry): number {
  const longest = (value: string | undefined, max: number) => (value !== undefined && Token.isUnresolved(value) ? 'x'.repeat(max) : value);
  const { queueUrl } = TOKEN_MAX_CHARS;
  const bounded = {
    ...entry,
    functionName: longest(entry.functionName, TOKEN_MAX_CHARS.functionName),
    queue: longest(entry.queue, queueUrl),
    dlq: longest(entry.dlq, queueUrl),
    failures: longest(entry.failures, queueUrl),
    bucket: longest(entry.bucket, TOKEN_MAX_CHARS.bucketName),
  };
  return Buffer.byteLength(JSON.stringify(bounded), 'utf8');
}
