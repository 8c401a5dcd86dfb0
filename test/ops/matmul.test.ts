import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runKernel, type KernelInput } from '../util/run-kernel.js';
import { dim, expectClose, expectEqual, posDim, randomFloats, randomInts, RUNS, seed } from '../util/numerics.js';
import { matMulRef } from '../reference/matmul.js';
import { ref } from '../reference/tensor.js';
import { OPS } from '../../src/ops/index.js';
import type { MatMulAttrs } from '../../src/ops/matmul.js';
import { matMul } from '../../kernels/cpu/matmul.js';
import { allocKernel, type DType } from '../../src/dtype.js';

const size = (s: number[]) => s.reduce((x, y) => x * y, 1);
const f32 = (shape: number[], s: number): KernelInput => ({ dtype: 'float32', shape, data: randomFloats(size(shape), s) });

/** MatMul with attributes as the fusion pass leaves them (bias, activation): parse() cannot produce these. */
function runFused(inputs: KernelInput[], attrs: MatMulAttrs): { shape: number[]; data: Float32Array } {
  const [t] = OPS.MatMul.infer(inputs.map((x) => ({ dtype: x.dtype, shape: x.shape })), attrs);
  const out = { dtype: t.dtype, shape: t.shape as number[], data: allocKernel(t.dtype, size(t.shape as number[])) };
  matMul.run(inputs, matMul.prepare!(attrs, inputs, [out]), [out], new Float32Array(0));
  return { shape: out.shape, data: out.data as Float32Array };
}

/** Operand shapes for numpy matmul: 1-D or batched, batch dims broadcasting (kept, 1, or missing). */
const operands = fc.record({
  M: dim(9), K: dim(9), N: dim(9),
  batch: fc.array(posDim(4), { maxLength: 3 }),
  aMask: fc.array(fc.constantFrom(0, 1, 2), { minLength: 3, maxLength: 3 }), // 0 keep, 1 set to 1, 2 drop
  bMask: fc.array(fc.constantFrom(0, 1, 2), { minLength: 3, maxLength: 3 }),
  aVec: fc.boolean(), bVec: fc.boolean(),
}).map(({ M, K, N, batch, aMask, bMask, aVec, bVec }) => {
  const sub = (mask: number[]) => {
    const out: number[] = [];
    batch.forEach((d, i) => { if (mask[i] === 2 && out.length === 0) return; out.push(mask[i] === 1 ? 1 : d); });
    return out;
  };
  // Weighted so 1-D operands show up but do not dominate.
  const a = aVec && M % 3 === 0 ? [K] : [...sub(aMask), M, K];
  const b = bVec && N % 3 === 0 ? [K] : [...sub(bMask), K, N];
  return { a, b };
});

