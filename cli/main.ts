/**
 * Entry of the `faas` CLI (bin/faas.js runs this): the real runtime — SDK clients, the clock,
 * timers, the terminal, SIGINT/SIGTERM — around cli/commands/program.ts.
 */
import * as path from 'node:path';
import { createAdapters } from './adapters/clients';
import { runCli } from './commands/program';
import { lineProgress, terminalProgress } from './commands/progress';
import { realSleep, type Runtime } from './commands/runtime';

export function realRuntime(): Runtime {
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
  return {
    adapters: createAdapters,
    now: () => Date.now(),
    sleep: realSleep,
    stdout: process.stdout,
    stderr: process.stderr,
    interrupt: controller.signal,
    progress: (json) => (json ? lineProgress(undefined) : process.stderr.isTTY ? terminalProgress(process.stderr) : lineProgress(process.stderr)),
    defaultApp: () => {
      const config = require(path.resolve(__dirname, '..', 'faas.config')) as { default?: { app?: string }; app?: string };
      const app = config.default?.app ?? config.app;
      if (!app) throw new Error('faas.config.ts declares no app; pass --app');
      return app;
    },
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
