/**
 * faas.config.ts, loaded the same way by synth and the CLI: esbuild compiles it in memory (its
 * relative imports bundled, npm packages required from node_modules), so a syntax error or a
 * misspelled import is reported as file:line:column with the fix, never as a stack trace.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import type { BuildFailure, Message } from 'esbuild';
import { ProjectFileError } from './project-file-error';

export const CONFIG_FILE = 'faas.config.ts';

/**
 * The project `start` is in: the nearest folder at or above it that holds faas.config.ts, the way
 * git finds its repository, so the CLI works from any folder of any faas project.
 * @throws ProjectFileError when no folder up to the file system's root has one
 */
export function findProjectRoot(start: string): string {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, CONFIG_FILE))) return dir;
    if (path.dirname(dir) === dir) break;
  }
  throw new ProjectFileError([
    {
      file: CONFIG_FILE,
      message:
        `not found in ${path.resolve(start)} or any folder above it; fix: run faas inside a faas project (cd to the ` +
        `folder with ${CONFIG_FILE}), or create one with \`npx faas init <dir>\``,
    },
  ]);
}

/**
 * The default export of `<root>/faas.config.ts`.
 * @throws ProjectFileError when the file is missing, does not compile, imports what is not there,
 * throws while it runs or exports no declaration
 */
export function loadDeclaration(root: string): unknown {
  const file = path.join(root, CONFIG_FILE);
  const fail = (message: string): never => {
    throw new ProjectFileError([{ file: CONFIG_FILE, message }]);
  };
  if (!fs.existsSync(file)) fail(`not found in ${root}; fix: run faas in the project folder, or create ${CONFIG_FILE} (see README.md)`);
  let code = '';
  try {
    // Loaded here, not at the top: `faas --help` and commands that read no declaration never need esbuild.
    const { buildSync } = require('esbuild') as typeof import('esbuild');
    const built = buildSync({
      entryPoints: [file],
      absWorkingDir: root,
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      write: false,
      logLevel: 'silent',
    });
    code = built.outputFiles[0].text;
  } catch (error) {
    const messages = (error as Partial<BuildFailure>).errors ?? [];
    if (messages.length === 0) throw error;
    throw new ProjectFileError(messages.map((m) => ({ file: located(m, root), message: compileFix(m) })));
  }
  const module = { exports: {} as Record<string, unknown> };
  try {
    // The CommonJS wrapper Node itself uses, with a require that resolves from the config's folder.
    const run = vm.runInThisContext(`(function (exports, require, module, __filename, __dirname) {${code}\n})`, { filename: file }) as (
      exports: unknown,
      require: NodeJS.Require,
      module: unknown,
      filename: string,
      dirname: string,
    ) => void;
    run(module.exports, createRequire(file), module, file, root);
  } catch (error) {
    const { code: errorCode, message } = error as NodeJS.ErrnoException;
    if (errorCode === 'MODULE_NOT_FOUND') {
      const missing = /Cannot find module '([^']+)'/.exec(message)?.[1] ?? message;
      fail(`imports "${missing}", which is not installed; fix: correct the import, or npm install it`);
    }
    fail(`threw while it ran: ${message.split('\n')[0]}; fix: correct the code that builds the declaration`);
  }
  const declaration = module.exports.default ?? (Object.keys(module.exports).length > 0 ? undefined : module.exports);
  if (declaration === undefined || declaration === null || typeof declaration !== 'object') {
    fail('has no default export of the declaration; fix: `export default defineConfig({ app: …, functions: { … } })`');
  }
  return declaration;
}

function located(m: Message, root: string): string {
  if (!m.location) return CONFIG_FILE;
  return `${path.relative(root, path.resolve(root, m.location.file))}:${m.location.line}:${m.location.column + 1}`;
}

function compileFix(m: Message): string {
  const unresolved = /^Could not resolve "([^"]+)"/.exec(m.text);
  if (unresolved) return `${m.text}; fix: correct the path of the import (relative to the importing file)`;
  const line = m.location?.lineText.trim();
  return `${m.text}${line ? ` in \`${line.slice(0, 80)}\`` : ''}; fix: correct the TypeScript syntax there`;
}
