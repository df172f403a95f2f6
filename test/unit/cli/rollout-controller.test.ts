/**
 * The rollout controller through its ports, with fakes: a clock that advances on sleep, an alias
 * store with revision ids, scripted per-minute metrics — and once with the simulated world.
 * No AWS, no real time.
 */
import { ConflictError } from '../../../cli/adapters/failures';
import type { CanaryPlan } from '../../../cli/engine/plan';
import { POOLED_SPRT } from '../../../cli/engine/sequential-test';
import { driveRollout, type RolloutRequest } from '../../../cli/rollout/controller';
import {
  Interrupted,
  type AliasTarget,
  type LiveAlias,
  type RolloutEvent,
  type RolloutPorts,
  type WarmCapacity,
} from '../../../cli/rollout/ports';
import { parseSettings, rolloutFlags } from '../../../cli/rollout/settings';
import { predictRollout, simulateRollout } from '../../../simulation/prediction';
import { mulberry32 } from '../../../simulation/random';

const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);
const MINUTE = 60_000;

interface Counts {
  readonly invocations: number;
  readonly errors: number;
}

/** What each version serves in one minute at the alias as it is. */
type Minute = (alias: LiveAlias) => { readonly candidate: Counts; readonly stable: Counts };

/** 4000 requests a minute split by weight, 0.5 % errors on both. */
const healthy: Minute = (alias) => {
  const c = Math.round(4000 * alias.weight);
  return {
    candidate: { invocations: c, errors: Math.round(c * 0.005) },
    stable: { invocations: 4000 - c, errors: Math.round((4000 - c) * 0.005) },
  };
};

interface Fake {
  readonly ports: RolloutPorts;
  readonly writes: Array<{ target: AliasTarget; revisionId: string }>;
  readonly events: RolloutEvent[];
  readonly sleeps: number[];
  /** Starts of the windows and minute ranges the controller asked for, in ms since T0. */
  readonly windowStarts: number[];
  readonly minuteStarts: number[];
  alias: LiveAlias;
  abort(): void;
  elapsed(): number;
}

function fakePorts(
  initial: Omit<LiveAlias, 'revisionId'>,
  options: { minute?: Minute; warm?: (sinceWriteMs: number) => WarmCapacity | undefined; onSleep?: (fake: Fake) => void } = {},
): Fake {
  let now = T0;
  let lastWrite = T0;
  let revision = 1;
  const interrupt = new AbortController();
  const minute = options.minute ?? healthy;
  const minutesIn = (start: Date, end: Date) => Math.max(1, Math.ceil((end.getTime() - start.getTime()) / MINUTE));
  const fake: Fake = {
    writes: [],
    events: [],
    sleeps: [],
    windowStarts: [],
    minuteStarts: [],
    alias: { ...initial, revisionId: 'rev-1' },
    abort: () => interrupt.abort(),
    elapsed: () => now - T0,
    ports: {
      clock: {
        now: () => now,
        sleep: async (ms) => {
          if (interrupt.signal.aborted) throw new Interrupted();
          fake.sleeps.push(ms);
          now += ms;
          options.onSleep?.(fake);
          if (interrupt.signal.aborted) throw new Interrupted();
        },
        interrupt: interrupt.signal,
      },
      alias: {
        get: async () => fake.alias,
        update: async (target, revisionId) => {
          if (revisionId !== fake.alias.revisionId) throw new ConflictError(`stale revision ${revisionId}`, 'read it again');
          fake.writes.push({ target, revisionId });
          lastWrite = now;
          fake.alias = {
            primary: target.primary,
            candidate: target.candidate,
            weight: target.candidate === undefined ? 0 : (target.weight ?? 0),
            revisionId: `rev-${++revision}`,
          };
          return fake.alias;
        },
        warmCapacity: async (qualifier) => (qualifier === 'live' ? options.warm?.(now - lastWrite) : undefined),
      },
      metrics: {
        versionWindows: async ([candidate, stable], start, end) => {
          fake.windowStarts.push(start.getTime() - T0);
          const n = end.getTime() > start.getTime() ? minutesIn(start, end) : 0;
          const m = minute(fake.alias);
          const times = (c: Counts) => ({ invocations: c.invocations * n, errors: c.errors * n });
          return { [candidate]: times(m.candidate), [stable]: times(m.stable) };
        },
        minuteCounts: async (_candidate, _stable, start, end) => {
          fake.minuteStarts.push(start.getTime() - T0);
          return Array.from({ length: minutesIn(start, end) }, () => minute(fake.alias));
        },
        alarmStates: async (names) => names.map((name) => ({ name, state: 'OK' as const })),
      },
      report: (event) => fake.events.push(event),
    },
  };
  return fake;
}

