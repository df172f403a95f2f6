/**
 * faas.placement.json: which function stack holds each function, per deployment (`<app>-<stage>`),
 * and which stacks must deploy after which (left by moves). Like package-lock.json it is written
 * by synth and committed: a clean checkout places every function where the deployed stacks have
 * it. With `CI` set it is only read — a placement that would change a recorded deployment fails
 * synth instead of silently moving functions; a deployment with no record yet is placed from
 * scratch (deterministic) and the synth says to commit the file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PlacementRecord } from './placement';
import { PlacementError } from './placement-error';

export const PLACEMENT_FILE = 'faas.placement.json';

export interface PlacementStore {
  /** The recorded placement of one deployment (`<app>-<stage>`); undefined when none. */
  read(deployment: string): PlacementRecord | undefined;
  /**
   * Whether a changed placement may be recorded; called before synth, so a refusal changes nothing.
   * @returns a notice for the synth output when the record will not be kept
   * @throws PlacementError when the record must not change (CI)
   */
  check(deployment: string, record: PlacementRecord): string | undefined;
  /** Records a changed placement that `check` allowed; called only once the whole synth succeeded. */
  write(deployment: string, record: PlacementRecord): void;
}

interface PlacementDocument {
  readonly comment?: string;
  readonly deployments: Record<string, PlacementRecord>;
}

const STACK_ID = /^functions-[1-9]\d*$/;

const COMMENT =
  'Written by faas synth: which function stack holds each function, and which stacks deploy after which (left by moves). ' +
  'Commit it. A function moves only when its stack would exceed a limit or it joins a group held elsewhere (the synth says so).';

export class PlacementFile implements PlacementStore {
  /**
   * @param file absolute path of faas.placement.json
   * @param frozen refuse to change the file (CI): @default - `CI` is set in the environment
   */
  constructor(
    private readonly file: string,
    private readonly frozen: boolean = ['true', '1'].includes(String(process.env.CI ?? '').toLowerCase()),
  ) {}

  read(deployment: string): PlacementRecord | undefined {
    return this.load().deployments[deployment];
  }

  check(deployment: string): string | undefined {
    const document = this.load();
    if (this.frozen) {
      if (document.deployments[deployment] === undefined) {
        return (
          `${PLACEMENT_FILE} has no record of ${deployment}: placed from scratch and not written (CI is set); ` +
          'commit a record (run the synth once without CI) before this deployment changes'
        );
      }
      throw new PlacementError(deployment, [
        `${this.file} does not hold the placement of ${deployment} that this synth computed (CI is set, so it is not written); ` +
          `fix: run the synth once without CI (npx cdk synth -c stage=<stage>), review and commit ${PLACEMENT_FILE}`,
      ]);
    }
    return undefined;
  }

  write(deployment: string, record: PlacementRecord): void {
    // Frozen: check() already said why the record is not kept.
    if (this.frozen) return;
    const document = this.load();
    const deployments = { ...document.deployments, [deployment]: record };
    const sorted = Object.fromEntries(
      Object.keys(deployments)
        .sort()
        .map((k) => [k, deployments[k]]),
    );
    // Write then rename: a parallel synth (another stage) never reads half a file.
    const temporary = path.join(path.dirname(this.file), `.${path.basename(this.file)}.${process.pid}.tmp`);
    fs.writeFileSync(temporary, `${JSON.stringify({ comment: COMMENT, deployments: sorted }, null, 2)}\n`);
    fs.renameSync(temporary, this.file);
  }

  private load(): PlacementDocument {
    if (!fs.existsSync(this.file)) return { deployments: {} };
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(this.file, 'utf8'));
    } catch (error) {
      throw new PlacementError(this.file, [`not valid JSON (${(error as Error).message}); fix: restore it from version control`]);
    }
    const deployments = (parsed as Partial<PlacementDocument> | null)?.deployments;
    const lists = (value: unknown): value is Record<string, string[]> =>
      typeof value === 'object' &&
      value !== null &&
      Object.entries(value).every(([id, names]) => STACK_ID.test(id) && Array.isArray(names) && names.every((n) => typeof n === 'string'));
    const problems: string[] = [];
    if (typeof deployments !== 'object' || deployments === null) problems.push('no "deployments" object');
    for (const [name, record] of Object.entries(deployments ?? {})) {
      const r = record as Partial<PlacementRecord> | null;
      if (!lists(r?.stacks) || (r?.after !== undefined && !lists(r.after))) {
        problems.push(
          `"${name}" must be { "stacks": { "functions-<n>": ["<function>", …] }, "after"?: { "functions-<n>": ["functions-<m>", …] } }`,
        );
        continue;
      }
      const seen = new Map<string, string>();
      for (const [id, names] of Object.entries(r.stacks)) {
        for (const fn of names) {
          if (seen.has(fn)) problems.push(`"${name}": function "${fn}" is listed in ${seen.get(fn)} and ${id}`);
          seen.set(fn, id);
        }
      }
    }
    if (problems.length > 0)
      throw new PlacementError(
        this.file,
        problems.map((p) => `${p}; fix: restore it from version control (or resolve the merge so each function is in one stack)`),
      );
    return { deployments: deployments as Record<string, PlacementRecord> };
  }
}

/** For tests and benchmarks: starts from a given placement, keeps writes in memory. */
export class InMemoryPlacement implements PlacementStore {
  private readonly deployments = new Map<string, PlacementRecord>();

  constructor(initial: Record<string, PlacementRecord> = {}) {
    for (const [k, v] of Object.entries(initial)) this.deployments.set(k, v);
  }

  read(deployment: string): PlacementRecord | undefined {
    return this.deployments.get(deployment);
  }

  check(): string | undefined {
    return undefined;
  }

  write(deployment: string, record: PlacementRecord): void {
    this.deployments.set(deployment, record);
  }
}
