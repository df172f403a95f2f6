/**
 * What a human sees while the CLI waits: a cli-progress bar on a terminal (step, weight, gate
 * values, time left in the bake), plain event lines otherwise, nothing but JSON with --json.
 */
import { SingleBar } from 'cli-progress';
import type { Writer } from './runtime';

export interface ProgressState {
  readonly label: string;
  /** 0–total, in seconds (bake elapsed, or messages moved). */
  readonly value: number;
  readonly total: number;
  readonly detail: string;
  readonly left: string;
}

export interface ProgressView {
  update(state: ProgressState): void;
  /** An event worth a line of its own (a weight change, a rollback). */
  event(line: string): void;
  stop(): void;
}

export function terminalProgress(stream: NodeJS.WriteStream): ProgressView {
  let bar: SingleBar | undefined;
  return {
    update(state) {
      if (!bar) {
        bar = new SingleBar({
          stream,
          format: '{label} [{bar}] {left} | {detail}',
          barsize: 20,
          hideCursor: true,
          clearOnComplete: false,
          linewrap: false,
        });
        bar.start(Math.max(state.total, 1), 0, state);
      }
      bar.setTotal(Math.max(state.total, 1));
      bar.update(Math.min(state.value, Math.max(state.total, 1)), { label: state.label, detail: state.detail, left: state.left });
    },
    event(line) {
      if (bar) {
        bar.stop();
        bar = undefined;
      }
      stream.write(`${line}\n`);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}

/** Without a terminal (CI logs, pipes): events only; with --json: silence (the JSON tells all). */
export function lineProgress(out: Writer | undefined): ProgressView {
  return {
    update: () => undefined,
    event: (line) => out?.write(`${line}\n`),
    stop: () => undefined,
  };
}
