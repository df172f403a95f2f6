/**
 * A file of the project (faas.config.ts, a layer's package.json, a layer folder) that synth or the
 * CLI cannot use: reported like a DeclarationError — each file, what is wrong and the fix — so the
 * entry points print it without a stack trace.
 */

/** One unusable project file. */
export interface ProjectFileProblem {
  /** Path relative to the project root, e.g. "layers/shared/util/package.json". */
  readonly file: string;
  /** What is wrong and how to fix it ("…; fix: …"). */
  readonly message: string;
}

export class ProjectFileError extends Error {
  constructor(readonly problems: readonly ProjectFileProblem[]) {
    super(
      `faas project has ${problems.length} unusable file${problems.length === 1 ? '' : 's'}:\n` +
        problems.map((p) => `  - ${p.file}: ${p.message}`).join('\n'),
    );
    this.name = 'ProjectFileError';
  }
}
