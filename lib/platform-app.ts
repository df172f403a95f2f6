/**
 * Declaration → validated platform → placement → stacks, with cdk-nag's AwsSolutions and
 * Serverless packs as synth-time validations (any unacknowledged finding fails synth).
 * Placement is measured in place: the stacks are built once and counted; only when one comes
 * out over a limit are the groups measured alone and the stacks built again (placeAndBuild).
 *
 * Stacks (docs/architecture.md "Stack placement"):
 * - `<app>-<stage>`: the REST API (ids exported under fixed names) and the list of function stacks;
 * - `<app>-<stage>-functions-<n>`: the functions placement put there, with their routes;
 * - `<app>-<stage>-api`: the API's stage, deployed last.
 */
import * as path from 'node:path';
import { Annotations, App, Stack, Stage, Validations, type AppProps, type Environment } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type { ApiStageUsagePlan } from './constructs/api-stage';
import { effectiveAsync, functionDestinations, jobsPath } from './declaration/async';
import { usagePlanSchema, type AuthDeclaration } from './declaration/auth';
import { resolvePlatformWithContainers, type ResolvedPlatformWithContainers } from './declaration/container';
import {
  DEFAULT_LIMITS,
  fits,
  placeUnits,
  stackCost,
  type PlacementLimits,
  type PlacementRecord,
  type PlacementResult,
  type UnitCost,
} from './placement/placement';
import { PLACEMENT_FILE, PlacementFile, type PlacementStore } from './placement/placement-file';
import { countStack, measureGroups } from './placement/measure';
import { PlacementError } from './placement/placement-error';
import { groupMembers, type PlacementGroup, type PlacementMember } from './placement/units';
import { readProject, type Project } from './project';
import { ApiStack } from './stacks/api-stack';

export { PlacementError } from './placement/placement-error';
import { BaseStack } from './stacks/base-stack';
import { FunctionStack } from './stacks/function-stack';
import { RetiredStack } from './stacks/retired-stack';
import { needsApiKey } from './stacks/route-auth';

export interface PlatformAppOptions {
  /** The declaration (faas.config.ts's default export). */
  readonly declaration: unknown;
  /** Project root holding functions/ and layers/. */
  readonly projectRoot: string;
  /**
   * Stage to build; when given it wins over `-c stage=…` (a Stage in a pipeline keeps its own).
   * @default - the `stage` context value, else "dev"
   */
  readonly stage?: string;
  /** @default - environment-agnostic stacks */
  readonly env?: Environment;
  /**
   * The App or Stage the stacks go into, directly (their names and paths are then as in a bare App).
   * @default - a new App, made with `appProps`
   */
  readonly scope?: Stage;
  /**
   * Props of the App made when no `scope` is given.
   * @default - a new App's defaults
   */
  readonly appProps?: AppProps;
  /**
   * Run cdk-nag's packs at synth.
   * @default true
   */
  readonly nag?: boolean;
  /**
   * Where the placement of functions into stacks is kept.
   * @default - faas.placement.json in the project root (read-only when `CI` is set)
   */
  readonly placement?: PlacementStore;
  /** @default DEFAULT_LIMITS (450 resources, 190 outputs per stack) */
  readonly limits?: PlacementLimits;
}

export interface PlatformApp {
  /** The App (or the given Stage) holding the stacks. */
  readonly app: Stage;
  readonly platform: ResolvedPlatformWithContainers;
  readonly project: Project;
  readonly base: BaseStack;
  readonly functionStacks: readonly FunctionStack[];
  /** Recorded function stacks that hold nothing any more, deployed empty. */
  readonly retiredStacks: readonly RetiredStack[];
  /** @default - none when no function has a route */
  readonly apiStack?: ApiStack;
  readonly placement: PlacementResult;
  /**
   * Synthesizes the app, then records a changed placement in the store: nothing is written
   * unless the whole synth (bundling, cdk-nag, CDK's own checks) succeeds.
   */
  synth(): CloudAssembly;
}

/** aws-cdk-lib's own check: synth fails if a template has more resources than this. */
export const STACK_RESOURCE_LIMIT_CONTEXT = '@aws-cdk/core:stackResourceLimit';

