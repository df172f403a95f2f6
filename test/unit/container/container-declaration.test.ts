/**
 * resolveContainers: defaults, stage overrides, and one problem per mistake naming the container,
 * the field, the value given and the fix. The project folder is faked.
 */
import { basePathsOf, resolveContainers, resolvePlatformWithContainers } from '../../../lib/declaration/container';
import { DeclarationError, formatProblem, resolvePlatform, type ProjectView } from '../../../lib/declaration/resolve';
import type { ResolvedFunction } from '../../../lib/declaration/schema';

/** Routes of these tests are public: who may call them is auth.test.ts's subject. */
const OPEN = { auth: { kind: 'none', reason: 'test routes: public unless the test is about auth' } } as const;

const FILES = new Set([
  'functions/hello/index.ts',
  'containers/todo/Dockerfile',
  'containers/todo/src/server.ts',
  'containers/api/Dockerfile',
]);
const project: ProjectView = { layers: ['shared'], fileExists: (p) => FILES.has(p) };

/** A zip function as resolvePlatform returns it, with only what the container checks read. */
function fn(name: string, routes: ResolvedFunction['routes']): ResolvedFunction {
  return {
    name,
    entry: `functions/${name}/index.ts`,
    handler: 'handler',
    memoryMB: 256,
    timeoutSeconds: 10,
    environment: {},
    layers: [],
    routes,
    release: { mode: 'alias', initialWeight: 0, deploymentConfig: 'canary-10-5m' },
    tracing: true,
    alarms: { errors: 1 },
  };
}

/** The printed problem lines of a declaration (empty when it resolves cleanly). */
function problemLines(
  containers: Record<string, unknown>,
  options: { stages?: unknown; functions?: ResolvedFunction[]; stage?: string } = {},
): string[] {
  const input = { app: 'demo', api: OPEN, functions: {}, containers, stages: options.stages };
  return resolveContainers(input, options.stage ?? 'dev', project, options.functions).problems.map(formatProblem);
}

