/**
 * Seeded randomness for simulations and property tests (bench/ and test/ both use it): a small
 * PRNG and binomial draws, so every simulated rollout is deterministic for its seed.
 */

/** mulberry32: a small seeded PRNG. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Binomial(n, p) draws, fast enough for thousands of rollouts: exact by geometric gaps when few
 * successes are expected, else the normal approximation (used only for the routing split).
 * Draws nothing when n is 0 or p is 0 or 1, so a model without (say) slow requests leaves the
 * stream of the other draws as it is.
 */
export function binomial(rand: () => number, n: number, p: number): number {
  if (n === 0 || p <= 0) return 0;
  if (p >= 1) return n;
  const q = Math.min(p, 1 - p);
  let count: number;
  if (n * q > 50) {
    const z = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    count = Math.min(n, Math.max(0, Math.round(n * q + z * Math.sqrt(n * q * (1 - q)))));
  } else {
    count = 0;
    const logMiss = Math.log(1 - q);
    for (let trial = Math.floor(Math.log(1 - rand()) / logMiss); trial < n; trial += 1 + Math.floor(Math.log(1 - rand()) / logMiss))
      count++;
  }
  return q === p ? count : n - count;
}