export function buildPlatformApp(options: PlatformAppOptions): PlatformApp {
  const limits = options.limits ?? DEFAULT_LIMITS;
  if (options.scope && options.appProps) {
    throw new Error(
      'buildPlatformApp: scope and appProps given together; ' +
        'fix: pass appProps only when no scope is given (they configure the App made then)',
    );
  }
  const app =
    options.scope ??
    new App({
      ...options.appProps,
      context: { [STACK_RESOURCE_LIMIT_CONTEXT]: limits.maxResources, ...options.appProps?.context },
    });
  const stage = String(options.stage ?? app.node.tryGetContext('stage') ?? 'dev');
  const project = readProject(options.projectRoot);
  const platform = resolvePlatformWithContainers(options.declaration, stage, project);
  const namePrefix = `${platform.app}-${stage}`;
  if (options.nag ?? true) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  }

  const store = options.placement ?? new PlacementFile(path.join(options.projectRoot, PLACEMENT_FILE));
  const built = placeAndBuild(app, { platform, project, store, limits, env: options.env });
  const { base, retiredStacks, deployable, placement, notice, record } = built;
  const functionStacks = [...built.functionStacks.values()];
  const stackName = (id: string) => `${namePrefix}-${id}`;
  if (notice) Annotations.of(base).addWarningV2('faas:placement-unrecorded', notice);
  for (const move of placement.moves) {
    Annotations.of(base).addWarningV2(
      'faas:placement-move',
      `function "${move.name}" moves from ${stackName(move.from)} to ${stackName(move.to)} because ${move.reason}: ` +
        'the deploy replaces it (new function name, empty queues, old versions gone); ' +
        `${stackName(move.to)} deploys after ${stackName(move.from)}`,
    );
  }
  for (const id of placement.emptied) {
    Annotations.of(base).addWarningV2(
      'faas:placement-emptied',
      `${stackName(id)} holds no function any more and is deployed empty; once that deploy is done delete it ` +
        `(aws cloudformation delete-stack --stack-name ${stackName(id)}) and its entry in ${PLACEMENT_FILE}, ` +
        'or leave it for the next new function',
    );
  }

  const routed = functionStacks.filter((s) => s.routes);
  if (routed.length === 0) {
    Annotations.of(base).addWarningV2(
      'faas:no-routes',
      `no function declares a route, so ${stackName('api')} (the API stage) is not part of this app; ` +
        'if it was deployed before, it keeps serving its last routes until you delete it',
    );
  }
  let apiStack: ApiStack | undefined;
  if (routed.length > 0) {
    apiStack = new ApiStack(app, stackName('api'), {
      stackName: stackName('api'),
      restApiId: base.imported.restApiId,
      stageName: stage,
      throttleRateLimit: platform.api.throttleRateLimit,
      throttleBurstLimit: platform.api.throttleBurstLimit,
      usagePlan: usagePlanOf(platform),
      methodSignatures: () => routed.flatMap((s) => s.routes!.signatures.map((line) => `${s.stackName} ${line}`)),
      env: options.env,
      description: `faas platform "${platform.app}", stage ${stage}: REST API stage`,
    });
    apiStack.addStackDependency(base, 'imports the REST API id; its account settings (CloudWatch role) must exist before stage logging');
    // Every function stack, routed or not: one that just lost its routes must delete its methods first.
    for (const s of deployable.values()) apiStack.addStackDependency(s, 'a deployment snapshots every method');
  }
  const synth = () => {
    const assembly = app.synth();
    record?.();
    return assembly;
  };
  return { app, platform, project, base, functionStacks, retiredStacks, apiStack, placement, synth };
}

interface PlaceInput {
  readonly platform: ResolvedPlatformWithContainers;
  readonly project: Project;
  readonly store: PlacementStore;
  readonly limits: PlacementLimits;
  readonly env?: Environment;
}

interface PlacedStacks extends BuiltStacks {
  readonly placement: PlacementResult;
  readonly notice?: string;
  readonly record?: () => void;
}

/**
 * Places the functions and builds their stacks, each function once when it can: the stacks are
 * built from the placement zero costs give, then counted as built. When every stack fits, that
 * placement is the one real costs give (see below). When one does not (a first synth of an app
 * too big for one stack, or a stack that grew past a limit), the stacks are removed, every group
 * is measured alone in a scratch stack (measure.ts) and the stacks are built again: that fallback
 * builds each function three times (twice with containers left out, which are measured first).
 * Checks a changed record with the store now; returns how to record it after synth.
 */
