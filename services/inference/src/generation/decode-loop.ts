/**
 * The continuous-batching decode loop of one model in one worker thread (iteration-level scheduling, as in Orca
 * and vLLM). Each iteration: sequences that finished or were cancelled leave the batch and sequences whose prompt
 * is in the cache join it (one repack of the KV tensors), one decode step runs for every row, then up to
 * `prefillChunkTokens` prompt tokens of waiting sequences are prefilled (chunked, batched together). Sequences of
 * different lengths share a step: each row's cache is right-aligned and left-padded, attention_mask is 0 on the
 * padding and position_ids carry each row's true positions, so a row's tokens do not depend on its neighbours.
 *
 * The running batch is kept in up to four buckets of similar lengths, one decode run each: every step reads,
 * concatenates and returns the whole past (the Optimum layout has no in-place cache), so short rows padded to the
 * longest neighbour would pay for its context. The split is the least-cost one (src/generation/buckets.ts),
 * recomputed when the membership changes.
 */
import type ort from 'onnxruntime-node';
import type { SequenceEvent, SequenceRequest } from '../workers/messages.js';
import type { DecoderLayout } from './decoder-layout.js';
import { bestSplit, stepCost } from './buckets.js';
import { DecoderRunner } from './decoder-runner.js';
import { emptyCache, extractRow, pack, type KvTensors, type RowRef } from './kv-cache.js';
import { Sampler } from './sampling.js';
import type { FinishReason } from './types.js';

export interface LoopSettings {
  readonly contextLength: number;
  readonly prefillChunkTokens: number;
}

class Sequence {
  readonly stop: Set<number>;
  readonly sampler: Sampler;
  /** Prompt tokens already in `cache` while prefilling. */
  prefilled = 0;
  /** The sequence's own cache until it joins the batch (prefill chunks accumulate here). */
  cache: KvTensors | undefined;
  /** Tokens in the KV cache. */
  length = 0;
  /** Last generated token, not yet in the cache: the next decode step's input. */
  last = 0;
  generated = 0;
  computeMs = 0;
  cancelled = false;
  finished: FinishReason | undefined;
  pending: number[] = [];

  constructor(readonly request: SequenceRequest) {
    this.stop = new Set(request.stopTokenIds);
    this.sampler = new Sampler(request.params, request.seed);
  }
}

/** A joiner opens a new bucket when the best one would pad its rows beyond this multiple of their real tokens. */
const paddingSlack = 1.6;
/** Buckets at most: each is one more session.run per step (~0.26 ms of fixed cost on the demo model). */
const maxBuckets = 4;
/** The best split replaces the greedy placement only when it saves more than this share of a step's cost. */
const rebucketMargin = 0.05;
/**
 * A decode run's fixed cost in row-columns of cache when the loop has not measured it (`calibrate`): the demo
 * model's, 0.26 ms against 0.57 µs per row-column.
 */
const defaultRunCostColumns = 450;

/** A bucket's next membership, worked out by admit. */
interface Plan {
  bucket: Bucket;
  rows: RowRef[];
  sequences: Sequence[];
  changed: boolean;
}

/** Rows decoded together: their caches packed into one set of tensors, as wide as the longest row. */
interface Bucket {
  sequences: Sequence[];
  kv: KvTensors;
}

export class DecodeLoop {
  private readonly waiting: Sequence[] = [];
  private joining: Sequence[] = [];
  private buckets: Bucket[] = [];
  private readonly byId = new Map<number, Sequence>();
  private running = false;
  private closed = false;
  private readonly runner: DecoderRunner;
  /** A decode run's fixed cost in row-columns of cache (what one more bucket costs against the padding it saves). */
  private runCostColumns = defaultRunCostColumns;

  constructor(
    session: ort.InferenceSession,
    private readonly layout: DecoderLayout,
    private readonly settings: LoopSettings,
    private readonly emit: (events: SequenceEvent[]) => void,
  ) {
    this.runner = new DecoderRunner(session, layout);
  }

