/**
 * The `container` kind: a team's own HTTP server in a Docker image (Alibaba FC's custom container),
 * run on Lambda through the AWS Lambda Web Adapter. Plain data, no aws-cdk-lib.
 *
 * A container gets the Lambda settings of a zip function (memory, timeout, environment, release,
 * warm capacity, alarms) from the very same schema pieces, and those settings are checked by the
 * very same rules: resolvePlatform runs on a stand-in function per container (see `crossCheck`).
 */
import { z } from 'zod';
import { authSchema, checkAuth, undecidedAuth } from './auth';
import { decideAuth, declaredDefaultAuth, DeclarationError, PREVIEW_PREFIX, resolvePlatform, type ProjectView } from './resolve';
import { applyOverride, isRecord, markOverride, zodProblems, type DeclarationProblem } from './zod-problems';
import { functionSchema, routeSchema, type FunctionInput, type ResolvedFunction, type ResolvedPlatform, type RouteDeclaration } from './schema';

/** The folder every container lives under, one subfolder per container. */
export const CONTAINERS_DIR = 'containers';
/** Environment variables the platform sets from the declaration; a container may not set them itself. */
export const PLATFORM_ENV = ['PORT'] as const;
/** Prefixes the platform owns: the Lambda Web Adapter's settings and the platform's own variables. */
export const PLATFORM_ENV_PREFIXES = ['AWS_LWA_', 'FAAS_'] as const;

// Same rule as function names (resolve.ts): containers become Lambda functions and share their namespace.
const NAME = /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/;
const ENV_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const RELATIVE = /^(?!\/)(?!(.*\/)?\.\.(\/|$))\S+$/;
const fn = functionSchema.shape;

export const containerSchema = z
  .object({
    /**
     * Build context: a folder with a Dockerfile, relative to the project root.
     * @default - containers/<name>
     */
    directory: z
      .string()
      .regex(new RegExp(`^${CONTAINERS_DIR}/(?!(.*/)?\\.\\.(/|$))\\S+$`), { error: `directory must be a folder under ${CONTAINERS_DIR}/, e.g. "${CONTAINERS_DIR}/todo"; fix: move the build context there` })
      .optional(),
    /**
     * Port the server listens on; the adapter forwards requests to it (FC: caPort).
     * @default 8080
     */
    port: z
      .number({ error: 'port must be a whole number from 1 to 65535; fix: give the port the server listens on' })
      .int({ error: 'port must be a whole number from 1 to 65535; fix: give the port the server listens on' })
      .min(1, { error: 'port must be from 1 to 65535; fix: give the port the server listens on (e.g. 8080)' })
      .max(65535, { error: 'port must be from 1 to 65535; fix: give the port the server listens on (e.g. 8080)' })
      .default(8080),
    /**
     * Readiness path: the adapter sends no request before GET <healthPath> answers 2xx (FC's health check).
     * @default '/healthz'
     */
    healthPath: z
      .string({ error: 'healthPath must be a path such as "/healthz"' })
      .regex(/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/, { error: 'healthPath must start with "/" and contain no spaces or query; fix: e.g. "/healthz"' })
      .default('/healthz'),
    /**
     * Replaces the image's ENTRYPOINT (FC: command), in exec form.
     * @default - the Dockerfile's ENTRYPOINT
     */
    command: z.array(z.string().min(1, { error: 'command entries must not be empty' })).min(1, { error: 'command must name an executable; fix: e.g. ["node"], or remove it' }).optional(),
    /**
     * Replaces the image's CMD (FC: args), in exec form.
     * @default - the Dockerfile's CMD
     */
    args: z.array(z.string()).optional(),
    /**
     * A TypeScript entry (relative to the container folder) that esbuild bundles at synth into
     * dist/server.js of the build context, for the Dockerfile to COPY — no build step inside Docker.
     * @default - no bundling: the folder is the build context as it is
     */
    bundle: z
      .object({ entry: z.string().regex(RELATIVE, { error: 'bundle.entry must be a path inside the container folder, e.g. "src/server.ts"' }).regex(/\.ts$/, { error: 'bundle.entry must be a .ts file, e.g. "src/server.ts"' }) })
      .strict()
      .optional(),
    /**
     * An S3 bucket for the container's state: created with the function, read/write granted, its name
     * in this environment variable.
     * @default - no bucket
     */
    bucket: z
      .object({ environmentVariable: z.string().regex(ENV_NAME, { error: 'bucket.environmentVariable must be a variable name, e.g. "TODO_BUCKET"' }) })
      .strict()
      .optional(),
    /**
     * Routes to the live alias (and under /preview to the preview alias).
     * @default - ANY /<name> and ANY /<name>/{proxy+}
     */
    routes: z.array(routeSchema).optional(),
    /**
     * Auth of the container's routes that declare none.
     * @default - api.auth of the stage, else of the app; synth fails when neither is set
     */
    auth: authSchema.optional(),
    memoryMB: fn.memoryMB,
    timeoutSeconds: fn.timeoutSeconds,
    environment: fn.environment,
    release: fn.release,
    warm: fn.warm,
    reservedConcurrency: fn.reservedConcurrency,
    tracing: fn.tracing,
    alarms: fn.alarms,
  })
  .strict();

