/** `faas init`'s own rules, without npm: what it writes, what it merges, what it refuses. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { scaffold } from '../../../cli/commands/init';
import { REPO_ROOT } from '../support/platform-fixture';

const folder = (name: string) => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'faas-init-')), name);
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Record<string, string>>;

describe('faas init', () => {
  test("writes the project with the folder's name as the app, and a package.json depending on faas-platform and its peers", () => {
    // GIVEN
    const dir = folder('shop-api');

    // WHEN
    const result = scaffold(dir);

    // THEN
    expect(result.app).toBe('shop-api');
    expect(result.written).toEqual([
      '.gitignore',
      'README.md',
      'bin/app.ts',
      'cdk.json',
      'faas.config.ts',
      'functions/hello/index.ts',
      'package.json',
      'tsconfig.json',
    ]);
    expect(fs.readFileSync(path.join(dir, 'faas.config.ts'), 'utf8')).toMatch(/app: 'shop-api'/);
    const own = readJson(path.join(REPO_ROOT, 'package.json'));
    expect(readJson(path.join(dir, 'package.json')).dependencies).toEqual({ 'faas-platform': own.version, ...own.peerDependencies });
  });

  test('keeps the versions of a package.json already there and adds only what is missing', () => {
    // GIVEN npm install faas-platform has written one
    const dir = folder('shop');
    fs.mkdirSync(dir);
    fs.writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({
        name: 'shop',
        scripts: { synth: 'my-synth' },
        dependencies: { 'faas-platform': 'file:../faas-platform-0.1.0.tgz' },
      }),
    );

    // WHEN
    scaffold(dir);

    // THEN
    const manifest = readJson(path.join(dir, 'package.json'));
    expect(manifest.scripts).toEqual({ synth: 'my-synth', deploy: 'cdk deploy --all' });
    expect(manifest.dependencies['faas-platform']).toBe('file:../faas-platform-0.1.0.tgz');
    expect(Object.keys(manifest.devDependencies).sort()).toEqual(['@types/node', 'aws-cdk', 'ts-node', 'typescript']);
  });

  test('refuses to overwrite, naming the files, and writes nothing', () => {
    // GIVEN
    const dir = folder('shop');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'faas.config.ts'), 'mine');

    // WHEN / THEN
    expect(() => scaffold(dir)).toThrow(/already has faas\.config\.ts$/);
    expect(fs.readdirSync(dir)).toEqual(['faas.config.ts']);
  });

  test('a folder name no app name can be made from is bad input with the fix', () => {
    expect(() => scaffold(folder('123'))).toThrow(/cannot make an app name from the folder name "123"/);
  });

  test("the template's cdk.json has the same feature flags as this repository's", () => {
    const context = (file: string) => readJson(file).context;
    expect(context(path.join(REPO_ROOT, 'templates', 'init', 'cdk.json'))).toEqual(context(path.join(REPO_ROOT, 'cdk.json')));
  });
});
