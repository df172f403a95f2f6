/**
 * `faas canary` and `faas resume`: drive the candidate through the steps. Each turn reads the
 * alias (a change by someone else stops the run), the metrics since the step began and the
 * alarms, asks the engine, and carries out its answer with the RevisionId it read.
 * The comparative test reads both versions' counts per minute since the rollout began (on resume:
 * over the lookback before the resumed step), re-read from CloudWatch at each poll, and tests
 * them per minute, so no state beyond the alias is needed there either.
 * The alias is the only state: after any interruption `faas resume` continues from it.
 */
import type { LiveAlias } from '../adapters/lambda';
import { ConflictError, AwsError } from '../adapters/failures';
import { decide, type Decision, type Observations, type RollbackCause } from '../engine/decide';
import { parseGate, percent } from '../engine/gates';
import { InputError } from '../engine/input-error';
import { CANARY_DEFAULTS, parseCount, parseDuration, parseSteps, stepBakeMs, validateCandidate, type CanaryPlan } from '../engine/plan';
import { DEFAULT_SPRT } from '../engine/sequential-test';
import { commandContext, describeAlias, type CommandContext, type CommonOptions } from './context';
import { EXIT } from './exit-codes';
import type { ProgressView } from './progress';
import { Interrupted, type Runtime } from './runtime';

export interface RolloutOptions extends CommonOptions {
  readonly to?: string;
  readonly steps: string;
  /** Bake of the 100 % step, before promotion. */
  readonly bake: string;
  /**
   * Bake of each step below 100 %.
   * @default 1m, or --bake if that is shorter
   */
  readonly rampBake?: string;
  /**
   * How long a step may wait for the minimum sample (or gate data) before it ends inconclusive.
   * @default 3 × the longer of --bake and --ramp-bake (15m with the defaults)
   */
  readonly maxBake?: string;
  readonly minInvocations: string;
  /** On resume, how far before the resumed step the per-minute comparison reaches back (a fresh rollout uses its own start); 0 compares each step alone (Wald's SPRT). */
  readonly lookback: string;
  readonly gate: readonly string[];
  readonly alarm: readonly string[];
  readonly promote: boolean;
  readonly compare: boolean;
  readonly poll: string;
  readonly warmTimeout: string;
  readonly dryRun?: boolean;
}

/** Flag defaults: the engine's CANARY_DEFAULTS (what bench/canary-simulation.ts measures), plus the CLI's own. */
export const ROLLOUT_DEFAULTS = {
  steps: CANARY_DEFAULTS.steps,
  bake: CANARY_DEFAULTS.bake,
  rampBake: CANARY_DEFAULTS.rampBake,
  minInvocations: CANARY_DEFAULTS.minInvocations,
  poll: CANARY_DEFAULTS.poll,
  lookback: CANARY_DEFAULTS.lookback,
  warmTimeout: '15m',
} as const;

interface HistoryEntry {
  readonly at: string;
  readonly action: Decision['action'];
  readonly reason: string;
  readonly weight: number;
  readonly gates: Decision['gates'];
}

interface Settings {
  readonly plan: Omit<CanaryPlan, 'candidate' | 'alarms'>;
  /** 0 when off (--lookback 0 or --no-compare): no lookback query. */
  readonly lookbackMs: number;
  readonly alarmNames: readonly string[];
  readonly pollMs: number;
  readonly warmTimeoutMs: number;
}