describe('resolveContainers', () => {
  test('applies every default: folder, port 8080, /healthz, routes ANY /<name> and /<name>/{proxy+}, function defaults', () => {
    // GIVEN
    const input = { app: 'demo', api: OPEN, functions: {}, containers: { todo: {} } };

    // WHEN
    const { containers, problems } = resolveContainers(input, 'dev', project);

    // THEN
    expect(problems).toEqual([]);
    expect(containers).toEqual([
      {
        name: 'todo',
        directory: 'containers/todo',
        port: 8080,
        healthPath: '/healthz',
        routes: [
          { method: 'ANY', path: '/todo', ...OPEN },
          { method: 'ANY', path: '/todo/{proxy+}', ...OPEN },
        ],
        memoryMB: 256,
        timeoutSeconds: 10,
        environment: {},
        release: { mode: 'alias', initialWeight: 0, deploymentConfig: 'canary-10-5m' },
        tracing: true,
        alarms: { errors: 1 },
      },
    ]);
  });

  test('no containers key: nothing to resolve', () => {
    expect(resolveContainers({ app: 'demo', api: OPEN, functions: {} }, 'dev', project)).toEqual({ containers: [], problems: [] });
  });

  test('a stage replaces top-level fields and null removes one', () => {
    // GIVEN warm capacity for prod only, and a port the dev stage resets to the default
    const input = {
      app: 'demo',
      functions: {},
      containers: { todo: { port: 3000, reservedConcurrency: 20 } },
      stages: { prod: { containers: { todo: { warm: { provisioned: 2, max: 10 } } } }, dev: { containers: { todo: { port: null } } } },
    };

    // WHEN / THEN
    const prod = resolveContainers(input, 'prod', project).containers[0];
    expect({ port: prod.port, warm: prod.warm }).toEqual({
      port: 3000,
      warm: { provisioned: 2, max: 10, utilizationTarget: 0.7, schedules: [] },
    });
    const dev = resolveContainers(input, 'dev', project).containers[0];
    expect({ port: dev.port, warm: dev.warm }).toEqual({ port: 8080, warm: undefined });
  });

  test('command, args, bundle and bucket are carried through', () => {
    const input = {
      containers: {
        todo: {
          command: ['node'],
          args: ['server.js', '--quiet'],
          bundle: { entry: 'src/server.ts' },
          bucket: { environmentVariable: 'TODO_BUCKET' },
        },
      },
    };
    const [todo] = resolveContainers(input, 'dev', project).containers;
    expect(todo).toMatchObject({
      command: ['node'],
      args: ['server.js', '--quiet'],
      bundle: { entry: 'src/server.ts' },
      bucket: { environmentVariable: 'TODO_BUCKET' },
    });
  });

  describe('one problem per mistake, naming container, field, value and fix', () => {
    test.each<[string, Record<string, unknown>, string]>([
      [
        'missing Dockerfile',
        { ghost: {} },
        'field "containers.ghost.directory": got "containers/ghost" — no Dockerfile in containers/ghost; ' +
          'fix: add containers/ghost/Dockerfile',
      ],
      [
        'directory outside containers/',
        { todo: { directory: 'functions/todo' } },
        'field "containers.todo.directory": got "functions/todo" — directory must be a folder under containers/',
      ],
      [
        'directory escaping with ..',
        { todo: { directory: 'containers/../etc' } },
        'field "containers.todo.directory": got "containers/../etc" — directory must be a folder under containers/',
      ],
      [
        'port 0',
        { todo: { port: 0 } },
        'field "containers.todo.port": got 0 — port must be from 1 to 65535; fix: give the port the server listens on',
      ],
      ['port 70000', { todo: { port: 70000 } }, 'field "containers.todo.port": got 70000 — port must be from 1 to 65535'],
      ['port 80.5', { todo: { port: 80.5 } }, 'field "containers.todo.port": got 80.5 — port must be a whole number from 1 to 65535'],
      ['port as a string', { todo: { port: '8080' } }, 'field "containers.todo.port": got "8080" — port must be a whole number'],
      [
        'health path without leading /',
        { todo: { healthPath: 'healthz' } },
        'field "containers.todo.healthPath": got "healthz" — ' +
          'healthPath must start with "/" and contain no spaces or query; fix: e.g. "/healthz"',
      ],
      [
        'health path with a space',
        { todo: { healthPath: '/health z' } },
        'field "containers.todo.healthPath": got "/health z" — healthPath must start with "/"',
      ],
      ['empty command', { todo: { command: [] } }, 'field "containers.todo.command": got [] — command must name an executable'],
      [
        'bundle entry that does not exist',
        { todo: { bundle: { entry: 'src/main.ts' } } },
        'field "containers.todo.bundle.entry": got "src/main.ts" — file does not exist in containers/todo; ' +
          'fix: create containers/todo/src/main.ts',
      ],
      [
        'bundle entry outside the folder',
        { todo: { bundle: { entry: '../api/server.ts' } } },
        'field "containers.todo.bundle.entry": got "../api/server.ts" — bundle.entry must be a path inside the container folder',
      ],
      [
        'an adapter setting in environment',
        { todo: { environment: { AWS_LWA_PORT: '9000' } } },
        'field "containers.todo.environment.AWS_LWA_PORT": got "9000" — ' +
          'the platform sets PORT, AWS_LWA_* and FAAS_* itself (from port, healthPath and routes); fix: remove it',
      ],
      [
        'a platform variable in environment',
        { todo: { environment: { FAAS_BASE_PATHS: '/x' } } },
        'field "containers.todo.environment.FAAS_BASE_PATHS": got "/x" — the platform sets PORT, AWS_LWA_* and FAAS_* itself',
      ],
      [
        'PORT in environment',
        { todo: { environment: { PORT: '9000' } } },
        'field "containers.todo.environment.PORT": got "9000" — the platform sets PORT, AWS_LWA_* and FAAS_* itself',
      ],
      [
        'bucket variable also in environment',
        { todo: { bucket: { environmentVariable: 'TODO_BUCKET' }, environment: { TODO_BUCKET: 'x' } } },
        'field "containers.todo.bucket.environmentVariable": got "TODO_BUCKET" — environment already sets this variable',
      ],
      [
        'unknown field',
        { todo: { healthcheck: '/healthz' } },
        'field "containers.todo.healthcheck": got "/healthz" — unknown field; did you mean "healthPath"? ' +
          'fix: rename it to healthPath, or see docs/containers.md',
      ],
      ['bad name', { Todo: {} }, 'field "containers.Todo": got "Todo" — container names must be 2-40 lowercase letters'],
      // Rules shared with zip functions, applied to the container itself (checkLambdaSettings, checkRoutes):
      [
        "memory below Lambda's range",
        { todo: { memoryMB: 64 } },
        'field "containers.todo.memoryMB": got 64 — memoryMB must be from 128 to 10240',
      ],
      [
        'a Lambda-reserved variable',
        { todo: { environment: { AWS_REGION: 'x' } } },
        'field "containers.todo.environment.AWS_REGION": got "x" — Lambda reserves this variable',
      ],
      [
        'warm provisioned above max',
        { todo: { warm: { provisioned: 5, max: 2 } } },
        'field "containers.todo.warm.provisioned": got 5 — provisioned must not exceed warm.max (2)',
      ],
      [
        'reserved below the warm peak',
        { todo: { warm: { provisioned: 2, max: 10 }, reservedConcurrency: 5 } },
        'field "containers.todo.reservedConcurrency": got 5 — must be at least the highest provisioned concurrency (10)',
      ],
      [
        'p99 alarm at the timeout',
        { todo: { timeoutSeconds: 5, alarms: { p99Ms: 5000 } } },
        'field "containers.todo.alarms.p99Ms": got 5000 — must be below the timeout (5000 ms)',
      ],
      [
        'codedeploy with an initial weight',
        { todo: { release: { mode: 'codedeploy', initialWeight: 0.1 } } },
        'field "containers.todo.release.initialWeight": got 0.1 — initialWeight applies to alias mode only',
      ],
      [
        'a container named preview',
        { preview: { directory: 'containers/todo' } },
        'field "containers.preview.routes[0].path": got "/preview" — paths under /preview are reserved',
      ],
    ])('%s', (_label, containers, expected) => {
      const lines = problemLines(containers);
      expect(lines).toContainEqual(expect.stringContaining(expected));
    });

    test('a field breaking a container rule and a shared rule is reported once', () => {
      expect(problemLines({ todo: { environment: { FAAS_X: '1' } } })).toHaveLength(1);
    });

    test('every problem of several containers is reported at once', () => {
      const lines = problemLines({ todo: { port: 0, healthPath: 'healthz' }, ghost: { memoryMB: 64 } });
      expect(lines.map((l) => l.match(/^field "([^"]+)"/)?.[1]).sort()).toEqual([
        'containers.ghost.directory',
        'containers.ghost.memoryMB',
        'containers.todo.healthPath',
        'containers.todo.port',
      ]);
    });

    test('a stage override for an undeclared container', () => {
      expect(problemLines({ todo: {} }, { stages: { dev: { containers: { tood: { port: 1 } } } } })).toEqual([
        'field "stages.dev.containers.tood": got "tood" — stage override for a container that is not declared; ' +
          'fix: declare it under containers or remove the override',
      ]);
    });
  });

  describe('clashes with zip functions', () => {
    test('a function with the same name', () => {
      const lines = problemLines({ todo: {} }, { functions: [fn('todo', [])] });
      expect(lines).toEqual([expect.stringContaining('field "containers.todo": got "todo" — a function is named "todo" too')]);
    });

    test("a function routed inside the container's prefix, by a variable segment (resolvePlatform's route rule)", () => {
      const lines = problemLines({ todo: {} }, { functions: [fn('items', [{ method: 'GET', path: '/todo/{id}' }])] });
      const duplicate = new RegExp(
        /field "containers\.todo\.routes\[1\]": got "ANY \/todo\/\{proxy\+\}" — /.source +
          /duplicate route: GET \/todo\/\{id\} is already routed to function "items"/.source,
      );
      expect(lines).toEqual([expect.stringMatching(duplicate)]);
    });

    test("a function routed inside the container's prefix, by a literal segment", () => {
      const lines = problemLines({ todo: {} }, { functions: [fn('stats', [{ method: 'GET', path: '/todo/stats' }])] });
      expect(lines).toEqual([
        expect.stringContaining(
          'field "containers.todo.routes[1]": got "ANY /todo/{proxy+}" — ' +
            'function "stats" routes GET /todo/stats inside this container\'s prefix',
        ),
      ]);
    });

    test('functions elsewhere do not clash', () => {
      expect(
        problemLines(
          { todo: {} },
          {
            functions: [
              fn('hello', [
                { method: 'GET', path: '/hello' },
                { method: 'GET', path: '/todos' },
              ]),
            ],
          },
        ),
      ).toEqual([]);
    });
  });
});

