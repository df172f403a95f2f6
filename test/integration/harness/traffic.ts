/**
 * Real HTTP traffic for release scenarios: GET requests paced at a fixed rate through API Gateway
 * on the emulator's data plane, each answer kept (when, status, which version answered), so a
 * scenario counts what users saw — failed requests before a rollback, the weighted split.
 * Bounded: it stops when asked, or after `maxMs` at the latest.
 */

export interface Answer {
  /** ms since the traffic started. */
  readonly at: number;
  readonly status: number;
  /** The version that answered (hello's body says so); undefined for failures. */
  readonly version?: string;
  readonly ms: number;
}

export interface TrafficLog {
  readonly answers: readonly Answer[];
  readonly startedAt: number;
  readonly durationMs: number;
  /** Achieved rate. */
  readonly rps: number;
}

export interface Traffic {
  /** Stops sending, waits for requests in flight, and returns every answer. */
  stop(): Promise<TrafficLog>;
  /** Answers so far (live view). */
  readonly answers: readonly Answer[];
}

export interface TrafficOptions {
  readonly rps: number;
  /** Requests in flight at most. @default 4 */
  readonly concurrency?: number;
  /** Hard stop. @default 10 minutes */
  readonly maxMs?: number;
}

export function startTraffic(url: string, options: TrafficOptions): Traffic {
  const startedAt = Date.now();
  const answers: Answer[] = [];
  const gapMs = 1000 / options.rps;
  const maxMs = options.maxMs ?? 600_000;
  let stopped = false;
  let next = 0;
  const worker = async () => {
    while (!stopped && Date.now() - startedAt < maxMs) {
      // Slots are shared: each worker takes the next one and waits for its time.
      const slot = next++;
      const wait = startedAt + slot * gapMs - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (stopped) return;
      const sent = Date.now();
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(15_000) });
        const text = await response.text();
        let version: string | undefined;
        if (response.status === 200) {
          try {
            version = (JSON.parse(text) as { version?: string }).version;
          } catch {
            // Not hello's JSON: counted by status alone.
          }
        }
        answers.push({ at: sent - startedAt, status: response.status, version, ms: Date.now() - sent });
      } catch {
        answers.push({ at: sent - startedAt, status: 0, ms: Date.now() - sent });
      }
    }
  };
  const workers = Array.from({ length: options.concurrency ?? 4 }, worker);
  return {
    answers,
    async stop() {
      stopped = true;
      await Promise.all(workers);
      const durationMs = Date.now() - startedAt;
      return { answers: [...answers].sort((a, b) => a.at - b.at), startedAt, durationMs, rps: answers.length / (durationMs / 1000) };
    },
  };
}

/** Answers by status class and version: what users saw. */
export function tally(answers: readonly Answer[]): {
  total: number;
  ok: number;
  failed: number;
  throttled: number;
  byVersion: Record<string, number>;
} {
  const byVersion: Record<string, number> = {};
  for (const a of answers) if (a.version !== undefined) byVersion[a.version] = (byVersion[a.version] ?? 0) + 1;
  return {
    total: answers.length,
    ok: answers.filter((a) => a.status === 200).length,
    // 429 is the stage throttle, not the function: counted apart.
    failed: answers.filter((a) => a.status !== 200 && a.status !== 429).length,
    throttled: answers.filter((a) => a.status === 429).length,
    byVersion,
  };
}
