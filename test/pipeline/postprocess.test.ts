import { describe, expect, it } from 'vitest';
import { f32ToF16 } from '../../src/dtype.js';
import { cosineSimilarity, l2Normalize, meanPool, sentenceEmbedding, softmax, topK, topKBatch } from '../../src/models/postprocess.js';
import { Tensor } from '../../src/tensor.js';
import { expectClose } from '../util/numerics.js';

describe('softmax', () => {
  it('matches exp(x) / sum(exp(x)) by hand', () => {
    const e = [1, Math.E, Math.E ** 2], s = e[0] + e[1] + e[2];
    expectClose(softmax([0, 1, 2]), e.map((v) => v / s), 'softmax [0,1,2]', { atol: 1e-7 });
  });
  it('is stable for huge logits and handles -Infinity', () => {
    expectClose(softmax([1000, 1000]), [0.5, 0.5], 'huge');
    expectClose(softmax([0, -Infinity]), [1, 0], '-inf');
    expect(Array.from(softmax([-Infinity, -Infinity])).every(Number.isNaN)).toBe(true);
    expect(softmax([]).length).toBe(0);
  });
  it('reads float16 tensors as values, not bits', () => {
    const t = new Tensor('float16', [2], Uint16Array.from([f32ToF16(0), f32ToF16(Math.log(3))]));
    expectClose(softmax(t), [0.25, 0.75], 'f16', { atol: 1e-3 });
  });
});

describe('topK', () => {
  const logits = new Tensor('float32', [1, 5], [1, 3, 2, 3, -1]);
  it('returns the k best classes with softmax probabilities, ties by lower index', () => {
    const p = softmax([1, 3, 2, 3, -1]);
    const r = topK(logits, 3, ['a', 'b', 'c', 'd', 'e']);
    expect(r.map((x) => x.index)).toEqual([1, 3, 2]);
    expect(r.map((x) => x.label)).toEqual(['b', 'd', 'c']);
    expectClose(r.map((x) => x.score), [p[1], p[3], p[2]], 'scores');
    expect(topK(logits, 1)).toEqual([{ index: 1, score: p[1] }]);
  });
  it('raw scores with softmax: false; [C] tensors and arrays both work', () => {
    expect(topK([0.1, 0.7, 0.2], 2, undefined, { softmax: false }).map((x) => [x.index, x.score])).toEqual([[1, 0.7], [2, 0.2]]);
    expect(topK(new Tensor('float32', [3], [5, 4, 6]), 1)[0].index).toBe(2);
  });
  it('NaN never outranks a real score', () => {
    expect(topK([NaN, 1, 2], 2, undefined, { softmax: false }).map((x) => x.index)).toEqual([2, 1]);
  });
  it('topKBatch handles every row', () => {
    const t = new Tensor('float32', [2, 3], [0, 1, 2, 9, 8, 7]);
    expect(topKBatch(t, 2).map((row) => row.map((x) => x.index))).toEqual([[2, 1], [0, 1]]);
  });
  it('rejects bad k, labels and shapes', () => {
    expect(() => topK(logits, 0)).toThrow(/k must be an integer in \[1, 5\], got 0/);
    expect(() => topK(logits, 6)).toThrow(/k must be an integer in \[1, 5\], got 6/);
    expect(() => topK(logits, 2, ['a'])).toThrow(/1 labels for 5 classes/);
    expect(() => topK(new Tensor('float32', [2, 3]), 1)).toThrow(/\[C\] or \[1, C\], got \[2, 3\]; use topKBatch/);
  });
});

describe('meanPool / l2Normalize / sentenceEmbedding', () => {
  // b = 2, s = 3, h = 2.
  const hidden = new Tensor('float32', [2, 3, 2], [1, 2, 3, 4, 100, 100, /* row 2 */ 2, 0, 4, 2, 6, 4]);
  it('averages only the tokens the mask keeps', () => {
    const mask = new Tensor('int64', [2, 3], [1, 1, 0, 1, 1, 1]);
    const p = meanPool(hidden, mask);
    expect(p.shape).toEqual([2, 2]);
    expectClose(p.data, [2, 3, 4, 2], 'pooled');
    // No mask = plain mean.
    expectClose(meanPool(hidden).data, [104 / 3, 106 / 3, 4, 2], 'unmasked', { rtol: 1e-6 });
    // bool and int32 masks mean the same.
    expectClose(meanPool(hidden, new Tensor('bool', [2, 3], [1, 1, 0, 1, 1, 1])).data, [2, 3, 4, 2], 'bool mask');
  });
  it('an all-zero mask row pools to zeros, not NaN', () => {
    expect(Array.from(meanPool(hidden, new Tensor('int32', [2, 3], [0, 0, 0, 1, 0, 0])).data)).toEqual([0, 0, 2, 0]);
  });
  it('l2Normalize divides by the norm along the last axis; zero vectors stay zero', () => {
    expectClose(l2Normalize(new Tensor('float32', [2, 2], [3, 4, 0, 0])).data, [0.6, 0.8, 0, 0], 'l2');
    expectClose(l2Normalize(new Tensor('float32', [3], [1, 2, 2])).data, [1 / 3, 2 / 3, 2 / 3], 'l2 1-D');
  });
  it('sentenceEmbedding = meanPool then l2Normalize', () => {
    const mask = new Tensor('int64', [2, 3], [1, 1, 0, 1, 1, 1]);
    const e = sentenceEmbedding(hidden, mask);
    expectClose(e.data, [2 / Math.sqrt(13), 3 / Math.sqrt(13), 4 / Math.sqrt(20), 2 / Math.sqrt(20)], 'embedding');
    expect(cosineSimilarity(e.data.subarray(0, 2), e.data.subarray(2, 4))).toBeCloseTo((8 + 6) / Math.sqrt(13 * 20), 6);
  });
  it('rejects mismatched shapes', () => {
    expect(() => meanPool(hidden, new Tensor('int64', [2, 4]))).toThrow(/attention mask must be \[2, 3\] to match hidden \[2, 3, 2\], got \[2, 4\]/);
    expect(() => meanPool(new Tensor('float32', [2, 3]))).toThrow(/\[batch, seq, hidden\] tensor, got \[2, 3\]/);
    expect(() => cosineSimilarity([1, 2], [1])).toThrow(/2 and 1 elements/);
  });
});
