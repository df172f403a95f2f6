/**
 * Config resolution: stage overrides → defaults → validation, all in one pass over both
 * function kinds that collects every problem and throws once. Pure: what it needs from the
 * disk (which layers exist, which entry files exist) is passed in, so it is tested without fixtures.
 */
import type { z } from 'zod';
import { checkAsync, effectiveAsync, jobsPath } from './async';
import { checkAuth, decideAuth, declaredDefaultAuth, type AuthDeclaration } from './auth';
import { checkPrefixes, markContainerOverrides, resolveContainerEntries, type ResolvedContainer } from './container-kind';
import { checkLambdaSettings } from './lambda-settings';
import { checkRoutes, routesOf } from './routes';
import {
  apiSchema,
  functionSchema,
  platformSchema,
  stageApiSchema,
  type ResolvedFunction,
  type ResolvedPlatform,
  type ResolvedPlatformWithContainers,
} from './schema';
import { isRecord } from './names';
import { applyOverride, markOverride, zodProblems, type DeclarationProblem } from './zod-problems';

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
const README_REFERENCE = 'the declaration reference in README.md';

/**
 * Resolve the declaration for one stage. Its containers are checked too; resolvePlatformWithContainers
 * (container.ts) also returns them.
 * @throws DeclarationError listing every problem found
 */
export function resolvePlatform(input: unknown, stage: string, project: ProjectView): ResolvedPlatform {
  const { platform, problems } = resolveStage(input, stage, project);
  if (!platform) throw new DeclarationError(stage, problems);
  const { containers: _containers, ...functions } = platform;
  return functions;
}

/** One stage resolved: the platform when the declaration holds no problem. */
export interface StageResolution {
  readonly platform?: ResolvedPlatformWithContainers;
  readonly problems: DeclarationProblem[];
}

/** Both kinds of one stage, every problem collected; never throws for a bad declaration. */
export function resolveStage(input: unknown, stage: string, project: ProjectView): StageResolution {
  const problems: DeclarationProblem[] = [];
  const top = platformSchema.safeParse(input);
  // Functions and containers are judged one by one after the stage's override is merged in, where
  // a problem can name the function and the override that set the field.
  const issues = top.success ? [] : top.error.issues.filter((issue) => !judgedPerEntry(issue.path));
  problems.push(...zodProblems({ issues }, input, { reference: README_REFERENCE, schema: platformSchema }));
  const shell = issues.length === 0 ? readShell(input, stage) : undefined;
  if (!shell) {
    // Keep going where the shape allows, so one run reports function and container problems too.
    const salvage = salvageTop(input);
    const functions = salvage ? resolveFunctions(salvage, stage, project, problems, declaredDefaultAuth(input, stage)) : [];
    resolveContainersWith(input, stage, project, salvage, functions, problems);
    return { problems };
  }

  if (!/^[a-z][a-z0-9-]{0,19}$/.test(stage)) {
    problems.push({
      field: 'stage',
      value: stage,
      message: 'stage must be 1-20 lowercase letters, digits or "-" (pass -c stage=dev or -c stage=prod)',
    });
  }
  const declaredStages = Object.keys(shell.stages);
  if (declaredStages.length > 0 && !declaredStages.includes(stage)) {
    problems.push({
      field: 'stage',
      value: stage,
      message: `unknown stage; fix: use one of ${declaredStages.join(', ')} or add it under stages`,
    });
  }
  const defaultAuth = shell.stageApi.auth ?? shell.api.auth;
  const functions = resolveFunctions(shell, stage, project, problems, defaultAuth);
  if (defaultAuth) {
    const field = shell.stageApi.auth ? `stages.${stage}.api.auth` : 'api.auth';
    problems.push(...checkAuth(defaultAuth, field, '', Object.keys(shell.functions)));
  }
  if (Object.keys(shell.functions).length === 0) {
    problems.push({ field: 'functions', value: shell.functions, message: 'no functions declared; fix: declare at least one function' });
  }
  const merged = { ...shell.api, ...shell.stageApi };
  const api = apiSchema.safeParse(merged);
  if (!api.success) {
    const found = zodProblems(api.error, merged, { prefix: 'api', reference: README_REFERENCE, schema: apiSchema });
    problems.push(...markOverride(found, shell.stageApi, `stages.${stage}.api`, (p) => p.field.replace(/^api\./, '')));
  }
  const containers = resolveContainersWith(input, stage, project, shell, functions, problems);

  if (problems.length > 0 || !api.success) return { problems };
  return { platform: { app: shell.app, stage, api: api.data, functions, containers }, problems };
}

/**
 * The stage's containers, then the rules across both kinds: every route of the app routed once,
 * and no function route inside a container's {proxy+}.
 */
function resolveContainersWith(
  input: unknown,
  stage: string,
  project: ProjectView,
  declared: FunctionsAndStages | undefined,
  functions: readonly ResolvedFunction[],
  problems: DeclarationProblem[],
): ResolvedContainer[] {
  const { containers, problems: found } = resolveContainerEntries(input, stage, project, declared ? Object.keys(declared.functions) : []);
  problems.push(...found);
  const overrides = declared?.stages[stage]?.functions ?? {};
  const routes = checkRoutes(routesOf(functions, containers)).map((p) => {
    if (p.functionName === undefined) return p;
    return markOverride([p], overrides[p.functionName], `stages.${stage}.functions.${p.functionName}`, (q) => q.field)[0];
  });
  problems.push(...markContainerOverrides(routes, input, stage), ...checkPrefixes(containers, functions));
  return containers;
}

