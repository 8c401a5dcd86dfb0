import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GraphBuilder, Tensor, type Graph } from '../../src/index.js';
import { prune, prunableLayers, SparseError } from '../../src/sparse/index.js';
import { denseIndex } from '../../src/sparse/formats/matrix.js';
import { randomFloats, RUNS, seed } from '../util/numerics.js';

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** MatMul [K, N], Gemm transB [N', N] and a 3x3 conv and 1x1 conv: every prunable kind, odd sizes. */
function mixed(s: number, K: number, N: number, C: number): Graph {
  const b = new GraphBuilder('mixed');
  const w = (shape: number[], name: string, k: number) => b.constant(new Tensor('float32', shape, randomFloats(size(shape), s + k)), name);
  const x = b.input('x', 'float32', [2, K]);
  const h = b.matmul(x, w([K, N], 'mm_w', 1));
  b.output(b.gemm(h, w([5, N], 'fc_w', 2), w([5], 'fc_b', 3), { transB: 1 }), 'y');
  const img = b.input('img', 'float32', [1, C, 5, 5]);
  const c1 = b.conv(img, w([6, C, 3, 3], 'c3_w', 4), undefined, { pads: [1, 1, 1, 1] });
  b.output(b.conv(c1, w([7, 6, 1, 1], 'c1_w', 5), w([7], 'c1_b', 6)), 'z');
  return b.build();
}

const weightOf = (g: Graph, name: string) => (g.initializers.get(name) as Tensor).data as Float32Array;
const zeros = (a: Float32Array) => a.reduce((n, v) => n + (v === 0 ? 1 : 0), 0);
const PRUNED = ['mm_w', 'fc_w', 'c3_w', 'c1_w'];
const shapes = fc.record({ s: seed(), K: fc.integer({ min: 1, max: 13 }), N: fc.integer({ min: 1, max: 11 }), C: fc.integer({ min: 1, max: 9 }) });
const SPARSITY = fc.constantFrom(0, 0.1, 0.5, 0.7, 0.9, 0.95, 0.99, 1);

describe('prune: unstructured', () => {
  it('layer scope zeroes exactly round(s * n) of every prunable weight, the smallest magnitudes', () => {
    fc.assert(fc.property(shapes, SPARSITY, ({ s, K, N, C }, sp) => {
      const g = mixed(s, K, N, C), p = prune(g, { sparsity: sp });
      for (const name of PRUNED) {
        const before = weightOf(g, name), after = weightOf(p, name);
        expect(zeros(after), `${name} s=${sp} seed=${s}`).toBe(Math.round(sp * before.length));
        const cut = Math.max(0, ...[...after.keys()].filter((i) => after[i] === 0).map((i) => Math.abs(before[i])));
        for (let i = 0; i < after.length; i++) if (after[i] !== 0) { expect(after[i]).toBe(before[i]); expect(Math.abs(before[i])).toBeGreaterThanOrEqual(cut); }
      }
      expect(weightOf(p, 'fc_b')).toBe(weightOf(g, 'fc_b')); // biases untouched (same tensor)
      expect(zeros(weightOf(g, 'mm_w'))).toBe(0); // the input graph is not changed
    }), { numRuns: RUNS });
  });

  it('global scope zeroes exactly round(s * total) with one threshold over all layers', () => {
    fc.assert(fc.property(shapes, SPARSITY, ({ s, K, N, C }, sp) => {
      const g = mixed(s, K, N, C), p = prune(g, { sparsity: sp, scope: 'global' });
      const before = PRUNED.map((n) => weightOf(g, n)), after = PRUNED.map((n) => weightOf(p, n));
      const total = before.reduce((a, w) => a + w.length, 0);
      expect(after.reduce((a, w) => a + zeros(w), 0)).toBe(Math.round(sp * total));
      let cut = 0, kept = Infinity;
      after.forEach((w, l) => w.forEach((v, i) => { const m = Math.abs(before[l][i]); if (v === 0) cut = Math.max(cut, m); else kept = Math.min(kept, m); }));
      expect(kept).toBeGreaterThanOrEqual(cut);
    }), { numRuns: RUNS });
  });

  it('counts weights already zero towards the target; skip leaves layers dense', () => {
    const g = mixed(3, 8, 8, 4), w = weightOf(g, 'mm_w');
    w.fill(0, 0, 40); // 40 of 64 already zero
    const p = prune(g, { sparsity: 0.5, skip: ['fc_w', /c3/] });
    expect(zeros(weightOf(p, 'mm_w'))).toBe(40);
    expect(weightOf(p, 'fc_w')).toBe(weightOf(g, 'fc_w'));
    expect(weightOf(p, 'c3_w')).toBe(weightOf(g, 'c3_w'));
    expect(zeros(weightOf(p, 'c1_w'))).toBe(Math.round(0.5 * 42));
    expect(prunableLayers(g, (l) => l.op === 'Conv').map((l) => l.weight)).toEqual(['mm_w', 'fc_w']);
  });
});

describe('prune: block', () => {
  it('zeroes whole aligned blocks, exactly round(s * blocks) per layer, any block shape and sizes off the block width', () => {
    const block = fc.constantFrom<[number, number]>([1, 4], [4, 1], [2, 2], [1, 8], [3, 2]);
    fc.assert(fc.property(shapes, SPARSITY, block, ({ s, K, N, C }, sp, [bk, br]) => {
      const g = mixed(s, K, N, C), p = prune(g, { sparsity: sp, pattern: 'block', block: [bk, br] });
      for (const l of prunableLayers(g)) {
        const w = weightOf(p, l.weight), R = Math.ceil(l.rows / br), B = Math.ceil(l.depth / bk);
        let zeroBlocks = 0;
        for (let r = 0; r < R; r++) for (let b = 0; b < B; b++) {
          const vals: number[] = [];
          for (let c = r * br; c < Math.min(l.rows, (r + 1) * br); c++) for (let k = b * bk; k < Math.min(l.depth, (b + 1) * bk); k++) vals.push(w[denseIndex(l, c, k)]);
          const z = vals.filter((v) => v === 0).length;
          expect(z === 0 || z === vals.length, `${l.weight} block (${r}, ${b}) partly zero`).toBe(true);
          if (z) zeroBlocks++;
        }
        expect(zeroBlocks, `${l.weight} [${bk}, ${br}] s=${sp}`).toBe(Math.round(sp * (R * B)));
      }
    }), { numRuns: RUNS });
  });
});

describe('prune: 2:4', () => {
  it('keeps at most 2 of every 4 consecutive input channels, the 2 largest; exactly half when C % 4 == 0', () => {
    fc.assert(fc.property(shapes, ({ s, K, N, C }) => {
      const g = mixed(s, K, N, C), p = prune(g, { pattern: '2:4' });
      for (const l of prunableLayers(g)) {
        const before = weightOf(g, l.weight), w = weightOf(p, l.weight), channels = l.depth / l.spatial;
        for (let c = 0; c < l.rows; c++) for (let sp = 0; sp < l.spatial; sp++) for (let g4 = 0; g4 < channels; g4 += 4) {
          const idx = [0, 1, 2, 3].filter((i) => g4 + i < channels).map((i) => denseIndex(l, c, (g4 + i) * l.spatial + sp));
          const kept = idx.filter((i) => w[i] !== 0);
          expect(kept.length).toBe(Math.min(2, idx.length));
          const minKept = Math.min(...kept.map((i) => Math.abs(before[i])));
          for (const i of idx) if (w[i] === 0) expect(Math.abs(before[i])).toBeLessThanOrEqual(minKept);
        }
        if (channels % 4 === 0) expect(zeros(w)).toBe(w.length / 2);
      }
    }), { numRuns: RUNS });
  });
});

describe('prune: options', () => {
  const g = mixed(1, 4, 4, 2);
  it('rejects bad options with a message naming them', () => {
    expect(() => prune(g, { sparsity: 1.5 })).toThrow(/option 'sparsity' must be a number in \[0, 1\], got 1.5/);
    expect(() => prune(g, {} as never)).toThrow(/option 'sparsity'/);
    expect(() => prune(g, { sparsity: 0.5, pattern: 'random' as never })).toThrow(/option 'pattern' must be one of 'unstructured', 'block', 'channel', '2:4', got "random"/);
    expect(() => prune(g, { sparsity: 0.7, pattern: '2:4' })).toThrow(/pattern '2:4' .* sparsity is 0.5; got 0.7/);
    expect(() => prune(g, { sparsity: 0.5, scope: 'model' as never })).toThrow(/option 'scope' must be 'layer' or 'global'/);
    expect(() => prune(g, { sparsity: 0.5, block: [1, 4] })).toThrow(/option 'block' applies to pattern 'block' only/);
    expect(() => prune(g, { sparsity: 0.5, pattern: 'block', block: [0, 4] })).toThrow(/block must be \[inputs, outputs\]/);
    expect(() => prune(g, { sparsity: 0.5, spasity: 1 } as never)).toThrow(/unknown option 'spasity'/);
    expect(() => prune(g, { sparsity: 1, pattern: 'channel' })).toThrow(SparseError);
  });
});
