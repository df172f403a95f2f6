/**
 * The `container` kind: a team's own HTTP server in a Docker image (Alibaba FC's custom container),
 * run on Lambda through the AWS Lambda Web Adapter. Plain data, no aws-cdk-lib.
 *
 * A container has the Lambda settings of a zip function (lambda-settings.ts) next to its own
 * fields, and those settings are checked by the same rules (checkLambdaSettings), applied to the
 * container itself. Route clashes across both kinds are checked once, by the caller (routes.ts).
 */
import { z } from 'zod';
import { authSchema, checkAuth, decideAuth, declaredDefaultAuth, undecidedAuth } from './auth';
import { checkLambdaSettings, lambdaSettingsSchema } from './lambda-settings';
import { PREVIEW_PREFIX, routeSchema, type RouteDeclaration } from './routes';
import { isRecord } from './names';
import { applyOverride, markOverride, zodProblems, type DeclarationProblem } from './zod-problems';
import type { ProjectView } from './resolve';

/** The folder every container lives under, one subfolder per container. */
const CONTAINERS_DIR = 'containers';
/** Environment variables the platform sets from the declaration; a container may not set them itself. */
const PLATFORM_ENV = ['PORT'] as const;
/** Prefixes the platform owns: the Lambda Web Adapter's settings and the platform's own variables. */
const PLATFORM_ENV_PREFIXES = ['AWS_LWA_', 'FAAS_'] as const;

// Same rule as function names (resolve.ts): containers become Lambda functions and share their namespace.
const NAME = /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/;
const ENV_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const RELATIVE = /^(?!\/)(?!(.*\/)?\.\.(\/|$))\S+$/;
const lambda = lambdaSettingsSchema.shape;

export const containerSchema = z
  .object({
    /**
     * Build context: a folder with a Dockerfile, relative to the project root.
     * @default - containers/<name>
     */
    directory: z
      .string()
      .regex(new RegExp(`^${CONTAINERS_DIR}/(?!(.*/)?\\.\\.(/|$))\\S+$`), {
        error: `directory must be a folder under ${CONTAINERS_DIR}/, e.g. "${CONTAINERS_DIR}/todo"; fix: move the build context there`,
      })
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
      .regex(/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/, {
        error: 'healthPath must start with "/" and contain no spaces or query; fix: e.g. "/healthz"',
      })
      .default('/healthz'),
    /**
     * Replaces the image's ENTRYPOINT (FC: command), in exec form.
     * @default - the Dockerfile's ENTRYPOINT
     */
    command: z
      .array(z.string().min(1, { error: 'command entries must not be empty' }))
      .min(1, { error: 'command must name an executable; fix: e.g. ["node"], or remove it' })
      .optional(),
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
      .object({
        entry: z
          .string()
          .regex(RELATIVE, { error: 'bundle.entry must be a path inside the container folder, e.g. "src/server.ts"' })
          .regex(/\.ts$/, { error: 'bundle.entry must be a .ts file, e.g. "src/server.ts"' }),
      })
      .strict()
      .optional(),
    /**
     * An S3 bucket for the container's state: created with the function, read/write granted, its name
     * in this environment variable.
     * @default - no bucket
     */
    bucket: z
      .object({
        environmentVariable: z
          .string()
          .regex(ENV_NAME, { error: 'bucket.environmentVariable must be a variable name, e.g. "TODO_BUCKET"' }),
      })
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
    memoryMB: lambda.memoryMB,
    timeoutSeconds: lambda.timeoutSeconds,
    environment: lambda.environment,
    release: lambda.release,
    warm: lambda.warm,
    reservedConcurrency: lambda.reservedConcurrency,
    tracing: lambda.tracing,
    alarms: lambda.alarms,
  })
  .strict();

export type ContainerInput = z.input<typeof containerSchema>;

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

