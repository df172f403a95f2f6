/**
 * Entry of the `faas` CLI (bin/faas.js runs this): the real runtime — SDK clients, the clock,
 * timers, the terminal, SIGINT/SIGTERM — around cli/commands/program.ts.
 */
import type { Adapters } from './adapters/clients';
import { runCli } from './commands/program';
import { lineProgress, terminalProgress } from './commands/progress';
import { realSleep, type Runtime } from './commands/runtime';
import { findProjectRoot, loadDeclaration } from '../lib/config-file';
import { ProjectFileError } from '../lib/project-file-error';
import { declaredNames, type DeclaredNames } from './commands/declared';
import { InputError } from './engine/input-error';

/**
 * The names of the faas.config.ts at or above `from` (the working directory); a config that is not
 * there or does not load is bad input (exit 2) with the file's own fix.
 */
export function loadDeclaredNames(from: string): DeclaredNames {
  try {
    return declaredNames(loadDeclaration(findProjectRoot(from)));
  } catch (error) {
    if (!(error instanceof ProjectFileError)) throw error;
    // Each problem reads "<what>; fix: <fix>": the CLI prints the two on their own lines.
    const parts = error.problems.map((p) => ({
      file: p.file,
      what: p.message.split('; fix: ')[0],
      fix: p.message.split('; fix: ')[1] ?? `correct ${p.file}`,
    }));
    throw new InputError(parts.map((p) => `${p.file}: ${p.what}`).join('; '), parts.map((p) => p.fix).join('; '));
  }
}

function once<T>(load: () => T): () => T {
  let value: { readonly v: T } | undefined;
  return () => (value ??= { v: load() }).v;
}

function realRuntime(): Runtime {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    // The first signal lets an in-flight alias write finish and reports the state; a second one exits at once.
    if (signals > 1) process.exit(130);
    process.stderr.write(`\n${signal}: stopping after the current step (the alias stays valid); press Ctrl-C again to exit now\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // `faas status | head` closes the pipe early: that is the reader being done, not a crash.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(0);
      throw error;
    });
  }
  return {
    // Loaded by the first command that reaches AWS: the SDK clients are most of the start-up time, and --help needs none.
    adapters: (stackName: string): Adapters =>
      (require('./adapters/clients') as typeof import('./adapters/clients')).createAdapters(stackName),
    now: () => Date.now(),
    sleep: realSleep,
    stdout: process.stdout,
    stderr: process.stderr,
    interrupt: controller.signal,
    progress: (json) =>
      json ? lineProgress(undefined) : process.stderr.isTTY ? terminalProgress(process.stderr) : lineProgress(process.stderr),
    declared: once(() => loadDeclaredNames(process.cwd())),
  };
}

if (require.main === module || process.env.FAAS_CLI_MAIN === '1') {
  runCli(process.argv.slice(2), realRuntime()).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`error: ${(error as Error).message}\n  fix: this is a bug in faas; report it with the command you ran\n`);
      process.exit(4);
    },
  );
}
