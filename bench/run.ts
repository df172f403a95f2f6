/**
 * `npm run bench`: the canary simulation, the bundle measurements and synth scale
 * (placement), one table each, and JSON under bench/results/ (canary-simulation.json,
 * bundles.json, synth-scale.json) with the machine and date. `npm run bench` then runs the
 * CLI-overhead and emulator benches.
 *   npx ts-node --transpile-only bench/run.ts [bundle-runs=15] [functions=10,40,100,200]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatBundleTable, measureBundles } from './bundles';
import { formatSynthTable, measureSynthScale } from './synth-scale';
import {
  DEFAULT_SIMULATION,
  formatTable,
  HORIZON_MIN,
  P99_THRESHOLD_MS,
  CD_ERROR_RATE_THRESHOLD,
  CD_MIN_ERRORS,
  PLAN,
  simulate,
  STABLE_ERROR_RATE,
  STABLE_SLOW_RATE,
  REGRESSED_SLOW_RATE,
} from './canary-simulation';

const RESULTS = path.join(__dirname, 'results');

function machine() {
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
  };
}

function write(name: string, data: unknown): string {
  fs.mkdirSync(RESULTS, { recursive: true });
  const file = path.join(RESULTS, `${name}.json`);
  // Infinity (a zero CodeDeploy exposure) is not JSON: written as null.
  fs.writeFileSync(file, `${JSON.stringify(data, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
  return path.relative(process.cwd(), file);
}

async function main(): Promise<void> {
  const bundleRuns = Number(process.argv[2] ?? 15);
  const env = machine();

  let t = Date.now();
  const rows = await simulate(DEFAULT_SIMULATION);
  const simSeconds = (Date.now() - t) / 1000;
  console.log(
    `Canary gates, seeded simulation (seed ${DEFAULT_SIMULATION.seed}; ${DEFAULT_SIMULATION.healthyRuns} healthy / ` +
      `${DEFAULT_SIMULATION.badRuns} bad runs per case; bad = candidate failures, or slow requests for the latency case, until ` +
      `rollback or a ${HORIZON_MIN}-min horizon; ${simSeconds.toFixed(1)} s)`,
  );
  console.log(formatTable(rows));
  const simFile = write('canary-simulation', {
    ...env,
    seconds: simSeconds,
    options: DEFAULT_SIMULATION,
    model: {
      stableErrorRate: STABLE_ERROR_RATE,
      stableSlowRate: STABLE_SLOW_RATE,
      regressedSlowRate: REGRESSED_SLOW_RATE,
      p99ThresholdMs: P99_THRESHOLD_MS,
      horizonMin: HORIZON_MIN,
      codedeploy: { errorRateThreshold: CD_ERROR_RATE_THRESHOLD, minErrors: CD_MIN_ERRORS, canary: 0.1, canaryMinutes: 5 },
      ours: PLAN,
    },
    rows,
  });

  t = Date.now();
  const bundles = measureBundles(bundleRuns);
  const bundleSeconds = (Date.now() - t) / 1000;
  console.log(
    `\nBundles and cold init (median of ${bundleRuns} fresh node processes each, alternating; init = require + first ` +
      `invocation in-process; ${bundleSeconds.toFixed(1)} s)`,
  );
  console.log(formatBundleTable(bundles));
  const bundleFile = write('bundles', { ...env, seconds: bundleSeconds, runs: bundleRuns, rows: bundles });

  const counts = (process.argv[3] ?? '10,40,100,200').split(',').map(Number);
  t = Date.now();
  const scale = measureSynthScale(counts);
  const scaleSeconds = (Date.now() - t) / 1000;
  console.log(
    `\nSynth scale: generated declarations (every feature), stage prod, cdk-nag on, one fresh Node process per size; stacks ` +
      `placed automatically (${scaleSeconds.toFixed(1)} s)`,
  );
  console.log(formatSynthTable(scale));
  const scaleFile = write('synth-scale', { ...env, seconds: scaleSeconds, rows: scale });
  console.log(`\nwrote ${simFile}, ${bundleFile}, ${scaleFile}`);
}

void main();
