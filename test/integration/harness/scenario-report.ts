/**
 * Which scenarios ran and which were skipped (and why), across the test files of one integration
 * run: each scenario writes its outcome to .emulator/scenarios/<id>.json (one file each, so test
 * files in parallel workers never write the same file), stamped with the deployment it ran on;
 * the global teardown prints "scenarios: N ran, M skipped (reasons…)" for the current deployment.
 *
 *   scenarioTest('d', 'queue-buffered async', async () => { … });            // records ran / failed + duration
 *   skippedScenario('g', 'faas dlq redrive', caps['sqs-message-move-task'].reason);  // test.skip + record + print
 *   await printScenarioSummary();                                              // global teardown
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { emulatorDir } from './emulator';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');

export type ScenarioStatus = 'ran' | 'skipped' | 'failed';

export interface ScenarioOutcome {
  /** Short scenario id, with a qualifier for parts: "d", "e (on-failure, live alias)". */
  readonly id: string;
  readonly title: string;
  readonly status: ScenarioStatus;
  /** Why it was skipped, or the first line of the failure. */
  readonly reason?: string;
  /** What it measured, in one line (the figures a closing note quotes), when the body returned one. */
  readonly note?: string;
  readonly durationMs: number;
  /** The test file (relative to the project). */
  readonly file?: string;
  /** deployment.json's deployedAt: outcomes of earlier runs are not this run's. */
  readonly deployedAt?: string;
  readonly at: string;
}

function scenariosDir(root: string): string {
  return path.join(emulatorDir(root), 'scenarios');
}

function currentDeployedAt(root: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(path.join(emulatorDir(root), 'deployment.json'), 'utf8')) as { deployedAt?: string }).deployedAt;
  } catch {
    return undefined;
  }
}

const slug = (id: string) =>
  id
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase() || 'scenario';

/** Writes (replaces) the outcome of one scenario. */
export function recordScenario(outcome: Omit<ScenarioOutcome, 'at' | 'deployedAt'>, root = PROJECT_ROOT): ScenarioOutcome {
  const full: ScenarioOutcome = { ...outcome, deployedAt: currentDeployedAt(root), at: new Date().toISOString() };
  const dir = scenariosDir(root);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${slug(outcome.id)}.json`);
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(full, null, 2)}\n`);
  fs.renameSync(`${file}.tmp`, file);
  return full;
}

/** The calling test file, relative to the project (from jest's global `expect` state when available). */
function testFile(): string | undefined {
  const state = (globalThis as { expect?: { getState?: () => { testPath?: string } } }).expect?.getState?.();
  return state?.testPath ? path.relative(PROJECT_ROOT, state.testPath) : undefined;
}

/**
 * A jest test that records its outcome: "ran" with its duration when it passes, "failed" with the
 * first line of the error when it throws (and rethrows).
 */
export function scenarioTest(id: string, title: string, body: () => Promise<void | string>, timeoutMs?: number): void {
  test(
    `${id}: ${title}`,
    async () => {
      const started = Date.now();
      let note: string | void;
      try {
        note = await body();
      } catch (error) {
        recordScenario({
          id,
          title,
          status: 'failed',
          reason: String((error as Error).message ?? error)
            .split('\n')[0]
            .slice(0, 300),
          durationMs: Date.now() - started,
          file: testFile(),
        });
        throw error;
      }
      const durationMs = Date.now() - started;
      recordScenario({ id, title, status: 'ran', durationMs, file: testFile(), ...(note ? { note } : {}) });
      console.log(`[scenario] ${id} ran in ${(durationMs / 1000).toFixed(1)} s${note ? `: ${note}` : ''}`);
    },
    timeoutMs,
  );
}

/** A skipped scenario: shows as skipped in jest, prints the reason, and records it. */
export function skippedScenario(id: string, title: string, reason: string): void {
  console.log(`SKIP: scenario ${id} (${title}): ${reason}`);
  recordScenario({ id, title, status: 'skipped', reason, durationMs: 0, file: testFile() });
  test.skip(`${id}: ${title} — skipped: ${reason}`, () => undefined);
}

/** `scenarioTest` when `reason` is undefined, else `skippedScenario`. */
export function scenarioTestUnless(
  reason: string | undefined,
  id: string,
  title: string,
  body: () => Promise<void | string>,
  timeoutMs?: number,
): void {
  if (reason === undefined) scenarioTest(id, title, body, timeoutMs);
  else skippedScenario(id, title, reason);
}

/** This run's outcomes (those of the current deployment), ordered by id. */
export function readScenarios(root = PROJECT_ROOT): ScenarioOutcome[] {
  const dir = scenariosDir(root);
  if (!fs.existsSync(dir)) return [];
  const deployedAt = currentDeployedAt(root);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => {
      try {
        return JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as ScenarioOutcome;
      } catch {
        return undefined;
      }
    })
    .filter((o): o is ScenarioOutcome => o !== undefined && (deployedAt === undefined || o.deployedAt === deployedAt))
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** "scenarios: N ran, M skipped (reasons…)" and one line per scenario. */
export function formatScenarioSummary(outcomes: readonly ScenarioOutcome[]): string {
  const ran = outcomes.filter((o) => o.status === 'ran');
  const skipped = outcomes.filter((o) => o.status === 'skipped');
  const failed = outcomes.filter((o) => o.status === 'failed');
  const head =
    `scenarios: ${ran.length} ran, ${skipped.length} skipped` +
    (failed.length ? `, ${failed.length} failed` : '') +
    (skipped.length ? ` (${skipped.map((o) => `${o.id}: ${o.reason}`).join('; ')})` : '');
  const width = Math.max(2, ...outcomes.map((o) => o.id.length));
  const rows = outcomes.map((o) => {
    const time = o.status === 'skipped' ? '     -' : `${(o.durationMs / 1000).toFixed(1).padStart(5)} s`;
    const reason = o.reason ? ` — ${o.reason}` : '';
    const note = o.note ? `\n  ${' '.repeat(width)}  measured: ${o.note}` : '';
    return `  ${o.id.padEnd(width)}  ${o.status.padEnd(7)} ${time}  ${o.title}${reason}${note}`;
  });
  return [head, ...rows].join('\n');
}

/** For the global teardown: prints this run's summary (nothing when no scenario registered). */
export async function printScenarioSummary(root = PROJECT_ROOT): Promise<void> {
  const outcomes = readScenarios(root);
  if (outcomes.length === 0) return;
  console.log(`\n[harness] ${formatScenarioSummary(outcomes)}`);
}
