/**
 * `faas canary` and `faas resume`: check the input, pick the candidate, then hand the rollout to
 * the controller (cli/rollout/controller.ts: the read → decide → act loop) with the adapters as its
 * ports, and render what it reports and how it ended — progress lines, the --json summary, the
 * next command to run, the exit code.
 */
import { LIVE_ALIAS } from '../../lib/contract';
import type { Adapters } from '../adapters/clients';
import { AwsError } from '../adapters/failures';
import type { LambdaAdapter, LiveAlias } from '../adapters/lambda';
import type { MetricsAdapter } from '../adapters/metrics';
import type { ScalableTarget } from '../adapters/scaling';
import { decide, type RollbackCause } from '../engine/decide';
import { percent } from '../engine/gates';
import { InputError } from '../engine/input-error';
import { validateCandidate, type CanaryPlan } from '../engine/plan';
import { planWarmStart, type WarmState } from '../engine/warm-capacity';
import { driveRollout, engineView, releaseWarmCapacity, type HistoryEntry } from '../rollout/controller';
import type { AliasPort, MetricsPort, RolloutEvent, WarmCapacityPort } from '../rollout/ports';
import { parseSettings, type RolloutFlags } from '../rollout/settings';
import { commandContext, describeAlias, type CommandContext, type CommonOptions } from './context';
import { EXIT } from './exit-codes';
import type { ProgressView } from './progress';
import type { Runtime } from './runtime';

export { ROLLOUT_DEFAULTS } from '../rollout/settings';

export interface RolloutOptions extends CommonOptions, RolloutFlags {
  readonly dryRun?: boolean;
}

/** "errors" → "<app>-<stage>-<fn>-live-errors" via the alarms its FaasIndex output lists; full names pass through. */
function resolveAlarms(requested: readonly string[], declared: readonly string[]): string[] {
  return requested.map((name) => declared.find((d) => d.endsWith(`-${name}`)) ?? name);
}