function placeAndBuild(scope: Stage, input: PlaceInput): PlacedStacks {
  const { platform, store, limits } = input;
  const deployment = `${platform.app}-${platform.stage}`;
  const recorded = store.read(deployment);
  const groups = groupMembers(placementMembers(platform));
  const withContainers = String(scope.node.tryGetContext('containers') ?? 'true') !== 'false';
  // Zero costs keep every group where its members were and send every new one to the first stack;
  // the moves and problems of groups formed across stacks do not depend on cost. Real costs only
  // add to them, so with problems the measured placement below reports all of them.
  const provisional = placeUnits(
    groups.map((g) => ({ ...g, cost: NO_COST })),
    recorded ?? { stacks: {} },
    limits,
  );
  // Containers left out are not in the built stacks: only measuring counts them.
  if (provisional.problems.length === 0 && (withContainers || platform.containers.length === 0)) {
    const built = buildStacks(scope, input, provisional, withContainers);
    const counted = new Map([...built.functionStacks.entries()].map(([id, stack]) => [id, stackCost([countStack(stack)])]));
    // A stack's cost only grows with the groups it holds, and a built stack costs what its groups'
    // measured costs add up to (the placement tests check both against templates). So when every
    // built stack fits, the groups real costs keep in place fit too (nothing is evicted), and each
    // new group, at its turn, fits the first stack holding part of what it holds here: real costs
    // place every group as zero costs did.
    if ([...counted.values()].every((cost) => fits(cost, limits))) {
      const stacks = provisional.stacks.map((placed) => ({ id: placed.id, units: placed.units.map(groupOf), ...counted.get(placed.id)! }));
      return recording(store, deployment, recorded, { ...provisional, stacks }, built);
    }
    for (const stack of [built.base, ...built.deployable.values()]) scope.node.tryRemoveChild(stack.node.id);
  }
  const units = measureGroups({
    groups,
    functions: platform.functions,
    containers: platform.containers,
    project: input.project,
    stage: platform.stage,
    context: scope.node.getAllContext() as Record<string, unknown>,
  });
  const measured = placeUnits(units, recorded ?? { stacks: {} }, limits);
  if (measured.problems.length > 0) throw new PlacementError(deployment, measured.problems);
  const placement = { ...measured, stacks: measured.stacks.map((placed) => ({ ...placed, units: placed.units.map(groupOf) })) };
  return recording(store, deployment, recorded, placement, buildStacks(scope, input, placement, withContainers));
}

const NO_COST: UnitCost = { resources: 0, outputs: 0, shared: {} };

/** A unit without its cost: a placement keeps only what its stacks count. */
const groupOf = ({ key, members, segments }: PlacementGroup): PlacementGroup => ({ key, members, segments });

/** The placement with how to record it when it changed; the store refuses a change now (CI), before any synth. */
function recording(
  store: PlacementStore,
  deployment: string,
  recorded: PlacementRecord | undefined,
  placement: PlacementResult,
  built: BuiltStacks,
): PlacedStacks {
  const after = Object.keys(placement.after).length > 0 ? { after: placement.after } : {};
  const next: PlacementRecord = { stacks: placement.assignment, ...after };
  if (recorded !== undefined && canonical(recorded) === canonical(next)) return { ...built, placement };
  return { ...built, placement, notice: store.check(deployment, next), record: () => store.write(deployment, next) };
}

/** What groups the functions: a destination or an authorizer function lives in the stack of the function that names it. */
function placementMembers(platform: ResolvedPlatformWithContainers): PlacementMember[] {
  return [
    ...platform.functions.map((f) => ({
      name: f.name,
      paths: [...f.routes.map((r) => r.path), ...(f.queue ? [jobsPath(f.name)] : [])],
      linked: [...functionDestinations(effectiveAsync(f)), ...authorizerFunctions([...f.routes.map((r) => r.auth), f.queue?.auth])],
    })),
    ...platform.containers.map((c) => ({
      name: c.name,
      paths: c.routes.map((r) => r.path),
      linked: authorizerFunctions(c.routes.map((r) => r.auth)),
    })),
  ];
}

interface BuiltStacks {
  readonly base: BaseStack;
  /** By placed stack id, in placement order. */
  readonly functionStacks: ReadonlyMap<string, FunctionStack>;
  readonly retiredStacks: readonly RetiredStack[];
  /** Function and retired stacks by placed stack id. */
  readonly deployable: ReadonlyMap<string, Stack>;
}