/**
 * The `containers` of a declaration for one stage: `input.containers`, overridden by
 * `input.stages[stage].containers`, each checked on its own (schema, files, auth, shared Lambda
 * rules). Never throws for a bad declaration. Clashes with other routes are the caller's to check.
 * @param functions every declared zip function: names are shared, authorizers must be one of them
 */
export function resolveContainerEntries(
  input: unknown,
  stage: string,
  project: ProjectView,
  functions: readonly string[],
): ResolvedContainers {
  const problems: DeclarationProblem[] = [];
  const root = isRecord(input) ? input : {};
  const stageEntry = isRecord(root.stages) && isRecord(root.stages[stage]) ? root.stages[stage] : {};
  const overrides = isRecord(stageEntry.containers) ? stageEntry.containers : {};
  const declaredNames = isRecord(root.containers) ? root.containers : {};
  for (const name of Object.keys(overrides)) {
    if (!Object.hasOwn(declaredNames, name)) {
      problems.push({
        field: `stages.${stage}.containers.${name}`,
        value: name,
        message: 'stage override for a container that is not declared; fix: declare it under containers or remove the override',
      });
    }
  }
  if (root.containers === undefined) return { containers: [], problems };
  if (!isRecord(root.containers)) {
    return {
      containers: [],
      problems: [
        {
          field: 'containers',
          value: root.containers,
          message: 'containers must be an object of name → container; fix: e.g. containers: { todo: {} }',
        },
      ],
    };
  }
  const defaultAuth = declaredDefaultAuth(input, stage);
  const containers: ResolvedContainer[] = [];
  for (const [name, declared] of Object.entries(root.containers)) {
    const at = (field: string) => `containers.${name}.${field}`;
    if (!NAME.test(name)) {
      problems.push({
        field: `containers.${name}`,
        value: name,
        message:
          'container names must be 2-40 lowercase letters, digits or "-", starting with a letter; fix: rename the key under containers',
      });
      continue;
    }
    if (functions.includes(name)) {
      problems.push({
        field: `containers.${name}`,
        value: name,
        message:
          `a function is named "${name}" too; containers and functions share one namespace (stack outputs, the faas ` +
          'CLI); fix: rename one of them',
      });
      continue;
    }
    const merged = applyOverride(declared, overrides[name]);
    const parsed = containerSchema.safeParse(merged);
    if (!parsed.success) {
      const found = markOverride(
        zodProblems(parsed.error, merged, { prefix: `containers.${name}`, reference: 'docs/containers.md', schema: containerSchema }),
        overrides[name],
        `stages.${stage}.containers.${name}`,
        inContainer(name),
      );
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
      routes: decideContainerAuth(
        name,
        parsed.data,
        routes ?? [
          { method: 'ANY', path: `/${name}` },
          { method: 'ANY', path: `/${name}/{proxy+}` },
        ],
        defaultAuth,
        stage,
        functions,
        problems,
      ),
    };
    const own: DeclarationProblem[] = checkContainer(container, project).map((p) => ({ ...p, field: at(p.field) }));
    // One problem per field: the container's own rule (PORT, AWS_LWA_*, FAAS_*) wins over the shared one.
    const reported = new Set(own.map((p) => p.field));
    own.push(
      ...checkLambdaSettings(container)
        .map((p) => ({ ...p, field: at(p.field) }))
        .filter((p) => !reported.has(p.field)),
    );
    problems.push(...markOverride(own, overrides[name], `stages.${stage}.containers.${name}`, inContainer(name)));
    containers.push(container);
  }
  return { containers, problems };
}

