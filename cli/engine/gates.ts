/**
 * Absolute health gates: "errors<1%" and "p99<800ms". Parsed once, judged on a window of one
 * version's metrics. Pure.
 */
import { InputError } from './input-error';

export type Gate =
  | { readonly metric: 'errors'; readonly below: number; readonly text: string }
  | { readonly metric: 'p99'; readonly belowMs: number; readonly text: string };

/** What one version did in a window (CloudWatch: Invocations, Errors, Duration p99). */
export interface VersionWindow {
  readonly invocations: number;
  readonly errors: number;
  /** Absent when there were no invocations (CloudWatch returns no datapoint). */
  readonly p99Ms?: number;
}

export type GateStatus = 'pass' | 'fail' | 'pending' | 'n/a';

/** A gate's reading, as shown to the user and returned in --json. */
export interface GateValue {
  readonly gate: string;
  readonly value: string;
  readonly status: GateStatus;
}

const GATE_FORMAT = 'expected errors<N% or p99<Nms (also s), e.g. --gate "errors<1%" --gate "p99<800ms"';

export function parseGate(text: string): Gate {
  const compact = text.replace(/\s+/g, '');
  const errors = /^errors<(\d+(?:\.\d+)?)%$/i.exec(compact);
  if (errors) {
    const percent = Number(errors[1]);
    if (percent <= 0 || percent > 100) throw new InputError(`gate "${text}": the error threshold must be in (0%, 100%]`, GATE_FORMAT);
    return { metric: 'errors', below: percent / 100, text: compact };
  }
  const p99 = /^p99<(\d+(?:\.\d+)?)(ms|s)$/i.exec(compact);
  if (p99) {
    const ms = Number(p99[1]) * (p99[2].toLowerCase() === 's' ? 1000 : 1);
    if (ms <= 0) throw new InputError(`gate "${text}": the latency threshold must be above 0`, GATE_FORMAT);
    return { metric: 'p99', belowMs: ms, text: compact };
  }
  throw new InputError(`malformed gate "${text}"`, GATE_FORMAT);
}

/** Judges each gate on the candidate's window; without data a gate is pending, never passed. */
export function evaluateGates(gates: readonly Gate[], candidate: VersionWindow): GateValue[] {
  return gates.map((gate) => {
    if (gate.metric === 'errors') {
      if (candidate.invocations === 0) return { gate: gate.text, value: 'no invocations', status: 'pending' };
      const rate = candidate.errors / candidate.invocations;
      return {
        gate: gate.text,
        value: `${percent(rate)} (${candidate.errors}/${candidate.invocations})`,
        status: rate < gate.below ? 'pass' : 'fail',
      };
    }
    if (candidate.p99Ms === undefined) return { gate: gate.text, value: 'no data', status: 'pending' };
    return { gate: gate.text, value: `${Math.round(candidate.p99Ms)}ms`, status: candidate.p99Ms < gate.belowMs ? 'pass' : 'fail' };
  });
}

export function percent(fraction: number): string {
  return `${(Math.round(fraction * 10000) / 100).toString()}%`;
}
