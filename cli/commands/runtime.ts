/**
 * Everything a command touches outside itself — AWS (through adapters), the clock, sleeping,
 * the terminal, interrupts — so tests inject a fake clock and never wait in real time.
 */
import type { Adapters } from '../adapters/clients';
import { Interrupted } from '../rollout/ports';
import type { DeclaredNames } from './declared';
import type { ProgressView } from './progress';

/** The clock port's interrupt error; commands and tests import it from here too. */
export { Interrupted };

export interface Writer {
  write(text: string): void;
}

export interface Runtime {
  readonly adapters: (stackName: string) => Adapters;
  readonly now: () => number;
  /** Resolves after `ms`, or rejects with Interrupted when `signal` aborts first. */
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly stdout: Writer;
  readonly stderr: Writer;
  /** Aborted on SIGINT/SIGTERM. */
  readonly interrupt: AbortSignal;
  readonly progress: (json: boolean) => ProgressView;
  /**
   * The names faas.config.ts declares: the app (when --app is not given) and the functions and
   * stages every command checks before its first AWS call.
   * @throws InputError when faas.config.ts cannot be loaded
   */
  readonly declared: () => DeclaredNames;
}

export function realSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Interrupted());
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Interrupted());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