describe('MatMul vs float64 reference', () => {
  it('float32: 1-D promotion, batches, broadcasting', () => {
    fc.assert(fc.property(operands, seed(), fc.boolean(), ({ a, b }, s, constB) => {
      const A = f32(a, s), B = f32(b, s + 1);
      const [out] = runKernel('MatMul', [A, B], {}, { constants: constB ? [1] : [] });
      const want = matMulRef(ref(a, A.data), ref(b, B.data));
      expect(out.shape).toEqual(want.shape);
      expectClose(out.data, want.data, { a, b, s }, { k: a[a.length - 1] });
    }), { numRuns: RUNS * 2 });
  });

  it('int32 and int64 are exact', () => {
    fc.assert(fc.property(operands, seed(), fc.constantFrom<DType>('int32', 'int64'), ({ a, b }, s, dtype) => {
      const A = randomInts(size(a), s, -20, 20), B = randomInts(size(b), s + 1, -20, 20);
      const [out] = runKernel('MatMul', [{ dtype, shape: a, data: A }, { dtype, shape: b, data: B }]);
      expect(out.dtype).toBe(dtype);
      expectEqual(out.data, matMulRef(ref(a, A), ref(b, B)).data, { a, b, s, dtype });
    }), { numRuns: RUNS });
  });

  it('fused bias and activations in the epilogue', () => {
    const kinds = [undefined, 'relu', 'clip', 'sigmoid', 'silu', 'gelu', 'gelu_tanh'] as const;
    fc.assert(fc.property(operands, seed(), fc.constantFrom(...kinds), fc.boolean(), ({ a, b }, s, kind, withBias) => {
      const N = b.length === 1 ? 1 : b[b.length - 1];
      const A = f32(a, s), B = f32(b, s + 1), bias = f32([N], s + 2);
      const activation = kind === 'clip' ? { kind, max: 0.3 } : kind && { kind };
      const attrs: MatMulAttrs = { ...(withBias ? { bias: true as const } : {}), ...(activation ? { activation } : {}) };
      const got = runFused(withBias ? [A, B, bias] : [A, B], attrs);
      const want = matMulRef(ref(a, A.data), ref(b, B.data), { bias: withBias ? ref([N], bias.data) : undefined, activation });
      expect(got.shape).toEqual(want.shape);
      expectClose(got.data, want.data, { a, b, s, kind, withBias }, { k: a[a.length - 1] });
    }), { numRuns: RUNS });
  });

  it('a shared 2-D B over a batched A (one merged GEMM) matches too', () => {
    const A = f32([2, 7, 5], 3), B = f32([5, 6], 4);
    const [out] = runKernel('MatMul', [A, B], {}, { constants: [1] });
    expectClose(out.data, matMulRef(ref(A.shape, A.data), ref(B.shape, B.data)).data, 'linear', { k: 5 });
  });
});

describe('MatMul errors', () => {
  const t = (shape: (number | string)[], dtype: DType = 'float32') => ({ dtype, shape });
  const none = OPS.MatMul.parse({});
  it('rejects mismatched K, batch dims, scalars, dtypes', () => {
    expect(() => OPS.MatMul.infer([t([2, 3]), t([4, 5])], none)).toThrow(/inner dimensions of A \[2, 3\] and B \[4, 5\] differ: 3 vs 4/);
    expect(() => OPS.MatMul.infer([t([2, 2, 3]), t([3, 3, 5])], none)).toThrow(/batch dimensions .* do not broadcast/);
    expect(() => OPS.MatMul.infer([t([]), t([3])], none)).toThrow(/rank >= 1/);
    expect(() => OPS.MatMul.infer([t([2, 3]), t([3, 5], 'float16')], none)).toThrow(/same dtype/);
    expect(() => OPS.MatMul.infer([t([2, 3], 'bool'), t([3, 5], 'bool')], none)).toThrow(/input A must be float32 or float16 or int32 or int64, got bool/);
  });
  it('infers numpy shapes, symbolic dims included', () => {
    expect(OPS.MatMul.infer([t([3]), t([3])], none)[0].shape).toEqual([]);
    expect(OPS.MatMul.infer([t(['b', 1, 's', 8]), t([4, 8, 2])], none)[0].shape).toEqual(['b', 4, 's', 2]);
    expect(OPS.MatMul.infer([t([5, 3]), t([2, 3, 7])], none)[0].shape).toEqual([2, 5, 7]);
  });
  it('takes a third input only as a fused bias, and only on floats', () => {
    expect(() => OPS.MatMul.infer([t([2, 3]), t([3, 5]), t([5])], none)).toThrow(/third \(bias\) only with the fused bias flag/);
    expect(() => OPS.MatMul.infer([t([2, 3]), t([3, 5]), t([4])], { bias: true })).toThrow(/bias length must equal N/);
    expect(() => OPS.MatMul.infer([t([2, 3]), t([3, 5])], { bias: true })).toThrow(/input 2 \(bias\) is required/);
    expect(() => OPS.MatMul.infer([t([2, 3], 'int32'), t([3, 5], 'int32')], { activation: { kind: 'relu' } })).toThrow(/fused activation needs float input/);
  });
});
