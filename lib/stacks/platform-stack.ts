/**
 * One deployable unit: the layers, the declared functions and the API that routes to them.
 * The declaration has been resolved and validated before this runs.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { ResolvedPlatform } from '../declaration/schema';
import { HttpApi } from '../constructs/http-api';
import { PlatformFunction } from '../constructs/platform-function';
import { SharedLayer } from '../constructs/shared-layer';
import type { Project } from '../project';

export interface PlatformStackProps extends StackProps {
  readonly platform: ResolvedPlatform;
  readonly project: Project;
}

export class PlatformStack extends Stack {
  readonly layers = new Map<string, SharedLayer>();
  readonly functions = new Map<string, PlatformFunction>();
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
    }

    const routed = [...this.functions.values()].filter((f) => f.declaration.routes.length > 0);
    if (routed.length === 0) return;
    const api = new HttpApi(this, 'Http', {
      stage: platform.stage,
      restApiName: namePrefix,
      throttleRateLimit: platform.api.throttleRateLimit,
      throttleBurstLimit: platform.api.throttleBurstLimit,
    });
    this.api = api;
    for (const fn of routed) {
      for (const route of fn.declaration.routes) {
        api.addRoute({ functionName: fn.declaration.name, route, live: fn.live, preview: fn.preview });
      }
      new CfnOutput(this, `Routes-${fn.declaration.name}`, {
        description: `Routes of function "${fn.declaration.name}" (live; preview under /preview)`,
        value: fn.declaration.routes.map((r) => `${r.method} ${api.urlFor(r.path)}`).join(' | '),
      });
    }
  }
}
