/**
 * Config resolution: stage overrides → defaults → validation, all in one pass that
 * collects every problem and throws once. Pure: what it needs from the disk (which
 * layers exist, which entry files exist) is passed in, so it is tested without fixtures.
 */
import { PLATFORM_ENV_PREFIX, PREVIEW_PREFIX } from '../contract';
import { checkAsync, effectiveAsync, implicitRoutes, jobsPath } from './async';
import { authSchema, checkAuth, undecidedAuth, type AuthDeclaration } from './auth';
import { scheduleExpressionProblem } from './schedule-expression';
import {
  apiSchema,
  functionSchema,
  platformSchema,
  type PlatformInput,
  type ResolvedFunction,
  type ResolvedPlatform,
} from './schema';
import { applyOverride, isRecord, markOverride, zodProblems, type DeclarationProblem } from './zod-problems';

/** What resolution needs to know about the project folder. */
export interface ProjectView {
  /** Folder names under layers/. */
  readonly layers: readonly string[];
  /** Whether a path relative to the project root exists. */
  readonly fileExists: (relativePath: string) => boolean;
  /**
   * What an existing entry file exports, or why it does not compile.
   * @default - entry files are not inspected (only their existence is checked)
   */
  readonly inspectEntry?: (relativePath: string) => EntryInspection;
}

/** An entry file as the bundler sees it. */
export type EntryInspection =
  | {
      /** Names it exports. */
      readonly exports: readonly string[];
      /** npm packages it imports that neither node_modules, a layer nor the Lambda runtime provides. */
      readonly unresolved: readonly string[];
    }
  | { /** The first compile error, "file:line:column: text". */ readonly error: string };

export type { DeclarationProblem } from './zod-problems';

export class DeclarationError extends Error {
  /**
   * @param checked every stage that was resolved, when more than the one being built
   */
  constructor(
    readonly stage: string,
    readonly problems: readonly DeclarationProblem[],
    readonly checked: readonly string[] = [stage],
  ) {
    const also = checked.length > 1 ? ` (every stage checked: ${checked.join(', ')})` : '';
    super(
      `faas declaration for stage "${stage}" has ${problems.length} problem${problems.length === 1 ? '' : 's'}${also}:\n` +
        problems.map((p) => `  - ${formatProblem(p)}`).join('\n'),
    );
    this.name = 'DeclarationError';
  }
}

export function formatProblem(p: DeclarationProblem): string {
  const where = p.functionName !== undefined ? `function "${p.functionName}", field "${p.field}"` : `field "${p.field}"`;
  const from = [p.override ? `set in ${p.override}` : undefined, p.stage ? `stage "${p.stage}"` : undefined].filter(Boolean).join(', ');
  return `${where}${from ? ` (${from})` : ''}: got ${show(p.value)} — ${p.message}`;
}

const FUNCTION_NAME = /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/;
const ENV_KEY = /^[A-Za-z][A-Za-z0-9_]*$/;
// Lambda sets these itself; a function may not override them.
const RESERVED_ENV = new Set([
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR',
]);
export { PLATFORM_ENV_PREFIX };
const README_REFERENCE = 'the declaration reference in README.md';

export { PREVIEW_PREFIX };

/**
 * Resolve the declaration for one stage.
 * @throws DeclarationError listing every problem found
 */
