import { mulberry32 } from '../../src/generation/prng.js';

export { mulberry32 };

/** `count` values uniform in [-scale, scale), rounded through float32 like the stored weights. */
export function uniformWeights(random: () => number, count: number, scale: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = (random() * 2 - 1) * scale;
  return out;
}
