/**
 * What faas.config.ts declares, checked before any AWS call: a misspelt function or stage is bad
 * input (exit 2) with the nearest declared name, not a stack lookup that fails as an AWS error.
 */
import { isRecord, nearestName } from '../../lib/declaration/names';
import { InputError } from '../engine/input-error';

/** The names the CLI can check without AWS. */
export interface DeclaredNames {
  readonly app: string;
  /** Functions and containers (both are functions with a live alias). */
  readonly functions: readonly string[];
  /** Keys under `stages`; empty when the declaration has no stage overrides (any stage is allowed). */
  readonly stages: readonly string[];
}

/** The names of a declaration (faas.config.ts's default export), as far as they are there. */
export function declaredNames(declaration: unknown): DeclaredNames {
  const root = isRecord(declaration) ? declaration : {};
  const keys = (value: unknown) => (isRecord(value) ? Object.keys(value) : []);
  if (typeof root.app !== 'string' || root.app.length === 0) {
    throw new InputError('faas.config.ts declares no app', 'add `app: "<name>"` to faas.config.ts, or pass --app');
  }
  return { app: root.app, functions: [...keys(root.functions), ...keys(root.containers)], stages: keys(root.stages) };
}

export interface Requested {
  readonly stage: string;
  /** @default - no function named (status of all) */
  readonly function?: string;
  /** --to, when given. @default - none */
  readonly version?: string;
}

/** @throws InputError for a function, stage or version the declaration rules out */
export function checkRequested(declared: DeclaredNames, requested: Requested): void {
  const { stage, function: name, version } = requested;
  if (declared.stages.length > 0 && !declared.stages.includes(stage)) {
    const nearest = nearestName(stage, declared.stages);
    throw new InputError(
      `stage "${stage}" is not declared in faas.config.ts (stages: ${declared.stages.join(', ')})`,
      nearest ? `did you mean --stage ${nearest}?` : `pass --stage ${declared.stages[0]}, or declare "${stage}" under stages`,
    );
  }
  if (name !== undefined && !declared.functions.includes(name)) {
    const nearest = nearestName(name, declared.functions);
    throw new InputError(
      `function "${name}" is not declared in faas.config.ts (declared: ${declared.functions.join(', ') || 'none'})`,
      nearest
        ? `did you mean "${nearest}"? run the command with ${nearest}`
        : 'pass a function declared under functions or containers, or declare it and deploy',
    );
  }
  // $LATEST has its own message where the candidate is chosen.
  if (version !== undefined && version !== '$LATEST' && !/^[1-9]\d*$/.test(version)) {
    throw new InputError(`--to must be a published version number, got: "${version}"`, 'pass the number `faas status` lists, e.g. --to 5');
  }
}