export function resolvePlatform(input: unknown, stage: string, project: ProjectView): ResolvedPlatform {
  const problems: DeclarationProblem[] = [];
  const top = platformSchema.safeParse(input);
  if (!top.success) {
    problems.push(...zodProblems(top.error, input, { reference: README_REFERENCE, schema: platformSchema }));
    // Keep going where the shape allows, so one run reports function problems too.
    const salvage = salvageTop(input);
    if (!salvage) throw new DeclarationError(stage, problems);
    resolveFunctions(salvage, stage, project, problems, declaredDefaultAuth(input, stage));
    throw new DeclarationError(stage, problems);
  }
  const platform = top.data;
  const raw = input as PlatformInput;

  if (!/^[a-z][a-z0-9-]{0,19}$/.test(stage)) {
    problems.push({ field: 'stage', value: stage, message: 'stage must be 1-20 lowercase letters, digits or "-" (pass -c stage=dev or -c stage=prod)' });
  }
  const declaredStages = Object.keys(platform.stages);
  if (declaredStages.length > 0 && !declaredStages.includes(stage)) {
    problems.push({ field: 'stage', value: stage, message: `unknown stage; fix: use one of ${declaredStages.join(', ')} or add it under stages` });
  }
  const defaultAuth = platform.stages[stage]?.api?.auth ?? platform.api.auth;
  const functions = resolveFunctions(platform, stage, project, problems, defaultAuth);
  if (defaultAuth) {
    const field = platform.stages[stage]?.api?.auth ? `stages.${stage}.api.auth` : 'api.auth';
    problems.push(...checkAuth(defaultAuth, field, '', Object.keys(platform.functions)));
  }
  if (Object.keys(platform.functions).length === 0) {
    problems.push({ field: 'functions', value: raw.functions, message: 'no functions declared; fix: declare at least one function' });
  }
  const stageApi = platform.stages[stage]?.api ?? {};
  const api = apiSchema.safeParse({ ...platform.api, ...stageApi });
  if (!api.success) {
    const found = zodProblems(api.error, { ...platform.api, ...stageApi }, { prefix: 'api', reference: README_REFERENCE, schema: apiSchema });
    problems.push(...markOverride(found, stageApi, `stages.${stage}.api`, (p) => p.field.replace(/^api\./, '')));
  }

  if (problems.length > 0 || !api.success) throw new DeclarationError(stage, problems);
  return { app: platform.app, stage, api: api.data, functions };
}

interface FunctionsAndStages {
  readonly functions: Record<string, unknown>;
  readonly stages: Record<string, { functions?: Record<string, Record<string, unknown>> }>;
}

/**
 * @param defaultAuth the auth of routes that declare none (the stage's api.auth, else the app's);
 * 'unknown' when it is declared but invalid, so no route is reported as undecided because of it
 */
function resolveFunctions(
  platform: FunctionsAndStages,
  stage: string,
  project: ProjectView,
  problems: DeclarationProblem[],
  defaultAuth: AuthDeclaration | 'unknown' | undefined,
): ResolvedFunction[] {
  const overrides = platform.stages[stage]?.functions ?? {};
  const start = problems.length;
  for (const name of Object.keys(overrides)) {
    if (!Object.hasOwn(platform.functions, name)) {
      problems.push({ field: `stages.${stage}.functions.${name}`, value: name, message: `stage override for a function that is not declared; fix: declare it under functions or remove the override` });
    }
  }
  const functions: ResolvedFunction[] = [];
  for (const [name, declared] of Object.entries(platform.functions)) {
    if (!FUNCTION_NAME.test(name)) {
      problems.push({ functionName: name, field: 'name', value: name, message: 'function names must be 2-40 lowercase letters, digits or "-", starting with a letter; fix: rename the key under functions' });
      continue;
    }
    const merged = applyOverride(declared, overrides[name]);
    const parsed = functionSchema.safeParse(merged);
    if (!parsed.success) {
      problems.push(...zodProblems(parsed.error, merged, { functionName: name, reference: README_REFERENCE, schema: functionSchema }));
      // Still report what can be checked on the raw input, so one run shows every problem.
      const raw = isRecord(merged) ? merged : {};
      const entry = typeof raw.entry === 'string' ? raw.entry : `functions/${name}/index.ts`;
      const layers = Array.isArray(raw.layers) ? raw.layers.filter((l): l is string => typeof l === 'string') : [];
      const reported = new Set(problems.map((p) => `${p.functionName}:${p.field}`));
      problems.push(...checkEntryAndLayers(name, entry, layers, project).filter((p) => !reported.has(`${p.functionName}:${p.field}`)));
      continue;
    }
    const asyncSettings = effectiveAsync(parsed.data);
    const declaredFunctions = Object.keys(platform.functions);
    const routes = decideAuth(name, parsed.data.routes, defaultAuth, stage, declaredFunctions, (i) => `routes[${i}]`, problems);
    const [queue] = parsed.data.queue
      ? decideAuth(name, [{ ...parsed.data.queue, method: 'POST', path: jobsPath(name) }], defaultAuth, stage, declaredFunctions, () => 'queue', problems)
      : [];
    const fn: ResolvedFunction = {
      ...parsed.data,
      name,
      entry: parsed.data.entry ?? `functions/${name}/index.ts`,
      routes,
      ...(parsed.data.queue && queue ? { queue: { ...parsed.data.queue, auth: queue.auth } } : {}),
      ...(asyncSettings ? { async: asyncSettings } : {}),
    };
    problems.push(...checkFunction(fn, project));
    functions.push(fn);
  }
  const declared = Object.keys(platform.functions);
  for (const fn of functions) {
    problems.push(...checkAsync(fn, functions, declared).map((p) => ({ functionName: fn.name, ...p })));
  }
  problems.push(...checkRoutes(functions));
  // A problem in a field a stage override set says so: that is where the fix goes.
  for (let i = start; i < problems.length; i++) {
    const p = problems[i];
    if (p.functionName !== undefined) [problems[i]] = markOverride([p], overrides[p.functionName], `stages.${stage}.functions.${p.functionName}`, (q) => q.field);
  }
  return functions;
}

