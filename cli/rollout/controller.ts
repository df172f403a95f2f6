/**
 * The rollout controller: the one read → decide → act loop behind `faas canary` and `faas resume`,
 * and behind every simulation of them (bench/, test/, simulation/prediction.ts), through ports
 * (./ports.ts). Each turn reads the alias (a change by someone else stops the run), the metrics
 * since the step began and the alarms, asks the pure engine (cli/engine/decide.ts), and carries
 * out its answer with the RevisionId it read. The comparative test reads both versions' counts per
 * minute since the rollout began (on resume: over the lookback before the resumed step), re-read
 * at each poll, so no state beyond the alias is needed: after any interruption `faas resume`
 * continues from it.
 */
import { LIVE_ALIAS } from '../../lib/contract';
import { AwsError, ConflictError } from '../adapters/failures';
import { decide, describeAlias, type AliasView, type Decision, type Observations, type RollbackCause } from '../engine/decide';
import { stepBakeMs, type CanaryPlan } from '../engine/plan';
import { HELD, RELEASED, planWarmEnd, planWarmStart } from '../engine/warm-capacity';
import { Interrupted, type LiveAlias, type RolloutPorts } from './ports';

export interface RolloutRequest {
  /** The declared function name, for the hints in errors. */
  readonly name: string;
  readonly functionName: string;
  readonly plan: CanaryPlan;
  /** The alias as read before the rollout: its primary is the stable version; a weight above 0 resumes there. */
  readonly alias: LiveAlias;
  /** How far before a resumed step the per-minute history reaches; 0: none, each step is compared alone. */
  readonly lookbackMs: number;
  readonly pollMs: number;
  readonly warmTimeoutMs: number;
  /** At the end of the 100 % step, make the candidate the primary; false stays at 100 % ('held'). */
  readonly promote: boolean;
}

/** One entry per decision that acted or changed its reason (the --json summary's history). */
export interface HistoryEntry {
  /** Epoch milliseconds (the summary prints it as ISO 8601). */
  readonly at: number;
  readonly action: Decision['action'];
  readonly reason: string;
  readonly weight: number;
  readonly gates: Decision['gates'];
}

export type RolloutEnd =
  | { readonly kind: 'promoted'; readonly reason: string }
  | { readonly kind: 'held'; readonly reason: string }
  | { readonly kind: 'rolled-back'; readonly cause: RollbackCause; readonly reason: string }
  | { readonly kind: 'interrupted' };

export interface RolloutOutcome {
  readonly end: RolloutEnd;
  /** The alias as the controller left it: valid after an interrupt too. */
  readonly alias: LiveAlias;
  readonly history: readonly HistoryEntry[];
  /** What the rollout did with live's warm capacity, in order (empty without provisioned concurrency on live). */
  readonly warm: readonly string[];
}

/**
 * Drives the rollout to its end; a conflicting alias write or failed warm capacity rejects (ConflictError, AwsError).
 * Whatever the end — promoted, rolled back, inconclusive, held, interrupted, or a rejection — a
 * hold on warm capacity is released before it returns; only a killed process leaves it, on AWS,
 * for `faas resume` to find.
 */
export async function driveRollout(request: RolloutRequest, ports: RolloutPorts): Promise<RolloutOutcome> {
  const warm: string[] = [];
  let outcome: RolloutOutcome;
  try {
    outcome = await runRollout(request, ports, warm);
  } catch (error) {
    await releaseWarmCapacity(ports, warm).catch((releaseError: unknown) => {
      const fix = error instanceof AwsError || error instanceof ConflictError ? error.fix : 'see the error above';
      throw new AwsError(
        `${(error as Error).message}; then releasing warm capacity failed too: ${(releaseError as Error).message}`,
        `${fix}; \`faas resume ${request.name}\` releases it`,
      );
    });
    throw error;
  }
  await releaseWarmCapacity(ports, warm);
  return { ...outcome, warm };
}