export type ContainerInput = z.input<typeof containerSchema>;
/** What a stage may change of a container: any top-level field; `null` removes it. */
export type ContainerOverride = { [K in keyof ContainerInput]?: ContainerInput[K] | null };

/** A container after stage overrides, defaults and validation. */
export interface ResolvedContainer extends Omit<z.output<typeof containerSchema>, 'directory' | 'routes'> {
  readonly name: string;
  /** Relative to the project root; always set after resolution. */
  readonly directory: string;
  /** Always set after resolution. */
  readonly routes: RouteDeclaration[];
}

export interface ResolvedContainers {
  readonly containers: ResolvedContainer[];
  /** Empty when every container is valid. */
  readonly problems: DeclarationProblem[];
}

export interface ResolvedPlatformWithContainers extends ResolvedPlatform {
  readonly containers: ResolvedContainer[];
}

/**
 * resolvePlatform for a declaration that may also hold `containers` (top level and per stage):
 * the functions are resolved without them, the containers against the functions, and every
 * problem of both is thrown in one DeclarationError. Every other declared stage is resolved too,
 * so a synth of dev already fails on a broken prod override.
 * @throws DeclarationError listing every problem found
 */
export function resolvePlatformWithContainers(input: unknown, stage: string, project: ProjectView): ResolvedPlatformWithContainers {
  const own = resolveStage(input, stage, project);
  const problems = [...own.problems];
  const key = (p: DeclarationProblem) => JSON.stringify([p.functionName, p.field, p.override, p.message]);
  const seen = new Set(problems.map(key));
  const others = isRecord(input) && isRecord(input.stages) ? Object.keys(input.stages).filter((s) => s !== stage) : [];
  for (const other of others) {
    for (const p of resolveStage(input, other, project).problems) {
      if (seen.has(key(p))) continue;
      seen.add(key(p));
      problems.push({ ...p, stage: other });
    }
  }
  if (problems.length > 0 || !own.platform) throw new DeclarationError(stage, problems, others.length > 0 ? [stage, ...others] : [stage]);
  return own.platform;
}

function resolveStage(input: unknown, stage: string, project: ProjectView): { platform?: ResolvedPlatformWithContainers; problems: DeclarationProblem[] } {
  let platform: ResolvedPlatform | undefined;
  const problems: DeclarationProblem[] = [];
  try {
    platform = resolvePlatform(withoutContainers(input), stage, project);
  } catch (error) {
    if (!(error instanceof DeclarationError)) throw error;
    problems.push(...error.problems);
  }
  const resolved = resolveContainers(input, stage, project, platform?.functions ?? []);
  problems.push(...resolved.problems);
  return { platform: platform && problems.length === 0 ? { ...platform, containers: resolved.containers } : undefined, problems };
}

