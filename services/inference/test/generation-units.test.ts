import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bestSplit, stepCost } from '../src/generation/buckets.js';
import { decoderLayout, isDecoderGraph, kvBytesPerToken } from '../src/generation/decoder-layout.js';
import { readGenerativeFiles } from '../src/generation/model-files.js';
import { Sampler, argmax } from '../src/generation/sampling.js';
import { TokenStream } from '../src/generation/token-stream.js';
import { parseModelConfig } from '../src/model-repository/model-config.js';
import { kvCacheTokensFor } from '../src/model-repository/version-loader.js';
import type { WireValueMetadata } from '../src/workers/messages.js';

const tensor = (name: string, type: string, shape: Array<number | string>): WireValueMetadata => ({ name, type, shape });
const optimumInputs = (layers: number, extra: WireValueMetadata[] = [], kv: Array<number | string> = ['batch_size', 8, 'past_sequence_length', 64]) => [
  tensor('input_ids', 'int64', ['batch_size', 'sequence_length']),
  tensor('attention_mask', 'int64', ['batch_size', 'total_sequence_length']),
  ...extra,
  ...Array.from({ length: layers }, (_, l) => [tensor(`past_key_values.${l}.key`, 'float16', kv), tensor(`past_key_values.${l}.value`, 'float16', kv)]).flat(),
];
const optimumOutputs = (layers: number, vocab: number | string = 32000) => [
  tensor('logits', 'float16', ['batch_size', 'sequence_length', vocab]),
  ...Array.from({ length: layers }, (_, l) => [tensor(`present.${l}.key`, 'float16', []), tensor(`present.${l}.value`, 'float16', [])]).flat(),
];

describe('decoder layout from the graph', () => {
  it('reads layers, kv heads, head dim, dtypes and the optional inputs of an Optimum export', () => {
    const inputs = optimumInputs(22, [tensor('position_ids', 'int64', ['batch_size', 'sequence_length']), tensor('use_cache_branch', 'bool', [1])]);
    expect(isDecoderGraph(inputs, optimumOutputs(22))).toBe(true);
    const layout = decoderLayout(inputs, optimumOutputs(22));
    expect(layout).toEqual({ layers: 22, kvHeads: 8, headDim: 64, kvType: 'float16', logitsType: 'float16', vocabSize: 32000, positionIds: true, useCacheBranch: true });
    expect(kvBytesPerToken(layout)).toBe(2 * 22 * 8 * 64 * 2);
  });

  it('takes symbolic axes from config.json hints, and says which is missing without them', () => {
    const inputs = optimumInputs(2, [], ['batch_size', 'num_heads', 'past_sequence_length', 'head_dim']);
    expect(decoderLayout(inputs, optimumOutputs(2, 'vocab'), { kvHeads: 4, headDim: 16, vocabSize: 100 })).toMatchObject({ kvHeads: 4, headDim: 16, vocabSize: 100 });
    expect(() => decoderLayout(inputs, optimumOutputs(2, 'vocab'))).toThrow(/kv-head axis of past_key_values.0.key is symbolic/);
  });

  it('refuses graphs it cannot drive, naming the problem', () => {
    expect(() => decoderLayout(optimumInputs(2, [tensor('token_type_ids', 'int64', ['b', 's'])]), optimumOutputs(2))).toThrow(/token_type_ids are not supported/);
    expect(() => decoderLayout(optimumInputs(2), optimumOutputs(1))).toThrow(/no output present.1.key/);
    expect(() => decoderLayout(optimumInputs(2).filter((i) => i.name !== 'past_key_values.1.value'), optimumOutputs(2))).toThrow(/no input past_key_values.1.value/);
    expect(() => decoderLayout(optimumInputs(1).filter((i) => i.name !== 'attention_mask'), optimumOutputs(1))).toThrow(/no 'attention_mask' input/);
    const int8 = optimumInputs(1).map((i) => (i.name.startsWith('past') ? { ...i, type: 'int8' } : i));
    expect(() => decoderLayout(int8, optimumOutputs(1))).toThrow(/KV cache type int8 is not supported/);
    expect(isDecoderGraph(optimumInputs(0), optimumOutputs(0))).toBe(false);
  });
});