async function runRollout(request: RolloutRequest, ports: RolloutPorts, warm: string[]): Promise<RolloutOutcome> {
  const { plan, functionName: fn, name } = request;
  const { clock, metrics } = ports;
  const report = ports.report ?? (() => undefined);
  const candidate = plan.candidate;
  const stable = request.alias.primary;
  let alias = request.alias;
  const history: HistoryEntry[] = [];
  const done = (end: RolloutEnd): RolloutOutcome => ({ end, alias, history, warm });
  let stepStart = clock.now();
  // Where the per-minute history for the comparison starts: the first step's write, or on resume
  // (no state but the alias) the lookback before the resumed step. Fixed for the rest of the run,
  // so evidence only accumulates (one test for the rollout, α its whole budget).
  let historyFrom: number | undefined;
  try {
    await holdWarmCapacity(request, ports, warm);
    if (alias.weight > 0) {
      report({ kind: 'resumed', alias });
      await waitWarm(request, ports, alias);
      stepStart = clock.now();
      historyFrom = stepStart - request.lookbackMs;
    }
    for (;;) {
      let observations: Observations | undefined;
      if (alias.weight > 0) {
        const fresh = await ports.alias.get();
        if (fresh.revisionId !== alias.revisionId) {
          throw new ConflictError(
            `someone else changed the alias ${fn}:live during the rollout (now ${describeAlias(fresh)}); nothing was overwritten`,
            `look at it with \`faas status ${name}\`, then \`faas resume ${name}\` or \`faas rollback ${name}\``,
          );
        }
        // The minutes are re-read every poll: CloudWatch delivers recent minutes late.
        const [windows, minutes, alarms] = await Promise.all([
          metrics.versionWindows([candidate, stable], new Date(stepStart), new Date(clock.now())),
          request.lookbackMs > 0
            ? metrics.minuteCounts(candidate, stable, new Date(historyFrom ?? stepStart - request.lookbackMs), new Date(clock.now()))
            : undefined,
          metrics.alarmStates(plan.alarms),
        ]);
        observations = { candidate: windows[candidate], stable: windows[stable], alarms, ...(minutes ? { minutes } : {}) };
      }
      const elapsed = clock.now() - stepStart;
      const decision = decide({ alias: engineView(alias), plan, observations, bakeElapsedMs: elapsed });
      const { action } = decision;
      if (action.kind !== 'wait' || history.length === 0 || history[history.length - 1].reason !== decision.reason) {
        history.push({ at: clock.now(), action, reason: decision.reason, weight: alias.weight, gates: decision.gates });
      }
      if (clock.interrupt.aborted) throw new Interrupted();

      if (action.kind === 'wait') {
        const bake = stepBakeMs(plan, alias.weight);
        const left = Math.max(bake - elapsed, 0);
        report({ kind: 'baking', decision, weight: alias.weight, elapsedMs: elapsed, bakeMs: bake });
        await clock.sleep(left > 0 ? Math.min(request.pollMs, left) : request.pollMs);
        continue;
      }
      if (action.kind === 'advance') {
        if (alias.weight === 0) historyFrom ??= clock.now();
        alias = await ports.alias.update({ primary: stable, candidate, weight: action.weight }, alias.revisionId);
        report({ kind: 'advanced', decision, alias });
        await waitWarm(request, ports, alias);
        stepStart = clock.now();
        continue;
      }
      if (action.kind === 'rollback') {
        alias = await ports.alias.update({ primary: stable }, alias.revisionId);
        report({ kind: 'rolled-back', cause: action.cause, reason: action.reason, alias });
        return done({ kind: 'rolled-back', cause: action.cause, reason: action.reason });
      }
      if (!request.promote) return done({ kind: 'held', reason: decision.reason });
      alias = await ports.alias.update({ primary: candidate }, alias.revisionId);
      return done({ kind: 'promoted', reason: decision.reason });
    }
  } catch (error) {
    if (error instanceof Interrupted) return done({ kind: 'interrupted' });
    throw error;
  }
}