/** The declaration as resolvePlatform knows it: no `containers`, at the top or in a stage. */
function withoutContainers(input: unknown): unknown {
  if (!isRecord(input)) return input;
  const { containers: _containers, ...rest } = input;
  if (!isRecord(rest.stages)) return rest;
  const stages = Object.fromEntries(
    Object.entries(rest.stages).map(([name, entry]) => {
      if (!isRecord(entry)) return [name, entry];
      const { containers: _stageContainers, ...stageRest } = entry;
      return [name, stageRest];
    }),
  );
  return { ...rest, stages };
}

/**
 * Resolve the `containers` of a declaration for one stage: `input.containers`, overridden by
 * `input.stages[stage].containers`. Never throws for a bad declaration: the problems are returned,
 * so the caller reports them with the functions' in one DeclarationError.
 * @param functions the resolved zip functions, for name and route clashes
 */
export function resolveContainers(input: unknown, stage: string, project: ProjectView, functions: readonly ResolvedFunction[] = []): ResolvedContainers {
  const problems: DeclarationProblem[] = [];
  const root = isRecord(input) ? input : {};
  const stageEntry = isRecord(root.stages) && isRecord(root.stages[stage]) ? root.stages[stage] : {};
  const overrides = isRecord(stageEntry.containers) ? stageEntry.containers : {};
  const declaredNames = isRecord(root.containers) ? root.containers : {};
  for (const name of Object.keys(overrides)) {
    if (!Object.hasOwn(declaredNames, name)) {
      problems.push({ field: `stages.${stage}.containers.${name}`, value: name, message: 'stage override for a container that is not declared; fix: declare it under containers or remove the override' });
    }
  }
  if (root.containers === undefined) return { containers: [], problems };
  if (!isRecord(root.containers)) {
    return { containers: [], problems: [{ field: 'containers', value: root.containers, message: 'containers must be an object of name → container; fix: e.g. containers: { todo: {} }' }] };
  }
  const functionNames = new Set(functions.map((f) => f.name));
  const defaultAuth = declaredDefaultAuth(input, stage);
  const containers: ResolvedContainer[] = [];
  for (const [name, declared] of Object.entries(root.containers)) {
    const at = (field: string) => `containers.${name}.${field}`;
    if (!NAME.test(name)) {
      problems.push({ field: `containers.${name}`, value: name, message: 'container names must be 2-40 lowercase letters, digits or "-", starting with a letter; fix: rename the key under containers' });
      continue;
    }
    if (functionNames.has(name)) {
      problems.push({ field: `containers.${name}`, value: name, message: `a function is named "${name}" too; containers and functions share one namespace (stack outputs, the faas CLI); fix: rename one of them` });
      continue;
    }
    const merged = applyOverride(declared, overrides[name]);
    const parsed = containerSchema.safeParse(merged);
    if (!parsed.success) {
      const found = markOverride(zodProblems(parsed.error, merged, { prefix: `containers.${name}`, reference: 'docs/containers.md', schema: containerSchema }), overrides[name], `stages.${stage}.containers.${name}`, inContainer(name));
      problems.push(...found);
      // Still report a missing Dockerfile, so one run shows every problem.
      const raw = isRecord(merged) ? merged : {};
      const directory = typeof raw.directory === 'string' ? raw.directory : `${CONTAINERS_DIR}/${name}`;
      if (!found.some((p) => p.field === at('directory')) && !project.fileExists(`${directory}/Dockerfile`)) {
        problems.push({ ...missingDockerfile(directory), field: at('directory') });
      }
      continue;
    }
    const { directory, routes, ...rest } = parsed.data;
    const container: ResolvedContainer = {
      ...rest,
      name,
      directory: directory ?? `${CONTAINERS_DIR}/${name}`,
      routes: decideContainerAuth(name, parsed.data, routes ?? [{ method: 'ANY', path: `/${name}` }, { method: 'ANY', path: `/${name}/{proxy+}` }], defaultAuth, stage, functionNames, problems),
    };
    problems.push(...markOverride(checkContainer(container, project).map((p) => ({ ...p, field: at(p.field) })), overrides[name], `stages.${stage}.containers.${name}`, inContainer(name)));
    containers.push(container);
  }
  // One problem per field: the container's own rule wins over the shared one on the same field.
  const reported = new Set(problems.map((p) => p.field));
  const shared = containers.reduce(
    (found, c) => markOverride(found, overrides[c.name], `stages.${stage}.containers.${c.name}`, inContainer(c.name)),
    crossCheck(containers, functions, stage).filter((p) => !reported.has(p.field)),
  );
  problems.push(...shared, ...checkPrefixes(containers, functions));
  return { containers, problems };
}

