/**
 * `faas init [dir]`: a new faas project from templates/init/ — faas.config.ts with one function,
 * its handler, bin/app.ts, cdk.json, tsconfig.json, a README and a package.json that depends on
 * faas-platform and its peers. A package.json already there (e.g. from `npm install faas-platform`)
 * keeps its own versions and gains only what is missing; any other file already there is left
 * alone and the command refuses to run, naming it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../../lib/package-root';
import { InputError } from '../engine/input-error';
import { EXIT } from './exit-codes';
import type { Runtime } from './runtime';

interface Manifest {
  name?: string;
  version?: string;
  private?: boolean;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  [key: string]: unknown;
}

/** Template file → the name it gets (npm never packs a file named .gitignore). */
const RENAMED: Readonly<Record<string, string>> = { gitignore: '.gitignore' };
/** What the project needs to synth and run faas, at the versions faas-platform is built and tested with. */
const DEV_TOOLS = ['aws-cdk', 'ts-node', 'typescript', '@types/node'] as const;

export interface InitResult {
  readonly dir: string;
  readonly app: string;
  /** Paths written, relative to `dir`. */
  readonly written: readonly string[];
}

/** @throws InputError for an app name the declaration would refuse, or files init would overwrite */
export function scaffold(target: string): InitResult {
  const dir = path.resolve(target);
  const app = path
    .basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+|-+$/g, '');
  if (!/^[a-z][a-z0-9-]{1,39}$/.test(app)) {
    throw new InputError(
      `cannot make an app name from the folder name "${path.basename(dir)}"`,
      'init into a folder named with 2-40 lowercase letters, digits or "-", starting with a letter, e.g. faas init my-app',
    );
  }
  const templates = path.join(packageRoot(), 'templates', 'init');
  const files = listFiles(templates).map((relative) => ({ from: path.join(templates, relative), to: RENAMED[relative] ?? relative }));
  const existing = files
    .filter((f) => fs.existsSync(path.join(dir, f.to)))
    .map((f) => f.to)
    .sort();
  if (existing.length > 0) {
    throw new InputError(
      `${dir} already has ${existing.join(', ')}`,
      'init into a new or empty folder (faas init <dir>), or move those files away first',
    );
  }
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(dir, f.to)), { recursive: true });
    fs.writeFileSync(path.join(dir, f.to), fs.readFileSync(f.from, 'utf8').replaceAll('__APP__', app));
  }
  writeManifest(path.join(dir, 'package.json'), app);
  return { dir, app, written: [...files.map((f) => f.to), 'package.json'].sort() };
}

/** Adds what is missing to the project's package.json (or writes one); versions already there win. */
function writeManifest(file: string, app: string): void {
  const own = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as Manifest;
  const manifest: Manifest = fs.existsSync(file)
    ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest)
    : { name: app, version: '0.1.0', private: true };
  const tools = Object.fromEntries(DEV_TOOLS.map((name) => [name, own.devDependencies?.[name] ?? 'latest']));
  manifest.scripts = { synth: 'cdk synth', deploy: 'cdk deploy --all', ...manifest.scripts };
  manifest.dependencies = { [own.name ?? 'faas-platform']: own.version ?? 'latest', ...own.peerDependencies, ...manifest.dependencies };
  manifest.devDependencies = { ...tools, ...manifest.devDependencies };
  fs.writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
}

function listFiles(root: string, relative = ''): string[] {
  return fs.readdirSync(path.join(root, relative), { withFileTypes: true }).flatMap((entry) => {
    const child = relative ? `${relative}/${entry.name}` : entry.name;
    return entry.isDirectory() ? listFiles(root, child) : [child];
  });
}

export async function init(runtime: Runtime, target: string): Promise<number> {
  const result = scaffold(target);
  const relative = path.relative(process.cwd(), result.dir);
  const cd = relative.startsWith('..') ? result.dir : relative;
  runtime.stdout.write(
    `created faas project "${result.app}" in ${result.dir}: ${result.written.join(', ')}\n` +
      `next:\n${cd ? `  cd ${cd}\n` : ''}  npm install\n  npx cdk synth\n`,
  );
  return EXIT.ok;
}
