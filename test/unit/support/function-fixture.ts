/**
 * PlatformFunction on a bare Stack, as aws-cdk tests its constructs: the declaration is resolved
 * and mapped to construct props by the one mapping module (lib/stacks/construct-props.ts), with
 * the layers the functions use and destinations wired as a function stack wires them. No
 * placement, REST API, routes or outputs: tests about those use platform-fixture's `build`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PlatformFunction } from '../../../lib/constructs/platform-function';
import { SharedLayer } from '../../../lib/constructs/shared-layer';
import { resolvePlatform } from '../../../lib/declaration/resolve';
import type { PlatformInput } from '../../../lib/declaration/schema';
import { readProject, type Project } from '../../../lib/project';
import { platformFunctionProps } from '../../../lib/stacks/construct-props';
import { CDK_CONTEXT, NO_CFN_VALIDATION, NO_BUNDLING, REPO_ROOT } from './platform-fixture';
import { sharedBuilds, type SharedBuild } from './shared-builds';

export interface BuiltFunctions {
  readonly stack: Stack;
  readonly functions: ReadonlyMap<string, PlatformFunction>;
  readonly template: Template;
}

let project: Project | undefined;

/**
 * The functions of a declaration (stage dev) on a bare Stack named `<app>-dev`, synthesized without
 * bundling; tests of a file asking for the same declaration share one build (shared-builds.ts).
 */
export const buildFunctions: SharedBuild<[input: PlatformInput], BuiltFunctions> = sharedBuilds(buildFresh, (input) =>
  JSON.stringify(input),
);

function buildFresh(input: PlatformInput): BuiltFunctions {
  project ??= readProject(REPO_ROOT);
  const platform = resolvePlatform(input, 'dev', project);
  const namePrefix = `${platform.app}-dev`;
  const app = new App({
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'faas-fn-test-')),
    ...NO_CFN_VALIDATION,
    context: { ...CDK_CONTEXT, ...NO_BUNDLING },
  });
  const stack = new Stack(app, namePrefix);
  const used = new Set(platform.functions.flatMap((f) => f.layers));
  const layers = new Map(
    project.layerSources
      .filter((l) => used.has(l.name))
      .map((source) => [source.name, new SharedLayer(stack, `Layer-${source.name}`, { source })]),
  );
  const functions = new Map<string, PlatformFunction>();
  for (const d of platform.functions) {
    const props = platformFunctionProps(
      d,
      d.layers.map((name) => layers.get(name)!),
      { projectRoot: REPO_ROOT, namePrefix },
    );
    functions.set(d.name, new PlatformFunction(stack, `Fn-${d.name}`, props));
  }
  for (const fn of functions.values()) {
    fn.connectEvents((name) => {
      const target = functions.get(name);
      if (!target) throw new Error(`test fixture: destination "${name}" of "${fn.name}" is not declared`);
      return target;
    });
  }
  return { stack, functions, template: Template.fromStack(stack) };
}