describe('Hugging Face files', () => {
  const folder = async (files: Record<string, object>): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'hf-files-'));
    for (const [name, json] of Object.entries(files)) await writeFile(join(dir, name), JSON.stringify(json));
    return dir;
  };

  it('reads context, eos ids (a list in generation_config) and layout hints', async () => {
    const dir = await folder({
      'config.json': { max_position_embeddings: 2048, num_attention_heads: 32, num_key_value_heads: 4, hidden_size: 2048, vocab_size: 32000, eos_token_id: 2 },
      'generation_config.json': { eos_token_id: [2, 32000] },
      'tokenizer_config.json': { model_max_length: 1e30 },
    });
    expect(await readGenerativeFiles(dir)).toEqual({
      contextLength: 2048,
      contextSource: 'config.json max_position_embeddings',
      eosTokenIds: [2, 32000],
      hints: { kvHeads: 4, headDim: 64, vocabSize: 32000 },
    });
    await rm(dir, { recursive: true });
  });

  it('finds eos through tokenizer_config eos_token and tokenizer.json added tokens; ignores the 1e30 "no limit" length', async () => {
    const dir = await folder({
      'config.json': { n_positions: 512 },
      'tokenizer_config.json': { eos_token: { content: '</s>' }, model_max_length: 1e30 },
      'tokenizer.json': { added_tokens: [{ id: 7, content: '<pad>' }, { id: 3, content: '</s>' }] },
    });
    expect(await readGenerativeFiles(dir)).toMatchObject({ contextLength: 512, eosTokenIds: [3] });
    await rm(dir, { recursive: true });
  });

  it('without any context length, the error says where to set one', async () => {
    const dir = await folder({ 'config.json': {}, 'tokenizer_config.json': { model_max_length: 1e30 } });
    await expect(readGenerativeFiles(dir)).rejects.toThrow(/set "generation": \{"contextLength": n\}/);
    expect((await readGenerativeFiles(dir, 300)).contextLength).toBe(300);
    await writeFile(join(dir, 'config.json'), '{ not json');
    await expect(readGenerativeFiles(dir, 300)).rejects.toThrow(/config.json: invalid JSON/);
    await rm(dir, { recursive: true });
  });
});

describe('model config generation block', () => {
  it('accepts positive integers and names bad fields', () => {
    expect(parseModelConfig({ generation: { contextLength: 512, maxQueue: 4 } }, 'm/config.json').generation).toEqual({ contextLength: 512, maxQueue: 4 });
    expect(() => parseModelConfig({ generation: { maxSequences: 0 } }, 'm/config.json')).toThrow('m/config.json: "generation.maxSequences" must be a positive integer, got 0');
    expect(() => parseModelConfig({ generation: { kvTokens: 5 } }, 'm/config.json')).toThrow(/unknown field "generation.kvTokens"/);
    expect(() => parseModelConfig({ generation: [] }, 'm/config.json')).toThrow(/"generation" must be an object/);
  });

  it('sizes the automatic KV budget from the model: sequences × context, at most 1 GiB, at least one context', () => {
    const layout = { layers: 2, kvHeads: 2, headDim: 32, kvType: 'float32', logitsType: 'float32', vocabSize: 261, positionIds: true, useCacheBranch: false } as const;
    expect(kvCacheTokensFor(layout, 64, 1024)).toBe(65536);
    const big = { ...layout, layers: 80, kvHeads: 8, headDim: 128, kvType: 'float16' } as const; // 320 KiB per token
    expect(kvCacheTokensFor(big, 64, 8192)).toBe(8192);
    expect(kvCacheTokensFor(big, 64, 2048)).toBe(3276);
  });
});

