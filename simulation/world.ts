/**
 * A simulated world behind the rollout controller's ports (cli/rollout/ports.ts): a clock that
 * advances only when the controller sleeps, a live alias with revision ids, and metrics computed
 * from seeded traffic. While time passes, requests arrive at a steady rate, go to the candidate
 * with the alias weight (binomial: Lambda picks the extra version per request with probability =
 * its weight), fail with their version's error rate, and are slow with its slow rate. Slices never
 * cross a minute, so per-minute counts are exact.
 *
 * Unlike CloudWatch, metrics are exact at every instant: no delay, and a step's window is not
 * widened to whole minutes. Both bench/ and test/ drive the real controller through this.
 */
import { ConflictError } from '../cli/adapters/failures';
import type { AlarmState } from '../cli/engine/decide';
import type { VersionWindow } from '../cli/engine/gates';
import type { MinuteCounts } from '../cli/engine/sequential-test';
import {
  Interrupted,
  type AliasPort,
  type AliasTarget,
  type Clock,
  type LiveAlias,
  type MetricsPort,
  type RolloutPorts,
} from '../cli/rollout/ports';
import { binomial } from './random';

const MINUTE_MS = 60_000;

/** A whole minute, so simulated minutes line up with CloudWatch's. */
const SIMULATION_START = Date.UTC(2026, 0, 1, 12, 0, 0);

export interface VersionBehaviour {
  readonly errorRate: number;
  /**
   * Share of requests at or above the latency model's slowMs.
   * @default 0
   */
  readonly slowRate?: number;
}

export interface TrafficModel {
  readonly requestsPerSecond: number;
  /** The alias's primary at the start. */
  readonly stable: VersionBehaviour;
  /** Every other version. */
  readonly candidate: VersionBehaviour;
  /**
   * Two latencies: a request takes fastMs, or slowMs if it is slow; a window's p99 is its nearest-rank p99.
   * @default - no latency: windows carry no p99, so p99 gates stay pending
   */
  readonly latency?: { readonly fastMs: number; readonly slowMs: number };
}

/** How a named alarm judges the alias's minutes (all versions together, as the platform's alias alarms do). */
export type SimulatedAlarm =
  /** p99 ≥ thresholdMs in 3 of the last 5 minutes (the platform's p99-duration alarm). */
  | { readonly kind: 'p99'; readonly thresholdMs: number }
  /** At least `perMinute` errors in the last minute (the platform's errors alarm). */
  | { readonly kind: 'errors'; readonly perMinute: number }
  /** Nothing this world models can set it off (throttles). */
  | { readonly kind: 'quiet' };

export interface WorldOptions {
  readonly rand: () => number;
  readonly traffic: TrafficModel;
  /** The alias at the start; its primary is the stable version. */
  readonly alias: { readonly primary: string; readonly candidate?: string; readonly weight?: number };
  /** @default SIMULATION_START */
  readonly start?: number;
  /** @default 'simulated-fn' */
  readonly functionName?: string;
  /** @default - no alarms */
  readonly alarms?: Readonly<Record<string, SimulatedAlarm>>;
  /**
   * Provisioned concurrency on live: IN_PROGRESS for this long after each alias write, then READY.
   * @default - none configured
   */
  readonly warmUpMs?: number;
  /** Called after each sleep, once time has passed (a test changes the alias or interrupts here). */
  readonly onSleep?: (world: SimulatedWorld) => void;
}

/** What one version served. */
export interface Served {
  readonly invocations: number;
  readonly errors: number;
  readonly slow: number;
}

const NONE: Served = { invocations: 0, errors: 0, slow: 0 };

export class SimulatedWorld {
  readonly clock: Clock;
  readonly alias: AliasPort;
  readonly metrics: MetricsPort;
  /** Every alias write that went through, in order. */
  readonly writes: Array<{ readonly target: AliasTarget; readonly revisionId: string }> = [];
  private readonly options: WorldOptions;
  private readonly start: number;
  private readonly stable: string;
  private readonly interrupts = new AbortController();
  private now: number;
  private current: LiveAlias;
  private revision = 1;
  private lastWrite: number;
  // Per version, what it served up to the end of each slice (prefix sums: a window costs two lookups).
  private readonly sliceStarts: number[] = [];
  private readonly prefix = new Map<string, { invocations: number[]; errors: number[]; slow: number[] }>();
  /** Minutes with traffic, ascending, with what each version and all together served in them. */
  private readonly minuteIds: number[] = [];
  private readonly minuteData: Array<{ readonly byVersion: Map<string, Counter>; readonly total: Counter }> = [];