/** Every option is checked before any AWS call: bad input changes nothing. */
function parseSettings(options: RolloutOptions): Settings {
  const steps = parseSteps(options.steps);
  const bakeMs = parseDuration(options.bake, 'bake');
  // A ramp step never bakes longer than the final one unless asked: `--bake 2s` means short steps throughout.
  const rampBakeMs = options.rampBake === undefined ? Math.min(parseDuration(ROLLOUT_DEFAULTS.rampBake, 'ramp-bake'), bakeMs) : parseDuration(options.rampBake, 'ramp-bake');
  const longest = Math.max(bakeMs, rampBakeMs);
  const maxBakeMs = options.maxBake === undefined ? longest * 3 : parseDuration(options.maxBake, 'max-bake');
  if (maxBakeMs < bakeMs) throw new InputError(`--max-bake (${options.maxBake}) must not be shorter than --bake (${options.bake})`, 'raise --max-bake or lower --bake');
  if (maxBakeMs < rampBakeMs) throw new InputError(`--max-bake (${options.maxBake}) must not be shorter than --ramp-bake (${options.rampBake})`, 'raise --max-bake or lower --ramp-bake');
  const lookbackMs = parseDuration(options.lookback, 'lookback');
  const pollMs = parseDuration(options.poll, 'poll');
  if (pollMs <= 0) throw new InputError(`--poll must be above 0, got: "${options.poll}"`, 'pass e.g. --poll 30s');
  if (options.to !== undefined && options.to === '$LATEST') {
    throw new InputError('the candidate must be a published version, got: $LATEST', 'publish a version (a deploy does) and pass its number with --to');
  }
  return {
    plan: {
      steps,
      bakeMs,
      rampBakeMs,
      maxBakeMs,
      minInvocations: parseCount(options.minInvocations, 'min-invocations'),
      gates: options.gate.map(parseGate),
      // POOLED_SPRT's α is one budget for the whole rollout only with the per-minute history;
      // without it each step is its own test, so Wald's per-step parameters apply.
      ...(options.compare ? { comparison: lookbackMs > 0 ? CANARY_DEFAULTS.comparison : DEFAULT_SPRT } : {}),
    },
    lookbackMs: options.compare ? lookbackMs : 0,
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
  const summary = (result: RolloutResult, reason: string) => ({
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
    history,
  });

  if (options.dryRun) {
    const first = decide({ alias: view(alias), plan, bakeElapsedMs: 0 });
    ctx.say(`dry run: ${describeAlias(alias)}; would ${mode === 'resume' && alias.weight > 0 ? `continue at ${percent(alias.weight)}` : `set ${candidate} to ${percent(plan.steps[0])}`}`);
    ctx.say(
      `  steps ${plan.steps.map(percent).join(' → ')}, bake ${duration(plan.rampBakeMs ?? plan.bakeMs)} per step below 100% and ${duration(plan.bakeMs)} at 100% (max ${duration(plan.maxBakeMs)} per step), min ${plan.minInvocations} invocations per step`,
    );
    ctx.say(`  gates: ${[...(plan.comparison ? [describeComparison(plan.comparison, settings.lookbackMs)] : []), ...plan.gates.map((g) => g.text), ...alarms.map((a) => `alarm ${a}`)].join(', ') || 'none'}`);
    ctx.say(`  then ${options.promote ? `promote ${candidate}` : 'stay at 100% (--no-promote)'}; nothing was changed`);
    ctx.emit({ ...summary('dry-run', first.reason), next: first.action });
    return EXIT.ok;
  }

  const progress = runtime.progress(ctx.json);
  const { interrupt } = runtime;
  let stepStart = runtime.now();
  // Where the per-minute history for the comparison starts: the first step's write, or on resume
  // (no state but the alias) the lookback before the resumed step. Fixed for the rest of the run,
  // so evidence only accumulates (one test for the rollout, α its whole budget).
  let historyFrom: number | undefined;
  try {
    if (alias.weight > 0) {
      progress.event(`resuming: ${describeAlias(alias)}; baking at ${percent(alias.weight)} from now`);
      await waitWarm(ctx, fn, alias, settings, progress);
      stepStart = runtime.now();
      historyFrom = stepStart - settings.lookbackMs;
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
        const versions = [candidate, stable];
        // The minutes are re-read every poll: CloudWatch delivers recent minutes late.
        const [windows, minutes, alarmStates] = await Promise.all([
          metrics.versionWindows(fn, versions, new Date(stepStart), new Date(runtime.now())),
          settings.lookbackMs > 0 ? metrics.minuteCounts(fn, candidate, stable, new Date(historyFrom ?? stepStart - settings.lookbackMs), new Date(runtime.now())) : undefined,
          metrics.alarmStates(alarms).then((a) => a.states),
        ]);
        observations = {
          candidate: windows[candidate],
          stable: windows[stable],
          alarms: alarmStates,
          ...(minutes ? { minutes } : {}),
        };
      }
      const elapsed = runtime.now() - stepStart;
      const decision = decide({ alias: view(alias), plan, observations, bakeElapsedMs: elapsed });
      const { action } = decision;
      if (action.kind !== 'wait' || history.length === 0 || history[history.length - 1].reason !== decision.reason) {
        history.push({ at: new Date(runtime.now()).toISOString(), action, reason: decision.reason, weight: alias.weight, gates: decision.gates });
      }
      if (interrupt.aborted) throw new Interrupted();

      if (action.kind === 'wait') {
        const bake = stepBakeMs(plan, alias.weight);
        const left = Math.max(bake - elapsed, 0);
        progress.update({
          label: `step ${decision.step.index}/${decision.step.of} ${percent(alias.weight)}`,
          value: Math.round(elapsed / 1000),
          total: Math.round(bake / 1000),
          left: left > 0 ? `${Math.ceil(left / 1000)}s left` : decision.reason,
          detail: decision.gates.map((g) => `${g.gate}: ${g.value} [${g.status}]`).join('; '),
        });
        await runtime.sleep(left > 0 ? Math.min(settings.pollMs, left) : settings.pollMs, interrupt);
        continue;
      }
      if (action.kind === 'advance') {
        if (alias.weight === 0) historyFrom ??= runtime.now();
        alias = await lambda.updateAlias(fn, { primary: stable, candidate, weight: action.weight }, alias.revisionId);
        progress.event(`step ${decision.step.index}/${decision.step.of}: ${decision.reason} → ${describeAlias(alias)}`);
        await waitWarm(ctx, fn, alias, settings, progress);
        stepStart = runtime.now();
        continue;
      }
      if (action.kind === 'rollback') {
        alias = await lambda.updateAlias(fn, { primary: stable }, alias.revisionId);
        const outcome = ROLLBACK_OUTCOMES[action.cause];
        progress.event(`${outcome.event}: ${action.reason} → ${describeAlias(alias)}`);
        progress.stop();
        ctx.emit(summary(outcome.result, action.reason));
        ctx.say(`${outcome.headline(name, stable)}: ${action.reason}\nlive serves only version ${stable}; ${outcome.next(name, candidate)}`);
        return outcome.exitCode;
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
      `version ${candidate} was not found worse, only not judged: rerun \`faas canary ${name} --to ${candidate}\` when it gets more traffic, or with a longer --max-bake or a lower --min-invocations (for a gate without data, check the function's per-version metrics)`,
  },
};

function describeComparison(comparison: NonNullable<CanaryPlan['comparison']>, lookbackMs: number): string {
  const ratios = comparison.maxRatio !== undefined && comparison.maxRatio > comparison.worseRatio ? `×${comparison.worseRatio}–×${comparison.maxRatio}` : `×${comparison.worseRatio}`;
  const pooled = lookbackMs > 0 ? `, per minute since the rollout began (on resume: the ${duration(lookbackMs)} before)` : ', each step alone';
  return `errors vs stable (SPRT α=${comparison.alpha}, β=${comparison.beta}, ${ratios}${pooled})`;
}

/** 60000 → "1m", 90000 → "90s", 2500 → "2.5s": as a flag would take it. */
function duration(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${ms / 1000}s`;
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