export async function runRollout(runtime: Runtime, name: string, options: RolloutOptions, mode: 'canary' | 'resume'): Promise<number> {
  const settings = parseSettings(options);
  const ctx = commandContext(runtime, options);
  const { lambda, metrics, stack } = ctx.adapters;
  const deployed = await stack.resolveForChange(name);
  const fn = deployed.functionName;
  const initial = await lambda.getAlias(fn);
  const warm = warmPort(ctx.adapters, fn);
  if (mode === 'resume' && initial.candidate === undefined) {
    // A killed rollout that had already promoted or rolled back leaves only its hold on warm capacity.
    const released = await releaseWarmCapacity({ alias: aliasPort(lambda, fn), warm });
    if (released !== undefined) {
      ctx.say(
        `no rollout in progress on ${fn} (${describeAlias(initial)}); released the warm capacity an earlier rollout held: ${released}`,
      );
      ctx.emit({
        function: name,
        functionName: fn,
        result: 'released',
        reason: released,
        alias: { primary: initial.primary, candidate: null, weight: 0 },
      });
      return EXIT.ok;
    }
  }

  const candidate = await chooseCandidate(ctx, fn, initial, options.to, mode);
  const alarms = resolveAlarms(settings.alarmNames, deployed.alarms);
  const { missing } = await metrics.alarmStates(alarms);
  if (missing.length > 0) {
    throw new InputError(
      `unknown alarm ${missing.join(', ')}`,
      `pass an alarm name or one of ${deployed.alarms.map((a) => a.split('-').slice(-1)[0]).join(', ') || '(none declared)'} ` +
        `(short for ${deployed.alarms.join(', ')})`,
    );
  }
  const plan: CanaryPlan = { ...settings.plan, candidate, alarms };
  const stable = initial.primary;
  const summary = (
    result: RolloutResult,
    reason: string,
    alias: LiveAlias,
    history: readonly HistoryEntry[],
    warmCapacity: readonly string[] = [],
  ) => ({
    function: name,
    functionName: fn,
    stable,
    candidate,
    result,
    reason,
    alias: { primary: alias.primary, candidate: alias.candidate ?? null, weight: alias.weight },
    plan: {
      steps: plan.steps,
      bakeMs: plan.bakeMs,
      rampBakeMs: plan.rampBakeMs,
      maxBakeMs: plan.maxBakeMs,
      minInvocations: plan.minInvocations,
      lookbackMs: settings.lookbackMs,
      gates: plan.gates.map((g) => g.text),
      alarms,
      comparison: plan.comparison ?? null,
    },
    history: history.map((h) => ({ ...h, at: new Date(h.at).toISOString() })),
    warm: warmCapacity,
  });

  if (options.dryRun) {
    const first = decide({ alias: engineView(initial), plan, bakeElapsedMs: 0 });
    const firstMove =
      mode === 'resume' && initial.weight > 0 ? `continue at ${percent(initial.weight)}` : `set ${candidate} to ${percent(plan.steps[0])}`;
    ctx.say(`dry run: ${describeAlias(initial)}; would ${firstMove}`);
    ctx.say(
      `  steps ${plan.steps.map(percent).join(' → ')}, bake ${duration(plan.rampBakeMs ?? plan.bakeMs)} per step below 100% ` +
        `and ${duration(plan.bakeMs)} at 100% (max ${duration(plan.maxBakeMs)} per step), min ${plan.minInvocations} ` +
        'invocations per step',
    );
    const gateTexts = [
      ...(plan.comparison ? [describeComparison(plan.comparison, settings.lookbackMs)] : []),
      ...plan.gates.map((g) => g.text),
      ...alarms.map((a) => `alarm ${a}`),
    ];
    ctx.say(`  gates: ${gateTexts.join(', ') || 'none'}`);
    const warmStart = planWarmStart(await warm.read(), candidate, initial.weight, plan.steps);
    const warmPlan =
      warmStart.kind === 'unmanaged'
        ? `warm capacity: not managed (${warmStart.reason})`
        : `warm capacity: ${warmStart.reason}, then scaling suspended until the end`;
    ctx.say(`  ${warmPlan}`);
    ctx.say(`  then ${options.promote ? `promote ${candidate}` : 'stay at 100% (--no-promote)'}; nothing was changed`);
    ctx.emit({ ...summary('dry-run', first.reason, initial, [], [warmPlan]), next: first.action });
    return EXIT.ok;
  }

  const progress = runtime.progress(ctx.json);
  const outcome = await driveRollout(
    {
      name,
      functionName: fn,
      plan,
      alias: initial,
      lookbackMs: settings.lookbackMs,
      pollMs: settings.pollMs,
      warmTimeoutMs: settings.warmTimeoutMs,
      promote: options.promote,
    },
    {
      clock: { now: runtime.now, sleep: (ms) => runtime.sleep(ms, runtime.interrupt), interrupt: runtime.interrupt },
      alias: aliasPort(lambda, fn),
      metrics: metricsPort(metrics, fn),
      warm,
      report: (event) => render(event, progress),
    },
  ).finally(() => progress.stop());
  const { end, alias, history } = outcome;
  if (end.kind === 'rolled-back') {
    const rolledBack = ROLLBACK_OUTCOMES[end.cause];
    ctx.emit(summary(rolledBack.result, end.reason, alias, history, outcome.warm));
    ctx.say(`${rolledBack.headline(name, stable)}: ${end.reason}\nlive serves only version ${stable}; ${rolledBack.next(name, candidate)}`);
    return rolledBack.exitCode;
  }
  if (end.kind === 'held') {
    ctx.emit(summary('held', `${end.reason} (--no-promote)`, alias, history, outcome.warm));
    ctx.say(
      `${name}: version ${candidate} serves 100% (--no-promote); \`faas promote ${name}\` makes it the primary, ` +
        `\`faas rollback ${name}\` undoes it`,
    );
    return EXIT.ok;
  }
  if (end.kind === 'promoted') {
    ctx.emit(summary('promoted', end.reason, alias, history, outcome.warm));
    ctx.say(`promoted ${name}: ${describeAlias(alias)} (was ${stable})`);
    return EXIT.ok;
  }
  const stage = options.stage !== 'dev' ? ` --stage ${options.stage}` : '';
  runtime.stderr.write(
    `interrupted: the alias is valid (${describeAlias(alias)}).\nnext: \`faas resume ${name}${stage}\` to continue, ` +
      `or \`faas rollback ${name}${stage}\` to return to ${stable}\n`,
  );
  ctx.emit(summary('interrupted', 'SIGINT/SIGTERM', alias, history, outcome.warm));
  return EXIT.interrupted;
}

