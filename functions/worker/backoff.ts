/**
 * Retry delay for a failed queue message: exponential in the number of receives, with jitter
 * so that records failing together do not come back together.
 */

export interface BackoffPolicy {
  /** Delay ceiling of the first retry, in seconds. */
  readonly baseSeconds: number;
  /** Largest delay, in seconds (SQS allows at most 43200). */
  readonly maxSeconds: number;
}

/** SQS's longest visibility timeout. */
const SQS_MAX_VISIBILITY_SECONDS = 43200;

/**
 * Seconds to keep a message hidden after its `receiveCount`-th receive failed. "Equal jitter":
 * half of the exponential ceiling is fixed and half random, so delays are spread out yet never
 * shrink from one attempt to the next (until the cap).
 */
export function backoffSeconds(receiveCount: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const attempt = Math.max(1, Math.floor(receiveCount));
  const ceiling = Math.min(policy.maxSeconds, SQS_MAX_VISIBILITY_SECONDS, policy.baseSeconds * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