/**
 * Fills in every route's effective auth — its own, else `defaultAuth` — and reports a route left
 * with none (it would be public without anyone having said so) and authorizers that name no
 * declared function. Returns the routes with `auth` set where it could be decided.
 * @param field the declared field of route i, e.g. "routes[0]" or "queue"
 */
export function decideAuth<R extends { method: string; path: string; auth?: AuthDeclaration }>(
  owner: string,
  routes: readonly R[],
  defaultAuth: AuthDeclaration | 'unknown' | undefined,
  stage: string,
  functions: readonly string[],
  field: (i: number) => string,
  problems: DeclarationProblem[],
  functionName: string | undefined = owner,
): R[] {
  return routes.map((route, i) => {
    const at = `${field(i)}.auth`;
    const what = field(i) === 'queue' ? `the jobs endpoint POST ${route.path}` : `route ${route.method} ${route.path}`;
    if (route.auth) {
      problems.push(...checkAuth(route.auth, at, owner, functions).map((p) => ({ functionName, ...p })));
      return route;
    }
    if (defaultAuth === 'unknown') return route;
    if (!defaultAuth) {
      problems.push({ functionName, field: at, value: undefined, message: undecidedAuth(what, stage) });
      return route;
    }
    if (defaultAuth.kind === 'authorizer' && defaultAuth.function === owner) {
      problems.push({ functionName, field: at, value: undefined, message: `${what} takes api.auth, whose authorizer is this function itself; fix: give the route its own auth` });
    }
    return { ...route, auth: defaultAuth };
  });
}

/** api.auth of the stage, else of the app, read from a declaration that did not validate as a whole. */
export function declaredDefaultAuth(input: unknown, stage: string): AuthDeclaration | 'unknown' | undefined {
  const root = isRecord(input) ? input : {};
  const stageApi = isRecord(root.stages) && isRecord(root.stages[stage]) && isRecord(root.stages[stage].api) ? root.stages[stage].api : {};
  const api = isRecord(root.api) ? root.api : {};
  const declared = stageApi.auth ?? api.auth;
  if (declared === undefined) return undefined;
  const parsed = authSchema.safeParse(declared);
  return parsed.success ? parsed.data : 'unknown';
}

/** The functions and stages of a declaration whose other top-level fields are wrong, if they are usable. */
function salvageTop(input: unknown): FunctionsAndStages | undefined {
  if (!isRecord(input) || !isRecord(input.functions)) return undefined;
  const stages = isRecord(input.stages) ? input.stages : {};
  if (!Object.values(stages).every((s) => isRecord(s) && (s.functions === undefined || isRecord(s.functions)))) return undefined;
  return { functions: input.functions, stages: stages as FunctionsAndStages['stages'] };
}


