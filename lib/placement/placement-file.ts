/**
 * faas.placement.json: which function stack holds each function, per deployment (`<app>-<stage>`).
 * Like package-lock.json it is written by synth and committed: a clean checkout places every
 * function where the deployed stacks have it. With `CI` set it is only read — a placement that
 * would change fails synth instead of silently moving functions.
 */
import * as fs from 'node:fs';
import type { StackAssignment } from './placement';

export const PLACEMENT_FILE = 'faas.placement.json';

export interface PlacementStore {
  /** The recorded placement of one deployment (`<app>-<stage>`); empty when none. */
  read(deployment: string): StackAssignment;
  /** Records a changed placement. */
  write(deployment: string, assignment: StackAssignment): void;
}

interface PlacementDocument {
  readonly comment?: string;
  readonly deployments: Record<string, StackAssignment>;
}

const COMMENT = 'Written by faas synth: which function stack holds each function. Commit it. A function only moves when its stack would exceed a limit (the synth says so).';

export class PlacementFile implements PlacementStore {
  /**
   * @param file absolute path of faas.placement.json
   * @param frozen refuse to change the file (CI): @default - `CI` is set in the environment
   */
  constructor(
    private readonly file: string,
    private readonly frozen: boolean = ['true', '1'].includes(String(process.env.CI ?? '').toLowerCase()),
  ) {}

  read(deployment: string): StackAssignment {
    return this.load().deployments[deployment] ?? {};
  }

  write(deployment: string, assignment: StackAssignment): void {
    if (this.frozen) {
      throw new Error(
        `${this.file} does not hold the placement of ${deployment} that this synth computed (CI is set, so it is not written); ` +
          `fix: run the synth once without CI (npx cdk synth -c stage=<stage>), review and commit ${PLACEMENT_FILE}`,
      );
    }
    const document = this.load();
    const deployments = { ...document.deployments, [deployment]: assignment };
    const sorted = Object.fromEntries(Object.keys(deployments).sort().map((k) => [k, deployments[k]]));
    fs.writeFileSync(this.file, `${JSON.stringify({ comment: COMMENT, deployments: sorted }, null, 2)}\n`);
  }

  private load(): PlacementDocument {
    if (!fs.existsSync(this.file)) return { deployments: {} };
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(this.file, 'utf8'));
    } catch (error) {
      throw new Error(`${this.file} is not valid JSON (${(error as Error).message}); fix: restore it from version control`);
    }
    const deployments = (parsed as Partial<PlacementDocument> | null)?.deployments;
    const valid =
      typeof deployments === 'object' &&
      deployments !== null &&
      Object.values(deployments).every(
        (stacks) => typeof stacks === 'object' && stacks !== null && Object.values(stacks).every((names) => Array.isArray(names) && names.every((n) => typeof n === 'string')),
      );
    if (!valid) throw new Error(`${this.file} must be { "deployments": { "<app>-<stage>": { "functions-<n>": ["<function>", …] } } }; fix: restore it from version control`);
    return { deployments: deployments as Record<string, StackAssignment> };
  }
}

/** For tests and benchmarks: starts from a given placement, keeps writes in memory. */
export class InMemoryPlacement implements PlacementStore {
  private readonly deployments = new Map<string, StackAssignment>();

  constructor(initial: Record<string, StackAssignment> = {}) {
    for (const [k, v] of Object.entries(initial)) this.deployments.set(k, v);
  }

  read(deployment: string): StackAssignment {
    return this.deployments.get(deployment) ?? {};
  }

  write(deployment: string, assignment: StackAssignment): void {
    this.deployments.set(deployment, assignment);
  }
}