/**
 * The container's routes with their effective auth: the route's, else the container's, else the
 * stage's or app's api.auth. Routes the container did not declare get one problem for all of them.
 */
function decideContainerAuth(
  name: string,
  declared: z.output<typeof containerSchema>,
  routes: RouteDeclaration[],
  defaultAuth: ReturnType<typeof declaredDefaultAuth>,
  stage: string,
  functionNames: ReadonlySet<string>,
  problems: DeclarationProblem[],
): RouteDeclaration[] {
  const functions = [...functionNames];
  if (declared.auth) problems.push(...checkAuth(declared.auth, `containers.${name}.auth`, name, functions));
  const fallback = declared.auth ?? defaultAuth;
  if (!declared.routes && !fallback) {
    problems.push({ field: `containers.${name}.auth`, value: undefined, message: undecidedAuth(`container "${name}" (routes ${routes.map((r) => `${r.method} ${r.path}`).join(', ')})`, stage) });
    return routes;
  }
  return decideAuth(name, routes, fallback, stage, functions, (i) => `containers.${name}.routes[${i}]`, problems, undefined);
}

/** A problem's field relative to container `name`, if it is one of its fields. */
const inContainer = (name: string) => (p: DeclarationProblem) => (p.field.startsWith(`containers.${name}.`) ? p.field.slice(`containers.${name}.`.length) : undefined);

/**
 * Path prefixes under which the API hands requests to the container, longest first: each route
 * without its final `{proxy+}`, and its /preview twin. The server strips one to find its own path.
 */
export function basePathsOf(routes: readonly RouteDeclaration[]): string[] {
  const bases = routes.map((r) => r.path.replace(/\/\{[A-Za-z][A-Za-z0-9_]*\+\}$/, '') || '/').filter((p) => p !== '/');
  const all = [...bases, ...bases.map((p) => `${PREVIEW_PREFIX}${p}`)];
  return [...new Set(all)].sort((a, b) => b.length - a.length || a.localeCompare(b));
}

/** Rules of the container itself: files on disk and the variables the platform owns. */
function checkContainer(c: ResolvedContainer, project: ProjectView): Omit<DeclarationProblem, 'functionName'>[] {
  const problems: Omit<DeclarationProblem, 'functionName'>[] = [];
  if (!project.fileExists(`${c.directory}/Dockerfile`)) problems.push(missingDockerfile(c.directory));
  const entry = c.bundle ? `${c.directory}/${c.bundle.entry}` : undefined;
  if (c.bundle && entry && !project.fileExists(entry)) {
    problems.push({ field: 'bundle.entry', value: c.bundle.entry, message: `file does not exist in ${c.directory}; fix: create ${entry} or correct the path` });
  } else if (c.bundle && entry) {
    // The bundle is built at synth: a server that does not compile fails here, with the file and line, not in esbuild's stack.
    const inspection = project.inspectEntry?.(entry);
    if (inspection && 'error' in inspection) {
      problems.push({ field: 'bundle.entry', value: c.bundle.entry, message: `does not compile: ${inspection.error}; fix: correct the code there (the bundler would fail the same way)` });
    }
    for (const name of inspection && !('error' in inspection) ? inspection.unresolved : []) {
      problems.push({ field: 'bundle.entry', value: c.bundle.entry, message: `imports "${name}", which is not installed; fix: npm install ${name} (the image holds only what the bundle holds) or correct the import` });
    }
  }
  for (const key of Object.keys(c.environment)) {
    const owned = (PLATFORM_ENV as readonly string[]).includes(key) || PLATFORM_ENV_PREFIXES.some((prefix) => key.startsWith(prefix));
    if (owned) {
      problems.push({ field: `environment.${key}`, value: c.environment[key], message: 'the platform sets PORT, AWS_LWA_* and FAAS_* itself (from port, healthPath and routes); fix: remove it and use those fields, or choose another name' });
    }
  }
  if (c.bucket && Object.hasOwn(c.environment, c.bucket.environmentVariable)) {
    problems.push({ field: 'bucket.environmentVariable', value: c.bucket.environmentVariable, message: 'environment already sets this variable; fix: remove it from environment or choose another name' });
  }
  return problems;
}

