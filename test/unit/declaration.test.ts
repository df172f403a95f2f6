/**
 * The declaration resolver: defaults, stage overrides, and one line per mistake that names the
 * function, the field, the value given and the fix. The project folder is faked, so no fixtures.
 */
import appDeclaration from '../../faas.config';
import { resolvePlatformWithContainers } from '../../lib/declaration/container';
import { DeclarationError, resolvePlatform, type ProjectView } from '../../lib/declaration/resolve';
import type { PlatformInput } from '../../lib/declaration/schema';

const ENTRY_FILES = new Set([
  'functions/hello/index.ts',
  'functions/orders/index.ts',
  'functions/hello/api.ts',
  'functions/worker/index.ts',
  'functions/transform/index.ts',
  'functions/audit/index.ts',
  'functions/gatekeeper/index.ts',
]);
const project: ProjectView = { layers: ['shared', 'extra', 'l3', 'l4', 'l5', 'l6'], fileExists: (p) => ENTRY_FILES.has(p) };

const CAPACITY_PROVIDER = 'arn:aws:lambda:eu-west-1:123456789012:capacity-provider:pool';

/** A function as a team might mistype it: any field, any value. */
type LooseFunction = Record<string, unknown>;

/** Routes of these tests are public: who may call them is auth.test.ts's subject. */
const OPEN = { auth: { kind: 'none', reason: 'test routes: public unless the test is about auth' } } as const;

function declaration(functions: Record<string, LooseFunction>): unknown {
  return { app: 'demo', api: OPEN, functions };
}