describe('decode buckets', () => {
  /** Least step cost over every way to cut the sorted lengths into at most `max` runs, by enumeration. */
  const bruteForce = (lengths: number[], run: number, max: number): number => {
    const sorted = [...lengths].sort((a, b) => a - b);
    let best = Number.POSITIVE_INFINITY;
    for (let cuts = 0; cuts < 2 ** (sorted.length - 1); cuts++) {
      const groups: number[][] = [[]];
      sorted.forEach((length, i) => {
        if (i > 0 && cuts & (1 << (i - 1))) groups.push([]);
        (groups[groups.length - 1] as number[]).push(length);
      });
      if (groups.length <= max) best = Math.min(best, stepCost(groups, run));
    }
    return best;
  };

  it('finds the least-cost split, every row exactly once', () => {
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let trial = 0; trial < 60; trial++) {
      const lengths = Array.from({ length: 1 + Math.floor(next() * 10) }, () => 1 + Math.floor(next() * 300));
      const run = Math.floor(next() * 600);
      const max = 1 + Math.floor(next() * 4);
      const split = bestSplit(lengths, run, max);
      expect(split.length).toBeLessThanOrEqual(max);
      expect(split.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
      expect(stepCost(split.map((g) => g.map((i) => lengths[i] as number)), run)).toBe(bruteForce(lengths, run, max));
    }
  });

  it('keeps rows together when a run costs more than their padding, and parts them when it costs less', () => {
    const lengths = [10, 12, 300, 305];
    expect(bestSplit(lengths, 5000, 4)).toEqual([[0, 1, 2, 3]]);
    expect(bestSplit(lengths, 100, 4)).toEqual([[0, 1], [2, 3]]);
    expect(bestSplit([], 100, 4)).toEqual([]);
  });
});

describe('sampling', () => {
  const logits = Float32Array.from([0.1, 2, 1.9, -1, 0.5]);

  it('argmax picks the largest, the lowest id on a tie', () => {
    expect(argmax(logits, 0, 5)).toBe(1);
    expect(argmax(Float32Array.from([3, 3, 1]), 0, 3)).toBe(0);
  });

  it('top-p keeps the smallest set reaching the mass; top-k keeps the k best', () => {
    const draws = (params: { temperature: number; topK: number; topP: number }) => {
      const sampler = new Sampler(params, 123);
      return new Set(Array.from({ length: 400 }, () => sampler.next(logits, 0, 5)));
    };
    expect(draws({ temperature: 1, topK: 0, topP: 0.5 })).toEqual(new Set([1, 2]));
    expect(draws({ temperature: 1, topK: 2, topP: 1 })).toEqual(new Set([1, 2]));
    expect(draws({ temperature: 1, topK: 0, topP: 1 })).toEqual(new Set([0, 1, 2, 3, 4]));
    expect(draws({ temperature: 1, topK: 0, topP: 0.01 })).toEqual(new Set([1]));
  });

  it('the same seed draws the same sequence', () => {
    const run = (seed: number) => {
      const sampler = new Sampler({ temperature: 0.8, topK: 0, topP: 1 }, seed);
      return Array.from({ length: 50 }, () => sampler.next(logits, 0, 5));
    };
    expect(run(9)).toEqual(run(9));
    expect(run(9)).not.toEqual(run(10));
  });
});

describe('token stream', () => {
  it('delivers batches pushed before and after iteration starts, then ends; an error ends it after the buffer', async () => {
    const stream = new TokenStream();
    stream.push([1, 2]);
    const seen: number[][] = [];
    const reading = (async () => {
      for await (const batch of stream) seen.push([...batch]);
    })();
    stream.push([3]);
    stream.end();
    await reading;
    expect(seen).toEqual([[1, 2], [3]]);
    const failing = new TokenStream();
    failing.push([4]);
    failing.end(new Error('worker died'));
    const got: number[] = [];
    await expect((async () => {
      for await (const batch of failing) got.push(...batch);
    })()).rejects.toThrow('worker died');
    expect(got).toEqual([4]);
  });

  it('breaking out of the iteration calls onReturn (the engine cancels the sequence)', async () => {
    let returned = 0;
    const stream = new TokenStream(() => returned++);
    stream.push([1]);
    stream.push([2]);
    for await (const batch of stream) if (batch[0] === 1) break;
    expect(returned).toBe(1);
  });
});