describe('basePathsOf', () => {
  test('each route without its {proxy+}, and its /preview twin, longest first', () => {
    expect(
      basePathsOf([
        { method: 'ANY', path: '/todo' },
        { method: 'ANY', path: '/todo/{proxy+}' },
      ]),
    ).toEqual(['/preview/todo', '/todo']);
    expect(basePathsOf([{ method: 'ANY', path: '/api/v1/{proxy+}' }])).toEqual(['/preview/api/v1', '/api/v1']);
  });
});

describe('resolvePlatformWithContainers', () => {
  test('functions and containers of one declaration, with stage overrides for both', () => {
    // GIVEN
    const input = {
      app: 'demo',
      api: OPEN,
      functions: { hello: { routes: [{ method: 'GET', path: '/hello' }] } },
      containers: { todo: {} },
      stages: { prod: { functions: { hello: { memoryMB: 512 } }, containers: { todo: { memoryMB: 1024 } } } },
    };

    // WHEN
    const platform = resolvePlatformWithContainers(input, 'prod', project);

    // THEN
    expect(platform.functions.map((f) => [f.name, f.memoryMB])).toEqual([['hello', 512]]);
    expect(platform.containers.map((c) => [c.name, c.memoryMB])).toEqual([['todo', 1024]]);
  });

  test('function and container problems are thrown together, once', () => {
    // GIVEN a bad function and a bad container
    const input = { app: 'demo', api: OPEN, functions: { hello: { memoryMB: 64 } }, containers: { todo: { port: 0 } } };

    // WHEN
    let thrown: unknown;
    try {
      resolvePlatformWithContainers(input, 'dev', project);
    } catch (error) {
      thrown = error;
    }

    // THEN
    expect(thrown).toBeInstanceOf(DeclarationError);
    const { message, problems } = thrown as DeclarationError;
    expect(problems.map((p) => p.field)).toEqual(['memoryMB', 'containers.todo.port']);
    const bothProblems = new RegExp(
      /has 2 problems:\n {2}- function "hello", field "memoryMB": got 64[\s\S]*/.source +
        /\n {2}- field "containers\.todo\.port": got 0 — port must be from 1 to 65535/.source,
    );
    expect(message).toMatch(bothProblems);
  });
});

