import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoDecoderShape, type DecoderShape } from '../scripts/demo-model/decoder.js';
import { writeDemoModel, writeGenerativeModel } from '../scripts/demo-model/write-demo-model.js';
import { InferenceError } from '../src/protocol/errors.js';
import { bytePrompt, generate, greedy, startRegistry } from './helpers/generation.js';

// Other decoders from the same builder: nothing in the service knows their shapes, it reads them from the graph.
const variants: Record<string, DecoderShape> = {
  // Three layers, plain multi-head attention, no position_ids input (positions from attention_mask), float16 KV.
  'mha-fp16-nopos': { ...demoDecoderShape, layers: 3, heads: 2, kvHeads: 2, headDim: 16, hidden: 32, feedForward: 64, positionIds: false, kvDtype: 'float16', maxPositions: 256, seed: 11 },
  // One layer, multi-query attention (8 query heads share one key/value head), position_ids given.
  'mqa-1layer': { ...demoDecoderShape, layers: 1, heads: 8, kvHeads: 1, headDim: 8, hidden: 64, feedForward: 128, maxPositions: 512, seed: 12 },
};
// The same weights as mqa-1layer with the use_cache_branch input of a merged decoder: it must be fed true exactly when
// there is a past (a wrong value forces token 65), so its tokens equal mqa-1layer's.
const merged: DecoderShape = { ...(variants['mqa-1layer'] as DecoderShape), useCacheBranch: true };

let dir: string;
let service: Awaited<ReturnType<typeof startRegistry>>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'generation-models-'));
  for (const [name, shape] of Object.entries(variants)) await writeGenerativeModel(dir, name, shape);
  await writeGenerativeModel(dir, 'merged', merged);
  // Context from tokenizer_config.json when config.json has no max_position_embeddings.
  const tokenizerOnly = await writeGenerativeModel(dir, 'context-from-tokenizer', { ...demoDecoderShape, maxPositions: 300 });
  const hfConfig = JSON.parse(await readFile(join(tokenizerOnly.directory, 'config.json'), 'utf8'));
  delete hfConfig.max_position_embeddings;
  await writeFile(join(tokenizerOnly.directory, 'config.json'), JSON.stringify(hfConfig));
  // Our config.json may lower the context (and set generation limits), never raise it past the trained positions.
  await writeGenerativeModel(dir, 'context-override', demoDecoderShape, (sha256) => ({ versions: { 1: { sha256 } }, generation: { contextLength: 128, maxQueue: 3 } }));
  await writeGenerativeModel(dir, 'context-too-long', demoDecoderShape, () => ({ generation: { contextLength: 4096 } }));
  // A wrong SHA-256 refuses the version, as for tensor models.
  await writeGenerativeModel(dir, 'tampered', demoDecoderShape, () => ({ versions: { 1: { sha256: '0'.repeat(64) } } }));
  // An encoder with a tokenizer.json beside it stays a tensor model.
  await writeDemoModel(dir);
  await copyFile(join(tokenizerOnly.directory, 'tokenizer.json'), join(dir, 'demo', '1', 'tokenizer.json'));
  service = await startRegistry(dir, { workers: 1 });
});

afterAll(async () => {
  await service?.close();
  await rm(dir, { recursive: true, force: true });
});

const statusOf = (fn: () => unknown): number => {
  try {
    fn();
  } catch (error) {
    if (error instanceof InferenceError) return error.statusCode;
    throw error;
  }
  return 200;
};