/** The DeclarationError a declaration raises; fails the test if it resolves or throws anything else. */
function declarationError(input: unknown, stage = 'dev'): DeclarationError {
  try {
    resolvePlatform(input, stage, project);
  } catch (error) {
    if (error instanceof DeclarationError) return error;
    throw error;
  }
  throw new Error('expected resolvePlatform to throw a DeclarationError, but the declaration resolved');
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The line one problem prints: who, where, what was given, then what is wrong and the fix. */
function problemLine(functionName: string | undefined, field: string, shown: string, hint: string): RegExp {
  const where = functionName !== undefined ? `function "${functionName}", field "${field}"` : `field "${field}"`;
  return new RegExp(`${escape(where)}: got ${escape(shown)} — .*${escape(hint)}`);
}

describe('resolvePlatform', () => {
  describe('a valid declaration', () => {
    it('applies every default', () => {
      // GIVEN
      const input: PlatformInput = { app: 'demo', functions: { hello: {} } };

      // WHEN
      const platform = resolvePlatform(input, 'dev', project);

      // THEN
      expect(platform).toEqual({
        app: 'demo',
        stage: 'dev',
        api: { throttleRateLimit: 100, throttleBurstLimit: 200 },
        functions: [
          {
            name: 'hello',
            entry: 'functions/hello/index.ts',
            handler: 'handler',
            memoryMB: 256,
            timeoutSeconds: 10,
            environment: {},
            layers: [],
            routes: [],
            release: { mode: 'alias', initialWeight: 0, deploymentConfig: 'canary-10-5m' },
            tracing: true,
            alarms: { errors: 1 },
          },
        ],
      });
    });

    it('keeps declared values and fills the defaults inside partly given objects', () => {
      // GIVEN
      const input: PlatformInput = {
        app: 'demo',
        api: { throttleRateLimit: 10 },
        functions: {
          hello: {
            entry: 'functions/hello/api.ts',
            memoryMB: 1024,
            timeoutSeconds: 30,
            layers: ['extra', 'shared'],
            environment: { GREETING: 'Hi' },
            release: { mode: 'codedeploy' },
            warm: { provisioned: 1, max: 3 },
            alarms: { p99Ms: 1500 },
            tracing: false,
          },
        },
      };

      // WHEN
      const [hello] = resolvePlatform(input, 'dev', project).functions;

      // THEN
      expect(hello).toEqual(
        expect.objectContaining({
          entry: 'functions/hello/api.ts',
          memoryMB: 1024,
          timeoutSeconds: 30,
          layers: ['extra', 'shared'],
          environment: { GREETING: 'Hi' },
          release: { mode: 'codedeploy', initialWeight: 0, deploymentConfig: 'canary-10-5m' },
          warm: { provisioned: 1, max: 3, utilizationTarget: 0.7, schedules: [] },
          alarms: { errors: 1, p99Ms: 1500 },
          tracing: false,
        }),
      );
    });

    it('accepts routes that share a path but not a method, and every path shape', () => {
      // GIVEN
      const input: PlatformInput = {
        app: 'demo',
        api: OPEN,
        functions: {
          hello: {
            routes: [
              { method: 'GET', path: '/' },
              { method: 'GET', path: '/users/{id}' },
              { method: 'GET', path: '/files/{proxy+}' },
            ],
          },
          orders: {
            routes: [
              { method: 'POST', path: '/users/{id}' },
              { method: 'DELETE', path: '/users/{id}' },
              { method: 'GET', path: '/previews' },
            ],
          },
        },
      };

      // WHEN
      const platform = resolvePlatform(input, 'dev', project);

      // THEN
      expect(platform.functions.map((fn) => fn.routes.length)).toEqual([3, 3]);
    });

    it.each(['dev', 'prod'])("resolves the app's own faas.config.ts for stage %s", (stage) => {
      // GIVEN
      const input = appDeclaration;

      // WHEN
      const platform = resolvePlatformWithContainers(input, stage, {
        ...project,
        fileExists: (p) => ENTRY_FILES.has(p) || p.startsWith('containers/todo/'),
      });

      // THEN
      expect(platform.functions.map((fn) => fn.name)).toEqual(['hello', 'worker', 'transform', 'audit', 'gatekeeper']);
      expect(platform.containers.map((c) => c.name)).toEqual(['todo']);
    });
  });

  describe('stage overrides', () => {
    const staged: PlatformInput = {
      app: 'demo',
      functions: {
        hello: { memoryMB: 1024, release: { mode: 'alias', initialWeight: 0.1 } },
        orders: { warm: { provisioned: 1, max: 2 } },
      },
      stages: {
        dev: { functions: { hello: { memoryMB: null }, orders: { warm: null } } },
        prod: {
          functions: {
            hello: { warm: { provisioned: 2, max: 10 }, reservedConcurrency: 20, release: { mode: 'codedeploy' } },
          },
        },
      },
    };

    it('adds warm capacity in the stage that declares it', () => {
      // WHEN
      const [hello] = resolvePlatform(staged, 'prod', project).functions;

      // THEN
      expect(hello.warm).toEqual({ provisioned: 2, max: 10, utilizationTarget: 0.7, schedules: [] });
      expect(hello.reservedConcurrency).toBe(20);
    });

    it('leaves other stages without it', () => {
      // WHEN
      const [hello] = resolvePlatform(staged, 'dev', project).functions;

      // THEN
      expect(hello.warm).toBeUndefined();
      expect(hello.reservedConcurrency).toBeUndefined();
    });

    it('removes a field given as null, so its default applies', () => {
      // WHEN
      const [hello, orders] = resolvePlatform(staged, 'dev', project).functions;

      // THEN
      expect(hello.memoryMB).toBe(256);
      expect(orders.warm).toBeUndefined();
    });

    it('replaces a top-level field whole rather than merging into it', () => {
      // WHEN
      const [hello] = resolvePlatform(staged, 'prod', project).functions;

      // THEN
      expect(hello.release).toEqual({ mode: 'codedeploy', initialWeight: 0, deploymentConfig: 'canary-10-5m' });
      expect(hello.memoryMB).toBe(1024);
    });

    it('reports an invalid override against the function, only in its stage', () => {
      // GIVEN
      const input: PlatformInput = {
        app: 'demo',
        functions: { hello: {} },
        stages: { dev: {}, prod: { functions: { hello: { memoryMB: 64 } } } },
      };

      // WHEN / THEN
      expect(() => resolvePlatform(input, 'dev', project)).not.toThrow();
      const prodMemory = new RegExp(
        /function "hello", field "memoryMB" \(set in stages\.prod\.functions\.hello\): got 64 — /.source +
          /memoryMB must be from 128 to 10240; fix: choose a size in MB/.source,
      );
      expect(() => resolvePlatform(input, 'prod', project)).toThrow(prodMemory);
    });

    it('rejects a stage that is not declared, naming the declared stages', () => {
      // WHEN
      const error = declarationError(staged, 'qa');

      // THEN
      expect(error.message).toMatch(/stage "qa" has 1 problem:/);
      expect(error.message).toMatch(
        problemLine(undefined, 'stage', '"qa"', 'unknown stage; fix: use one of dev, prod or add it under stages'),
      );
      expect(error.problems).toEqual([expect.objectContaining({ field: 'stage', value: 'qa' })]);
    });

    it('accepts any well-formed stage when no stages are declared', () => {
      // GIVEN
      const input: PlatformInput = { app: 'demo', api: OPEN, functions: { hello: {} } };

      // WHEN
      const platform = resolvePlatform(input, 'qa', project);

      // THEN
      expect(platform.stage).toBe('qa');
    });

    it('rejects a malformed stage name', () => {
      // GIVEN
      const input: PlatformInput = { app: 'demo', api: OPEN, functions: { hello: {} } };

      // WHEN / THEN
      expect(() => resolvePlatform(input, 'Prod', project)).toThrow(
        problemLine(
          undefined,
          'stage',
          '"Prod"',
          'stage must be 1-20 lowercase letters, digits or "-" (pass -c stage=dev or -c stage=prod)',
        ),
      );
    });

    it('rejects an override for a function that is not declared', () => {
      // GIVEN
      const input: PlatformInput = {
        app: 'demo',
        functions: { hello: {} },
        stages: { prod: { functions: { helo: { memoryMB: 512 } } } },
      };

      // WHEN
      const error = declarationError(input, 'prod');

      // THEN
      expect(error.message).toMatch(
        problemLine(
          undefined,
          'stages.prod.functions.helo',
          '"helo"',
          'stage override for a function that is not declared; fix: declare it under functions or remove the override',
        ),
      );
      expect(error.problems).toEqual([expect.objectContaining({ field: 'stages.prod.functions.helo', value: 'helo' })]);
    });
  });

  describe('a bad function declaration', () => {
    interface BadDeclaration {
      readonly title: string;
      readonly functions: Record<string, LooseFunction>;
      readonly functionName: string;
      readonly field: string;
      /** As kept in `problems`; may be an asymmetric matcher. */
      readonly value: unknown;
      /** As printed in the message, when not the JSON of `value`. */
      readonly shown?: string;
      /** What is wrong and how to fix it. */
      readonly hint: string;
    }

    const warm = { provisioned: 2, max: 4 };
    const schedule = { name: 'peak', expression: 'cron(0 8 ? * MON-FRI *)', minProvisioned: 2, maxProvisioned: 4 };

    it.each<BadDeclaration>([
      {
        title: 'an unknown layer',
        functions: { hello: { layers: ['shared', 'shraed'] } },
        functionName: 'hello',
        field: 'layers[1]',
        value: 'shraed',
        hint: 'unknown layer; fix: use one of [shared, extra, l3, l4, l5, l6] (folders under layers/) or create layers/shraed',
      },
      {
        title: 'a layer listed twice',
        functions: { hello: { layers: ['shared', 'extra', 'shared'] } },
        functionName: 'hello',
        field: 'layers[2]',
        value: 'shared',
        hint: 'layer listed twice; fix: list each layer once',
      },
      {
        title: 'more than 5 layers',
        functions: { hello: { layers: ['shared', 'extra', 'l3', 'l4', 'l5', 'l6'] } },
        functionName: 'hello',
        field: 'layers',
        value: ['shared', 'extra', 'l3', 'l4', 'l5', 'l6'],
        hint: "at most 5 layers (Lambda's limit); fix: merge layers",
      },
      {
        title: 'initialWeight above 1 (a percentage)',
        functions: { hello: { release: { initialWeight: 1.5 } } },
        functionName: 'hello',
        field: 'release.initialWeight',
        value: 1.5,
        hint: 'initialWeight must be from 0 to 1 (0.05 = 5%); fix: use a fraction, not a percentage',
      },
      {
        title: 'a negative initialWeight',
        functions: { hello: { release: { initialWeight: -0.1 } } },
        functionName: 'hello',
        field: 'release.initialWeight',
        value: -0.1,
        hint: 'initialWeight must be from 0 to 1 (0.05 = 5%); fix: use a fraction, not a percentage',
      },
      {
        title: 'warm.provisioned above warm.max',
        functions: { hello: { warm: { provisioned: 5, max: 2 } } },
        functionName: 'hello',
        field: 'warm.provisioned',
        value: 5,
        hint: 'provisioned must not exceed warm.max (2); fix: raise max or lower provisioned',
      },
      {
        title: 'a utilizationTarget outside 0.1-0.9',
        functions: { hello: { warm: { ...warm, utilizationTarget: 0.95 } } },
        functionName: 'hello',
        field: 'warm.utilizationTarget',
        value: 0.95,
        hint: 'utilizationTarget must be from 0.1 to 0.9 (0.7 = scale out at 70% use)',
      },
      {
        title: 'a schedule whose minProvisioned exceeds its maxProvisioned',
        functions: { hello: { warm: { ...warm, schedules: [{ ...schedule, minProvisioned: 8 }] } } },
        functionName: 'hello',
        field: 'warm.schedules[0].minProvisioned',
        value: 8,
        hint: 'must not exceed maxProvisioned (4) of schedule "peak"',
      },
      {
        title: 'a cron expression with 5 fields',
        functions: { hello: { warm: { ...warm, schedules: [{ ...schedule, expression: 'cron(0 8 * * MON-FRI)' }] } } },
        functionName: 'hello',
        field: 'warm.schedules[0].expression',
        value: 'cron(0 8 * * MON-FRI)',
        hint: 'a cron expression has 6 fields (min hour day-of-month month day-of-week year), got 5; fix: e.g. "cron(0 8 ? * MON-FRI *)"',
      },
      {
        title: 'a schedule expression in prose',
        functions: { hello: { warm: { ...warm, schedules: [{ ...schedule, expression: 'every 5 minutes' }] } } },
        functionName: 'hello',
        field: 'warm.schedules[0].expression',
        value: 'every 5 minutes',
        hint:
          'expression must be rate(N minutes|hours|days), cron(min hour day-of-month month day-of-week year) ' +
          'or at(yyyy-mm-ddThh:mm:ss); fix:',
      },
      {
        title: 'two schedules with the same name',
        functions: {
          hello: { warm: { ...warm, schedules: [schedule, { ...schedule, expression: 'cron(0 19 ? * MON-FRI *)' }] } },
        },
        functionName: 'hello',
        field: 'warm.schedules[1].name',
        value: 'peak',
        hint: 'schedule names must be unique per function',
      },
      {
        title: 'reservedConcurrency below warm.max',
        functions: { hello: { warm, reservedConcurrency: 3 } },
        functionName: 'hello',
        field: 'reservedConcurrency',
        value: 3,
        hint:
          'must be at least the highest provisioned concurrency (4); Lambda rejects provisioned > reserved; ' +
          'fix: raise reservedConcurrency',
      },
      {
        title: "reservedConcurrency below a schedule's maxProvisioned",
        functions: { hello: { warm: { ...warm, schedules: [{ ...schedule, maxProvisioned: 20 }] }, reservedConcurrency: 10 } },
        functionName: 'hello',
        field: 'reservedConcurrency',
        value: 10,
        hint: 'must be at least the highest provisioned concurrency (20)',
      },
      {
        title: 'warm together with instances',
        functions: { hello: { warm, instances: { capacityProviderArn: CAPACITY_PROVIDER, perInstanceConcurrency: 8 } } },
        functionName: 'hello',
        field: 'warm',
        value: expect.objectContaining(warm),
        shown: '{"provisioned":2,"max":4,"utilizationTarget":0.7,"schedules":[]}',
        hint: 'provisioned concurrency does not apply to Lambda Managed Instances (instances); fix: remove warm or instances',
      },
      {
        title: 'a capacityProviderArn that is not one',
        functions: { hello: { instances: { capacityProviderArn: 'pool', perInstanceConcurrency: 8 } } },
        functionName: 'hello',
        field: 'instances.capacityProviderArn',
        value: 'pool',
        hint: 'capacityProviderArn must be a Lambda capacity provider ARN (arn:aws:lambda:<region>:<account>:capacity-provider:<name>)',
      },
      {
        title: 'timeoutSeconds above 900',
        functions: { hello: { timeoutSeconds: 901 } },
        functionName: 'hello',
        field: 'timeoutSeconds',
        value: 901,
        hint: 'timeoutSeconds must be from 1 to 900; fix: Lambda stops a function after 900 s at most',
      },
      {
        title: 'memoryMB below 128',
        functions: { hello: { memoryMB: 64 } },
        functionName: 'hello',
        field: 'memoryMB',
        value: 64,
        hint: "memoryMB must be from 128 to 10240; fix: choose a size in MB within Lambda's range",
      },
      {
        title: 'memoryMB above 10240',
        functions: { hello: { memoryMB: 20000 } },
        functionName: 'hello',
        field: 'memoryMB',
        value: 20000,
        hint: "memoryMB must be from 128 to 10240; fix: choose a size in MB within Lambda's range",
      },
      {
        title: 'a fractional memoryMB',
        functions: { hello: { memoryMB: 256.5 } },
        functionName: 'hello',
        field: 'memoryMB',
        value: 256.5,
        hint: 'memoryMB must be a whole number from 128 to 10240; fix:',
      },
      {
        title: 'the same method and path in two functions',
        functions: { hello: { routes: [{ method: 'GET', path: '/items' }] }, orders: { routes: [{ method: 'GET', path: '/items' }] } },
        functionName: 'orders',
        field: 'routes[0]',
        value: 'GET /items',
        hint: 'duplicate route: GET /items is already routed to function "hello"; fix: give one of them another path or method',
      },
      {
        title: 'ANY and GET on the same path',
        functions: { hello: { routes: [{ method: 'ANY', path: '/items' }] }, orders: { routes: [{ method: 'GET', path: '/items' }] } },
        functionName: 'orders',
        field: 'routes[0]',
        value: 'GET /items',
        hint: 'duplicate route: ANY /items is already routed to function "hello"; fix:',
      },
      {
        title: 'the same path with differently named parameters',
        functions: {
          hello: { routes: [{ method: 'GET', path: '/users/{id}' }] },
          orders: { routes: [{ method: 'GET', path: '/users/{name}' }] },
        },
        functionName: 'orders',
        field: 'routes[0]',
        value: 'GET /users/{name}',
        hint: 'is already routed to function "hello"; fix: give one of them another path or method',
      },
      {
        title: 'a route path without a leading slash',
        functions: { hello: { routes: [{ method: 'GET', path: 'items' }] } },
        functionName: 'hello',
        field: 'routes[0].path',
        value: 'items',
        hint: 'path must start with "/" and use segments like "users", "{id}" or a final "{proxy+}"',
      },
      {
        title: 'a route path with a trailing slash',
        functions: { hello: { routes: [{ method: 'GET', path: '/items/' }] } },
        functionName: 'hello',
        field: 'routes[0].path',
        value: '/items/',
        hint: '(no trailing slash)',
      },
      {
        title: 'a route under the reserved /preview path',
        functions: { hello: { routes: [{ method: 'GET', path: '/preview/items' }] } },
        functionName: 'hello',
        field: 'routes[0].path',
        value: '/preview/items',
        hint: 'paths under /preview are reserved for preview routes; fix: choose another path',
      },
      {
        title: 'an unknown HTTP method',
        functions: { hello: { routes: [{ method: 'FETCH', path: '/items' }] } },
        functionName: 'hello',
        field: 'routes[0].method',
        value: 'FETCH',
        hint: 'method must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY',
      },
      {
        title: 'an unknown field (a typo)',
        functions: { hello: { memory: 512 } },
        functionName: 'hello',
        field: 'memory',
        value: 512,
        hint: 'unknown field; did you mean "memoryMB"? fix: rename it to memoryMB',
      },
      {
        title: 'a reserved environment variable',
        functions: { hello: { environment: { AWS_REGION: 'eu-west-1' } } },
        functionName: 'hello',
        field: 'environment.AWS_REGION',
        value: 'eu-west-1',
        hint: 'Lambda reserves this variable; fix: choose another name',
      },
      {
        title: 'a malformed environment variable name',
        functions: { hello: { environment: { 'API-KEY': 'x' } } },
        functionName: 'hello',
        field: 'environment.API-KEY',
        value: 'x',
        hint: 'variable names must start with a letter and use letters, digits and "_"',
      },
      {
        title: 'an environment value that is not a string',
        functions: { hello: { environment: { RETRIES: 3 } } },
        functionName: 'hello',
        field: 'environment.RETRIES',
        value: 3,
        hint: 'environment values must be strings; fix: quote the value',
      },
      {
        title: 'an entry file that does not exist',
        functions: { hello: { entry: 'functions/hello/main.ts' } },
        functionName: 'hello',
        field: 'entry',
        value: 'functions/hello/main.ts',
        hint: 'handler file does not exist; fix: create functions/hello/main.ts or point entry at an existing file under functions/',
      },
      {
        title: 'no entry and no file at the default entry',
        functions: { ghost: {} },
        functionName: 'ghost',
        field: 'entry',
        value: 'functions/ghost/index.ts',
        hint: 'fix: create functions/ghost/index.ts',
      },
      {
        title: 'an entry outside functions/',
        functions: { hello: { entry: 'lib/hello.ts' } },
        functionName: 'hello',
        field: 'entry',
        value: 'lib/hello.ts',
        hint: 'entry must be a .ts file under functions/, e.g. functions/hello/index.ts',
      },
      {
        title: 'codedeploy mode with an initialWeight',
        functions: { hello: { release: { mode: 'codedeploy', initialWeight: 0.1 } } },
        functionName: 'hello',
        field: 'release.initialWeight',
        value: 0.1,
        hint:
          'initialWeight applies to alias mode only; in codedeploy mode the deploymentConfig sets the canary; ' +
          'fix: remove initialWeight or use mode "alias"',
      },
      {
        title: 'an unknown codedeploy deploymentConfig',
        functions: { hello: { release: { mode: 'codedeploy', deploymentConfig: 'canary-50-1m' } } },
        functionName: 'hello',
        field: 'release.deploymentConfig',
        value: 'canary-50-1m',
        hint: 'deploymentConfig must be one of canary-10-5m, canary-10-10m,',
      },
      {
        title: 'alarms.p99Ms at the timeout',
        functions: { hello: { timeoutSeconds: 2, alarms: { p99Ms: 2000 } } },
        functionName: 'hello',
        field: 'alarms.p99Ms',
        value: 2000,
        hint: 'must be below the timeout (2000 ms) or it can never fire; fix: lower it or raise timeoutSeconds',
      },
      {
        title: 'a function name with uppercase letters',
        functions: { Hello: {} },
        functionName: 'Hello',
        field: 'name',
        value: 'Hello',
        hint: 'function names must be 2-40 lowercase letters, digits or "-", starting with a letter',
      },
    ])('rejects $title, naming the function, field, value and fix', ({ functions, functionName, field, value, shown, hint }) => {
      // GIVEN
      const input = declaration(functions);

      // WHEN
      const resolve = () => resolvePlatform(input, 'dev', project);

      // THEN
      expect(resolve).toThrow(DeclarationError);
      expect(resolve).toThrow(problemLine(functionName, field, shown ?? JSON.stringify(value), hint));
      expect(declarationError(input).problems).toEqual([{ functionName, field, value, message: expect.stringContaining(hint) }]);
    });

    it('rejects a declaration with no functions', () => {
      // GIVEN
      const input = declaration({});

      // WHEN / THEN
      expect(() => resolvePlatform(input, 'dev', project)).toThrow(
        problemLine(undefined, 'functions', '{}', 'no functions declared; fix: declare at least one function'),
      );
    });

    it('rejects a malformed app name', () => {
      // GIVEN
      const input = { app: 'My App', functions: { hello: {} } };

      // WHEN / THEN
      expect(() => resolvePlatform(input, 'dev', project)).toThrow(
        problemLine(undefined, 'app', '"My App"', 'app must be 2-40 lowercase letters, digits or "-", starting with a letter'),
      );
    });
  });

  describe('collecting problems', () => {
    it('collects every problem across functions and throws once', () => {
      // GIVEN
      const input = declaration({
        hello: { memoryMB: 64, timeoutSeconds: 901 },
        orders: {
          layers: ['missing'],
          environment: { AWS_REGION: 'eu-west-1' },
          routes: [
            { method: 'GET', path: '/items' },
            { method: 'GET', path: '/items' },
          ],
        },
      });

      // WHEN
      const error = declarationError(input);

      // THEN
      expect(error.stage).toBe('dev');
      expect(error.message).toMatch(/^faas declaration for stage "dev" has 5 problems:\n/);
      expect(error.problems).toHaveLength(5);
      expect(error.problems).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ functionName: 'hello', field: 'memoryMB', value: 64 }),
          expect.objectContaining({ functionName: 'hello', field: 'timeoutSeconds', value: 901 }),
          expect.objectContaining({ functionName: 'orders', field: 'layers[0]', value: 'missing' }),
          expect.objectContaining({ functionName: 'orders', field: 'environment.AWS_REGION', value: 'eu-west-1' }),
          expect.objectContaining({ functionName: 'orders', field: 'routes[1]', value: 'GET /items' }),
        ]),
      );
    });

    it('reports stage problems alongside function problems', () => {
      // GIVEN
      const input: PlatformInput = {
        app: 'demo',
        functions: { hello: { memoryMB: 64 } },
        stages: { prod: { functions: { helo: { memoryMB: 512 } } } },
      };

      // WHEN
      const error = declarationError(input, 'prod');

      // THEN
      expect(error.problems.map((p) => p.field)).toEqual(['stages.prod.functions.helo', 'memoryMB']);
    });
  });
});

