/**
 * One function stack (`<app>-<stage>-functions-<n>`): the groups placement put here
 * (lib/placement/), with the layers they use, their routes on the shared REST API and the
 * outputs the `faas` CLI reads. The declaration has been resolved and validated before this runs.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
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
import { OUTPUT_PREFIXES as OUT } from '../contract';
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
        if (!target) throw new Error(`function "${fn.name}" names "${name}" as a destination, but ${id} does not hold it (placement keeps the two together)`);
        return target;
      });
    }

    for (const fn of this.functions.values()) this.addFunctionOutputs(fn.name, 'function', fn.function.functionName, fn.alarms.names);
    for (const fn of this.functions.values()) this.addQueueOutputs(fn);
    for (const c of this.containers.values()) this.addFunctionOutputs(c.name, 'container', c.function.functionName, c.alarms.names);

    const routed = props.functions.filter((d) => d.routes.length > 0 || this.functions.get(d.name)!.queueBuffer);
    const containers = (props.containers ?? []).filter((d) => d.routes.length > 0);
    if (routed.length === 0 && containers.length === 0) return;
    if (!props.api) throw new Error(`stack ${id} has routes but no REST API to add them to`);
    const routes = new ApiRoutes(this, this.member('Api'), { attributes: props.api, stage: props.stage });
    this.routes = routes;
    let authorizers: RouteAuthorizers | undefined;
    const auth: RouteAuthContext = {
      // Created on first use, so a stack without authorizers has no construct for them.
      get authorizers() {
        authorizers ??= new RouteAuthorizers(routes, 'Authorizers');
        return authorizers;
      },
      liveAliasOf: (name) => {
        const target = this.functions.get(name);
        if (!target) throw new Error(`an authorizer names function "${name}", but ${id} does not hold it (placement keeps the two together)`);
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
      const queue = d.queue;
      if (fn.queueBuffer && queue) {
        const path = jobsPath(name);
        const authorization = routeAuthorization(queue.auth, `POST ${path} of function "${name}"`, auth);
        routes.addQueueRoute({ functionName: name, path, queue: fn.queueBuffer.queue, authorization, bodySchema: queue.bodySchema });
        urls.push(`POST ${routes.urlFor(path)}`);
      }
      this.output(`${OUT.routes}${name}`, `Routes of function "${name}" (live; preview under /preview${fn.queueBuffer ? '; POST /jobs goes to its queue' : ''})`, urls.join(' | '));
    }
    for (const d of containers) {
      const { name } = d;
      const container = this.containers.get(name)!;
      for (const route of d.routes) {
        const authorization = routeAuthorization(route.auth, `route ${route.method} ${route.path} of container "${name}"`, auth);
        routes.addRoute({ functionName: name, method: route.method, path: route.path, live: container.live, preview: container.preview, authorization });
      }
      this.output(`${OUT.routes}${name}`, `Routes of container "${name}" (live; preview under /preview)`, d.routes.map((r) => `${r.method} ${routes.urlFor(r.path)}`).join(' | '));
    }
  }

  private member(id: string): string {
    this.memberChildIds.add(id);
    return id;
  }

  private output(id: string, description: string, value: string, exportName?: string): void {
    new CfnOutput(this, this.member(id), { description, value, exportName });
  }

  /** The `faas` CLI finds functions through these: declared name → deployed name and alarm names. */
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
   * Queue URLs for the `faas` CLI and for operators: Dlq<name> is the queue `faas dlq` reads (the
   * work queue's redrive DLQ, else the async failure queue, else the function DLQ).
   */
  private addQueueOutputs(fn: PlatformFunction): void {
    const name = fn.name;
    const failures = fn.asyncInvocation?.failureQueue?.queue;
    const dlq = fn.queueBuffer?.deadLetter.queue ?? failures ?? fn.functionDlq?.queue;
    if (fn.queueBuffer) this.output(`${OUT.queue}${name}`, `Jobs queue URL of function "${name}"`, fn.queueBuffer.queue.queueUrl);
    if (dlq) this.output(`${OUT.dlq}${name}`, `Dead-letter queue URL of function "${name}" (faas dlq)`, dlq.queueUrl);
    if (failures) this.output(`${OUT.failures}${name}`, `On-failure destination queue URL of function "${name}" (invocation records with the error)`, failures.queueUrl);
    if (fn.objectTrigger) this.output(`${OUT.bucket}${name}`, `Trigger bucket of function "${name}"`, fn.objectTrigger.bucket.bucketName);
    const alarms = fn.queueAlarmNames;
    if (alarms.length > 0) this.output(`${OUT.queueAlarms}${name}`, `Alarm names on the queues of function "${name}"`, alarms.join(','));
  }
}
