import { describe, expect, it } from 'vitest';
import { buildInferRequest, inferResponseProblems, type ModelMetadata } from './v2.ts';
import { markdownSummary, thresholdResults, type SummaryData } from './summary.ts';

const tokenModel: ModelMetadata = {
  name: 'demo',
  inputs: [
    { name: 'input_ids', datatype: 'INT64', shape: [-1, -1] },
    { name: 'attention_mask', datatype: 'INT64', shape: [-1, -1] },
  ],
  outputs: [{ name: 'logits', datatype: 'FP32', shape: [-1, 3] }],
};

describe('V2 request builder', () => {
  it('fills dynamic axes with batch 1 and the sequence length, token ids small, masks all ones', () => {
    const request = buildInferRequest(tokenModel, 'r1', 5, 4);
    expect(request.id).toBe('r1');
    expect(request.inputs.map((i) => [i.name, i.datatype, i.shape])).toEqual([
      ['input_ids', 'INT64', [1, 4]],
      ['attention_mask', 'INT64', [1, 4]],
    ]);
    expect(request.inputs[0]?.data).toEqual([4, 0, 5, 8]);
    expect(request.inputs[0]?.data.every((v) => typeof v === 'number' && v >= 0 && v <= 9)).toBe(true);
    expect(request.inputs[1]?.data).toEqual([1, 1, 1, 1]);
  });

  it('varies data with the seed so successive requests do not all hit the result cache', () => {
    expect(buildInferRequest(tokenModel, 'a', 1).inputs[0]?.data).not.toEqual(
      buildInferRequest(tokenModel, 'b', 2).inputs[0]?.data,
    );
  });

  it('refuses a datatype it cannot fill, naming the input', () => {
    const bytes: ModelMetadata = { name: 'm', inputs: [{ name: 'text', datatype: 'BYTES', shape: [1] }], outputs: [] };
    expect(() => buildInferRequest(bytes, 'x', 0)).toThrow(/input "text": datatype BYTES/);
  });
});

describe('V2 response check', () => {
  const good = { id: 'r1', model_name: 'demo', outputs: [{ name: 'logits', datatype: 'FP32', shape: [1, 3], data: [0.1, 0.2, 0.7] }] };

  it('accepts an answer that echoes the id and has every output with data matching its shape', () => {
    expect(inferResponseProblems(good, 'r1', tokenModel)).toEqual([]);
    const nested = { ...good, outputs: [{ ...good.outputs[0], data: [[0.1, 0.2, 0.7]] }] };
    expect(inferResponseProblems(nested, 'r1', tokenModel)).toEqual([]);
  });

  it('names what is wrong: id not echoed, output missing, data length off', () => {
    expect(inferResponseProblems({ ...good, id: 'other' }, 'r1', tokenModel)).toEqual(['id other does not echo r1']);
    expect(inferResponseProblems({ ...good, outputs: [] }, 'r1', tokenModel)).toEqual(['output logits is missing']);
    const short = { ...good, outputs: [{ ...good.outputs[0], data: [0.1] }] };
    expect(inferResponseProblems(short, 'r1', tokenModel)).toEqual(['output logits: 1 values for shape [1,3]']);
    expect(inferResponseProblems('nope', 'r1', tokenModel)).toEqual(['body is not a JSON object']);
  });
});

describe('handleSummary Markdown', () => {
  const data: SummaryData = {
    state: { testRunDurationMs: 30_000 },
    metrics: {
      'http_req_duration{endpoint:infer}': { type: 'trend', values: { 'p(95)': 250.5 }, thresholds: { 'p(95)<200': { ok: false } } },
      infer_requests: { type: 'counter', values: { count: 300 }, thresholds: { 'count>=200': { ok: true } } },
    },
  };

  it('lists each threshold with the value it judged and marks the run failed when one fails', () => {
    expect(thresholdResults(data)).toEqual([
      { metric: 'http_req_duration{endpoint:infer}', expression: 'p(95)<200', ok: false, value: 250.5 },
      { metric: 'infer_requests', expression: 'count>=200', ok: true, value: 300 },
    ]);
    const md = markdownSummary('04-canary-gate', data);
    expect(md).toContain('## k6 04-canary-gate: FAILED');
    expect(md).toContain('| `http_req_duration{endpoint:infer}` | `p(95)<200` | 250.5000 | **FAIL** |');
  });
});