describe('resolvePlatform — review findings', () => {
  const project = { layers: ['shared'], fileExists: () => true };
  const base = { app: 'demo', functions: { hello: {} } };

  it('validates stage api overrides', () => {
    // GIVEN a prod stage that sets a negative throttle rate
    const input = { ...base, stages: { prod: { api: { throttleRateLimit: -1 } } } };
    // THEN the declaration fails (for every stage: it is one file) naming the field
    expect(() => resolvePlatform(input, 'prod', project)).toThrow(
      /field "stages\.prod\.api\.throttleRateLimit": got -1 — api\.throttleRateLimit must be from 1/,
    );
    expect(() => resolvePlatform(input, 'dev', project)).toThrow(/stages\.prod\.api\.throttleRateLimit/);
  });

  it('applies a valid stage api override', () => {
    const input = { ...base, stages: { prod: { api: { throttleRateLimit: 500 } }, dev: {} } };
    expect(resolvePlatform(input, 'prod', project).api).toEqual({ throttleRateLimit: 500, throttleBurstLimit: 200 });
    expect(resolvePlatform(input, 'dev', project).api.throttleRateLimit).toBe(100);
  });

  it('reports function problems even when an app-wide field is also wrong', () => {
    const input = { app: 'Bad App', functions: { hello: { memoryMB: 64 } } };
    expect(() => resolvePlatform(input, 'dev', project)).toThrow(
      /2 problems[\s\S]*field "app"[\s\S]*function "hello", field "memoryMB": got 64/,
    );
  });

  it('rejects an empty route path and an entry that leaves functions/', () => {
    const input = {
      app: 'demo',
      api: OPEN,
      functions: { hello: { routes: [{ method: 'GET', path: '' }], entry: 'functions/../lib/platform-app.ts' } },
    };
    expect(() => resolvePlatform(input, 'dev', project)).toThrow(/field "routes\[0\]\.path": got ""/);
    expect(() => resolvePlatform(input, 'dev', project)).toThrow(/field "entry": got "functions\/\.\.\/lib\/platform-app\.ts"/);
  });

  it('rejects different parameter names at the same path position, whatever the method', () => {
    const input = {
      app: 'demo',
      functions: {
        reader: { routes: [{ method: 'GET', path: '/users/{id}' }] },
        writer: { routes: [{ method: 'DELETE', path: '/users/{userId}' }] },
      },
    };
    const conflict = new RegExp(
      /function "writer", field "routes\[0\]\.path": got "\/users\/\{userId\}" — /.source +
        /path parameter \{userId\} conflicts with \{id\} of \/users\/\{id\} \(function "reader"\)/.source,
    );
    expect(() => resolvePlatform(input, 'dev', project)).toThrow(conflict);
  });

  it('does not treat built-in object keys as declared functions', () => {
    const input = { ...base, stages: { dev: { functions: { constructor: { memoryMB: 512 } } } } };
    expect(() => resolvePlatform(input, 'dev', project)).toThrow(/stages\.dev\.functions\.constructor/);
  });
});