/**
 * Before the first weight (or on resume): record the hold on the scalable target, raise live's
 * provisioned concurrency to the rollout's level and wait for READY, then suspend scaling — in
 * that order, because Lambda refuses any provisioned concurrency change once the alias has weights
 * and Application Auto Scaling would try one (../engine/warm-capacity.ts).
 */
async function holdWarmCapacity(request: RolloutRequest, ports: RolloutPorts, warm: string[]): Promise<void> {
  if (!ports.warm) return;
  const start = planWarmStart(await ports.warm.read(), request.plan.candidate, request.alias.weight, request.plan.steps);
  if (start.kind === 'unmanaged') return;
  await ports.warm.recordHold(start.hold);
  if (start.provision !== undefined) {
    await ports.warm.provision(start.provision);
    await waitWarm(request, ports, request.alias);
  }
  if (start.suspend) await ports.warm.setSuspended(HELD);
  const reason = `${start.reason}; scaling suspended for the rollout`;
  warm.push(reason);
  ports.report?.({ kind: 'warm-held', reason });
}

/**
 * Ends a rollout's hold on warm capacity (a no-op without one): the level before the rollout back
 * on live while the alias has no weights, scaling resumed, the hold's tags removed. Also what
 * `faas promote`/`rollback` and `faas resume` call when a hold outlived its rollout.
 */
export async function releaseWarmCapacity(
  ports: Pick<RolloutPorts, 'alias' | 'warm' | 'report'>,
  warm: string[] = [],
): Promise<string | undefined> {
  if (!ports.warm) return undefined;
  const state = await ports.warm.read();
  if (!state?.target?.hold) return undefined;
  const alias = await ports.alias.get();
  const end = planWarmEnd(state, alias.candidate !== undefined);
  if (!end) return undefined;
  if (end.provision !== undefined) await ports.warm.provision(end.provision);
  await ports.warm.setSuspended(RELEASED);
  await ports.warm.removeHold();
  warm.push(end.reason);
  ports.report?.({ kind: 'warm-released', reason: end.reason });
  return end.reason;
}

/** After a weight change with provisioned concurrency on live (or the candidate), wait for READY. */
async function waitWarm(request: RolloutRequest, ports: RolloutPorts, alias: LiveAlias): Promise<void> {
  const { clock } = ports;
  const fn = request.functionName;
  const started = clock.now();
  const qualifiers = [LIVE_ALIAS, ...(alias.candidate ? [alias.candidate] : [])];
  for (;;) {
    const states = await Promise.all(qualifiers.map(async (q) => ({ q, pc: await ports.alias.warmCapacity(q) })));
    const failed = states.find((s) => s.pc?.status === 'FAILED');
    if (failed) {
      throw new AwsError(
        `provisioned concurrency on ${fn}:${failed.q} FAILED: ${failed.pc?.reason ?? 'no reason given'} (${describeAlias(alias)})`,
        `fix the capacity (account concurrency, reserved concurrency), then \`faas resume\`, or \`faas rollback\``,
      );
    }
    const pending = states.flatMap((s) => (s.pc?.status === 'IN_PROGRESS' ? [{ qualifier: s.q, capacity: s.pc }] : []));
    if (pending.length === 0) return;
    const waited = clock.now() - started;
    if (waited >= request.warmTimeoutMs) {
      throw new AwsError(
        `provisioned concurrency on ${fn}:${pending.map((s) => s.qualifier).join(', ')} not READY after ${Math.round(waited / 1000)}s`,
        'raise --warm-timeout, then `faas resume`; or `faas rollback`',
      );
    }
    ports.report?.({ kind: 'warming', waitedMs: waited, timeoutMs: request.warmTimeoutMs, pending });
    await clock.sleep(Math.min(request.pollMs, 5_000));
  }
}

/** The engine's view: a candidate at weight 0 carries no traffic and counts as none. */
export function engineView(alias: LiveAlias): AliasView {
  return {
    primary: alias.primary,
    ...(alias.candidate !== undefined && alias.weight > 0 ? { candidate: alias.candidate } : {}),
    weight: alias.weight,
  };
}
