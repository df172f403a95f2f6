/**
 * `faas canary` and `faas resume`: drive the candidate through the steps. Each turn reads the
 * alias (a change by someone else stops the run), the metrics since the step began and the
 * alarms, asks the engine, and carries out its answer with the RevisionId it read.
 * The alias is the only state: after any interruption `faas resume` continues from it.
 */
import type { LiveAlias } from '../adapters/lambda';
import { ConflictError, AwsError } from '../adapters/failures';
import { decide, type Decision, type Observations } from '../engine/decide';
import { parseGate, percent } from '../engine/gates';
import { InputError } from '../engine/input-error';
import { DEFAULT_STEPS, parseCount, parseDuration, parseSteps, validateCandidate, type CanaryPlan } from '../engine/plan';
import { DEFAULT_SPRT } from '../engine/sequential-test';
import { commandContext, describeAlias, type CommandContext, type CommonOptions } from './context';
import { EXIT } from './exit-codes';
import type { ProgressView } from './progress';
import { Interrupted, type Runtime } from './runtime';

export interface RolloutOptions extends CommonOptions {
  readonly to?: string;
  readonly steps: string;
  readonly bake: string;
  readonly maxBake?: string;
  readonly minInvocations: string;
  readonly gate: readonly string[];
  readonly alarm: readonly string[];
  readonly promote: boolean;
  readonly compare: boolean;
  readonly poll: string;
  readonly warmTimeout: string;
  readonly dryRun?: boolean;
}

export const ROLLOUT_DEFAULTS = { steps: DEFAULT_STEPS, bake: '5m', minInvocations: '100', poll: '30s', warmTimeout: '15m' } as const;

interface HistoryEntry {
  readonly at: string;
  readonly action: Decision['action'];
  readonly reason: string;
  readonly weight: number;
  readonly gates: Decision['gates'];
}

interface Settings {
  readonly plan: Omit<CanaryPlan, 'candidate' | 'alarms'>;
  readonly alarmNames: readonly string[];
  readonly pollMs: number;
  readonly warmTimeoutMs: number;
}

/** Every option is checked before any AWS call: bad input changes nothing. */
function parseSettings(options: RolloutOptions): Settings {
  const steps = parseSteps(options.steps);
  const bakeMs = parseDuration(options.bake, 'bake');
  const maxBakeMs = options.maxBake === undefined ? Math.max(bakeMs * 3, bakeMs) : parseDuration(options.maxBake, 'max-bake');
  if (maxBakeMs < bakeMs) throw new InputError(`--max-bake (${options.maxBake}) must not be shorter than --bake (${options.bake})`, 'raise --max-bake or lower --bake');
  const pollMs = parseDuration(options.poll, 'poll');
  if (pollMs <= 0) throw new InputError(`--poll must be above 0, got: "${options.poll}"`, 'pass e.g. --poll 30s');
  if (options.to !== undefined && options.to === '$LATEST') {
    throw new InputError('the candidate must be a published version, got: $LATEST', 'publish a version (a deploy does) and pass its number with --to');
  }
  return {
    plan: {
      steps,
      bakeMs,
      maxBakeMs,
      minInvocations: parseCount(options.minInvocations, 'min-invocations'),
      gates: options.gate.map(parseGate),
      ...(options.compare ? { comparison: DEFAULT_SPRT } : {}),
    },
    alarmNames: options.alarm,
    pollMs,
    warmTimeoutMs: parseDuration(options.warmTimeout, 'warm-timeout'),
  };
}

/** "errors" → "<app>-<stage>-<fn>-live-errors" via the function's Alarms output; full names pass through. */
function resolveAlarms(requested: readonly string[], declared: readonly string[]): string[] {
  return requested.map((name) => declared.find((d) => d.endsWith(`-${name}`)) ?? name);
}