/** The controller's ports over the SDK adapters, bound to one function. */
export function aliasPort(lambda: LambdaAdapter, fn: string): AliasPort {
  return {
    get: () => lambda.getAlias(fn),
    update: (target, revisionId) => lambda.updateAlias(fn, target, revisionId),
    warmCapacity: (qualifier) => lambda.warmCapacity(fn, qualifier),
  };
}

/** live's warm capacity: provisioned concurrency (Lambda) and the scalable target (Application Auto Scaling). */
export function warmPort(adapters: Pick<Adapters, 'lambda' | 'scaling'>, fn: string): WarmCapacityPort {
  const { lambda, scaling } = adapters;
  // The target as last read: its ARN is where the hold's tags go (the controller reads before it writes).
  let target: ScalableTarget | undefined;
  const known = async () => {
    target ??= await scaling.scalableTarget(fn);
    if (!target)
      throw new AwsError(
        `the scalable target of ${fn}:live disappeared during the rollout`,
        'deploy the stack again (it declares the target), then `faas resume`',
      );
    return target;
  };
  return {
    read: async (): Promise<WarmState | undefined> => {
      const live = await lambda.warmCapacity(fn, LIVE_ALIAS);
      // Without provisioned concurrency on live there is nothing to hold: no scaling call at all.
      if (!live) return undefined;
      // One after the other: a fixed call order is easier to follow in logs and tests than a few ms saved.
      target = await scaling.scalableTarget(fn);
      const reservedConcurrency = target ? await lambda.reservedConcurrency(fn) : undefined;
      return { live, ...(target ? { target } : {}), ...(reservedConcurrency !== undefined ? { reservedConcurrency } : {}) };
    },
    provision: (level) => lambda.provisionWarmCapacity(fn, level),
    recordHold: async (hold) => scaling.recordHold(await known(), hold),
    setSuspended: (suspended) => scaling.setSuspended(fn, suspended),
    removeHold: async () => scaling.removeHold(await known()),
  };
}

function metricsPort(metrics: MetricsAdapter, fn: string): MetricsPort {
  return {
    versionWindows: (versions, start, end) => metrics.versionWindows(fn, versions, start, end),
    minuteCounts: (candidate, stable, start, end) => metrics.minuteCounts(fn, candidate, stable, start, end),
    alarmStates: (names) => metrics.alarmStates(names).then((a) => a.states),
  };
}

/** What a human sees of the controller's events (ProgressView: a bar on a terminal, lines otherwise). */
function render(event: RolloutEvent, progress: ProgressView): void {
  switch (event.kind) {
    case 'resumed':
      progress.event(`resuming: ${describeAlias(event.alias)}; baking at ${percent(event.alias.weight)} from now`);
      return;
    case 'warming':
      progress.update({
        label: 'warming',
        value: Math.round(event.waitedMs / 1000),
        total: Math.round(event.timeoutMs / 1000),
        left: 'waiting for provisioned concurrency READY',
        detail: event.pending.map((p) => `${p.qualifier}: ${p.capacity.allocated}/${p.capacity.requested} IN_PROGRESS`).join('; '),
      });
      return;
    case 'baking': {
      const { decision } = event;
      const left = Math.max(event.bakeMs - event.elapsedMs, 0);
      progress.update({
        label: `step ${decision.step.index}/${decision.step.of} ${percent(event.weight)}`,
        value: Math.round(event.elapsedMs / 1000),
        total: Math.round(event.bakeMs / 1000),
        left: left > 0 ? `${Math.ceil(left / 1000)}s left` : decision.reason,
        detail: decision.gates.map((g) => `${g.gate}: ${g.value} [${g.status}]`).join('; '),
      });
      return;
    }
    case 'advanced':
      progress.event(
        `step ${event.decision.step.index}/${event.decision.step.of}: ${event.decision.reason} → ${describeAlias(event.alias)}`,
      );
      return;
    case 'rolled-back':
      progress.event(`${ROLLBACK_OUTCOMES[event.cause].event}: ${event.reason} → ${describeAlias(event.alias)}`);
      return;
    case 'warm-held':
      progress.event(`warm capacity: ${event.reason}`);
      return;
    case 'warm-released':
      progress.event(`warm capacity released: ${event.reason}`);
      return;
  }
}

