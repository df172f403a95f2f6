/**
 * Turning the raw declaration and zod's issues into DeclarationProblems: shared by the function
 * resolver (resolve.ts) and the container resolver (container.ts). Pure.
 */
import type { z } from 'zod';

/** One problem in the declaration. */
export interface DeclarationProblem {
  /** The function the problem belongs to; absent for app-wide fields. */
  readonly functionName?: string;
  /** Dotted field path inside the function (or the app). */
  readonly field: string;
  /** The value that was given (undefined when the field is missing). */
  readonly value: unknown;
  /** What is wrong and how to fix it. */
  readonly message: string;
}

export interface ZodProblemOptions {
  /** @default - app-wide field */
  readonly functionName?: string;
  /** Prepended to every field path, e.g. "containers.todo". @default - none */
  readonly prefix?: string;
  /** Where the reader finds the field's documentation, e.g. "the declaration reference in README.md". */
  readonly reference: string;
}

export function zodProblems(error: z.ZodError, input: unknown, options: ZodProblemOptions): DeclarationProblem[] {
  const { functionName, prefix = '', reference } = options;
  const field = (p: readonly (string | number)[]) => [prefix, formatPath(p)].filter(Boolean).join('.') || '(root)';
  return error.issues.flatMap((issue): DeclarationProblem[] => {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        functionName,
        field: field([...path, key]),
        value: valueAt(input, [...path, key]),
        message: `unknown field; fix: remove it or check the spelling against ${reference}`,
      }));
    }
    // Type errors come in zod's own wording; every message still ends with a fix.
    const message = /fix:/.test(issue.message)
      ? issue.message
      : `${issue.message.replace(/^Invalid input: /, '')}; fix: give ${field(path)} the type shown in ${reference}`;
    return [{ functionName, field: field(path), value: valueAt(input, path), message }];
  });
}

/** Replace top-level fields with a stage's; `null` removes a field so its default applies. */
export function applyOverride(declared: unknown, override: unknown): unknown {
  if (!isRecord(override) || !isRecord(declared)) return declared;
  const merged: Record<string, unknown> = { ...declared };
  for (const [key, value] of Object.entries(override)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

export function valueAt(input: unknown, path: readonly (string | number)[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

export function formatPath(path: readonly (string | number)[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