/** Cross-field rules the schema cannot express. */
function checkFunction(fn: ResolvedFunction, project: ProjectView): DeclarationProblem[] {
  const problems: DeclarationProblem[] = [];
  const add = (field: string, value: unknown, message: string) => problems.push({ functionName: fn.name, field, value, message });

  problems.push(...checkEntryAndLayers(fn.name, fn.entry, fn.layers, project));
  if (project.fileExists(fn.entry)) problems.push(...checkEntryCode(fn, project));
  for (const [key, value] of Object.entries(fn.environment)) {
    if (!ENV_KEY.test(key)) add(`environment.${key}`, value, 'variable names must start with a letter and use letters, digits and "_"; fix: rename the variable, e.g. MY_SETTING');
    else if (RESERVED_ENV.has(key)) add(`environment.${key}`, value, 'Lambda reserves this variable; fix: choose another name');
    else if (key.startsWith(PLATFORM_ENV_PREFIX)) add(`environment.${key}`, value, `the platform sets ${PLATFORM_ENV_PREFIX}* variables (queue URL, output prefix); fix: choose another name`);
  }
  if (fn.warm) {
    const w = fn.warm;
    if (w.provisioned > w.max) {
      add('warm.provisioned', w.provisioned, `provisioned must not exceed warm.max (${w.max}); fix: raise max or lower provisioned`);
    }
    const names = new Set<string>();
    w.schedules.forEach((s, i) => {
      const expression = scheduleExpressionProblem(s.expression, 'autoscaling');
      if (expression) add(`warm.schedules[${i}].expression`, s.expression, expression);
      if (s.minProvisioned > s.maxProvisioned) {
        add(`warm.schedules[${i}].minProvisioned`, s.minProvisioned, `must not exceed maxProvisioned (${s.maxProvisioned}) of schedule "${s.name}"; fix: raise maxProvisioned or lower minProvisioned`);
      }
      if (names.has(s.name)) add(`warm.schedules[${i}].name`, s.name, 'schedule names must be unique per function; fix: rename one of them');
      names.add(s.name);
    });
    const peak = Math.max(w.max, ...w.schedules.map((s) => s.maxProvisioned));
    if (fn.reservedConcurrency !== undefined && fn.reservedConcurrency < peak) {
      add('reservedConcurrency', fn.reservedConcurrency, `must be at least the highest provisioned concurrency (${peak}); Lambda rejects provisioned > reserved; fix: raise reservedConcurrency or lower warm.max`);
    }
    if (fn.instances) {
      add('warm', w, 'provisioned concurrency does not apply to Lambda Managed Instances (instances); fix: remove warm or instances');
    }
  }
  if (fn.release.mode === 'codedeploy' && fn.release.initialWeight > 0) {
    add('release.initialWeight', fn.release.initialWeight, 'initialWeight applies to alias mode only; in codedeploy mode the deploymentConfig sets the canary; fix: remove initialWeight or use mode "alias"');
  }
  const timeoutMs = fn.timeoutSeconds * 1000;
  if (fn.alarms.p99Ms !== undefined && fn.alarms.p99Ms >= timeoutMs) {
    add('alarms.p99Ms', fn.alarms.p99Ms, `must be below the timeout (${timeoutMs} ms) or it can never fire; fix: lower it or raise timeoutSeconds`);
  }
  return problems;
}

function checkEntryAndLayers(name: string, entry: string, layers: readonly string[], project: ProjectView): DeclarationProblem[] {
  const problems: DeclarationProblem[] = [];
  if (!project.fileExists(entry)) {
    problems.push({ functionName: name, field: 'entry', value: entry, message: `handler file does not exist; fix: create ${entry} or point entry at an existing file under functions/` });
  }
  const seen = new Set<string>();
  layers.forEach((layer, i) => {
    if (!project.layers.includes(layer)) {
      problems.push({ functionName: name, field: `layers[${i}]`, value: layer, message: `unknown layer; fix: use one of [${project.layers.join(', ')}] (folders under layers/) or create layers/${layer}` });
    }
    if (seen.has(layer)) problems.push({ functionName: name, field: `layers[${i}]`, value: layer, message: 'layer listed twice; fix: list each layer once' });
    seen.add(layer);
  });
  return problems;
}

