/**
 * `faas status [function]`: per function, the live alias, warm capacity per qualifier, error
 * rate and p99 per version over the last 15 minutes, and the DLQ depth.
 */
import { LIVE_ALIAS } from '../../lib/contract';
import type { DeployedFunction } from '../adapters/stack';
import { percent, type VersionWindow } from '../engine/gates';
import { describeWarmHold } from '../engine/warm-capacity';
import { commandContext, describeAlias, type CommandContext, type CommonOptions } from './context';
import { EXIT } from './exit-codes';
import type { Runtime } from './runtime';

const WINDOW_MS = 15 * 60_000;

export interface StatusOptions extends CommonOptions {
  readonly window?: string;
}

export async function status(runtime: Runtime, name: string | undefined, options: StatusOptions): Promise<number> {
  const ctx = commandContext(runtime, options);
  const names = name !== undefined ? [name] : await ctx.adapters.stack.functionNames();
  const reports = [];
  for (const n of names) reports.push(await report(ctx, await ctx.adapters.stack.resolve(n)));
  if (reports.length === 0) ctx.say(`no functions in stack ${ctx.stackName}`);
  ctx.emit({ stack: ctx.stackName, functions: reports });
  return EXIT.ok;
}

async function report(ctx: CommandContext, deployed: DeployedFunction) {
  const { lambda, metrics, queue, scaling } = ctx.adapters;
  const fn = deployed.functionName;
  const alias = await lambda.getAlias(fn);
  const versions = [alias.primary, ...(alias.candidate ? [alias.candidate] : [])];
  const now = ctx.runtime.now();
  const windows = await metrics.versionWindows(fn, versions, new Date(now - WINDOW_MS), new Date(now));
  const warm: Record<string, { status: string; allocated: number; requested: number } | null> = {};
  for (const q of [LIVE_ALIAS, ...versions]) {
    const pc = await lambda.warmCapacity(fn, q);
    warm[q] = pc ? { status: pc.status, allocated: pc.allocated, requested: pc.requested } : null;
  }
  // Only a function with provisioned concurrency on live has a scalable target worth asking for.
  const target = warm.live ? await scaling.scalableTarget(fn) : undefined;
  const dlq = deployed.dlqUrl ? await queue.depth(deployed.dlqUrl) : undefined;

  ctx.say(`${deployed.name} (${fn}): ${describeAlias(alias)}`);
  for (const v of versions) ctx.say(`  version ${v}${v === alias.primary ? ' (primary)' : ' (candidate)'}: ${health(windows[v])}`);
  const warmLines = Object.entries(warm)
    .filter(([, pc]) => pc !== null)
    .map(([q, pc]) => `${q} ${pc!.allocated}/${pc!.requested} ${pc!.status}`);
  ctx.say(`  provisioned concurrency: ${warmLines.length > 0 ? warmLines.join(', ') : 'none'}`);
  if (target) ctx.say(`  warm capacity: ${describeWarmHold(target)}`);
  ctx.say(`  DLQ: ${dlq ? `${dlq.visible} messages (${dlq.inFlight} in flight)` : 'none declared'}`);
  return {
    function: deployed.name,
    functionName: fn,
    alias: { primary: alias.primary, candidate: alias.candidate ?? null, weight: alias.weight, revisionId: alias.revisionId },
    versions: Object.fromEntries(versions.map((v) => [v, { ...windows[v], errorRate: rate(windows[v]) }])),
    provisionedConcurrency: warm,
    scalableTarget: target ? { min: target.min, max: target.max, suspended: target.suspended, hold: target.hold ?? null } : null,
    dlq: dlq ? { url: deployed.dlqUrl, messages: dlq.visible, inFlight: dlq.inFlight } : null,
    alarms: deployed.alarms,
  };
}

function rate(w: VersionWindow | undefined): number | null {
  return w && w.invocations > 0 ? w.errors / w.invocations : null;
}

function health(w: VersionWindow | undefined): string {
  if (!w || w.invocations === 0) return 'no invocations in the last 15 min';
  return (
    `${w.invocations} invocations, errors ${percent(w.errors / w.invocations)}, p99 ` +
    `${w.p99Ms === undefined ? 'n/a' : `${Math.round(w.p99Ms)}ms`} (last 15 min)`
  );
}