  constructor(options: WorldOptions) {
    this.options = options;
    this.start = options.start ?? SIMULATION_START;
    this.now = this.start;
    this.lastWrite = this.start;
    this.stable = options.alias.primary;
    const { primary, candidate, weight } = options.alias;
    this.current = { primary, candidate, weight: candidate === undefined ? 0 : (weight ?? 0), revisionId: 'rev-1' };
    this.clock = { now: () => this.now, sleep: (ms) => this.sleep(ms), interrupt: this.interrupts.signal };
    // Plain functions returning settled promises: thousands of rollouts per second, no async frames to spare.
    this.alias = {
      get: () => Promise.resolve(this.current),
      update: (target, revisionId) => settle(() => this.update(target, revisionId)),
      warmCapacity: (qualifier) => Promise.resolve(this.warmCapacity(qualifier)),
    };
    this.metrics = {
      versionWindows: (versions, start, end) => Promise.resolve(this.versionWindows(versions, start.getTime(), end.getTime())),
      minuteCounts: (candidate, stable, start, end) =>
        Promise.resolve(this.minuteCounts(candidate, stable, start.getTime(), end.getTime())),
      alarmStates: (names) =>
        Promise.resolve(
          names.flatMap((name) => (this.options.alarms?.[name] ? [{ name, state: this.alarmState(this.options.alarms[name]) }] : [])),
        ),
    };
  }

  get ports(): RolloutPorts {
    return { clock: this.clock, alias: this.alias, metrics: this.metrics };
  }

  /** Milliseconds since the world began. */
  get elapsedMs(): number {
    return this.now - this.start;
  }

  get aliasState(): LiveAlias {
    return this.current;
  }

  /** What `version` served since the world began. */
  servedBy(version: string): Served {
    return this.upTo(version, this.sliceStarts.length - 1);
  }

  /** Someone else writes the alias (a new revision), as another operator would. */
  changeAlias(target: AliasTarget): void {
    this.write(target);
  }

  /** Ctrl-C: the controller's next sleep (or check) sees it. */
  interrupt(): void {
    this.interrupts.abort();
  }

  private async sleep(ms: number): Promise<void> {
    if (this.interrupts.signal.aborted) throw new Interrupted();
    const end = this.now + ms;
    while (this.now < end) {
      const to = Math.min(end, (Math.floor(this.now / MINUTE_MS) + 1) * MINUTE_MS);
      this.serve(this.now, to);
      this.now = to;
    }
    this.options.onSleep?.(this);
    if (this.interrupts.signal.aborted) throw new Interrupted();
  }

  /** Requests in [from, to), one minute at most. The draws' order is part of every seeded figure: keep it. */
  private serve(from: number, to: number): void {
    const { traffic, rand } = this.options;
    const arrived = (t: number) => Math.floor((traffic.requestsPerSecond * (t - this.start)) / 1000 + 1e-6);
    const requests = arrived(to) - arrived(from);
    if (requests <= 0) return;
    const { primary, candidate, weight } = this.current;
    const behaviour = (version: string) => (version === this.stable ? traffic.stable : traffic.candidate);
    const onCandidate = candidate === undefined ? 0 : binomial(rand, requests, weight);
    const onPrimary = requests - onCandidate;
    const c = candidate === undefined ? traffic.candidate : behaviour(candidate);
    const p = behaviour(primary);
    const candidateErrors = binomial(rand, onCandidate, c.errorRate);
    const primaryErrors = binomial(rand, onPrimary, p.errorRate);
    const candidateSlow = binomial(rand, onCandidate, c.slowRate ?? 0);
    const primarySlow = binomial(rand, onPrimary, p.slowRate ?? 0);
    const served: Array<[string, Served]> = [[primary, { invocations: onPrimary, errors: primaryErrors, slow: primarySlow }]];
    if (candidate !== undefined) served.push([candidate, { invocations: onCandidate, errors: candidateErrors, slow: candidateSlow }]);
    const minute = Math.floor(from / MINUTE_MS);
    if (this.minuteIds[this.minuteIds.length - 1] !== minute) {
      this.minuteIds.push(minute);
      this.minuteData.push({ byVersion: new Map(), total: counter() });
    }
    const inMinute = this.minuteData[this.minuteData.length - 1];
    const slice = this.sliceStarts.length;
    this.sliceStarts.push(from);
    for (const [version, s] of served) {
      let byVersion = inMinute.byVersion.get(version);
      if (byVersion === undefined) inMinute.byVersion.set(version, (byVersion = counter()));
      count(byVersion, s);
      count(inMinute.total, s);
      if (!this.prefix.has(version))
        this.prefix.set(version, {
          invocations: new Array<number>(slice).fill(0),
          errors: new Array<number>(slice).fill(0),
          slow: new Array<number>(slice).fill(0),
        });
    }
    for (const [version, sums] of this.prefix) {
      const s = served.find(([v]) => v === version)?.[1] ?? NONE;
      sums.invocations.push((sums.invocations[slice - 1] ?? 0) + s.invocations);
      sums.errors.push((sums.errors[slice - 1] ?? 0) + s.errors);
      sums.slow.push((sums.slow[slice - 1] ?? 0) + s.slow);
    }
  }

  private upTo(version: string, slice: number): Served {
    const sums = this.prefix.get(version);
    if (slice < 0 || sums === undefined) return NONE;
    return { invocations: sums.invocations[slice], errors: sums.errors[slice], slow: sums.slow[slice] };
  }