/** Marks the container problems whose field the stage's override set: that is where the fix goes. */
export function markContainerOverrides(problems: readonly DeclarationProblem[], input: unknown, stage: string): DeclarationProblem[] {
  const stages = isRecord(input) && isRecord(input.stages) ? input.stages : {};
  const overrides = isRecord(stages[stage]) && isRecord(stages[stage].containers) ? stages[stage].containers : {};
  return problems.map((p) => {
    const name = p.functionName === undefined ? p.field.match(/^containers\.([^.[]+)[.[]/)?.[1] : undefined;
    return name === undefined ? p : markOverride([p], overrides[name], `stages.${stage}.containers.${name}`, inContainer(name))[0];
  });
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
  functions: readonly string[],
  problems: DeclarationProblem[],
): RouteDeclaration[] {
  if (declared.auth) problems.push(...checkAuth(declared.auth, `containers.${name}.auth`, name, functions));
  const fallback = declared.auth ?? defaultAuth;
  if (!declared.routes && !fallback) {
    problems.push({
      field: `containers.${name}.auth`,
      value: undefined,
      message: undecidedAuth(`container "${name}" (routes ${routes.map((r) => `${r.method} ${r.path}`).join(', ')})`, stage),
    });
    return routes;
  }
  return decideAuth(name, routes, fallback, stage, functions, (i) => `containers.${name}.routes[${i}]`, problems, undefined);
}

/** A problem's field relative to container `name`, if it is one of its fields. */
const inContainer = (name: string) => (p: DeclarationProblem) =>
  p.field.startsWith(`containers.${name}.`) ? p.field.slice(`containers.${name}.`.length) : undefined;

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
    problems.push({
      field: 'bundle.entry',
      value: c.bundle.entry,
      message: `file does not exist in ${c.directory}; fix: create ${entry} or correct the path`,
    });
  } else if (c.bundle && entry) {
    // The bundle is built at synth: a server that does not compile fails here, with the file and line, not in esbuild's stack.
    const inspection = project.inspectEntry?.(entry);
    if (inspection && 'error' in inspection) {
      problems.push({
        field: 'bundle.entry',
        value: c.bundle.entry,
        message: `does not compile: ${inspection.error}; fix: correct the code there (the bundler would fail the same way)`,
      });
    }
    for (const name of inspection && !('error' in inspection) ? inspection.unresolved : []) {
      problems.push({
        field: 'bundle.entry',
        value: c.bundle.entry,
        message:
          `imports "${name}", which is not installed; fix: npm install ${name} (the image holds only what the bundle ` +
          'holds) or correct the import',
      });
    }
  }
  for (const key of Object.keys(c.environment)) {
    const owned = (PLATFORM_ENV as readonly string[]).includes(key) || PLATFORM_ENV_PREFIXES.some((prefix) => key.startsWith(prefix));
    if (owned) {
      problems.push({
        field: `environment.${key}`,
        value: c.environment[key],
        message:
          'the platform sets PORT, AWS_LWA_* and FAAS_* itself (from port, healthPath and routes); fix: remove it and use ' +
          'those fields, or choose another name',
      });
    }
  }
  if (c.bucket && Object.hasOwn(c.environment, c.bucket.environmentVariable)) {
    problems.push({
      field: 'bucket.environmentVariable',
      value: c.bucket.environmentVariable,
      message: 'environment already sets this variable; fix: remove it from environment or choose another name',
    });
  }
  return problems;
}

function missingDockerfile(directory: string): Omit<DeclarationProblem, 'functionName'> {
  return {
    field: 'directory',
    value: directory,
    message:
      `no Dockerfile in ${directory}; fix: add ${directory}/Dockerfile (see ${CONTAINERS_DIR}/todo) or point directory ` +
      'at a folder that has one',
  };
}

/**
 * A container's `{proxy+}` route owns everything under its prefix. A function route with a literal
 * segment there would take those requests from the container (API Gateway prefers the specific
 * resource); checkRoutes already catches variable segments.
 */
export function checkPrefixes(
  containers: readonly ResolvedContainer[],
  functions: readonly { name: string; routes: readonly RouteDeclaration[] }[],
): DeclarationProblem[] {
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
              message:
                `function "${f.name}" routes ${r.method} ${r.path} inside this container's prefix, so the container ` +
                `would never see those requests; fix: move the function's route or give the container other routes`,
            });
          }
        }
      }
    });
  }
  return problems;
}