describe('one pass over both kinds', () => {
  /** The problem lines a resolution throws (empty when it resolves). */
  function thrown(resolve: () => unknown): string[] {
    try {
      resolve();
      return [];
    } catch (error) {
      if (!(error instanceof DeclarationError)) throw error;
      return error.problems.map(formatProblem);
    }
  }
  const declaration = (extra: Record<string, unknown>) => ({ app: 'demo', api: OPEN, functions: { hello: {} }, ...extra });

  test('two containers on one route: the second is reported, naming the first as a container', () => {
    // GIVEN
    const containers = { todo: { routes: [{ method: 'ANY', path: '/x/{id}' }] }, api: { routes: [{ method: 'GET', path: '/x/{id}' }] } };

    // WHEN
    const lines = thrown(() => resolvePlatformWithContainers(declaration({ containers }), 'dev', project));

    // THEN
    expect(lines).toEqual([
      'field "containers.api.routes[0]": got "GET /x/{id}" — duplicate route: ANY /x/{id} is already routed to container "todo"; ' +
        'fix: give one of them another path or method',
    ]);
  });

  test("a container route on a function's jobs endpoint", () => {
    const input = declaration({
      functions: { hello: { queue: {} } },
      containers: { todo: { routes: [{ method: 'POST', path: '/hello/jobs' }] } },
    });
    expect(thrown(() => resolvePlatformWithContainers(input, 'dev', project))).toEqual([
      expect.stringContaining(
        'field "containers.todo.routes[0]": got "POST /hello/jobs" — ' +
          'duplicate route: POST /hello/jobs is already routed to the jobs queue of function "hello"',
      ),
    ]);
  });

  test("a container's authorizer is a declared function even when another function has a problem", () => {
    const input = declaration({
      functions: { hello: { memoryMB: 64 }, gatekeeper: {} },
      containers: { todo: { auth: { kind: 'authorizer', function: 'gatekeeper' } } },
    });
    expect(thrown(() => resolvePlatformWithContainers(input, 'dev', { ...project, fileExists: () => true }))).toEqual([
      expect.stringMatching(/^function "hello", field "memoryMB"/),
    ]);
  });

  test('resolvePlatform checks the containers too', () => {
    expect(thrown(() => resolvePlatform(declaration({ containers: { todo: { port: 0 } } }), 'dev', project))).toEqual([
      expect.stringContaining('field "containers.todo.port": got 0 — port must be from 1 to 65535'),
    ]);
  });

  test('stage overrides of containers have a shape: one that is not an object of overrides is reported', () => {
    const input = declaration({ containers: { todo: {} }, stages: { dev: { containers: 3 } } });
    expect(thrown(() => resolvePlatformWithContainers(input, 'dev', project))).toEqual([
      expect.stringMatching(/^field "stages\.dev\.containers": got 3 — expected record/),
    ]);
  });
});
