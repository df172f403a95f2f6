/**
 * Warm capacity during a rollout: how much provisioned concurrency `live` gets, and when the
 * alias's scalable target is held (scaling suspended) and released. Pure; the AWS calls are the
 * adapters' (cli/adapters/scaling.ts, lambda.ts), the order is the controller's.
 *
 * Lambda refuses to put or change provisioned concurrency on an alias that has
 * AdditionalVersionWeights, and while weights are set it shares the alias's provisioned
 * concurrency between the two versions by weight. So everything that changes it happens while
 * the alias has no weights: before the first step (raise, wait READY, then suspend Application
 * Auto Scaling, which would otherwise act mid-canary and fail) and after the last (restore the
 * level, resume scaling). The hold is recorded on the scalable target itself (tags), so a
 * `faas resume` after a kill knows what to restore.
 */

/** Application Auto Scaling's three switches; a hold sets all of them. */
export interface SuspendedState {
  readonly dynamicScalingIn: boolean;
  readonly dynamicScalingOut: boolean;
  readonly scheduled: boolean;
}

/** A rollout's claim on the scalable target, as its tags record it. */
export interface WarmHold {
  /** The version the rollout holds capacity for. */
  readonly candidate: string;
  /** live's provisioned concurrency before the rollout raised it: what the end restores. */
  readonly levelBefore: number;
}

/** What AWS says about `live`'s warm capacity (read before and after a rollout). */
export interface WarmState {
  /** Provisioned concurrency configured on `live`. */
  readonly live: { readonly requested: number; readonly allocated: number; readonly status: 'IN_PROGRESS' | 'READY' | 'FAILED' };
  /**
   * The alias's scalable target (what `warm` declares).
   * @default - none: provisioned concurrency set by hand, which nothing else changes; left alone
   */
  readonly target?: {
    readonly min: number;
    readonly max: number;
    readonly suspended: SuspendedState;
    /** @default - no rollout holds it */
    readonly hold?: WarmHold;
  };
  /** @default - unreserved */
  readonly reservedConcurrency?: number;
}

export const HELD: SuspendedState = { dynamicScalingIn: true, dynamicScalingOut: true, scheduled: true };
export const RELEASED: SuspendedState = { dynamicScalingIn: false, dynamicScalingOut: false, scheduled: false };

export interface RolloutLevel {
  /** Provisioned concurrency `live` gets for the rollout. */
  readonly level: number;
  /** What the rule asks for before the limits. */
  readonly wanted: number;
  /** @default - not limited */
  readonly limitedBy?: 'warm.max' | 'reserved concurrency';
}

/**
 * The rule: the stable version's level before the rollout, plus the candidate's share of it at
 * the largest step below 100 % (rounded up), within the scalable target's maximum (warm.max) and
 * the function's reserved concurrency; never below the level before. With the default steps
 * (largest ramp step 50 %) that is 1.5 × the level: at 50 % each version keeps 0.75 × the old
 * level for half the traffic, and the 100 % step gives the candidate all of it.
 */
export function rolloutLevel(levelBefore: number, steps: readonly number[], max: number, reservedConcurrency?: number): RolloutLevel {
  const ramp = steps.filter((s) => s < 1);
  const largest = ramp.length > 0 ? Math.max(...ramp) : 0;
  const wanted = levelBefore + Math.ceil(levelBefore * largest - 1e-9);
  const limits: Array<[number, RolloutLevel['limitedBy']]> = [[max, 'warm.max']];
  if (reservedConcurrency !== undefined) limits.push([reservedConcurrency, 'reserved concurrency']);
  let level = wanted;
  let limitedBy: RolloutLevel['limitedBy'];
  for (const [limit, name] of limits) {
    if (limit < level) {
      level = limit;
      limitedBy = name;
    }
  }
  level = Math.max(level, levelBefore);
  return { level, wanted, ...(limitedBy !== undefined && level < wanted ? { limitedBy } : {}) };
}

