/**
 * What the rollout controller touches outside itself. The CLI wraps its adapters in these
 * (cli/commands/rollout.ts); the simulated world (simulation/world.ts) implements them with a
 * clock that advances on sleep and seeded traffic. Shapes are the adapters' own
 * (cli/adapters/lambda.ts, metrics.ts), bound to one function.
 */
import type { AliasTarget, LiveAlias, WarmCapacity } from '../adapters/lambda';
import type { AlarmState, Decision, RollbackCause } from '../engine/decide';
import type { VersionWindow } from '../engine/gates';
import type { MinuteCounts } from '../engine/sequential-test';
import type { SuspendedState, WarmHold, WarmState } from '../engine/warm-capacity';

export type { AliasTarget, LiveAlias, WarmCapacity };

/** Time, and waiting for it: the real one sleeps on timers, a test's or the simulation's advances at once. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or rejects with Interrupted once `interrupt` aborts. */
  sleep(ms: number): Promise<void>;
  /** Aborted on SIGINT/SIGTERM (or by a test). */
  readonly interrupt: AbortSignal;
}

/** The function's live alias. */
export interface AliasPort {
  get(): Promise<LiveAlias>;
  /** Writes only if the alias is still at `revisionId`, else rejects with ConflictError. */
  update(target: AliasTarget, revisionId: string): Promise<LiveAlias>;
  /** Provisioned concurrency on a qualifier ('live' or a version); undefined when none is configured. */
  warmCapacity(qualifier: string): Promise<WarmCapacity | undefined>;
}

/**
 * live's provisioned concurrency and the alias's scalable target (Application Auto Scaling). The
 * controller calls it only while the alias has no weights, except to read and to suspend/resume.
 */
export interface WarmCapacityPort {
  /** undefined when live has no provisioned concurrency (nothing to manage). */
  read(): Promise<WarmState | undefined>;
  /** PutProvisionedConcurrencyConfig on live: Lambda refuses it while the alias has weights. */
  provision(level: number): Promise<void>;
  /** Records the hold on the scalable target (tags), before anything changes. */
  recordHold(hold: WarmHold): Promise<void>;
  /** RegisterScalableTarget with only the SuspendedState: min and max stay as declared. */
  setSuspended(suspended: SuspendedState): Promise<void>;
  removeHold(): Promise<void>;
}

/** What the versions behind the alias did, by ExecutedVersion. */
export interface MetricsPort {
  /** One window per version over [start, end]. */
  versionWindows(versions: readonly string[], start: Date, end: Date): Promise<Record<string, VersionWindow>>;
  /** Both versions' counts per minute over [⌊start⌋, ⌈end⌉), oldest first. */
  minuteCounts(candidate: string, stable: string, start: Date, end: Date): Promise<MinuteCounts[]>;
  alarmStates(names: readonly string[]): Promise<ReadonlyArray<{ readonly name: string; readonly state: AlarmState }>>;
}

/** What happened, for whoever shows progress (the command renders these; a simulation may count them). */
export type RolloutEvent =
  | { readonly kind: 'resumed'; readonly alias: LiveAlias }
  | {
      readonly kind: 'warming';
      readonly waitedMs: number;
      readonly timeoutMs: number;
      readonly pending: ReadonlyArray<{ readonly qualifier: string; readonly capacity: WarmCapacity }>;
    }
  | { readonly kind: 'baking'; readonly decision: Decision; readonly weight: number; readonly elapsedMs: number; readonly bakeMs: number }
  | { readonly kind: 'advanced'; readonly decision: Decision; readonly alias: LiveAlias }
  | { readonly kind: 'rolled-back'; readonly cause: RollbackCause; readonly reason: string; readonly alias: LiveAlias }
  | { readonly kind: 'warm-held'; readonly reason: string }
  | { readonly kind: 'warm-released'; readonly reason: string };

export interface RolloutPorts {
  readonly clock: Clock;
  readonly alias: AliasPort;
  readonly metrics: MetricsPort;
  /** @default - warm capacity is not managed (the simulated world has none) */
  readonly warm?: WarmCapacityPort;
  /** @default - nothing is reported */
  readonly report?: (event: RolloutEvent) => void;
}

/** What Clock.sleep rejects with when interrupted. */
export class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}
