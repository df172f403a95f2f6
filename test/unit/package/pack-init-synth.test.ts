/**
 * faas-platform as a user gets it: `npm pack`, the tarball installed into a fresh project outside
 * the repository, `faas init`, `npm install`, `cdk synth` with the pinned CDK CLI and `faas` there.
 * Uses the built dist/ (npm ci runs `npm run build`) and npm's cache (--prefer-offline).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/platform-fixture';

jest.setTimeout(600_000);

const env: NodeJS.ProcessEnv = {
  ...process.env,
  CDK_DISABLE_VERSION_CHECK: '1',
  CDK_DISABLE_CLI_TELEMETRY: '1',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
};
// A developer's machine: synth records the placement (with CI set it would only check it).
delete env.CI;

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 300_000 });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} in ${cwd} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result;
}

interface PackedFile {
  readonly path: string;
}

let packed: readonly string[];
let work: string;
let project: string;
let initOutput: string;

beforeAll(() => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is not built; fix: npm run build');
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'faas-pack-'));
  // --ignore-scripts: prepare would rebuild dist/, which this run already uses.
  const pack = run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], REPO_ROOT);
  const [info] = JSON.parse(pack.stdout) as [{ filename: string; files: PackedFile[] }];
  packed = info.files.map((f) => f.path);

  project = path.join(work, 'orders');
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'orders', version: '1.0.0', private: true }));
  const own = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { peerDependencies: Record<string, string> };
  const peers = Object.entries(own.peerDependencies).map(([name, version]) => `${name}@${version}`);
  run('npm', ['install', '--prefer-offline', path.join(work, info.filename), ...peers], project);
  initOutput = run('npx', ['faas', 'init', '.'], project).stdout;
  run('npm', ['install', '--prefer-offline'], project);
  run('npx', ['cdk', 'synth', '--quiet', '-c', 'stage=dev'], project);
});

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('npm pack', () => {
  test('ships the compiled library, the CLI, the prebuilt handler and the templates, and no sources, tests or benches', () => {
    expect(packed).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'bin/faas.js',
        'dist/lib/index.js',
        'dist/lib/index.d.ts',
        'dist/lib/config.js',
        'dist/cli/main.js',
        'dist/assets/live-alias-state-handler/index.js',
        'templates/init/faas.config.ts',
      ]),
    );
    expect(
      packed.filter((f) => !/^(dist\/(lib|cli|assets)\/|templates\/init\/|bin\/faas\.js$|package\.json$|README\.md$|LICENSE$)/.test(f)),
    ).toEqual([]);
    expect(
      packed.filter((f) => /(^|\/)(test|bench)\/|\.test\.|cdk\.out|\.ts$/.test(f) && !f.endsWith('.d.ts') && !f.startsWith('templates/')),
    ).toEqual([]);
  });
});

describe('a project made with faas init', () => {
  test('init names the app after its folder and says what to run next', () => {
    expect(initOutput).toMatch(/^created faas project "orders" in .*: .*faas\.config\.ts.*\nnext:\n {2}npm install\n {2}npx cdk synth\n$/);
    const manifest = JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(manifest.dependencies['faas-platform']).toMatch(/^file:.*faas-platform-.*\.tgz$/);
    expect(Object.keys(manifest.dependencies).sort()).toEqual(['aws-cdk-lib', 'constructs', 'faas-platform']);
    expect(Object.keys(manifest.devDependencies).sort()).toEqual(['@types/node', 'aws-cdk', 'ts-node', 'typescript']);
  });

  test('synthesizes its stacks with the function, its live alias and the prebuilt custom-resource handler', () => {
    const out = path.join(project, 'cdk.out');
    expect(
      fs
        .readdirSync(out)
        .filter((f) => f.endsWith('.template.json'))
        .sort(),
    ).toEqual(['orders-dev-api.template.json', 'orders-dev-functions-1.template.json', 'orders-dev.template.json']);
    const template = JSON.parse(fs.readFileSync(path.join(out, 'orders-dev-functions-1.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const resources = Object.entries(template.Resources);
    const ofType = (type: string) => resources.filter(([, r]) => r.Type === type);
    expect(ofType('AWS::Lambda::Function').find(([id]) => id.startsWith('Fnhello'))?.[1].Properties).toMatchObject({
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
    });
    expect(ofType('AWS::Lambda::Alias').map(([, r]) => r.Properties.Name)).toContain('live');
    expect(ofType('Custom::FaasLiveAliasState')).toHaveLength(1);
    // The custom resource's code is the bundle the package ships, not one built at the user's synth.
    const assets = JSON.parse(fs.readFileSync(path.join(out, 'orders-dev-functions-1.assets.json'), 'utf8')) as {
      files: Record<string, { displayName: string; source: { path: string } }>;
    };
    const handlerAsset = Object.values(assets.files).find((a) => a.displayName === 'FaasLiveAliasStateProvider/Handler/Code');
    const shipped = path.join(project, 'node_modules', 'faas-platform', 'dist', 'assets', 'live-alias-state-handler', 'index.js');
    expect(fs.readFileSync(path.join(out, handlerAsset!.source.path, 'index.js'), 'utf8')).toBe(fs.readFileSync(shipped, 'utf8'));
    expect(JSON.parse(fs.readFileSync(path.join(project, 'faas.placement.json'), 'utf8')).deployments['orders-dev']).toEqual({
      stacks: { 'functions-1': ['hello'] },
    });
  });

  test("type-checks against the package's declarations (faas-platform and faas-platform/config)", () => {
    expect(run('npx', ['tsc', '--noEmit', '-p', '.'], project).stdout).toBe('');
  });

  test("runs faas there: --help, and the project's own faas.config.ts checks a command before any AWS call", () => {
    expect(run('npx', ['faas', '--help'], project).stdout).toMatch(/^Usage: faas \[options\] \[command\]/);
    const status = spawnSync('npx', ['faas', 'status', '--stage', 'qa'], { cwd: path.join(project, 'functions'), env, encoding: 'utf8' });
    expect(status.status).toBe(2);
    expect(status.stderr).toMatch(/^error: stage "qa" is not declared in faas\.config\.ts \(stages: dev, prod\)/);
  });
});