  /**
   * Measures what one more bucket costs against the padding it saves, on this model and machine: decode runs over
   * zero caches of 1 row × 16 columns and 8 rows × 256 (fewer on a short context; best of three each) give the
   * fixed cost of a run and the cost of one row-column; their ratio weighs buckets in `bestSplit`. Call before the
   * first request; keeps the default when the timings make no sense (a noisy machine) or the context is too short
   * to measure.
   */
  async calibrate(): Promise<number> {
    const time = async (rows: number, width: number): Promise<number> => {
      const feed = {
        ids: new Array<number>(rows).fill(0),
        rows,
        seq: 1,
        mask: new Uint8Array(rows * (width + 1)).fill(1),
        positions: new Array<number>(rows).fill(width),
        past: pack(this.layout, [], width, rows),
      };
      await this.runner.run(feed);
      let best = Number.POSITIVE_INFINITY;
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        await this.runner.run(feed);
        best = Math.min(best, performance.now() - started);
      }
      return best;
    };
    // Positions stay below the context (position_ids index the graph's rotary tables).
    const wide = Math.min(256, this.settings.contextLength - 2);
    const narrow = Math.min(16, Math.floor(wide / 4));
    if (narrow < 1) return this.runCostColumns;
    const small = await time(1, narrow);
    const large = await time(8, wide);
    const perColumn = (large - small) / (8 * wide - narrow);
    const fixed = small - narrow * perColumn;
    if (perColumn > 0 && fixed > 0) this.runCostColumns = Math.min(4096, Math.max(16, Math.round(fixed / perColumn)));
    return this.runCostColumns;
  }

  /** Sequences held (prefilling, joining or in the batch). */
  get size(): number {
    return this.byId.size;
  }

  add(request: SequenceRequest): void {
    if (this.closed) {
      this.emit([{ seqId: request.seqId, tokens: [], error: 'the model is being unloaded' }]);
      return;
    }
    const sequence = new Sequence(request);
    this.byId.set(request.seqId, sequence);
    this.waiting.push(sequence);
    this.start();
  }

  /** The sequence leaves at the start of the next iteration, and its done event says `cancelled`. */
  cancel(seqId: number): void {
    const sequence = this.byId.get(seqId);
    if (sequence) sequence.cancelled = true;
  }

  /** Fails every sequence (the model is being unloaded); later adds are refused. */
  close(): void {
    this.closed = true;
    const events = [...this.byId.values()].map((s) => ({ seqId: s.request.seqId, tokens: [], error: 'the model was unloaded' }));
    this.byId.clear();
    this.waiting.length = 0;
    this.joining = [];
    this.buckets = [];
    if (events.length > 0) this.emit(events);
  }

  private start(): void {
    if (this.running) return;
    this.running = true;
    void this.loop();
  }

  private async loop(): Promise<void> {
    try {
      while (this.byId.size > 0 && !this.closed) {
        const events = new Map<number, SequenceEvent>();
        this.admit(events);
        for (const bucket of [...this.buckets]) await this.guard(bucket.sequences, events, () => this.decodeStep(bucket));
        for (const group of this.prefillGroups()) await this.guard(group.map((g) => g.sequence), events, () => this.prefill(group));
        this.collect(events);
        if (events.size > 0) this.emit([...events.values()]);
        // Let queued messages (new requests, cancels) in before the next step.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      this.running = false;
    }
  }

  /** Runs `work`; if it throws, the sequences it involved fail and leave, and the loop goes on. */
  private async guard(involved: readonly Sequence[], events: Map<number, SequenceEvent>, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      const message = `decoder run failed: ${(error as Error).message}`;
      const failed = new Set(involved);
      for (const s of failed) {
        events.set(s.request.seqId, { seqId: s.request.seqId, tokens: [], error: message });
        this.byId.delete(s.request.seqId);
      }
      const bucket = this.buckets.find((b) => b.sequences === involved);
      if (bucket) {
        this.buckets.splice(this.buckets.indexOf(bucket), 1);
      } else {
        for (let i = this.waiting.length - 1; i >= 0; i--) if (failed.has(this.waiting[i] as Sequence)) this.waiting.splice(i, 1);
      }
    }
  }

  /**
   * Drops finished and cancelled sequences, lets prefilled ones join the bucket they pad least (or a new one), and
   * repacks each bucket whose rows changed, once.
   */
  private admit(events: Map<number, SequenceEvent>): void {
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      const s = this.waiting[i] as Sequence;
      if (s.cancelled) {
        this.waiting.splice(i, 1);
        this.finish(s, 'cancelled', events);
      }
    }
    const joining = this.joining.filter((s) => !s.cancelled);
    for (const s of this.joining) if (s.cancelled) this.finish(s, 'cancelled', events);
    this.joining = [];
    const plans: Plan[] = this.buckets.map((bucket) => {
      const rows: RowRef[] = [];
      const sequences: Sequence[] = [];
      bucket.sequences.forEach((s, row) => {
        if (s.cancelled && !s.finished) this.finish(s, 'cancelled', events);
        if (s.finished) return;
        rows.push({ source: bucket.kv, row, length: s.length });
        sequences.push(s);
      });
      return { bucket, rows, sequences, changed: sequences.length !== bucket.sequences.length };
    });
    for (const s of joining.sort((a, b) => b.length - a.length)) {
      const row: RowRef = { source: s.cache as KvTensors, row: 0, length: s.length };
      const live = plans.filter((p) => p.rows.length > 0);
      const costs = live.map((plan) => {
        const width = plan.rows.reduce((max, r) => Math.max(max, r.length), s.length);
        const real = plan.rows.reduce((sum, r) => sum + r.length, s.length);
        return { plan, padded: width * (plan.rows.length + 1), real };
      });
      costs.sort((a, b) => a.padded - a.real - (b.padded - b.real));
      const best = costs[0];
      if (best && (best.padded <= paddingSlack * best.real || live.length >= maxBuckets)) {
        best.plan.rows.push(row);
        best.plan.sequences.push(s);
        best.plan.changed = true;
      } else {
        plans.push({ bucket: { sequences: [], kv: emptyCache(this.layout, 0) }, rows: [row], sequences: [s], changed: true });
      }
    }
    const settled = plans.some((plan) => plan.changed) ? this.rebucket(plans) : plans;
    this.buckets = settled
      .filter((plan) => plan.sequences.length > 0)
      .map((plan) => {
        if (!plan.changed) return plan.bucket;
        const width = plan.rows.reduce((max, r) => Math.max(max, r.length), 0);
        return { sequences: plan.sequences, kv: pack(this.layout, plan.rows, width) };
      });
    for (const s of joining) s.cache = undefined;
  }

  /**
   * When the batch's membership changed, the split of all its rows into buckets that costs least per step
   * (`bestSplit`), if it beats the joiners' greedy placement by more than `rebucketMargin`: moving rows between
   * buckets repacks them, which costs about one step's copy of their cache. Buckets whose rows stay together keep
   * their tensors.
   */
  private rebucket(plans: Plan[]): Plan[] {
    const entries = plans.flatMap((plan) => plan.rows.map((row, i) => ({ row, sequence: plan.sequences[i] as Sequence })));
    const columns = this.runCostColumns;
    const greedy = stepCost(plans.map((plan) => plan.rows.map((r) => r.length)), columns);
    const split = bestSplit(entries.map((e) => e.row.length), columns, maxBuckets);
    const groups = split.map((indices) => indices.map((i) => entries[i] as { row: RowRef; sequence: Sequence }));
    if (stepCost(groups.map((g) => g.map((e) => e.row.length)), columns) >= greedy * (1 - rebucketMargin)) return plans;
    return groups.map((group) => {
      const kept = plans.find((plan) => !plan.changed && plan.sequences.length === group.length && group.every((e) => plan.sequences.includes(e.sequence)));
      if (kept) return kept;
      return { bucket: { sequences: [], kv: emptyCache(this.layout, 0) }, rows: group.map((e) => e.row), sequences: group.map((e) => e.sequence), changed: true };
    });
  }

  private async decodeStep(bucket: Bucket): Promise<void> {
    const { sequences } = bucket;
    const rows = sequences.length;
    const width = bucket.kv.width;
    const mask = new Uint8Array(rows * (width + 1));
    sequences.forEach((s, row) => mask.fill(1, row * (width + 1) + width - s.length, (row + 1) * (width + 1)));
    const started = performance.now();
    const { logits, present } = await this.runner.run({
      ids: sequences.map((s) => s.last),
      rows,
      seq: 1,
      mask,
      positions: sequences.map((s) => s.length),
      past: bucket.kv,
    });
    const share = (performance.now() - started) / rows;
    bucket.kv = present;
    sequences.forEach((s, row) => {
      s.length += 1;
      s.computeMs += share;
      this.accept(s, this.sample(s, logits, row, 1, 0));
    });
  }

  /**
   * Waiting sequences, oldest first, and how many prompt tokens each prefills this iteration (the budget), split
   * into runs of similar chunk lengths: one run pads every chunk to its longest, so a 100-token chunk and three
   * 8-token ones run apart rather than as 400 token rows.
   */
  private prefillGroups(): Array<Array<{ sequence: Sequence; take: number }>> {
    let budget = this.settings.prefillChunkTokens;
    const chosen: Array<{ sequence: Sequence; take: number }> = [];
    for (const sequence of this.waiting) {
      if (budget <= 0) break;
      const take = Math.min(sequence.request.promptIds.length - sequence.prefilled, budget);
      chosen.push({ sequence, take });
      budget -= take;
    }
    chosen.sort((a, b) => b.take - a.take);
    const groups: Array<Array<{ sequence: Sequence; take: number }>> = [];
    let current: Array<{ sequence: Sequence; take: number }> = [];
    let real = 0;
    for (const entry of chosen) {
      const longest = current[0]?.take ?? entry.take;
      if (current.length > 0 && longest * (current.length + 1) > 1.25 * (real + entry.take)) {
        groups.push(current);
        current = [];
        real = 0;
      }
      current.push(entry);
      real += entry.take;
    }
    if (current.length > 0) groups.push(current);
    return groups;
  }

  /**
   * One run over several prompts' next chunks. Row r: its past (left-padded to the longest past P), then its chunk
   * (left-padded to the longest chunk C); attention_mask marks both paddings 0. Each row's present is squeezed back
   * to a hole-free cache, and a finished prompt's last logits give its first token.
   */
  private async prefill(group: ReadonlyArray<{ sequence: Sequence; take: number }>): Promise<void> {
    const past = group.reduce((max, g) => Math.max(max, g.sequence.length), 0);
    const chunk = group.reduce((max, g) => Math.max(max, g.take), 0);
    const ids: number[] = [];
    const positions: number[] = [];
    const masks: Uint8Array[] = [];
    for (const { sequence: s, take } of group) {
      const mask = new Uint8Array(past + chunk);
      mask.fill(1, past - s.length, past);
      mask.fill(1, past + chunk - take);
      masks.push(mask);
      for (let i = 0; i < chunk - take; i++) {
        ids.push(0);
        positions.push(0);
      }
      for (let i = 0; i < take; i++) {
        ids.push(s.request.promptIds[s.prefilled + i] as number);
        positions.push(s.prefilled + i);
      }
    }
    const pastCache = past === 0 ? emptyCache(this.layout, group.length) : pack(
      this.layout,
      group.map((g) => ({ source: g.sequence.cache ?? emptyCache(this.layout, 1), row: 0, length: g.sequence.length })),
      past,
    );
    const started = performance.now();
    const mask = new Uint8Array(group.length * (past + chunk));
    masks.forEach((m, row) => mask.set(m, row * (past + chunk)));
    const { logits, present } = await this.runner.run({ ids, rows: group.length, seq: chunk, mask, positions, past: pastCache });
    const elapsed = performance.now() - started;
    const total = group.reduce((sum, g) => sum + g.take, 0);
    group.forEach(({ sequence: s, take }, row) => {
      s.computeMs += (elapsed * take) / total;
      s.cache = extractRow(this.layout, present, row, masks[row] as Uint8Array);
      s.prefilled += take;
      s.length = s.prefilled;
      if (s.prefilled < s.request.promptIds.length) return;
      this.waiting.splice(this.waiting.indexOf(s), 1);
      this.accept(s, this.sample(s, logits, row, chunk, chunk - 1));
      // A cancelled one joins too: the next admit finishes it with its done event.
      if (!s.finished) this.joining.push(s);
    });
  }

  private sample(s: Sequence, logits: ort.Tensor, row: number, seq: number, position: number): number {
    const { data, offset } = this.runner.logitsAt(logits, row, seq, position);
    return s.sampler.next(data, offset, this.layout.vocabSize);
  }

  /** A stop token ends the sequence unreported; otherwise the token is delivered, and maxTokens or the context ends it. */
  private accept(s: Sequence, token: number): void {
    if (s.cancelled) return;
    if (s.stop.has(token)) {
      s.finished = 'stop';
      return;
    }
    s.pending.push(token);
    s.generated += 1;
    s.last = token;
    if (s.generated >= s.request.params.maxTokens || s.length + 1 >= this.settings.contextLength) s.finished = 'length';
  }

  /** Moves each sequence's new tokens (and its end) into this iteration's events. */
  private collect(events: Map<number, SequenceEvent>): void {
    for (const s of this.byId.values()) {
      if (s.pending.length === 0 && !s.finished) continue;
      const event: SequenceEvent = { seqId: s.request.seqId, tokens: s.pending };
      s.pending = [];
      if (s.finished) {
        this.byId.delete(s.request.seqId);
        events.set(s.request.seqId, { ...event, done: { finishReason: s.finished, completionTokens: s.generated, computeMs: s.computeMs } });
      } else {
        events.set(s.request.seqId, event);
      }
    }
  }

  private finish(s: Sequence, reason: FinishReason, events: Map<number, SequenceEvent>): void {
    s.finished = reason;
    this.byId.delete(s.request.seqId);
    events.set(s.request.seqId, { seqId: s.request.seqId, tokens: [], done: { finishReason: reason, completionTokens: s.generated, computeMs: s.computeMs } });
  }
}
