/**
 * Every mistake gets a clear answer and changes nothing. One table per layer that can see the
 * mistake: the declaration (pure resolution), the project's files (real temporary projects, with
 * faas.config.ts loaded and entry files compiled by esbuild as synth does) and the CLI (before any
 * AWS call). Each row asserts the message names what is wrong and ends in a fix, and that nothing
 * changed: the input object, every file of the project (faas.placement.json included), or — for
 * the CLI — no AWS call at all.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDeclaredNames } from '../../cli/main';
import { runCli } from '../../cli/commands/program';
import { loadDeclaration } from '../../lib/config-file';
import { resolvePlatformWithContainers } from '../../lib/declaration/container';
import { DeclarationError, type EntryInspection, type ProjectView } from '../../lib/declaration/resolve';
import { PLACEMENT_FILE, PlacementFile } from '../../lib/placement/placement-file';
import { buildPlatformApp } from '../../lib/platform-app';
import { isUserError } from '../../lib/synth';
import { cfnMock, cloudWatchMock, fakeAws, fakeTerminal, lambdaMock, sqsMock } from './cli/fake-aws';
import { CDK_CONTEXT, REPO_ROOT } from './support/platform-fixture';

/** Every problem line of an error ends in a fix. */
function expectEveryLineFixed(message: string): void {
  const lines = message.split('\n').filter((l) => l.startsWith('  - '));
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) expect(line).toMatch(/fix: \S/);
}