function missingDockerfile(directory: string): Omit<DeclarationProblem, 'functionName'> {
  return { field: 'directory', value: directory, message: `no Dockerfile in ${directory}; fix: add ${directory}/Dockerfile (see ${CONTAINERS_DIR}/todo) or point directory at a folder that has one` };
}

// Stand-in entry so that resolvePlatform can judge a container's Lambda settings as a function's.
const STAND_IN_ENTRY = 'functions/.faas-container-stand-in.ts';

/**
 * The rules zip functions follow (reserved environment names, warm ≤ max, reserved ≥ peak,
 * p99 below timeout, codedeploy weights, route clashes and /preview) applied to containers by
 * resolving stand-in functions: the zip functions with their routes first, then one per container.
 * Problems found on a container's stand-in are reported on the container.
 */
function crossCheck(containers: readonly ResolvedContainer[], functions: readonly ResolvedFunction[], stage: string): DeclarationProblem[] {
  if (containers.length === 0) return [];
  const standIns: Record<string, FunctionInput> = {};
  // Routes without auth: who may call them is decided (and reported) by resolveContainers, not here.
  const bare = (routes: readonly RouteDeclaration[]) => routes.map(({ method, path }) => ({ method, path }));
  for (const f of functions) standIns[f.name] = { entry: STAND_IN_ENTRY, routes: bare(f.routes) };
  for (const c of containers) {
    const { memoryMB, timeoutSeconds, environment, release, warm, reservedConcurrency, tracing, alarms, routes } = c;
    standIns[c.name] = { entry: STAND_IN_ENTRY, memoryMB, timeoutSeconds, environment, release, warm, reservedConcurrency, tracing, alarms, routes: bare(routes) };
  }
  const names = new Set(containers.map((c) => c.name));
  try {
    const api = { auth: { kind: 'iam' as const } };
    resolvePlatform({ app: 'containers', api, functions: standIns }, stage, { layers: [], fileExists: (p) => p === STAND_IN_ENTRY });
    return [];
  } catch (error) {
    if (!(error instanceof DeclarationError)) throw error;
    return error.problems
      .filter((p) => p.functionName !== undefined && names.has(p.functionName))
      .map((p) => ({ field: `containers.${p.functionName}.${p.field}`, value: p.value, message: p.message }));
  }
}

/**
 * A container's `{proxy+}` route owns everything under its prefix. A function route with a literal
 * segment there would take those requests from the container (API Gateway prefers the specific
 * resource); resolvePlatform's route check already catches variable segments.
 */
function checkPrefixes(containers: readonly ResolvedContainer[], functions: readonly ResolvedFunction[]): DeclarationProblem[] {
  const problems: DeclarationProblem[] = [];
  for (const c of containers) {
    c.routes.forEach((route, i) => {
      const prefix = route.path.match(/^(.*)\/\{[A-Za-z][A-Za-z0-9_]*\+\}$/)?.[1];
      if (prefix === undefined) return;
      for (const f of functions) {
        for (const r of f.routes) {
          const rest = prefix === '' ? r.path : r.path.startsWith(`${prefix}/`) ? r.path.slice(prefix.length) : undefined;
          if (rest !== undefined && /^\/[^{/]/.test(rest)) {
            problems.push({
              field: `containers.${c.name}.routes[${i}]`,
              value: `${route.method} ${route.path}`,
              message: `function "${f.name}" routes ${r.method} ${r.path} inside this container's prefix, so the container would never see those requests; fix: move the function's route or give the container other routes`,
            });
          }
        }
      }
    });
  }
  return problems;
}
