/**
 * One deployable unit: the layers, the declared functions and the API that routes to them.
 * The declaration has been resolved and validated before this runs.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { jobsPath } from '../declaration/async';
import type { ResolvedPlatform } from '../declaration/schema';
import type { ResolvedContainer } from '../declaration/container';
import { ContainerFunction } from '../constructs/container-function';
import { HttpApi } from '../constructs/http-api';
import { PlatformFunction } from '../constructs/platform-function';
import { SharedLayer } from '../constructs/shared-layer';
import type { Project } from '../project';

export interface PlatformStackProps extends StackProps {
  readonly platform: ResolvedPlatform;
  readonly project: Project;
  /**
   * Container-image functions. Left out when the app runs with `-c containers=false` (emulators
   * without Docker, where an image function cannot run).
   * @default - no container functions
   */
  readonly containers?: readonly ResolvedContainer[];
}

export class PlatformStack extends Stack {
  readonly layers = new Map<string, SharedLayer>();
  readonly functions = new Map<string, PlatformFunction>();
  readonly containers = new Map<string, ContainerFunction>();
  readonly api?: HttpApi;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    const { platform, project } = props;
    const namePrefix = `${platform.app}-${platform.stage}`;

    const used = new Set(platform.functions.flatMap((f) => f.layers));
    for (const source of project.layerSources.filter((l) => used.has(l.name))) {
      this.layers.set(source.name, new SharedLayer(this, `Layer-${source.name}`, { source }));
    }

    for (const declaration of platform.functions) {
      const layers = declaration.layers.map((name) => this.layers.get(name)!);
      this.functions.set(
        declaration.name,
        new PlatformFunction(this, `Fn-${declaration.name}`, { declaration, layers, projectRoot: project.root, namePrefix }),
      );
    }

    if (String(this.node.tryGetContext('containers') ?? 'true') !== 'false') {
      for (const declaration of props.containers ?? []) {
        this.containers.set(
          declaration.name,
          new ContainerFunction(this, `Container-${declaration.name}`, { declaration, projectRoot: project.root, namePrefix }),
        );
      }
    }

    // Destinations may name any function of the stack, so events are wired once all exist.
    for (const fn of this.functions.values()) fn.connectEvents((name) => this.functions.get(name)!);

    for (const fn of this.functions.values()) {
      const name = fn.declaration.name;
      // The `faas` CLI finds functions through these outputs: declared name → deployed name.
      new CfnOutput(this, `Function-${name}`, {
        description: `Deployed Lambda function name of "${name}"`,
        value: fn.function.functionName,
      });
      new CfnOutput(this, `Alarms-${name}`, {
        description: `Alarm names of function "${name}" (live alias): errors, throttles, p99 duration`,
        value: fn.alarms.names.join(','),
        exportName: `${namePrefix}-${name}-live-alarms`,
      });
      this.addQueueOutputs(fn);
    }
    for (const container of this.containers.values()) {
      const name = container.declaration.name;
      new CfnOutput(this, `Function-${name}`, { description: `Deployed Lambda function name of container "${name}"`, value: container.function.functionName });
      new CfnOutput(this, `Alarms-${name}`, {
        description: `Alarm names of container "${name}" (live alias): errors, throttles, p99 duration`,
        value: container.alarms.names.join(','),
        exportName: `${namePrefix}-${name}-live-alarms`,
      });
    }

    const routed = [...this.functions.values()].filter((f) => f.declaration.routes.length > 0 || f.queueBuffer);
    const containers = [...this.containers.values()].filter((c) => c.declaration.routes.length > 0);
    if (routed.length === 0 && containers.length === 0) return;
    const api = new HttpApi(this, 'Http', {
      stage: platform.stage,
      restApiName: namePrefix,
      throttleRateLimit: platform.api.throttleRateLimit,
      throttleBurstLimit: platform.api.throttleBurstLimit,
    });
    this.api = api;
    for (const fn of routed) {
      const name = fn.declaration.name;
      for (const route of fn.declaration.routes) {
        api.addRoute({ functionName: name, route, live: fn.live, preview: fn.preview });
      }
      const routes = fn.declaration.routes.map((r) => `${r.method} ${api.urlFor(r.path)}`);
      if (fn.queueBuffer) {
        api.addQueueRoute({ functionName: name, path: jobsPath(name), queue: fn.queueBuffer.queue });
        routes.push(`POST ${api.urlFor(jobsPath(name))}`);
      }
      new CfnOutput(this, `Routes-${name}`, {
        description: `Routes of function "${name}" (live; preview under /preview${fn.queueBuffer ? '; POST /jobs goes to its queue' : ''})`,
        value: routes.join(' | '),
      });
    }
    for (const container of containers) {
      container.addRoutesTo(api);
      new CfnOutput(this, `Routes-${container.declaration.name}`, {
        description: `Routes of container "${container.declaration.name}" (live; preview under /preview)`,
        value: container.declaration.routes.map((r) => `${r.method} ${api.urlFor(r.path)}`).join(' | '),
      });
    }
  }

  /**
   * Queue URLs for the `faas` CLI and for operators: Dlq<name> is the queue `faas dlq` reads (the
   * work queue's redrive DLQ, else the async failure queue, else the function DLQ).
   */
  private addQueueOutputs(fn: PlatformFunction): void {
    const name = fn.declaration.name;
    const failures = fn.asyncInvocation?.failureQueue?.queue;
    const dlq = fn.queueBuffer?.deadLetter.queue ?? failures ?? fn.functionDlq?.queue;
    if (fn.queueBuffer) {
      new CfnOutput(this, `Queue-${name}`, { description: `Jobs queue URL of function "${name}"`, value: fn.queueBuffer.queue.queueUrl });
    }
    if (dlq) {
      new CfnOutput(this, `Dlq-${name}`, { description: `Dead-letter queue URL of function "${name}" (faas dlq)`, value: dlq.queueUrl });
    }
    if (failures) {
      new CfnOutput(this, `Failures-${name}`, { description: `On-failure destination queue URL of function "${name}" (invocation records with the error)`, value: failures.queueUrl });
    }
    if (fn.objectTrigger) {
      new CfnOutput(this, `Bucket-${name}`, { description: `Trigger bucket of function "${name}"`, value: fn.objectTrigger.bucket.bucketName });
    }
    const alarms = fn.queueAlarmNames;
    if (alarms.length > 0) {
      new CfnOutput(this, `QueueAlarms-${name}`, { description: `Alarm names on the queues of function "${name}"`, value: alarms.join(',') });
    }
  }
}