describe('declaration mistakes', () => {
  const entries: Record<string, EntryInspection> = {
    'functions/hello/index.ts': { exports: ['handler', 'readFaults'], unresolved: [] },
    'functions/broken/index.ts': { error: 'functions/broken/index.ts:3:14: Expected ";" but found "handler"' },
    'functions/pad/index.ts': { exports: ['handler'], unresolved: ['left-pad'] },
    'containers/todo/src/server.ts': { error: 'containers/todo/src/server.ts:8:1: Unexpected "}"' },
  };
  const project: ProjectView = {
    layers: ['shared'],
    fileExists: (p) => Object.hasOwn(entries, p) || p === 'containers/todo/Dockerfile',
    inspectEntry: (p) => entries[p],
  };
  const hello = { entry: 'functions/hello/index.ts' };
  const app = (functions: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ app: 'demo', functions, ...extra });
  const withProd = (prod: Record<string, unknown>, functions: Record<string, unknown> = { hello }) =>
    app(functions, { stages: { dev: {}, prod } });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    [
      'a misspelt field',
      app({ hello: { ...hello, memory: 512 } }),
      'dev',
      /function "hello", field "memory": got 512 — unknown field; did you mean "memoryMB"\? fix: rename it to memoryMB/,
    ],
    [
      'a misspelt nested field',
      app({ hello: { ...hello, warm: { provisoned: 2, max: 4 } } }),
      'dev',
      /field "warm.provisoned": got 2 — unknown field; did you mean "provisioned"\?/,
    ],
    [
      'a misspelt top-level field',
      { app: 'demo', function: { hello } },
      'dev',
      /field "function": got .* — unknown field; did you mean "functions"\?/,
    ],
    [
      'a field in another case',
      app({ hello: { ...hello, timeoutseconds: 5 } }),
      'dev',
      /field "timeoutseconds": got 5 — unknown field; did you mean "timeoutSeconds"\?/,
    ],
    [
      'a field with no near name',
      app({ hello: { ...hello, colour: 'blue' } }),
      'dev',
      /field "colour": got "blue" — unknown field; fix: remove it or use one of entry, handler, /,
    ],
    [
      'a misspelt field in a stage override',
      withProd({ functions: { hello: { timeout: 9 } } }),
      'prod',
      new RegExp(
        /function "hello", field "timeout" \(set in stages\.prod\.functions\.hello\): got 9 — /.source +
          /unknown field; did you mean "timeoutSeconds"\?/.source,
      ),
    ],
    [
      "another stage's bad override, building dev",
      withProd({ functions: { hello: { memoryMB: 64 } } }),
      'dev',
      new RegExp(
        /\(every stage checked: dev, prod\)[\s\S]*/.source +
          /field "memoryMB" \(set in stages\.prod\.functions\.hello, stage "prod"\): got 64 — memoryMB must be from 128/.source,
      ),
    ],
    [
      'a bad api override',
      withProd({ api: { throttleRateLimit: -1 } }),
      'prod',
      /field "stages\.prod\.api\.throttleRateLimit": got -1 — api\.throttleRateLimit must be from 1 to 100000; fix:/,
    ],
    [
      'an override of an undeclared function',
      withProd({ functions: { helo: { memoryMB: 256 } } }),
      'dev',
      /field "stages\.prod\.functions\.helo" \(stage "prod"\): got "helo" — stage override for a function that is not declared/,
    ],
    [
      'a container override with a misspelt field',
      app({ hello }, { containers: { todo: {} }, stages: { dev: {}, prod: { containers: { todo: { prot: 8080 } } } } }),
      'prod',
      /field "containers\.todo\.prot" \(set in stages\.prod\.containers\.todo\): got 8080 — unknown field; did you mean "port"\?/,
    ],
    [
      'an override of an undeclared container',
      withProd({ containers: { todo: { memoryMB: 512 } } }),
      'prod',
      /field "stages\.prod\.containers\.todo": got "todo" — stage override for a container that is not declared; fix:/,
    ],
    [
      'a container server that does not compile',
      app({ hello }, { containers: { todo: { bundle: { entry: 'src/server.ts' } } } }),
      'dev',
      new RegExp(
        /field "containers\.todo\.bundle\.entry": got "src\/server\.ts" — /.source +
          /does not compile: containers\/todo\/src\/server\.ts:8:1: Unexpected "\}"; fix:/.source,
      ),
    ],
    [
      'a warm schedule with a zero rate',
      app({
        hello: {
          ...hello,
          warm: {
            provisioned: 1,
            max: 4,
            schedules: [{ name: 'peak', expression: 'rate(0 minutes)', minProvisioned: 2, maxProvisioned: 4 }],
          },
        },
      }),
      'dev',
      /field "warm\.schedules\[0\]\.expression": got "rate\(0 minutes\)" — a rate must be at least 1; fix:/,
    ],
    [
      'a warm schedule at hour 25',
      app({
        hello: {
          ...hello,
          warm: {
            provisioned: 1,
            max: 4,
            schedules: [{ name: 'peak', expression: 'cron(0 25 ? * MON-FRI *)', minProvisioned: 2, maxProvisioned: 4 }],
          },
        },
      }),
      'dev',
      /field "warm\.schedules\[0\]\.expression": got "cron\(0 25 \? \* MON-FRI \*\)" — hours "25" is not valid \(0-23/,
    ],
    [
      'a warm one-off on a day the month lacks',
      app({
        hello: {
          ...hello,
          warm: {
            provisioned: 1,
            max: 4,
            schedules: [{ name: 'launch', expression: 'at(2027-02-30T08:00:00)', minProvisioned: 2, maxProvisioned: 4 }],
          },
        },
      }),
      'dev',
      /at\(\.\.\.\) names no real date and time/,
    ],
    [
      'a warm schedule with both day fields set',
      app({
        hello: {
          ...hello,
          warm: {
            provisioned: 1,
            max: 4,
            schedules: [{ name: 'peak', expression: 'cron(0 8 * * MON *)', minProvisioned: 2, maxProvisioned: 4 }],
          },
        },
      }),
      'dev',
      /exactly one of day-of-month \("\*"\) and day-of-week \("MON"\) must be "\?" \(Application Auto Scaling's rule\)/,
    ],
    [
      'a one-off in an EventBridge schedule',
      app({ hello: { ...hello, triggers: { schedules: [{ name: 'once', expression: 'at(2027-01-01T08:00:00)' }] } } }),
      'dev',
      /field "triggers\.schedules\[0\]\.expression": got .* — EventBridge schedules take no at\(\.\.\.\)/,
    ],
    [
      'a plural rate of 1',
      app({ hello: { ...hello, triggers: { schedules: [{ name: 'tick', expression: 'rate(1 minutes)' }] } } }),
      'dev',
      /wants the singular for 1: rate\(1 minute\); fix: drop the "s"/,
    ],
    [
      'a handler the entry does not export',
      app({ hello: { ...hello, handler: 'main' } }),
      'dev',
      new RegExp(
        /field "handler": got "main" — functions\/hello\/index\.ts has no export "main" \(it exports "handler", "readFaults"\), /.source +
          /so every invocation would fail with Runtime\.HandlerNotFound; fix:/.source,
      ),
    ],
    [
      'an entry that does not compile',
      app({ broken: { entry: 'functions/broken/index.ts' } }),
      'dev',
      /function "broken", field "entry": got .* — does not compile: functions\/broken\/index\.ts:3:14: Expected ";"/,
    ],
    [
      'an entry importing an uninstalled package',
      app({ pad: { entry: 'functions/pad/index.ts' } }),
      'dev',
      /function "pad", field "entry": .* imports "left-pad", which is not installed and no layer provides; fix: npm install left-pad/,
    ],
    [
      'a missing entry file',
      app({ gone: {} }),
      'dev',
      /function "gone", field "entry": got "functions\/gone\/index\.ts" — handler file does not exist; fix: create/,
    ],
    [
      'an unknown layer',
      app({ hello: { ...hello, layers: ['shard'] } }),
      'dev',
      /field "layers\[0\]": got "shard" — unknown layer; fix: use one of \[shared\]/,
    ],
    [
      "memory outside Lambda's range",
      app({ hello: { ...hello, memoryMB: 64 } }),
      'dev',
      /field "memoryMB": got 64 — memoryMB must be from 128 to 10240; fix:/,
    ],
    [
      'a reserved environment variable',
      app({ hello: { ...hello, environment: { AWS_REGION: 'x' } } }),
      'dev',
      /field "environment\.AWS_REGION": got "x" — Lambda reserves this variable; fix:/,
    ],
    ['an undeclared stage', withProd({}), 'qa', /field "stage": got "qa" — unknown stage; fix: use one of dev, prod/],
  ])('%s', (_case, input, stage, message) => {
    // GIVEN
    const before = structuredClone(input);

    // WHEN
    let error: unknown;
    try {
      resolvePlatformWithContainers(input, stage, project);
    } catch (caught) {
      error = caught;
    }

    // THEN
    expect(error).toBeInstanceOf(DeclarationError);
    const text = (error as Error).message;
    expect(text).toMatch(message);
    expectEveryLineFixed(text);
    expect(input).toEqual(before);
  });
});

