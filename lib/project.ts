/**
 * The project folder as the platform sees it: which layers exist (layers/<layer>/<package>/),
 * which files exist, and what an entry file exports. Read once at synth; everything downstream
 * works on this data. A layer folder it cannot use is a ProjectFileError, all of them at once.
 */
import * as fs from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import * as path from 'node:path';
import { buildSync, type BuildFailure } from 'esbuild';
import type { EntryInspection, ProjectView } from './declaration/resolve';
import { ProjectFileError, type ProjectFileProblem } from './project-file-error';

/** One package a layer provides at /opt/nodejs/node_modules/<name>. */
export interface LayerPackage {
  /** npm name from the package's package.json, e.g. "@faas-platform/shared". */
  readonly name: string;
  /** Absolute path of the package folder. */
  readonly dir: string;
  /** Absolute path of its TypeScript entry (src/index.ts). */
  readonly entry: string;
}

export interface LayerSource {
  readonly name: string;
  readonly dir: string;
  readonly packages: readonly LayerPackage[];
}

export interface Project extends ProjectView {
  readonly root: string;
  readonly layerSources: readonly LayerSource[];
}

/** @throws ProjectFileError listing every layer folder or package.json that cannot be used */
export function readProject(root: string): Project {
  const layersDir = path.join(root, 'layers');
  const problems: ProjectFileProblem[] = [];
  const layerSources = fs.existsSync(layersDir)
    ? fs
        .readdirSync(layersDir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => readLayer(root, path.join(layersDir, d.name), problems))
        .sort((a, b) => a.name.localeCompare(b.name))
    : [];
  if (problems.length > 0) throw new ProjectFileError(problems);
  const provided = new Set(layerSources.flatMap((l) => l.packages.map((p) => p.name)));
  const inspected = new Map<string, EntryInspection>();
  return {
    root,
    layerSources,
    layers: layerSources.map((l) => l.name),
    fileExists: (relative) => fs.existsSync(path.join(root, relative)),
    inspectEntry: (relative) => {
      if (!inspected.has(relative)) inspected.set(relative, inspectEntry(root, relative, provided));
      return inspected.get(relative)!;
    },
  };
}

function readLayer(root: string, dir: string, problems: ProjectFileProblem[]): LayerSource {
  const layer = path.basename(dir);
  const relative = (p: string) => path.relative(root, p);
  const packages: LayerPackage[] = [];
  for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
    const pkgDir = path.join(dir, d.name);
    const manifestFile = path.join(pkgDir, 'package.json');
    if (!d.isDirectory() || !fs.existsSync(manifestFile)) continue;
    let manifest: { name?: unknown };
    try {
      manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { name?: unknown };
    } catch (error) {
      problems.push({
        file: relative(manifestFile),
        message: `not valid JSON (${(error as Error).message}); fix: correct the JSON of layer "${layer}"'s package`,
      });
      continue;
    }
    const entry = path.join(pkgDir, 'src', 'index.ts');
    if (typeof manifest?.name !== 'string' || manifest.name.length === 0) {
      problems.push({
        file: relative(manifestFile),
        message: `has no "name"; fix: give the package of layer "${layer}" its npm name, e.g. "@${layer}/${d.name}"`,
      });
    } else if (manifest.name.startsWith('@aws-sdk/')) {
      problems.push({
        file: relative(manifestFile),
        message:
          `layer "${layer}": package ${manifest.name} shadows the runtime's AWS SDK; fix: a layer never ships ` +
          '@aws-sdk/* (rename the package)',
      });
    } else if (!fs.existsSync(entry)) {
      problems.push({
        file: relative(pkgDir),
        message: `package ${manifest.name} of layer "${layer}" has no src/index.ts; fix: add the entry file`,
      });
    } else {
      packages.push({ name: manifest.name, dir: pkgDir, entry });
    }
  }
  const reported = problems.some((p) => p.file.startsWith(`${relative(dir)}${path.sep}`));
  if (packages.length === 0 && !reported) {
    problems.push({
      file: `${relative(dir)}/`,
      message: `layer "${layer}" has no packages; fix: add ${relative(dir)}/<package>/package.json and src/index.ts, or remove the folder`,
    });
  }
  packages.sort((a, b) => a.name.localeCompare(b.name));
  return { name: layer, dir, packages };
}

const BUILTINS = new Set(builtinModules);

/**
 * Compiles an entry file the way the bundler will (esbuild, npm packages left external) and lists
 * its exports and the packages it imports that neither node_modules, a layer nor the runtime provides.
 */
function inspectEntry(root: string, relative: string, provided: ReadonlySet<string>): EntryInspection {
  const file = path.join(root, relative);
  try {
    const result = buildSync({
      entryPoints: [file],
      absWorkingDir: root,
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
      outdir: path.join(root, 'cdk.out', '.inspect'),
    });
    const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined);
    const resolveFrom = createRequire(file);
    const unresolved = new Set<string>();
    for (const input of Object.values(result.metafile.inputs)) {
      for (const imported of input.imports) {
        if (!imported.external || imported.path.startsWith('node:') || BUILTINS.has(imported.path)) continue;
        const name = packageName(imported.path);
        if (name.startsWith('@aws-sdk/') || provided.has(name)) continue;
        try {
          resolveFrom.resolve(imported.path);
        } catch {
          unresolved.add(name);
        }
      }
    }
    return { exports: output?.exports ?? [], unresolved: [...unresolved].sort() };
  } catch (error) {
    const first = (error as Partial<BuildFailure>).errors?.[0];
    if (!first) throw error;
    const where = first.location
      ? `${path.relative(root, path.resolve(root, first.location.file))}:${first.location.line}:${first.location.column + 1}`
      : relative;
    return { error: `${where}: ${first.text}` };
  }
}

/** "lodash/fp" → "lodash", "@scope/pkg/sub" → "@scope/pkg". */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}