export type WarmStart =
  /** Nothing to manage: no provisioned concurrency on live, or no scalable target that could act. */
  | { readonly kind: 'unmanaged'; readonly reason: string }
  | {
      readonly kind: 'hold';
      /** Recorded (tags) before anything changes. */
      readonly hold: WarmHold;
      /**
       * Put this provisioned concurrency on live and wait for READY (only while it has no weights).
       * @default - live keeps what it has
       */
      readonly provision?: number;
      /** Suspend scaling (after provisioning). */
      readonly suspend: boolean;
      /** Why the level is what it is (a limit, or weights already set). */
      readonly reason: string;
    };

/**
 * Before the rollout's first weight (or on resume): what to record, provision and suspend.
 * `weight` is the candidate's current weight on live: above 0, Lambda refuses any change.
 */
export function planWarmStart(state: WarmState | undefined, candidate: string, weight: number, steps: readonly number[]): WarmStart {
  if (state === undefined) return { kind: 'unmanaged', reason: 'no provisioned concurrency on live' };
  const target = state.target;
  if (target === undefined)
    return {
      kind: 'unmanaged',
      reason: `provisioned concurrency ${state.live.requested} on live without a scalable target: left as it is`,
    };
  const suspend = !isHeld(target.suspended);
  // A hold left by an earlier run (killed, or a rollout to the same candidate) keeps its level before:
  // raising from the raised level would compound.
  const levelBefore = target.hold?.levelBefore ?? state.live.requested;
  const hold: WarmHold = { candidate, levelBefore };
  if (weight > 0) {
    return {
      kind: 'hold',
      hold,
      suspend,
      reason:
        `live already routes to ${candidate}: provisioned concurrency stays ${state.live.requested} (Lambda refuses ` +
        'changes on a weighted alias)',
    };
  }
  const { level, wanted, limitedBy } = rolloutLevel(levelBefore, steps, target.max, state.reservedConcurrency);
  const limit = limitedBy ? `; ${wanted} limited by ${limitedBy}` : '';
  const reason = `provisioned concurrency ${level} on live for the rollout (was ${levelBefore}${limit})`;
  return { kind: 'hold', hold, suspend, reason, ...(level !== state.live.requested ? { provision: level } : {}) };
}

/** Ending a hold always resumes scaling and removes its tags; this says what else. */
export interface WarmEnd {
  /**
   * Put this provisioned concurrency back on live (only when the alias has no weights).
   * @default - live keeps what it has
   */
  readonly provision?: number;
  readonly reason: string;
}

/**
 * After the rollout (promoted, rolled back, inconclusive, held at 100 %, interrupted) or when a
 * hold outlived its rollout: restore what the hold changed. With weights still on the alias the
 * level cannot be changed: scaling resumes and brings it back to its target.
 */
export function planWarmEnd(state: WarmState | undefined, weighted: boolean): WarmEnd | undefined {
  const target = state?.target;
  if (state === undefined || target === undefined) return undefined;
  const { hold } = target;
  // Only a hold of ours is released: a target suspended by someone else stays suspended.
  if (hold === undefined) return undefined;
  const restore = Math.min(Math.max(hold.levelBefore, target.min), target.max);
  const changed = restore !== state.live.requested;
  const level = !changed
    ? `provisioned concurrency ${state.live.requested}`
    : weighted
      ? `provisioned concurrency stays ${state.live.requested} while live has weights (scaling brings it back)`
      : `provisioned concurrency back to ${restore}`;
  return { reason: `${level}, scaling resumed`, ...(changed && !weighted ? { provision: restore } : {}) };
}

function isHeld(s: SuspendedState): boolean {
  return s.dynamicScalingIn && s.dynamicScalingOut && s.scheduled;
}

/** For `faas status`: "held for 4 (level before 2), scaling suspended" etc. */
export function describeWarmHold(target: NonNullable<WarmState['target']>): string {
  const suspended = [
    target.suspended.dynamicScalingIn && 'scale-in',
    target.suspended.dynamicScalingOut && 'scale-out',
    target.suspended.scheduled && 'scheduled',
  ].filter(Boolean);
  const scaling = suspended.length === 0 ? 'scaling active' : `suspended: ${suspended.join(', ')}`;
  const hold = target.hold ? `held by a rollout to ${target.hold.candidate} (level before ${target.hold.levelBefore}), ` : '';
  return `scalable target min ${target.min} max ${target.max}, ${hold}${scaling}`;
}