describe('resolvePlatform — stage api overrides keep the app values they do not change', () => {
  it('a partial stage api override keeps the app-wide burst limit', () => {
    const input = {
      app: 'demo',
      api: { throttleRateLimit: 50, throttleBurstLimit: 100 },
      functions: { hello: {} },
      stages: { prod: { api: { throttleRateLimit: 10 } } },
    };
    expect(resolvePlatform(input, 'prod', { layers: [], fileExists: () => true }).api).toEqual({
      throttleRateLimit: 10,
      throttleBurstLimit: 100,
    });
  });
});

describe('resolvePlatform — one variable path segment per parent', () => {
  it('rejects {userId}/orders next to {id} under /users, as API Gateway would at deploy', () => {
    const input = {
      app: 'demo',
      api: OPEN,
      functions: {
        users: { routes: [{ method: 'GET', path: '/users/{id}' }] },
        orders: { routes: [{ method: 'GET', path: '/users/{userId}/orders' }] },
      },
    };
    const conflict = new RegExp(
      /function "orders", field "routes\[0\]\.path": got "\/users\/\{userId\}\/orders" — /.source +
        /path parameter \{userId\} conflicts with \{id\} of \/users\/\{id\} \(function "users"\) under the same parent; fix:/.source,
    );
    expect(() => resolvePlatform(input, 'dev', { layers: [], fileExists: () => true })).toThrow(conflict);
  });

  it('accepts the same parameter name at the same place', () => {
    const input = {
      app: 'demo',
      api: OPEN,
      functions: {
        users: { routes: [{ method: 'GET', path: '/users/{id}' }] },
        orders: { routes: [{ method: 'GET', path: '/users/{id}/orders' }] },
      },
    };
    expect(resolvePlatform(input, 'dev', { layers: [], fileExists: () => true }).functions).toHaveLength(2);
  });
});

describe('resolvePlatform — every message carries a fix', () => {
  it.each([
    ['a layer that is not a string', { hello: { layers: [1] } }],
    ['routes that are not a list', { hello: { routes: 'GET /x' } }],
    ['a function that is not an object', { hello: 'index.ts' }],
    ['a bad release mode', { hello: { release: { mode: 'blue-green' } } }],
    ['a bad handler name', { hello: { handler: 'my-handler' } }],
    ['a bad entry', { hello: { entry: 'src/hello.ts' } }],
  ])('%s', (_label, functions) => {
    let error: unknown;
    try {
      resolvePlatform({ app: 'demo', api: OPEN, functions }, 'dev', { layers: ['shared'], fileExists: () => true });
    } catch (e) {
      error = e;
    }
    const problems = (error as DeclarationError).problems;
    expect(problems.length).toBeGreaterThan(0);
    for (const problem of problems) expect(problem.message).toMatch(/fix:/);
  });
});
