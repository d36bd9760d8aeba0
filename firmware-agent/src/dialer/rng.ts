// Seeded pseudo-random numbers for the simulator: the same seed gives the same call stream to
// every policy, so policies are compared on identical luck.

/** mulberry32: small, fast, good enough for simulation (not for anything secret). */
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

export function uniform(rand: () => number, min: number, max: number): number {
  return min + (max - min) * rand();
}

export function exponential(rand: () => number, mean: number): number {
  return -mean * Math.log(1 - rand());
}

/** Standard normal by Box–Muller (one value per call; the pair's twin is dropped for simplicity). */
export function normal(rand: () => number): number {
  const u = 1 - rand();
  const v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Lognormal with the given MEAN (not median) and sigma of the underlying normal. */
export function lognormal(rand: () => number, mean: number, sigma: number): number {
  const mu = Math.log(mean) - (sigma * sigma) / 2;
  return Math.exp(mu + sigma * normal(rand));
}