/** Whether zod's issue lies inside one function or container, or the containers record, declared or overridden. */
function judgedPerEntry(path: readonly PropertyKey[]): boolean {
  if (path[0] === 'functions') return path.length >= 2;
  if (path[0] === 'containers') return true;
  return path[0] === 'stages' && (path[2] === 'functions' || path[2] === 'containers') && path.length >= 5;
}

interface FunctionsAndStages {
  readonly functions: Record<string, unknown>;
  readonly stages: Record<string, { functions?: Record<string, Record<string, unknown>>; api?: unknown }>;
}

/** The app-wide fields of a declaration whose top level validated, with the api defaults applied. */
interface Shell extends FunctionsAndStages {
  readonly app: string;
  readonly api: z.output<typeof apiSchema>;
  /** The stage's api settings: only what it changes. */
  readonly stageApi: z.output<typeof stageApiSchema>;
}

function readShell(input: unknown, stage: string): Shell | undefined {
  const salvage = salvageTop(input);
  if (!salvage || !isRecord(input) || typeof input.app !== 'string') return undefined;
  const api = platformSchema.shape.api.safeParse(input.api);
  const stageEntry = salvage.stages[stage];
  const stageApi = stageApiSchema.safeParse(isRecord(stageEntry) && stageEntry.api !== undefined ? stageEntry.api : {});
  if (!api.success || !stageApi.success) return undefined;
  return { ...salvage, app: input.app, api: api.data, stageApi: stageApi.data };
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
      problems.push({
        field: `stages.${stage}.functions.${name}`,
        value: name,
        message: `stage override for a function that is not declared; fix: declare it under functions or remove the override`,
      });
    }
  }
  const functions: ResolvedFunction[] = [];
  for (const [name, declared] of Object.entries(platform.functions)) {
    if (!FUNCTION_NAME.test(name)) {
      problems.push({
        functionName: name,
        field: 'name',
        value: name,
        message:
          'function names must be 2-40 lowercase letters, digits or "-", starting with a letter; fix: rename the key under functions',
      });
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
      ? decideAuth(
          name,
          [{ ...parsed.data.queue, method: 'POST', path: jobsPath(name) }],
          defaultAuth,
          stage,
          declaredFunctions,
          () => 'queue',
          problems,
        )
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
  // A problem in a field a stage override set says so: that is where the fix goes.
  for (let i = start; i < problems.length; i++) {
    const p = problems[i];
    if (p.functionName !== undefined)
      [problems[i]] = markOverride([p], overrides[p.functionName], `stages.${stage}.functions.${p.functionName}`, (q) => q.field);
  }
  return functions;
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
  problems.push(...checkLambdaSettings(fn).map((p) => ({ functionName: fn.name, ...p })));
  if (fn.warm && fn.instances) {
    add('warm', fn.warm, 'provisioned concurrency does not apply to Lambda Managed Instances (instances); fix: remove warm or instances');
  }
  return problems;
}

function checkEntryAndLayers(name: string, entry: string, layers: readonly string[], project: ProjectView): DeclarationProblem[] {
  const problems: DeclarationProblem[] = [];
  if (!project.fileExists(entry)) {
    problems.push({
      functionName: name,
      field: 'entry',
      value: entry,
      message: `handler file does not exist; fix: create ${entry} or point entry at an existing file under functions/`,
    });
  }
  const seen = new Set<string>();
  layers.forEach((layer, i) => {
    if (!project.layers.includes(layer)) {
      problems.push({
        functionName: name,
        field: `layers[${i}]`,
        value: layer,
        message: `unknown layer; fix: use one of [${project.layers.join(', ')}] (folders under layers/) or create layers/${layer}`,
      });
    }
    if (seen.has(layer))
      problems.push({ functionName: name, field: `layers[${i}]`, value: layer, message: 'layer listed twice; fix: list each layer once' });
    seen.add(layer);
  });
  return problems;
}

/** The declared handler must be an export of the entry, which must compile with what it imports. */
function checkEntryCode(fn: ResolvedFunction, project: ProjectView): DeclarationProblem[] {
  const inspection = project.inspectEntry?.(fn.entry);
  if (!inspection) return [];
  if ('error' in inspection) {
    return [
      {
        functionName: fn.name,
        field: 'entry',
        value: fn.entry,
        message: `does not compile: ${inspection.error}; fix: correct the code there (the bundler would fail the same way)`,
      },
    ];
  }
  const problems: DeclarationProblem[] = [];
  if (!inspection.exports.includes(fn.handler)) {
    const has = inspection.exports.length > 0 ? `it exports ${inspection.exports.map((e) => `"${e}"`).join(', ')}` : 'it exports nothing';
    const suggestion = inspection.exports.length > 0 ? ` (or set handler to one of them)` : '';
    problems.push({
      functionName: fn.name,
      field: 'handler',
      value: fn.handler,
      message:
        `${fn.entry} has no export "${fn.handler}" (${has}), so every invocation would fail with ` +
        `Runtime.HandlerNotFound; fix: \`export const ${fn.handler} = …\` in ${fn.entry}${suggestion}`,
    });
  }
  for (const name of inspection.unresolved) {
    problems.push({
      functionName: fn.name,
      field: 'entry',
      value: fn.entry,
      message:
        `imports "${name}", which is not installed and no layer provides; fix: npm install ${name}, add it to a layer, ` +
        'or correct the import',
    });
  }
  return problems;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
