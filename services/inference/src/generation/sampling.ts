import { mulberry32 } from './prng.js';
import type { SamplingParams } from './types.js';

/**
 * Chooses each next token of one sequence: argmax at temperature 0, otherwise softmax(logits / temperature)
 * restricted to the top-k tokens and then to the smallest set whose mass reaches top-p, drawn with the sequence's
 * own seeded generator. One draw per token, whatever shares the batch, so a seed reproduces the same tokens.
 */
export class Sampler {
  private readonly random: () => number;

  constructor(
    private readonly params: Pick<SamplingParams, 'temperature' | 'topK' | 'topP'>,
    seed: number,
  ) {
    this.random = mulberry32(seed);
  }

  /** The next token id from `logits[offset .. offset + vocab)`. */
  next(logits: Float32Array, offset: number, vocab: number): number {
    const { temperature, topK, topP } = this.params;
    if (temperature <= 0) return argmax(logits, offset, vocab);
    const k = topK > 0 ? Math.min(topK, vocab) : vocab;
    // Candidates best first; only sorted when top-k or top-p needs the order.
    let candidates: number[];
    if (k < vocab || topP < 1) {
      candidates = Array.from({ length: vocab }, (_, i) => i);
      candidates.sort((a, b) => (logits[offset + b] as number) - (logits[offset + a] as number) || a - b);
      candidates.length = k;
    } else {
      candidates = Array.from({ length: vocab }, (_, i) => i);
    }
    let max = Number.NEGATIVE_INFINITY;
    for (const id of candidates) max = Math.max(max, logits[offset + id] as number);
    const weights = new Float64Array(candidates.length);
    let total = 0;
    candidates.forEach((id, i) => {
      const w = Math.exp(((logits[offset + id] as number) - max) / temperature);
      weights[i] = w;
      total += w;
    });
    let count = candidates.length;
    if (topP < 1) {
      let mass = 0;
      for (let i = 0; i < candidates.length; i++) {
        mass += (weights[i] as number) / total;
        if (mass >= topP) {
          count = i + 1;
          break;
        }
      }
      total = 0;
      for (let i = 0; i < count; i++) total += weights[i] as number;
    }
    let target = this.random() * total;
    for (let i = 0; i < count; i++) {
      target -= weights[i] as number;
      if (target < 0) return candidates[i] as number;
    }
    return candidates[count - 1] as number;
  }
}

/** Index of the largest logit; the lowest index wins a tie, so greedy decoding is deterministic. */
export function argmax(logits: Float32Array, offset: number, vocab: number): number {
  let best = 0;
  let bestValue = logits[offset] as number;
  for (let i = 1; i < vocab; i++) {
    const value = logits[offset + i] as number;
    if (value > bestValue) {
      bestValue = value;
      best = i;
    }
  }
  return best;
}