/** `result` in the --json summary. */
export type RolloutResult = 'dry-run' | 'promoted' | 'held' | 'rolled-back' | 'inconclusive' | 'interrupted';

/**
 * Both causes return the alias to stable; they differ for whoever scripts releases: a regression
 * means fix the candidate, inconclusive means it was not judged and may simply be retried.
 */
interface RollbackOutcome {
  readonly result: RolloutResult;
  readonly exitCode: number;
  /** Progress line prefix. */
  readonly event: string;
  readonly headline: (name: string, stable: string) => string;
  readonly next: (name: string, candidate: string) => string;
}

const ROLLBACK_OUTCOMES: Record<RollbackCause, RollbackOutcome> = {
  regression: {
    result: 'rolled-back',
    exitCode: EXIT.rolledBack,
    event: 'rolled back',
    headline: (name) => `rolled back ${name}`,
    next: (name) => `fix the candidate and deploy, then \`faas canary ${name}\``,
  },
  inconclusive: {
    result: 'inconclusive',
    exitCode: EXIT.inconclusive,
    // The engine's reason starts with "inconclusive, …".
    event: 'returned to stable',
    headline: (name, stable) => `returned ${name} to version ${stable}`,
    next: (name, candidate) =>
      `version ${candidate} was not found worse, only not judged: rerun \`faas canary ${name} --to ${candidate}\` when it gets ` +
      `more traffic, or with a longer --max-bake or a lower --min-invocations (for a gate without data, check the function's ` +
      'per-version metrics)',
  },
};

function describeComparison(comparison: NonNullable<CanaryPlan['comparison']>, lookbackMs: number): string {
  const ratios =
    comparison.maxRatio !== undefined && comparison.maxRatio > comparison.worseRatio
      ? `×${comparison.worseRatio}–×${comparison.maxRatio}`
      : `×${comparison.worseRatio}`;
  const pooled =
    lookbackMs > 0 ? `, per minute since the rollout began (on resume: the ${duration(lookbackMs)} before)` : ', each step alone';
  return `errors vs stable (SPRT α=${comparison.alpha}, β=${comparison.beta}, ${ratios}${pooled})`;
}

/** 60000 → "1m", 90000 → "90s", 2500 → "2.5s": as a flag would take it. */
function duration(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${ms / 1000}s`;
}

async function chooseCandidate(
  ctx: CommandContext,
  fn: string,
  alias: LiveAlias,
  to: string | undefined,
  mode: 'canary' | 'resume',
): Promise<string> {
  if (mode === 'resume') {
    if (alias.candidate === undefined) {
      throw new InputError(`no rollout in progress on ${fn}: ${describeAlias(alias)}`, 'start one with `faas canary <function>`');
    }
    if (to !== undefined && to !== alias.candidate) {
      throw new InputError(
        `--to ${to} differs from the candidate on the alias (${alias.candidate})`,
        'resume without --to, or `faas rollback` first',
      );
    }
    return alias.candidate;
  }
  const versions = await ctx.adapters.lambda.listVersions(fn);
  const candidate = to ?? versions[versions.length - 1];
  if (candidate === undefined) throw new InputError(`function ${fn} has no published versions`, 'deploy to publish one');
  if (alias.candidate !== undefined && alias.candidate !== candidate && alias.weight > 0) {
    throw new InputError(
      `a rollout is in progress: ${describeAlias(alias)}; refusing to start another to ${candidate}`,
      `continue it with \`faas resume\`, or \`faas rollback\` first`,
    );
  }
  validateCandidate(candidate, alias.primary, versions);
  return candidate;
}