export async function runRollout(runtime: Runtime, name: string, options: RolloutOptions, mode: 'canary' | 'resume'): Promise<number> {
  const settings = parseSettings(options);
  const ctx = commandContext(runtime, options);
  const { lambda, metrics, stack } = ctx.adapters;
  const deployed = await stack.resolveForChange(name);
  const fn = deployed.functionName;
  let alias = await lambda.getAlias(fn);

  const candidate = await chooseCandidate(ctx, fn, alias, options.to, mode);
  const alarms = resolveAlarms(settings.alarmNames, deployed.alarms);
  const { missing } = await metrics.alarmStates(alarms);
  if (missing.length > 0) {
    throw new InputError(`unknown alarm ${missing.join(', ')}`, `pass an alarm name or one of ${deployed.alarms.map((a) => a.split('-').slice(-1)[0]).join(', ') || '(none declared)'} (short for ${deployed.alarms.join(', ')})`);
  }
  const plan: CanaryPlan = { ...settings.plan, candidate, alarms };
  const stable = alias.primary;
  const history: HistoryEntry[] = [];
  const summary = (result: string, reason: string) => ({
    function: name,
    functionName: fn,
    stable,
    candidate,
    result,
    reason,
    alias: { primary: alias.primary, candidate: alias.candidate ?? null, weight: alias.weight },
    plan: { steps: plan.steps, bakeMs: plan.bakeMs, maxBakeMs: plan.maxBakeMs, minInvocations: plan.minInvocations, gates: plan.gates.map((g) => g.text), alarms, comparison: plan.comparison ?? null },
    history,
  });

  if (options.dryRun) {
    const first = decide({ alias: view(alias), plan, bakeElapsedMs: 0 });
    ctx.say(`dry run: ${describeAlias(alias)}; would ${mode === 'resume' && alias.weight > 0 ? `continue at ${percent(alias.weight)}` : `set ${candidate} to ${percent(plan.steps[0])}`}`);
    ctx.say(`  steps ${plan.steps.map(percent).join(' → ')}, bake ${options.bake} each (max ${Math.round(plan.maxBakeMs / 1000)}s), min ${plan.minInvocations} invocations`);
    ctx.say(`  gates: ${[...(plan.comparison ? [`errors vs stable (SPRT α=${plan.comparison.alpha}, β=${plan.comparison.beta}, ×${plan.comparison.worseRatio})`] : []), ...plan.gates.map((g) => g.text), ...alarms.map((a) => `alarm ${a}`)].join(', ') || 'none'}`);
    ctx.say(`  then ${options.promote ? `promote ${candidate}` : 'stay at 100% (--no-promote)'}; nothing was changed`);
    ctx.emit({ ...summary('dry-run', first.reason), next: first.action });
    return EXIT.ok;
  }

  const progress = runtime.progress(ctx.json);
  const { interrupt } = runtime;
  let stepStart = runtime.now();
  try {
    if (alias.weight > 0) {
      progress.event(`resuming: ${describeAlias(alias)}; baking at ${percent(alias.weight)} from now`);
      await waitWarm(ctx, fn, alias, settings, progress);
      stepStart = runtime.now();
    }
    for (;;) {
      let observations: Observations | undefined;
      if (alias.weight > 0) {
        const fresh = await lambda.getAlias(fn);
        if (fresh.revisionId !== alias.revisionId) {
          throw new ConflictError(
            `someone else changed the alias ${fn}:live during the rollout (now ${describeAlias(fresh)}); nothing was overwritten`,
            `look at it with \`faas status ${name}\`, then \`faas resume ${name}\` or \`faas rollback ${name}\``,
          );
        }
        const windows = await metrics.versionWindows(fn, [candidate, stable], new Date(stepStart), new Date(runtime.now()));
        const alarmStates = (await metrics.alarmStates(alarms)).states;
        observations = { candidate: windows[candidate], stable: windows[stable], alarms: alarmStates };
      }
      const elapsed = runtime.now() - stepStart;
      const decision = decide({ alias: view(alias), plan, observations, bakeElapsedMs: elapsed });
      const { action } = decision;
      if (action.kind !== 'wait' || history.length === 0 || history[history.length - 1].reason !== decision.reason) {
        history.push({ at: new Date(runtime.now()).toISOString(), action, reason: decision.reason, weight: alias.weight, gates: decision.gates });
      }
      if (interrupt.aborted) throw new Interrupted();

      if (action.kind === 'wait') {
        const left = Math.max(plan.bakeMs - elapsed, 0);
        progress.update({
          label: `step ${decision.step.index}/${decision.step.of} ${percent(alias.weight)}`,
          value: Math.round(elapsed / 1000),
          total: Math.round(plan.bakeMs / 1000),
          left: left > 0 ? `${Math.ceil(left / 1000)}s left` : decision.reason,
          detail: decision.gates.map((g) => `${g.gate}: ${g.value} [${g.status}]`).join('; '),
        });
        await runtime.sleep(left > 0 ? Math.min(settings.pollMs, left) : settings.pollMs, interrupt);
        continue;
      }
      if (action.kind === 'advance') {
        alias = await lambda.updateAlias(fn, { primary: stable, candidate, weight: action.weight }, alias.revisionId);
        progress.event(`step ${decision.step.index}/${decision.step.of}: ${decision.reason} → ${describeAlias(alias)}`);
        await waitWarm(ctx, fn, alias, settings, progress);
        stepStart = runtime.now();
        continue;
      }
      if (action.kind === 'rollback') {
        alias = await lambda.updateAlias(fn, { primary: stable }, alias.revisionId);
        progress.event(`rolled back: ${action.reason} → ${describeAlias(alias)}`);
        progress.stop();
        ctx.emit(summary('rolled-back', action.reason));
        ctx.say(`rolled back ${name}: ${action.reason}\nlive serves only version ${stable}; fix the candidate and deploy, then \`faas canary ${name}\``);
        return EXIT.rolledBack;
      }
      // promote
      progress.stop();
      if (!options.promote) {
        ctx.emit(summary('held', `${decision.reason} (--no-promote)`));
        ctx.say(`${name}: version ${candidate} serves 100% (--no-promote); \`faas promote ${name}\` makes it the primary, \`faas rollback ${name}\` undoes it`);
        return EXIT.ok;
      }
      alias = await lambda.updateAlias(fn, { primary: candidate }, alias.revisionId);
      ctx.emit(summary('promoted', decision.reason));
      ctx.say(`promoted ${name}: ${describeAlias(alias)} (was ${stable})`);
      return EXIT.ok;
    }
  } catch (error) {
    progress.stop();
    if (error instanceof Interrupted) {
      const where = describeAlias(alias);
      runtime.stderr.write(
        `interrupted: the alias is valid (${where}).\nnext: \`faas resume ${name}${options.stage !== 'dev' ? ` --stage ${options.stage}` : ''}\` to continue, or \`faas rollback ${name}${options.stage !== 'dev' ? ` --stage ${options.stage}` : ''}\` to return to ${stable}\n`,
      );
      ctx.emit(summary('interrupted', 'SIGINT/SIGTERM'));
      return EXIT.interrupted;
    }
    throw error;
  }
}