const PLAN: CanaryPlan = {
  candidate: '4',
  steps: [0.01, 0.03, 0.2, 0.5, 1],
  bakeMs: 2 * MINUTE,
  rampBakeMs: MINUTE,
  maxBakeMs: 15 * MINUTE,
  minInvocations: 5,
  gates: [],
  alarms: [],
  comparison: POOLED_SPRT,
};

function request(fake: Fake, overrides: Partial<RolloutRequest> = {}): RolloutRequest {
  return {
    name: 'hello',
    functionName: 'faas-dev-hello',
    plan: PLAN,
    alias: fake.alias,
    lookbackMs: 60 * MINUTE,
    pollMs: 30_000,
    warmTimeoutMs: 15 * MINUTE,
    promote: true,
    ...overrides,
  };
}

describe('rollout controller', () => {
  it('resumes from the alias at 20%: bakes there from now, reads the lookback before it, then 50, 100 and promotes', async () => {
    // GIVEN a rollout left at 20 %
    const fake = fakePorts({ primary: '3', candidate: '4', weight: 0.2 });

    // WHEN
    const outcome = await driveRollout(request(fake), fake.ports);

    // THEN nothing below 20 % is written again, each write carries the revision read before it
    expect(outcome.end).toMatchObject({ kind: 'promoted' });
    expect(fake.events[0]).toEqual({ kind: 'resumed', alias: { primary: '3', candidate: '4', weight: 0.2, revisionId: 'rev-1' } });
    expect(fake.writes).toEqual([
      { target: { primary: '3', candidate: '4', weight: 0.5 }, revisionId: 'rev-1' },
      { target: { primary: '3', candidate: '4', weight: 1 }, revisionId: 'rev-2' },
      { target: { primary: '4' }, revisionId: 'rev-3' },
    ]);
    expect(outcome.alias).toEqual(fake.alias);
    // The per-minute history starts the lookback before the resumed step, for the whole run.
    expect(new Set(fake.minuteStarts)).toEqual(new Set([-60 * MINUTE]));
  });

  it('stops with a ConflictError and writes nothing when its first write meets another RevisionId', async () => {
    // GIVEN the alias changed after the command read it (revision 1 read, the store is at 2)
    const fake = fakePorts({ primary: '3', weight: 0 });
    const read = fake.alias;
    fake.alias = { ...read, revisionId: 'rev-2' };

    // WHEN / THEN
    await expect(driveRollout(request(fake, { alias: read }), fake.ports)).rejects.toThrow(ConflictError);
    expect(fake.writes).toEqual([]);
    expect(fake.alias).toEqual({ primary: '3', weight: 0, revisionId: 'rev-2' });
  });

  it('stops with a ConflictError, without writing, when someone else changes the alias during a bake', async () => {
    // GIVEN another operator rolls back by hand during the first bake
    const fake = fakePorts(
      { primary: '3', weight: 0 },
      { onSleep: (f) => void (f.alias = { primary: '3', weight: 0, revisionId: 'rev-9' }) },
    );

    // WHEN / THEN only our first step was written
    await expect(driveRollout(request(fake), fake.ports)).rejects.toThrow(
      /someone else changed the alias faas-dev-hello:live during the rollout \(now live → 3\); nothing was overwritten/,
    );
    expect(fake.writes).toHaveLength(1);
  });

  it('on interrupt leaves the alias at the step it reached and says so', async () => {
    // GIVEN Ctrl-C arrives during the bake at 3 %
    const fake = fakePorts({ primary: '3', weight: 0 }, { onSleep: (f) => (f.alias.weight === 0.03 ? f.abort() : undefined) });

    // WHEN
    const outcome = await driveRollout(request(fake), fake.ports);

    // THEN
    expect(outcome.end).toEqual({ kind: 'interrupted' });
    expect(outcome.alias).toEqual(fake.alias);
    expect(fake.alias).toMatchObject({ primary: '3', candidate: '4', weight: 0.03 });
    expect(fake.writes.map((w) => w.target.weight)).toEqual([0.01, 0.03]);
  });

  it("waits for provisioned concurrency READY after a weight change before the step's bake starts", async () => {
    // GIVEN live's provisioned concurrency is IN_PROGRESS for 10 s after each write
    const fake = fakePorts(
      { primary: '3', weight: 0 },
      { warm: (since) => ({ status: since >= 10_000 ? 'READY' : 'IN_PROGRESS', requested: 4, allocated: since >= 10_000 ? 4 : 1 }) },
    );

    // WHEN
    const outcome = await driveRollout(request(fake, { plan: { ...PLAN, steps: [0.5, 1] } }), fake.ports);

    // THEN two 5-second polls after each write, reported as warming, and each step's window begins once READY
    expect(outcome.end).toMatchObject({ kind: 'promoted' });
    expect(fake.sleeps.slice(0, 2)).toEqual([5_000, 5_000]);
    expect(fake.events.filter((e) => e.kind === 'warming')).toHaveLength(4);
    expect(fake.windowStarts[0]).toBe(10_000);
    expect(fake.elapsed()).toBe(10_000 + MINUTE + 10_000 + 2 * MINUTE);
  });

  it('holds a baked ramp step while the comparison leans worse, and rolls back there instead of advancing', async () => {
    // GIVEN each minute the candidate fails 1 of 15 requests at 25 %, the stable version none of 45
    const fake = fakePorts(
      { primary: '3', weight: 0 },
      { minute: () => ({ candidate: { invocations: 15, errors: 1 }, stable: { invocations: 45, errors: 0 } }) },
    );

    // WHEN
    const outcome = await driveRollout(request(fake, { plan: { ...PLAN, steps: [0.25, 0.5, 1] } }), fake.ports);

    // THEN past its 1-minute bake the step held at 25 % until the test decided: never 50 %
    const holding = fake.events.filter((e) => e.kind === 'baking' && /^holding at 25%: the comparison leans worse/.test(e.decision.reason));
    expect(holding.length).toBeGreaterThan(0);
    expect(holding.every((e) => e.kind === 'baking' && e.elapsedMs >= MINUTE)).toBe(true);
    expect(outcome.end).toMatchObject({ kind: 'rolled-back', cause: 'regression' });
    expect(fake.writes.map((w) => w.target)).toEqual([{ primary: '3', candidate: '4', weight: 0.25 }, { primary: '3' }]);
  });
});

