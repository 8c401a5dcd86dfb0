import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runKernel, type KernelInput } from '../util/run-kernel.js';
import { dim, expectClose, randomFloats, RUNS, seed } from '../util/numerics.js';
import { gemmRef } from '../reference/gemm.js';
import { ref } from '../reference/tensor.js';
import { OPS } from '../../src/ops/index.js';
import type { GemmAttrs } from '../../src/ops/gemm.js';
import { gemm } from '../../kernels/cpu/gemm.js';
import { allocKernel } from '../../src/dtype.js';

const size = (s: number[]) => s.reduce((x, y) => x * y, 1);
const f32 = (shape: number[], s: number): KernelInput => ({ dtype: 'float32', shape, data: randomFloats(size(shape), s) });

/** Gemm with attributes as a fusion pass leaves them (activation set): parse() cannot produce these. */
function runFused(inputs: (KernelInput | undefined)[], attrs: GemmAttrs): Float32Array {
  const [t] = OPS.Gemm.infer(inputs.map((x) => x && { dtype: x.dtype, shape: x.shape }), attrs);
  const out = { dtype: t.dtype, shape: t.shape as number[], data: allocKernel(t.dtype, size(t.shape as number[])) };
  const metas = inputs.map((x) => x ?? { dtype: 'float32' as const, shape: [] });
  gemm.run(inputs, gemm.prepare!(attrs, metas, [out]), [out], new Float32Array(0));
  return out.data as Float32Array;
}

/** C shapes that broadcast unidirectionally to [M, N]. */
const cShape = (M: number, N: number) => fc.constantFrom<(number[] | undefined)[]>(undefined, [], [1], [N], [1, N], [M, 1], [M, N], [1, 1]);

const problem = fc.record({ M: dim(13), K: dim(13), N: dim(13), transA: fc.boolean(), transB: fc.boolean() })
  .chain((p) => fc.record({
    p: fc.constant(p), c: cShape(p.M, p.N), s: seed(), constB: fc.boolean(),
    alpha: fc.constantFrom(1, 0, -1.5, 0.25), beta: fc.constantFrom(1, 0, 0.5, -2),
  }));

describe('Gemm vs float64 reference', () => {
  it('all transposes, alpha/beta and C broadcasts', () => {
    fc.assert(fc.property(problem, ({ p: { M, K, N, transA, transB }, c, s, constB, alpha, beta }) => {
      const A = f32(transA ? [K, M] : [M, K], s), B = f32(transB ? [N, K] : [K, N], s + 1), C = c && f32(c, s + 2);
      const [out] = runKernel('Gemm', [A, B, C], { transA: +transA, transB: +transB, alpha, beta }, { constants: constB ? [1] : [] });
      const want = gemmRef(ref(A.shape, A.data), ref(B.shape, B.data), C && ref(C.shape, C.data), { transA, transB, alpha, beta });
      expect(out.shape).toEqual([M, N]);
      expectClose(out.data, want.data, { M, K, N, transA, transB, c, alpha, beta, s }, { k: K });
    }), { numRuns: RUNS });
  });

  it('fused activations in the epilogue', () => {
    const kinds = ['relu', 'clip', 'sigmoid', 'silu', 'gelu', 'gelu_tanh'] as const;
    fc.assert(fc.property(problem, fc.constantFrom(...kinds), ({ p: { M, K, N, transA, transB }, c, s, alpha, beta }, kind) => {
      const A = f32(transA ? [K, M] : [M, K], s), B = f32(transB ? [N, K] : [K, N], s + 1), C = c && f32(c, s + 2);
      const activation = kind === 'clip' ? { kind, min: -0.25, max: 0.5 } : { kind };
      const attrs = { transA, transB, alpha, beta, activation };
      const got = runFused([A, B, C], attrs);
      const want = gemmRef(ref(A.shape, A.data), ref(B.shape, B.data), C && ref(C.shape, C.data), attrs);
      expectClose(got, want.data, { M, K, N, kind, s }, { k: K });
    }), { numRuns: RUNS });
  });

  it('float16 computes in float32 storage', () => {
    const A = { ...f32([3, 5], 1), dtype: 'float16' as const }, B = { ...f32([5, 2], 2), dtype: 'float16' as const };
    const [out] = runKernel('Gemm', [A, B]);
    expect(out.dtype).toBe('float16');
    expectClose(out.data, gemmRef(ref(A.shape, A.data), ref(B.shape, B.data), undefined, { transA: false, transB: false, alpha: 1, beta: 1 }).data, 'f16', { k: 5 });
  });
});

describe('Gemm errors', () => {
  const t = (shape: (number | string)[], dtype: 'float32' | 'int32' = 'float32') => ({ dtype, shape });
  const attrs = OPS.Gemm.parse({});
  it('rejects wrong ranks, mismatched K, bad C, int inputs', () => {
    expect(() => OPS.Gemm.infer([t([2, 3, 4]), t([4, 5])], attrs)).toThrow(/input A must have rank 2/);
    expect(() => OPS.Gemm.infer([t([2, 3]), t([4, 5])], attrs)).toThrow(/inner dimensions .* differ: 3 vs 4/);
    expect(() => OPS.Gemm.infer([t([2, 3]), t([3, 5]), t([3, 5])], attrs)).toThrow(/C \[3, 5\] is not unidirectionally broadcastable/);
    expect(() => OPS.Gemm.infer([t([2, 3]), t([3, 5]), t([1, 2, 5])], attrs)).toThrow(/not unidirectionally broadcastable/);
    expect(() => OPS.Gemm.infer([t([2, 3], 'int32'), t([3, 5], 'int32')], attrs)).toThrow(/must be float32 or float16, got int32/);
    expect(() => OPS.Gemm.infer([t([2, 3])], attrs)).toThrow(/input 1 \(B\) is required/);
  });
  it('checks transposed shapes and symbolic dims', () => {
    const tr = OPS.Gemm.parse({ transA: 1, transB: 1 });
    expect(OPS.Gemm.infer([t([3, 'M']), t(['N', 3]), t(['N'])], tr)[0].shape).toEqual(['M', 'N']);
    expect(() => OPS.Gemm.infer([t([3, 2]), t([5, 4])], tr)).toThrow(/inner dimensions of A\^T \[3, 2\] and B\^T \[5, 4\] differ/);
  });
  it('validates attributes', () => {
    expect(() => OPS.Gemm.parse({ transA: 2 })).toThrow(/attribute 'transA' must be 0 or 1, got 2/);
    expect(() => runKernel('Gemm', [f32([2, 2], 1), f32([2, 2], 2)], { transC: 1 })).toThrow(/unknown attribute 'transC'/);
    expect(() => OPS.Gemm.infer([t([2, 3]), t([3, 5])], { ...attrs, activation: { kind: 'tanh' as 'relu' } })).toThrow(/fused activation must be one of/);
  });
});