/** The base, retired and function stacks of a placement, with their order; nothing outside them is touched. */
function buildStacks(app: Stage, input: PlaceInput, placement: PlacementResult, withContainers: boolean): BuiltStacks {
  const { platform, project, env } = input;
  const { stage } = platform;
  const namePrefix = `${platform.app}-${stage}`;
  const stackName = (id: string) => `${namePrefix}-${id}`;
  const contents = placement.stacks
    .map((placed) => {
      const members = new Set(placed.units.flatMap((u) => u.members));
      return {
        placed,
        members,
        functions: platform.functions.filter((f) => members.has(f.name)),
        containers: withContainers ? platform.containers.filter((c) => members.has(c.name)) : [],
      };
    })
    // With containers left out (emulators) a stack may hold nothing: it is not part of this app.
    .filter((c) => c.functions.length > 0 || c.containers.length > 0);

  // Explicit names: inside a Stage CDK would prefix them, and the CLI finds stacks by these.
  const base = new BaseStack(app, namePrefix, {
    stackName: namePrefix,
    namePrefix,
    functionStacks: contents.map((c) => stackName(c.placed.id)),
    env,
    description: `faas platform "${platform.app}", stage ${stage}: REST API and index of function stacks`,
  });

  const deployable = new Map<string, Stack>();
  const retiredStacks = placement.emptied.map((id) => {
    const description = `faas platform "${platform.app}", stage ${stage}: retired function stack (empty)`;
    const stack = new RetiredStack(app, stackName(id), { stackName: stackName(id), env, description });
    deployable.set(id, stack);
    return stack;
  });
  const functionStacks = new Map<string, FunctionStack>();
  for (const { placed, members, functions, containers } of contents) {
    const stack = new FunctionStack(app, stackName(placed.id), {
      stackName: stackName(placed.id),
      namePrefix,
      stage,
      project,
      functions,
      containers,
      api: base.imported,
      env,
      description: `faas platform "${platform.app}", stage ${stage}: functions ${[...members].sort().join(', ')}`.slice(0, 512),
    });
    stack.addStackDependency(base, 'imports the REST API ids');
    functionStacks.set(placed.id, stack);
    deployable.set(placed.id, stack);
  }
  // A moved function's old stack deletes its names (alarms, export, API resources) first.
  for (const [id, before] of Object.entries(placement.after)) {
    for (const earlier of before) {
      const [later, first] = [deployable.get(id), deployable.get(earlier)];
      if (later && first) later.addStackDependency(first, 'a function moved from it: its old resources must be gone first');
    }
  }
  return { base, functionStacks, retiredStacks, deployable };
}

const sortedLists = (a: Readonly<Record<string, readonly string[]>> = {}) =>
  Object.keys(a)
    .sort()
    .map((k) => [k, [...a[k]].sort()]);
const canonical = (r: PlacementRecord) => JSON.stringify([sortedLists(r.stacks), sortedLists(r.after)]);

const authorizerFunctions = (auths: readonly (AuthDeclaration | undefined)[]): string[] => [
  ...new Set(auths.flatMap((a) => (a?.kind === 'authorizer' ? [a.function] : []))),
];

/** The usage plan API-key routes need: the declared one, else the defaults; none without such routes. */
function usagePlanOf(platform: ResolvedPlatformWithContainers): ApiStageUsagePlan | undefined {
  const auths = [
    ...platform.functions.flatMap((f) => [...f.routes.map((r) => r.auth), f.queue?.auth]),
    ...platform.containers.flatMap((c) => c.routes.map((r) => r.auth)),
  ];
  if (!needsApiKey(auths)) return undefined;
  const plan = platform.api.usagePlan ?? usagePlanSchema.parse({});
  return {
    throttle: { rateLimit: plan.rateLimit, burstLimit: plan.burstLimit },
    quota: plan.quota ? { limit: plan.quota.limit, period: apigateway.Period[plan.quota.period] } : undefined,
  };
}

/** Stacks of a built platform app, base first, API stack last. */
export function stacksOf(built: Pick<PlatformApp, 'base' | 'functionStacks' | 'retiredStacks' | 'apiStack'>): Stack[] {
  return [built.base, ...built.functionStacks, ...built.retiredStacks, ...(built.apiStack ? [built.apiStack] : [])];
}
