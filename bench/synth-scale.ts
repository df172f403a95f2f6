/**
 * Synth time and resources per stack for 10, 40, 100 and 200 generated function declarations
 * (test/unit/support/generated-declaration.ts: routes with preview twins, layers, warm capacity,
 * queues, S3 and schedule triggers, destinations, DLQs, CodeDeploy — every feature), each in a
 * fresh Node process (CDK caches bundles per process), with cdk-nag on, as `cdk synth` runs.
 * Synth time = buildPlatformApp (placement, constructs, esbuild) + app.synth() (templates, nag).
 *   npx ts-node --transpile-only bench/synth-scale.ts [counts=10,40,100,200]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InMemoryPlacement } from '../lib/placement/placement-file';
import { DEFAULT_LIMITS } from '../lib/placement/placement';
import { buildPlatformApp, stacksOf } from '../lib/platform-app';
import { generatedDeclaration } from '../test/unit/support/generated-declaration';
import { CDK_CONTEXT, REPO_ROOT } from '../test/unit/support/platform-fixture';

export interface SynthScaleRow {
  readonly functions: number;
  readonly buildMs: number;
  readonly synthMs: number;
  readonly totalMs: number;
  readonly stacks: readonly { readonly name: string; readonly resources: number; readonly outputs: number }[];
}

/** In the child: one app of `count` functions, built and synthesized once. */
function measureOne(count: number): SynthScaleRow {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'faas-synth-scale-'));
  try {
    const t0 = process.hrtime.bigint();
    const built = buildPlatformApp({
      declaration: generatedDeclaration(count),
      projectRoot: REPO_ROOT,
      placement: new InMemoryPlacement(),
      // As the CDK CLI runs the app: version reporting on (one AWS::CDK::Metadata per stack).
      appProps: { outdir, context: { ...CDK_CONTEXT, stage: 'prod', 'aws:cdk:version-reporting': true } },
    });
    const t1 = process.hrtime.bigint();
    const assembly = built.app.synth();
    const t2 = process.hrtime.bigint();
    const stacks = stacksOf(built).map((s) => {
      const template = assembly.getStackByName(s.stackName).template as { Resources: object; Outputs?: object };
      return { name: s.stackName, resources: Object.keys(template.Resources).length, outputs: Object.keys(template.Outputs ?? {}).length };
    });
    const ms = (a: bigint, b: bigint) => Number(b - a) / 1e6;
    return { functions: count, buildMs: ms(t0, t1), synthMs: ms(t1, t2), totalMs: ms(t0, t2), stacks };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

export function measureSynthScale(counts: readonly number[]): SynthScaleRow[] {
  return counts.map((count) => {
    const child = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', __filename, '--child', String(count)], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' },
    });
    const line = child.stdout.split('\n').find((l) => l.startsWith('{"functions"'));
    if (child.status !== 0 || !line)
      throw new Error(`synth of ${count} functions failed (exit ${child.status}):\n${child.stderr.slice(-3000)}`);
    return JSON.parse(line) as SynthScaleRow;
  });
}

export function formatSynthTable(rows: readonly SynthScaleRow[]): string {
  const base = rows.find((r) => r.functions === 40);
  const lines = [
    '| functions | stacks (base + function + API) | resources per function stack (max) | outputs (max) | build | synth | total ' +
      '| × time of 40 |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const fnStacks = r.stacks.filter((s) => s.name.includes('-functions-'));
    lines.push(
      `| ${r.functions} | ${r.stacks.length} (1 + ${fnStacks.length} + ${r.stacks.length - 1 - fnStacks.length}) | ` +
        `${fnStacks.map((s) => s.resources).join(', ')} (${Math.max(...fnStacks.map((s) => s.resources))}) | ` +
        `${Math.max(...fnStacks.map((s) => s.outputs))} | ` +
        `${(r.buildMs / 1000).toFixed(1)} s | ${(r.synthMs / 1000).toFixed(1)} s | ${(r.totalMs / 1000).toFixed(1)} s | ` +
        `${base ? (r.totalMs / base.totalMs).toFixed(2) : '—'} |`,
    );
  }
  const max = Math.max(...rows.flatMap((r) => r.stacks.map((s) => s.resources)));
  const r200 = rows.find((r) => r.functions === 200);
  lines.push('');
  lines.push(
    `every stack < ${DEFAULT_LIMITS.maxResources} resources: ${max < DEFAULT_LIMITS.maxResources ? 'yes' : 'NO'} (largest ${max})` +
      (r200 && base ? `; synth time 200 / 40 = ${(r200.totalMs / base.totalMs).toFixed(2)} (target ≤ 5)` : ''),
  );
  return lines.join('\n');
}

if (process.argv[2] === '--child') {
  process.stdout.write(`${JSON.stringify(measureOne(Number(process.argv[3])))}\n`);
} else if (require.main === module) {
  const counts = (process.argv[2] ?? '10,40,100,200').split(',').map(Number);
  const rows = measureSynthScale(counts);
  console.log(formatSynthTable(rows));
}