describe('generative models of other shapes', () => {
  for (const [name, shape] of Object.entries(variants)) {
    it(`${name} (${shape.layers} layers, ${shape.heads} heads / ${shape.kvHeads} kv, ${shape.kvDtype} KV, position_ids ${shape.positionIds ? 'in' : 'derived'}) loads and batches correctly`, async () => {
      const engine = service.registry.generationEngine(name);
      expect(engine.info).toMatchObject({ contextLength: shape.maxPositions, vocabSize: shape.vocabSize, eosTokenIds: [257] });
      const texts = ['Hello', 'The quick brown fox jumps over the lazy dog', 'x'.repeat(60)];
      const alone = [];
      for (const text of texts) alone.push((await generate(engine, { promptIds: bytePrompt(text), params: greedy(40), stopTokenIds: [] })).tokens);
      const together = await Promise.all(texts.map((text) => generate(engine, { promptIds: bytePrompt(text), params: greedy(40), stopTokenIds: [] })));
      expect(together.map((r) => r.tokens)).toEqual(alone);
      expect(alone.every((t) => t.length === 40)).toBe(true);
      // The shapes really differ: different models, different continuations of the same prompt.
      expect(new Set(alone.map((t) => t.join(','))).size).toBe(texts.length);
    });
  }

  it('a merged decoder gets use_cache_branch = (past length > 0): its tokens equal the unmerged graph\'s', async () => {
    const request = { promptIds: bytePrompt('The quick brown fox'), params: greedy(30), stopTokenIds: [] };
    const [plain, withFlag] = await Promise.all([generate(service.registry.generationEngine('mqa-1layer'), request), generate(service.registry.generationEngine('merged'), request)]);
    expect(withFlag.tokens).toEqual(plain.tokens);
    expect(withFlag.tokens.filter((t) => t === 65).length).toBeLessThan(30);
  });

  it('the variants generate differently from each other and from the demo shape', async () => {
    const first = (name: string) => generate(service.registry.generationEngine(name), { promptIds: bytePrompt('Hello'), params: greedy(20), stopTokenIds: [] });
    const [a, b] = await Promise.all([first('mha-fp16-nopos'), first('mqa-1layer')]);
    expect(a.tokens).not.toEqual(b.tokens);
  });
});

describe('where the settings come from', () => {
  it('context length falls back to tokenizer_config.json model_max_length', () => {
    expect(service.registry.generationEngine('context-from-tokenizer').info.contextLength).toBe(300);
  });

  it('config.json generation.contextLength lowers the context; prompts beyond it are 400', () => {
    const engine = service.registry.generationEngine('context-override');
    expect(engine.info.contextLength).toBe(128);
    expect(statusOf(() => engine.submit({ promptIds: new Array(128).fill(65), params: greedy(1), stopTokenIds: [] }))).toBe(400);
  });

  it('a context override beyond max_position_embeddings refuses the version, saying why', () => {
    const served = service.registry.resolve('context-too-long');
    expect(served.state).toBe('unavailable');
    expect(served.reason).toContain('exceeds max_position_embeddings 1024');
    expect(statusOf(() => service.registry.generationEngine('context-too-long'))).toBe(503);
  });

  it('a SHA-256 mismatch refuses a generative version like any other', () => {
    const served = service.registry.resolve('tampered');
    expect(served.state).toBe('unavailable');
    expect(served.reason).toContain('integrity check failed');
  });
});

describe('the registry', () => {
  it('keeps an encoder with a tokenizer.json a tensor model: it has a batcher and no engine (generationEngine is 400)', () => {
    const served = service.registry.resolve('demo');
    expect(served.state).toBe('ready');
    expect(served.batcher).toBeDefined();
    expect(served.engine).toBeUndefined();
    expect(statusOf(() => service.registry.generationEngine('demo'))).toBe(400);
  });

  it('answers 404 for unknown models and versions, and lists the ready generative versions', () => {
    expect(statusOf(() => service.registry.generationEngine('nope'))).toBe(404);
    expect(statusOf(() => service.registry.generationEngine('mqa-1layer', '2'))).toBe(404);
    expect(service.registry.generativeModels().map((m) => m.model).sort()).toEqual(['context-from-tokenizer', 'context-override', 'merged', 'mha-fp16-nopos', 'mqa-1layer']);
  });

  it('metadata of a generative version lists the decoder tensors', () => {
    const served = service.registry.resolve('mqa-1layer');
    expect(served.inputs?.map((i) => i.name)).toEqual(['input_ids', 'attention_mask', 'position_ids', 'past_key_values.0.key', 'past_key_values.0.value']);
    expect(served.outputs?.find((o) => o.name === 'logits')?.shape).toEqual([-1, -1, 261]);
  });
});