async function chooseCandidate(ctx: CommandContext, fn: string, alias: LiveAlias, to: string | undefined, mode: 'canary' | 'resume'): Promise<string> {
  if (mode === 'resume') {
    if (alias.candidate === undefined) {
      throw new InputError(`no rollout in progress on ${fn}: ${describeAlias(alias)}`, 'start one with `faas canary <function>`');
    }
    if (to !== undefined && to !== alias.candidate) {
      throw new InputError(`--to ${to} differs from the candidate on the alias (${alias.candidate})`, 'resume without --to, or `faas rollback` first');
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

/** After a weight change with provisioned concurrency on live (or the candidate), wait for READY. */
async function waitWarm(ctx: CommandContext, fn: string, alias: LiveAlias, settings: Settings, progress: ProgressView): Promise<void> {
  const { runtime } = ctx;
  const started = runtime.now();
  const qualifiers = ['live', ...(alias.candidate ? [alias.candidate] : [])];
  for (;;) {
    const states = await Promise.all(qualifiers.map(async (q) => ({ q, pc: await ctx.adapters.lambda.warmCapacity(fn, q) })));
    const failed = states.find((s) => s.pc?.status === 'FAILED');
    if (failed) {
      throw new AwsError(`provisioned concurrency on ${fn}:${failed.q} FAILED: ${failed.pc?.reason ?? 'no reason given'} (${describeAlias(alias)})`, `fix the capacity (account concurrency, reserved concurrency), then \`faas resume\`, or \`faas rollback\``);
    }
    const pending = states.filter((s) => s.pc?.status === 'IN_PROGRESS');
    if (pending.length === 0) return;
    const waited = runtime.now() - started;
    if (waited >= settings.warmTimeoutMs) {
      throw new AwsError(`provisioned concurrency on ${fn}:${pending.map((s) => s.q).join(', ')} not READY after ${Math.round(waited / 1000)}s`, 'raise --warm-timeout, then `faas resume`; or `faas rollback`');
    }
    progress.update({
      label: 'warming',
      value: Math.round(waited / 1000),
      total: Math.round(settings.warmTimeoutMs / 1000),
      left: 'waiting for provisioned concurrency READY',
      detail: pending.map((s) => `${s.q}: ${s.pc?.allocated}/${s.pc?.requested} IN_PROGRESS`).join('; '),
    });
    await runtime.sleep(Math.min(settings.pollMs, 5_000), runtime.interrupt);
  }
}

/** The engine's view: a candidate at weight 0 carries no traffic and counts as none. */
function view(alias: LiveAlias): { primary: string; candidate?: string; weight: number } {
  return { primary: alias.primary, ...(alias.candidate !== undefined && alias.weight > 0 ? { candidate: alias.candidate } : {}), weight: alias.weight };
}
