/**
 * What function stacks cost, counted rather than estimated: the CloudFormation resources and
 * outputs a built stack holds (countStack), so whatever the platform adds to a function later is
 * counted without anyone updating a table. Placement counts the real stacks where they are built
 * (lib/platform-app.ts); only when one of them comes out over a limit does it measure each group
 * alone (measureGroups): built into a scratch function stack (same code, same context, no
 * bundling) and counted the same way.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, CfnOutput, CfnResource } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import type { IConstruct } from 'constructs';
import type { ResolvedContainer } from '../declaration/container';
import type { ResolvedFunction } from '../declaration/schema';
import type { Project } from '../project';
import { FunctionStack } from '../stacks/function-stack';
import type { PlacementUnit, StackCost, UnitCost } from './placement';
import type { PlacementGroup } from './units';

export interface MeasureInput {
  readonly groups: readonly PlacementGroup[];
  readonly functions: readonly ResolvedFunction[];
  readonly containers: readonly ResolvedContainer[];
  readonly project: Project;
  readonly stage: string;
  /** The real app's context (feature flags change what constructs render). */
  readonly context: Record<string, unknown>;
}

const VERSION_REPORTING: Record<string, StackCost> = { 'AWS::CDK::Metadata': { resources: 1, outputs: 0 } };

const DUMMY_API = { restApiId: 'api', rootResourceId: 'root', previewResourceId: 'preview', requestValidatorId: 'validator' };

export function measureGroups(input: MeasureInput): PlacementUnit[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'faas-placement-'));
  try {
    return input.groups.map((group) => {
      const app = new App({
        outdir,
        // Never synthesized (under the CDK CLI an App would otherwise synthesize itself at exit).
        autoSynth: false,
        context: input.context,
        // No bundling — after the CLI's context, which asks to bundle every stack. Assets that need
        // none (a container's build context) are copied into the scratch outdir, removed below.
        postCliContext: { [cxapi.BUNDLING_STACKS]: [] },
      });
      const stack = new FunctionStack(app, 'Measure', {
        namePrefix: 'measure',
        stage: input.stage,
        project: input.project,
        functions: input.functions.filter((f) => group.members.includes(f.name)),
        containers: input.containers.filter((c) => group.members.includes(c.name)),
        api: DUMMY_API,
      });
      return { ...group, cost: countStack(stack) };
    });
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * A function stack's resources and outputs as its template will have them: the members' own
 * parts, and the per-stack parts (the provider, a layer, CDK's metadata resource) by id.
 */
export function countStack(stack: FunctionStack): UnitCost {
  let own: StackCost = { resources: 0, outputs: 0 };
  // Added at synth, to every stack, when version reporting is on (the CDK CLI's default).
  const reporting = Boolean(stack.node.tryGetContext(cxapi.ANALYTICS_REPORTING_ENABLED_CONTEXT));
  const shared: Record<string, StackCost> = reporting ? { ...VERSION_REPORTING } : {};
  for (const child of stack.node.children) {
    const cost = count(child);
    if (stack.memberChildIds.has(child.node.id)) own = add(own, cost);
    else if (cost.resources + cost.outputs > 0) shared[child.node.id] = cost;
  }
  return { ...own, shared };
}

function count(scope: IConstruct): StackCost {
  let resources = 0;
  let outputs = 0;
  for (const c of scope.node.findAll()) {
    if (c instanceof CfnResource) resources++;
    else if (c instanceof CfnOutput) outputs++;
  }
  return { resources, outputs };
}

const add = (a: StackCost, b: StackCost): StackCost => ({ resources: a.resources + b.resources, outputs: a.outputs + b.outputs });