describe('project-file mistakes', () => {
  const CONFIG =
    "export default { app: 'tp', api: { auth: { kind: 'none', reason: 'test routes: public unless the test is about auth' } }, " +
    "functions: { api: { routes: [{ method: 'GET', path: '/api' }] }, {{NEW}} }, stages: { dev: {}, prod: {} } };\n";
  const HANDLER = 'export const handler = async () => ({ statusCode: 200, body: "ok" });\n';
  const LAYER = { 'layers/util/util/package.json': '{ "name": "@tp/util" }', 'layers/util/util/src/index.ts': 'export const one = 1;\n' };
  // The record a clean synth of the project without function "b" leaves: every row below would change it.
  const PLACEMENT = `${JSON.stringify({ deployments: { 'tp-dev': { stacks: { 'functions-1': ['api'] } } } }, null, 2)}\n`;

  /** A temporary project outside the repository, node_modules shared with it, as a team's would be. */
  function project(files: Record<string, string | null>): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'faas-mistake-'));
    const all: Record<string, string | null> = {
      'faas.config.ts': CONFIG.replace('{{NEW}}', ''),
      'functions/api/index.ts': HANDLER,
      'package-lock.json': '{ "name": "tp", "lockfileVersion": 3, "requires": true, "packages": { "": { "name": "tp" } } }\n',
      [PLACEMENT_FILE]: PLACEMENT,
      ...files,
    };
    for (const [file, text] of Object.entries(all)) {
      if (text === null) continue;
      fs.mkdirSync(file.endsWith('/') ? path.join(root, file) : path.dirname(path.join(root, file)), { recursive: true });
      if (!file.endsWith('/')) fs.writeFileSync(path.join(root, file), text);
    }
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'));
    return root;
  }

  /** Path and content hash of every file under root (node_modules aside). */
  function snapshot(root: string): Record<string, string> {
    const files: Record<string, string> = {};
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.name === 'node_modules') continue;
        if (entry.isDirectory()) walk(full);
        else files[path.relative(root, full)] = createHash('sha256').update(fs.readFileSync(full)).digest('hex');
      }
    };
    walk(root);
    return files;
  }

  /** What `cdk synth` runs (lib/synth.ts), with the output outside the project. */
  function synth(root: string, frozen = false): void {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'faas-mistake-out-'));
    buildPlatformApp({
      declaration: loadDeclaration(root),
      projectRoot: root,
      nag: false,
      placement: new PlacementFile(path.join(root, PLACEMENT_FILE), frozen),
      appProps: { outdir, context: { ...CDK_CONTEXT, stage: 'dev' } },
    }).synth();
  }

  const newFunction = (entry: string, extra = '') => ({
    'faas.config.ts': CONFIG.replace('{{NEW}}', `bb: { routes: [{ method: 'GET', path: '/bb' }]${extra} }`),
    'functions/bb/index.ts': entry,
  });

  it.each<[string, Record<string, string | null>, RegExp]>([
    [
      'a syntax error in faas.config.ts',
      { 'faas.config.ts': "export default { app: 'tp' functions: {} };\n" },
      /- faas\.config\.ts:1:28: Expected "}" but found "functions" in `export default .*`; fix: correct the TypeScript syntax there/,
    ],
    [
      'a misspelt relative import in faas.config.ts',
      { 'faas.config.ts': "import { defineConfig } from './lib/shema';\nexport default defineConfig({});\n" },
      /- faas\.config\.ts:1:30: Could not resolve "\.\/lib\/shema"; fix: correct the path of the import/,
    ],
    [
      'a misspelt package in faas.config.ts',
      { 'faas.config.ts': "import { defineConfig } from 'faas-platfrom';\nexport default defineConfig({});\n" },
      /- faas\.config\.ts: imports "faas-platfrom", which is not installed; fix: correct the import, or npm install it/,
    ],
    [
      'faas.config.ts throwing while it runs',
      {
        'faas.config.ts':
          'const fns: Record<string, unknown> = undefined as never;\n' +
          "export default { app: 'tp', api: { auth: { kind: 'none', reason: 'test routes: public unless the test is about auth' } }, " +
          'functions: { ...Object.keys(fns) } };\n',
      },
      /- faas\.config\.ts: threw while it ran: Cannot convert undefined or null to object; fix:/,
    ],
    [
      'faas.config.ts without a default export',
      { 'faas.config.ts': "export const config = { app: 'tp' };\n" },
      /- faas\.config\.ts: has no default export of the declaration; fix: `export default defineConfig/,
    ],
    [
      'no faas.config.ts',
      { 'faas.config.ts': null },
      /- faas\.config\.ts: not found in .*; fix: run faas in the project folder, or create faas\.config\.ts/,
    ],
    [
      'a layer package.json that is not JSON',
      { ...LAYER, 'layers/util/util/package.json': '{ "name": "@tp/util", }' },
      /- layers\/util\/util\/package\.json: not valid JSON \(.*\); fix: correct the JSON of layer "util"'s package/,
    ],
    [
      'a layer package.json without a name',
      { ...LAYER, 'layers/util/util/package.json': '{ "version": "1.0.0" }' },
      /- layers\/util\/util\/package\.json: has no "name"; fix: give the package of layer "util" its npm name/,
    ],
    [
      'an empty folder under layers/',
      { 'layers/empty/': '' },
      new RegExp(
        /- layers\/empty\/: layer "empty" has no packages; /.source +
          /fix: add layers\/empty\/<package>\/package\.json and src\/index\.ts, or remove the folder/.source,
      ),
    ],
    [
      'a layer shipping an AWS SDK client',
      { ...LAYER, 'layers/util/util/package.json': '{ "name": "@aws-sdk/client-s3" }' },
      /package @aws-sdk\/client-s3 shadows the runtime's AWS SDK; fix:/,
    ],
    [
      'a layer package without src/index.ts',
      { ...LAYER, 'layers/util/util/src/index.ts': null },
      /- layers\/util\/util: package @tp\/util of layer "util" has no src\/index\.ts; fix: add the entry file/,
    ],
    [
      'every broken layer at once',
      { 'layers/one/a/package.json': '{', 'layers/two/b/package.json': '{}' },
      new RegExp(
        /has 2 unusable files:\n {2}- layers\/one\/a\/package\.json: not valid JSON[\s\S]*/.source +
          /\n {2}- layers\/two\/b\/package\.json: has no "name"/.source,
      ),
    ],
    [
      'a new function whose entry lacks the handler',
      newFunction('export const main = async () => ({ statusCode: 200 });\n'),
      /function "bb", field "handler": got "handler" — functions\/bb\/index\.ts has no export "handler" \(it exports "main"\)/,
    ],
    [
      'a new function whose entry does not compile',
      newFunction('export const handler = async () => {\n  return { statusCode: 200 ;\n};\n'),
      /function "bb", field "entry": got "functions\/bb\/index\.ts" — does not compile: functions\/bb\/index\.ts:2:/,
    ],
    [
      'a new function importing a package that is not installed',
      newFunction(
        "import leftPad from 'left-pad-nope';\nexport const handler = async () => ({ statusCode: 200, body: leftPad('x', 3) });\n",
      ),
      new RegExp(
        /function "bb", field "entry": .* imports "left-pad-nope", /.source +
          /which is not installed and no layer provides; fix: npm install left-pad-nope/.source,
      ),
    ],
    [
      'a new function with an unknown layer',
      newFunction(HANDLER, ", layers: ['utill']"),
      /function "bb", field "layers\[0\]": got "utill" — unknown layer; fix: use one of \[\]/,
    ],
    [
      'a container server that does not compile',
      {
        'faas.config.ts':
          "export default { app: 'tp', api: { auth: { kind: 'none', reason: 'test routes: public unless the test is about auth' } }, " +
          "functions: { api: {} }, containers: { web: { bundle: { entry: 'src/server.ts' } } } };\n",
        'containers/web/Dockerfile': 'FROM public.ecr.aws/docker/library/node:24-slim\n',
        'containers/web/src/server.ts':
          'import { createServer } from "node:http";\ncreateServer((_req, res) => { res.end("ok") ).listen(8080);\n',
      },
      /field "containers\.web\.bundle\.entry": got "src\/server\.ts" — does not compile: containers\/web\/src\/server\.ts:2:/,
    ],
    [
      'a placement change under CI',
      { ...newFunction(HANDLER), '.ci-frozen': '' },
      new RegExp(
        /does not hold the placement of tp-dev that this synth computed \(CI is set, so it is not written\); /.source +
          /fix: run the synth once without CI/.source,
      ),
    ],
  ])('%s', (_case, files, message) => {
    // GIVEN
    const root = project(files);
    const before = snapshot(root);

    // WHEN
    let error: unknown;
    try {
      synth(root, Object.hasOwn(files, '.ci-frozen'));
    } catch (caught) {
      error = caught;
    }

    // THEN
    expect(isUserError(error)).toBe(true);
    const text = (error as Error).message;
    expect(text).toMatch(message);
    expectEveryLineFixed(text);
    expect(snapshot(root)).toEqual(before);
  });

  it('a synth that fails while bundling, after placement was computed, leaves faas.placement.json as it was', () => {
    // GIVEN a new function bb (placement would record it) on a layer whose source does not compile
    const root = project({
      ...LAYER,
      'layers/util/util/src/index.ts': 'export const one = ;\n',
      ...newFunction(HANDLER, ", layers: ['util']"),
    });
    const before = snapshot(root);

    // WHEN / THEN: esbuild fails on the layer, in the real bundling
    expect(() => synth(root)).toThrow(/Failed to bundle asset/);
    expect(snapshot(root)).toEqual(before);
    expect(fs.readFileSync(path.join(root, PLACEMENT_FILE), 'utf8')).toBe(PLACEMENT);
  });

  it('the same project, fixed, synthesizes and only then records the placement', () => {
    // GIVEN
    const root = project(newFunction(HANDLER));

    // WHEN
    synth(root);

    // THEN
    expect(JSON.parse(fs.readFileSync(path.join(root, PLACEMENT_FILE), 'utf8')).deployments['tp-dev']).toEqual({
      stacks: { 'functions-1': ['api', 'bb'] },
    });
  });

  it("the CLI reports a faas.config.ts that does not load as bad input with the file's fix", () => {
    const root = project({ 'faas.config.ts': "export default { app: 'tp' functions: {} };\n" });
    expect(() => loadDeclaredNames(root)).toThrow(/^faas\.config\.ts:1:28: Expected "}" but found "functions"/);
    try {
      loadDeclaredNames(root);
    } catch (error) {
      expect((error as { fix?: string }).fix).toBe('correct the TypeScript syntax there');
    }
  });
});

describe('CLI mistakes: exit 2 before any AWS call', () => {
  it.each<[string, string[], RegExp]>([
    [
      'a misspelt function',
      ['canary', 'helo'],
      new RegExp(
        /error: function "helo" is not declared in faas\.config\.ts \(declared: hello, worker, transform, audit, gatekeeper, todo\)/
          .source + /\n {2}fix: did you mean "hello"\?/.source,
      ),
    ],
    ['a misspelt function for resume', ['resume', 'wroker'], /function "wroker" is not declared .*\n {2}fix: did you mean "worker"\?/],
    ['a misspelt function for the DLQ', ['dlq', 'peek', 'worke'], /function "worke" is not declared .*\n {2}fix: did you mean "worker"\?/],
    [
      'a function nothing is near',
      ['promote', 'billing'],
      /function "billing" is not declared .*\n {2}fix: pass a function declared under functions or containers/,
    ],
    [
      'a misspelt stage',
      ['status', '--stage', 'prd'],
      /error: stage "prd" is not declared in faas\.config\.ts \(stages: dev, prod\)\n {2}fix: did you mean --stage prod\?/,
    ],
    [
      'an undeclared stage',
      ['rollback', 'hello', '--stage', 'qa'],
      /stage "qa" is not declared .*\n {2}fix: pass --stage dev, or declare "qa" under stages/,
    ],
    [
      'a version that is not a number',
      ['rollback', 'hello', '--to', 'v3'],
      /error: --to must be a published version number, got: "v3"\n {2}fix: pass the number `faas status` lists/,
    ],
    ['a fractional version', ['set-weight', 'hello', '0.1', '--to', '1.5'], /--to must be a published version number, got: "1\.5"/],
    ['version zero', ['canary', 'hello', '--to', '0'], /--to must be a published version number, got: "0"/],
  ])('%s', async (_case, argv, message) => {
    // GIVEN
    fakeAws({ versions: ['1', '2', '3'], primary: '3' });
    const term = fakeTerminal();

    // WHEN
    const code = await runCli(argv, term.runtime);

    // THEN
    expect(code).toBe(2);
    expect(term.stderr()).toMatch(message);
    for (const mock of [lambdaMock, cfnMock, cloudWatchMock, sqsMock]) expect(mock.calls()).toHaveLength(0);
  });

  it('starts with the answer: no AWS SDK Node-version warning before it (bin/faas.js silences that one warning)', () => {
    // GIVEN an endpoint that refuses connections, so the first AWS call fails at once
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'y',
      AWS_MAX_ATTEMPTS: '1',
    };
    delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;

    // WHEN
    const run = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'faas.js'), 'status'], { env, encoding: 'utf8', timeout: 60_000 });

    // THEN
    expect(run.status).toBe(4);
    expect(run.stderr).toMatch(/^error: DescribeStacks faas-dev failed: .*ECONNREFUSED/);
    expect(run.stderr).not.toMatch(/NodeVersionSupportWarning/);
  });

  it('with --app naming another app, the declaration does not apply and AWS decides', async () => {
    fakeAws({ versions: ['1', '2', '3'], primary: '3' });
    const term = fakeTerminal();
    await runCli(['status', 'billing', '--app', 'other', '--stage', 'qa'], term.runtime);
    expect(term.stderr()).not.toMatch(/not declared in faas\.config\.ts/);
    expect(cfnMock.calls().length).toBeGreaterThan(0);
  });
});

describe('the README shows one example per class of error', () => {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  it.each([
    ['declaration', /did you mean "memoryMB"\?/],
    ['stage override', /\(set in stages\.prod\.functions\./],
    ['schedule', /warm\.schedules\[0\]\.expression/],
    ['handler export', /Runtime\.HandlerNotFound/],
    ['project file', /unusable file/],
    ['config file', /faas\.config\.ts:\d+:\d+:/],
    ['CLI', /is not declared in faas\.config\.ts/],
  ])('%s', (_class, example) => {
    expect(readme).toMatch(example);
  });
});
