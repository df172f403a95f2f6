/**
 * Options every command shares (--stage, --app, --json) and what they resolve to.
 */
import type { Adapters } from '../adapters/clients';
import type { Runtime } from './runtime';

export interface CommonOptions {
  readonly stage: string;
  readonly app?: string;
  readonly json?: boolean;
}

export interface CommandContext {
  readonly runtime: Runtime;
  readonly adapters: Adapters;
  readonly stackName: string;
  readonly json: boolean;
  /** Human output (suppressed with --json). */
  say(line: string): void;
  /** Machine output (only with --json). */
  emit(value: unknown): void;
}

export function commandContext(runtime: Runtime, options: CommonOptions): CommandContext {
  const stackName = `${options.app ?? runtime.declared().app}-${options.stage}`;
  const json = options.json === true;
  return {
    runtime,
    adapters: runtime.adapters(stackName),
    stackName,
    json,
    say: (line) => {
      if (!json) runtime.stdout.write(`${line}\n`);
    },
    emit: (value) => {
      if (json) runtime.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
  };
}

/** Lives with the engine's AliasView; every command names an alias state the same way. */
export { describeAlias } from '../engine/decide';
