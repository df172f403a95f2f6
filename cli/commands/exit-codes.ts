/**
 * Exit codes (docs/cli.md) and the one-line-plus-fix error report.
 */
import { AwsError, ConflictError } from '../adapters/failures';
import { InputError } from '../engine/input-error';
import { Interrupted, type Writer } from './runtime';

/**
 * 1 and 5 both leave live on the stable version: 1 says the candidate failed a check (fix it),
 * 5 says there was too little evidence to judge it (retry with more traffic or a longer --max-bake).
 */
export const EXIT = { ok: 0, rolledBack: 1, badInput: 2, conflict: 3, aws: 4, inconclusive: 5, interrupted: 130 } as const;

function exitCodeOf(error: unknown): number {
  if (error instanceof InputError) return EXIT.badInput;
  if (error instanceof ConflictError) return EXIT.conflict;
  if (error instanceof AwsError) return EXIT.aws;
  if (error instanceof Interrupted) return EXIT.interrupted;
  return EXIT.aws;
}

/** "error: …" and "  fix: …" on stderr; with --json also {"error", "fix", "exitCode"} on stdout. */
export function reportError(error: unknown, stderr: Writer, stdout: Writer, json: boolean): number {
  const code = exitCodeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  const fix =
    error instanceof InputError || error instanceof ConflictError || error instanceof AwsError
      ? error.fix
      : 'this is a bug in faas if it repeats; rerun with the same arguments and report the message';
  stderr.write(`error: ${message}\n  fix: ${fix}\n`);
  if (json) stdout.write(`${JSON.stringify({ error: message, fix, exitCode: code })}\n`);
  return code;
}