/** The declared handler must be an export of the entry, which must compile with what it imports. */
function checkEntryCode(fn: ResolvedFunction, project: ProjectView): DeclarationProblem[] {
  const inspection = project.inspectEntry?.(fn.entry);
  if (!inspection) return [];
  if ('error' in inspection) {
    return [{ functionName: fn.name, field: 'entry', value: fn.entry, message: `does not compile: ${inspection.error}; fix: correct the code there (the bundler would fail the same way)` }];
  }
  const problems: DeclarationProblem[] = [];
  if (!inspection.exports.includes(fn.handler)) {
    const has = inspection.exports.length > 0 ? `it exports ${inspection.exports.map((e) => `"${e}"`).join(', ')}` : 'it exports nothing';
    const suggestion = inspection.exports.length > 0 ? ` (or set handler to one of them)` : '';
    problems.push({
      functionName: fn.name,
      field: 'handler',
      value: fn.handler,
      message: `${fn.entry} has no export "${fn.handler}" (${has}), so every invocation would fail with Runtime.HandlerNotFound; fix: \`export const ${fn.handler} = …\` in ${fn.entry}${suggestion}`,
    });
  }
  for (const name of inspection.unresolved) {
    problems.push({ functionName: fn.name, field: 'entry', value: fn.entry, message: `imports "${name}", which is not installed and no layer provides; fix: npm install ${name}, add it to a layer, or correct the import` });
  }
  return problems;
}

/** A method+path pair may be routed once across the whole app; ANY overlaps every method. */
function checkRoutes(functions: readonly ResolvedFunction[]): DeclarationProblem[] {
  const problems: DeclarationProblem[] = [];
  const owners = new Map<string, { fn: string; method: string; path: string; what: string }[]>();
  const variables = new Map<string, { name: string; path: string; fn: string }>();
  // The platform's own routes first, so a declared route that clashes with one is the one reported.
  const routes = [
    ...functions.flatMap((fn) => implicitRoutes(fn).map((route) => ({ fn, route, field: 'queue' }))),
    ...functions.flatMap((fn) => fn.routes.map((route, i) => ({ fn, route, field: `routes[${i}]` }))),
  ];
  routes.forEach(({ fn, route, field }) => {
    const path = route.path;
    if (path === PREVIEW_PREFIX || path.startsWith(`${PREVIEW_PREFIX}/`)) {
      problems.push({ functionName: fn.name, field: `${field}.path`, value: path, message: `paths under ${PREVIEW_PREFIX} are reserved for preview routes; fix: choose another path` });
    }
    const normalised = path.replace(/\{[^}]+\}/g, '{}');
    const taken = owners.get(normalised) ?? [];
    const clash = taken.find((t) => t.method === route.method || t.method === 'ANY' || route.method === 'ANY');
    const renamed = variableClash(variables, path, fn.name);
    if (clash) {
      problems.push({
        functionName: fn.name,
        field,
        value: `${route.method} ${path}`,
        message: `duplicate route: ${clash.method} ${clash.path} is already routed to ${clash.what}; fix: give one of them another path or method`,
      });
    } else if (renamed) {
      // API Gateway allows one variable child per resource: {id} and {userId} under /users cannot coexist.
      problems.push({
        functionName: fn.name,
        field: `${field}.path`,
        value: path,
        message: `path parameter ${renamed.mine} conflicts with ${renamed.theirs} of ${renamed.path} (function "${renamed.fn}") under the same parent; fix: use the same parameter name`,
      });
    }
    taken.push({ fn: fn.name, method: route.method, path, what: field === 'queue' ? `the jobs queue of function "${fn.name}"` : `function "${fn.name}"` });
    owners.set(normalised, taken);
  });
  return problems;
}

/**
 * Records the variable segment under each parent of `path`; returns the first clash with a
 * differently named variable already recorded under the same parent.
 */
function variableClash(
  variables: Map<string, { name: string; path: string; fn: string }>,
  path: string,
  fn: string,
): { mine: string; theirs: string; path: string; fn: string } | undefined {
  const segments = path.split('/').filter(Boolean);
  let parent = '';
  let clash: { mine: string; theirs: string; path: string; fn: string } | undefined;
  for (const segment of segments) {
    if (segment.startsWith('{')) {
      const seen = variables.get(parent);
      if (seen && seen.name !== segment) clash ??= { mine: segment, theirs: seen.name, path: seen.path, fn: seen.fn };
      if (!seen) variables.set(parent, { name: segment, path, fn });
    }
    parent += `/${segment.startsWith('{') ? '{}' : segment}`;
  }
  return clash;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
