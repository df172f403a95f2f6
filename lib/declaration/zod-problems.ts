/**
 * Turning the raw declaration and zod's issues into DeclarationProblems: shared by the function
 * resolver (resolve.ts) and the container resolver (container.ts). Pure.
 */
import { z } from 'zod';
import { isRecord, nearestName } from './names';

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
  /**
   * The stage override that set the field, e.g. "stages.prod.functions.hello".
   * @default - the field as declared outside `stages`
   */
  readonly override?: string;
  /**
   * The stage whose resolution found the problem, when it is not the stage being built.
   * @default - the stage being built
   */
  readonly stage?: string;
}

export interface ZodProblemOptions {
  /** @default - app-wide field */
  readonly functionName?: string;
  /** Prepended to every field path, e.g. "containers.todo". @default - none */
  readonly prefix?: string;
  /** Where the reader finds the field's documentation, e.g. "the declaration reference in README.md". */
  readonly reference: string;
  /**
   * The schema that was parsed: an unknown field is then answered with the nearest known name.
   * @default - no suggestion
   */
  readonly schema?: z.ZodType;
}

/** @param error zod's error, or just the issues of it that the caller reports */
export function zodProblems(error: Pick<z.ZodError, 'issues'>, input: unknown, options: ZodProblemOptions): DeclarationProblem[] {
  const { functionName, prefix = '', reference, schema } = options;
  const field = (p: readonly (string | number)[]) => [prefix, formatPath(p)].filter(Boolean).join('.') || '(root)';
  return error.issues.flatMap((issue): DeclarationProblem[] => {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const known = schema ? knownKeys(schema, path) : [];
      return issue.keys.map((key) => {
        const nearest = nearestName(key, known);
        return {
          functionName,
          field: field([...path, key]),
          value: valueAt(input, [...path, key]),
          message: nearest
            ? `unknown field; did you mean "${nearest}"? fix: rename it to ${nearest}, or see ${reference}`
            : `unknown field; fix: remove it or use one of ${known.length > 0 ? known.join(', ') : `the fields in ${reference}`}`,
        };
      });
    }
    // Type errors come in zod's own wording; every message still ends with a fix.
    const message = /fix:/.test(issue.message)
      ? issue.message
      : `${issue.message.replace(/^Invalid input: /, '')}; fix: give ${field(path)} the type shown in ${reference}`;
    return [{ functionName, field: field(path), value: valueAt(input, path), message }];
  });
}

/** The field names of the object schema found at `path` inside `schema` (empty if none). */
function knownKeys(schema: z.ZodType, path: readonly (string | number)[]): string[] {
  let current: z.ZodType | undefined = unwrap(schema);
  for (const key of path) {
    if (current instanceof z.ZodObject) current = unwrap(current.shape[key as string] as z.ZodType | undefined);
    else if (current instanceof z.ZodArray) current = unwrap(current.element as z.ZodType);
    else if (current instanceof z.ZodRecord) current = unwrap(current.valueType as z.ZodType);
    else return [];
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
}

function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodNullable || current instanceof z.ZodDefault)
      current = current.unwrap() as z.ZodType;
    else if (current instanceof z.ZodPipe) current = current.in as z.ZodType;
    else return current;
  }
}

/**
 * Marks the problems whose field a stage override set: `fieldOf` gives a problem's field relative to
 * the overridden object (undefined when the problem is not about it).
 */
export function markOverride(
  problems: readonly DeclarationProblem[],
  override: unknown,
  source: string,
  fieldOf: (p: DeclarationProblem) => string | undefined,
): DeclarationProblem[] {
  if (!isRecord(override)) return [...problems];
  return problems.map((p) => {
    const top = fieldOf(p)?.split(/[.[]/)[0];
    return top !== undefined && Object.hasOwn(override, top) && p.override === undefined ? { ...p, override: source } : p;
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

function valueAt(input: unknown, path: readonly (string | number)[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

function formatPath(path: readonly (string | number)[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}