  private update(target: AliasTarget, revisionId: string): LiveAlias {
    if (revisionId !== this.current.revisionId) {
      throw new ConflictError(
        `someone else changed the alias ${this.options.functionName ?? 'simulated-fn'}:live since it was read (revision ` +
          `${revisionId}); nothing was overwritten`,
        'look at it with `faas status`, then continue with `faas resume` or undo with `faas rollback`',
      );
    }
    this.writes.push({ target, revisionId });
    return this.write(target);
  }

  private write(target: AliasTarget): LiveAlias {
    this.revision++;
    this.lastWrite = this.now;
    this.current = {
      primary: target.primary,
      candidate: target.candidate,
      weight: target.candidate === undefined ? 0 : (target.weight ?? 0),
      revisionId: `rev-${this.revision}`,
    };
    return this.current;
  }

  private warmCapacity(qualifier: string) {
    if (this.options.warmUpMs === undefined || qualifier !== 'live') return undefined;
    const ready = this.now - this.lastWrite >= this.options.warmUpMs;
    return { status: ready ? ('READY' as const) : ('IN_PROGRESS' as const), requested: 2, allocated: ready ? 2 : 1 };
  }

  /** Slices that began in [start, end). */
  private versionWindows(versions: readonly string[], start: number, end: number): Record<string, VersionWindow> {
    const before = firstAtOrAfter(this.sliceStarts, start) - 1;
    const last = firstAtOrAfter(this.sliceStarts, end) - 1;
    const windows: Record<string, VersionWindow> = {};
    for (const v of versions) windows[v] = this.window(last <= before ? NONE : subtract(this.upTo(v, last), this.upTo(v, before)));
    return windows;
  }

  private window(served: Served): VersionWindow {
    const { latency } = this.options.traffic;
    const p99Ms =
      latency === undefined || served.invocations === 0
        ? undefined
        : slowAtP99(served.invocations, served.slow)
          ? latency.slowMs
          : latency.fastMs;
    return { invocations: served.invocations, errors: served.errors, ...(p99Ms === undefined ? {} : { p99Ms }) };
  }

  /** Minutes with traffic in [⌊start⌋, ⌈end⌉), at least one, oldest first (CloudWatch has no datapoint for a silent minute). */
  private minuteCounts(candidate: string, stable: string, start: number, end: number): MinuteCounts[] {
    const from = Math.floor(start / MINUTE_MS);
    const to = Math.max(from + 1, Math.ceil(end / MINUTE_MS));
    const counts: MinuteCounts[] = [];
    for (let i = firstAtOrAfter(this.minuteIds, from); i < this.minuteIds.length && this.minuteIds[i] < to; i++) {
      const { byVersion } = this.minuteData[i];
      const c = byVersion.get(candidate) ?? NONE;
      const s = byVersion.get(stable) ?? NONE;
      counts.push({
        candidate: { invocations: c.invocations, errors: c.errors },
        stable: { invocations: s.invocations, errors: s.errors },
      });
    }
    return counts;
  }

  /** Judged on the minutes completed by now; a minute without traffic does not breach. */
  private alarmState(alarm: SimulatedAlarm): AlarmState {
    const last = Math.floor(this.now / MINUTE_MS) - 1;
    const total = (m: number): Served => {
      const i = firstAtOrAfter(this.minuteIds, m);
      return this.minuteIds[i] === m ? this.minuteData[i].total : NONE;
    };
    if (alarm.kind === 'errors')
      return last >= Math.floor(this.start / MINUTE_MS) && total(last).errors >= alarm.perMinute ? 'ALARM' : 'OK';
    if (alarm.kind === 'quiet') return 'OK';
    const { latency } = this.options.traffic;
    if (latency === undefined) return 'INSUFFICIENT_DATA';
    let breaching = 0;
    for (let m = Math.max(last - 4, Math.floor(this.start / MINUTE_MS)); m <= last; m++) {
      const t = total(m);
      const p99 = t.invocations > 0 && slowAtP99(t.invocations, t.slow) ? latency.slowMs : latency.fastMs;
      if (t.invocations > 0 && p99 >= alarm.thresholdMs) breaching++;
    }
    return breaching >= 3 ? 'ALARM' : 'OK';
  }
}

/** Nearest-rank p99 of n requests is a slow one when the slow ones reach n − ⌈0.99·n⌉ + 1. */
function slowAtP99(invocations: number, slow: number): boolean {
  return slow >= invocations - Math.ceil(0.99 * invocations) + 1;
}

/** The value, or the error as a rejection (as an SDK call fails). */
function settle<T>(f: () => T): Promise<T> {
  try {
    return Promise.resolve(f());
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Index of the first value ≥ x in an ascending array (its length if none). */
function firstAtOrAfter(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A mutable count, kept inside the world. */
interface Counter {
  invocations: number;
  errors: number;
  slow: number;
}

function counter(): Counter {
  return { invocations: 0, errors: 0, slow: 0 };
}

function count(into: Counter, s: Served): void {
  into.invocations += s.invocations;
  into.errors += s.errors;
  into.slow += s.slow;
}

function subtract(a: Served, b: Served): Served {
  return { invocations: a.invocations - b.invocations, errors: a.errors - b.errors, slow: a.slow - b.slow };
}
