/**
 * The project folder as the platform sees it: which layers exist (layers/<layer>/<package>/)
 * and which files exist. Read once at synth; everything downstream works on this data.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProjectView } from './declaration/resolve';

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

export function readProject(root: string): Project {
  const layersDir = path.join(root, 'layers');
  const layerSources = fs.existsSync(layersDir)
    ? fs
        .readdirSync(layersDir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => readLayer(path.join(layersDir, d.name)))
        .sort((a, b) => a.name.localeCompare(b.name))
    : [];
  return {
    root,
    layerSources,
    layers: layerSources.map((l) => l.name),
    fileExists: (relative) => fs.existsSync(path.join(root, relative)),
  };
}

function readLayer(dir: string): LayerSource {
  const packages = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, 'package.json')))
    .map((d): LayerPackage => {
      const pkgDir = path.join(dir, d.name);
      const manifest = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { name?: unknown };
      if (typeof manifest.name !== 'string' || manifest.name.length === 0) {
        throw new Error(`layer "${path.basename(dir)}": ${pkgDir}/package.json has no "name"; fix: give the package its npm name`);
      }
      if (manifest.name.startsWith('@aws-sdk/')) {
        throw new Error(`layer "${path.basename(dir)}": package ${manifest.name} shadows the runtime's AWS SDK; fix: a layer never ships @aws-sdk/*`);
      }
      const entry = path.join(pkgDir, 'src', 'index.ts');
      if (!fs.existsSync(entry)) {
        throw new Error(`layer "${path.basename(dir)}": package ${manifest.name} has no src/index.ts; fix: add the entry file`);
      }
      return { name: manifest.name, dir: pkgDir, entry };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  if (packages.length === 0) {
    throw new Error(`layer "${path.basename(dir)}" has no packages; fix: add ${dir}/<package>/package.json and src/index.ts, or remove the folder`);
  }
  return { name: path.basename(dir), dir, packages };
}
