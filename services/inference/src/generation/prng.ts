/**
 * Mulberry32: a tiny seeded PRNG. The demo models' weights come from it (the same bytes and SHA-256 on every
 * machine), and so does each generate request's sampling stream: one generator per sequence, so a seed gives the
 * same tokens whatever else shares the batch. Not for cryptography.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