describe('rollout controller in the simulated world', () => {
  it('rolls a 20× error candidate back at 1 %, after a handful of failed requests (10 rps, CLI defaults, seed 42)', async () => {
    // GIVEN `faas canary` with its defaults, 10 requests/s, stable 1 % errors, candidate 20 %
    const settings = parseSettings(rolloutFlags());
    const traffic = { requestsPerSecond: 10, stable: { errorRate: 0.01 }, candidate: { errorRate: 0.2 } };

    // WHEN
    const run = await simulateRollout(mulberry32(42), { ...settings, plan: { ...settings.plan, candidate: '2', alarms: [] } }, traffic);

    // THEN the known outcome for this seed: rolled back as a regression at the first step
    const { end, history } = run.outcome;
    expect(end).toMatchObject({
      kind: 'rolled-back',
      cause: 'regression',
      reason: expect.stringMatching(/^candidate errors .* are worse than stable/),
    });
    expect(history[history.length - 1].weight).toBe(0.01);
    expect(run.outcome.alias).toMatchObject({ primary: '1', candidate: undefined, weight: 0 });
    // 3 errors in 8 candidate requests within 90 s: the mixture SPRT's ~3 errors for a 20× regression
    expect({ failed: run.candidate.errors, served: run.candidate.invocations, seconds: run.durationMs / 1000 }).toEqual({
      failed: 3,
      served: 8,
      seconds: 90,
    });
  });

  it('predicts from the flags as the CLI parses them, and refuses what the CLI refuses', async () => {
    // GIVEN / WHEN 20 rollouts of a 20× candidate with --steps 1,3,20,50,100 --bake 2m --poll 10s
    const prediction = await predictRollout({
      options: { steps: '1,3,20,50,100', bake: '2m', poll: '10s' },
      traffic: { requestsPerSecond: 10, stableErrorRate: 0.01, candidateErrorRate: 0.2 },
      seed: 7,
      runs: 20,
    });

    // THEN the plan is parseSettings' own, and every run rolled back after a few failed requests
    expect(prediction.plan).toEqual({ ...parseSettings(rolloutFlags({ bake: '2m', poll: '10s' })).plan, candidate: '2', alarms: [] });
    expect(prediction.outcomes).toEqual({ rolledBack: 20, inconclusive: 0, promoted: 0, held: 0 });
    expect(prediction.failedOnCandidate.p90).toBeLessThanOrEqual(10);
    expect(prediction.failedOnCandidate.median).toBeLessThanOrEqual(prediction.failedOnCandidate.p90);
    await expect(
      predictRollout({
        options: { steps: '5,150' },
        traffic: { requestsPerSecond: 1, stableErrorRate: 0.01, candidateErrorRate: 0.01 },
        seed: 1,
        runs: 1,
      }),
    ).rejects.toThrow(/each step must be in \(0, 100\]/);
  });
});
