import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { OPS } from '../../src/ops/index.js';
import { checkAttrs } from '../../src/ops/attrs.js';
import type { OpSchema, RawAttrs } from '../../src/ops/types.js';
import { CPU_KERNELS } from '../../kernels/cpu/index.js';
import type { CpuKernel, KMeta, KTensor } from '../../kernels/types.js';
import type { PackedWeight } from '../../src/graph/graph.js';
import { Tensor } from '../../src/tensor.js';
import { CsrWeight } from '../../src/sparse/formats/csr.js';
import { BsrWeight } from '../../src/sparse/formats/bsr.js';
import { expectClose, randomFloats, RUNS, seed } from '../util/numerics.js';
import { sparseConvRef, sparseMatMulRef } from '../reference/sparse.js';

/** Runs a sparse op's kernel as the planner would: the weight reaches prepare() as KMeta.packed only. */
function runSparse(op: 'SparseMatMul' | 'SparseConv', x: KTensor, w: PackedWeight, bias: Float32Array | undefined, raw: RawAttrs = {}): Float32Array {
  const schema = OPS[op] as OpSchema<unknown>;
  checkAttrs(schema, raw);
  const attrs = schema.parse(raw);
  const bt = bias && { dtype: 'float32' as const, shape: [bias.length], data: bias };
  const [t] = schema.infer([{ dtype: x.dtype, shape: x.shape.slice() }, { dtype: 'float32', shape: w.shape.slice() }, bt && { dtype: bt.dtype, shape: bt.shape }], attrs);
  const out: KTensor = { dtype: 'float32', shape: t.shape as number[], data: new Float32Array((t.shape as number[]).reduce((a, b) => a * b, 1)) };
  const metas: KMeta[] = [x, { dtype: 'float32', shape: w.shape, packed: w }, ...(bt ? [bt] : [])];
  const k = CPU_KERNELS[op] as CpuKernel<unknown, unknown>;
  const p = k.prepare!(attrs, metas, [out]);
  const scratch = new Float32Array(Math.ceil((k.scratchBytes?.(p, metas, [out]) ?? 0) / 4)).fill(NaN);
  k.run([x, { dtype: 'float32', shape: w.shape, data: new Float32Array(0) }, ...(bt ? [bt] : [])], p, [out], scratch);
  return out.data as Float32Array;
}

/** A dense weight with about `sparsity` exact zeros, some whole rows or columns emptied. */
function sparseDense(n: number, s: number, sparsity: number): Float32Array {
  const w = randomFloats(n, s), r = randomFloats(n, s + 7, 0, 1);
  for (let i = 0; i < n; i++) if (r[i] < sparsity) w[i] = 0;
  return w;
}

const SPARSITY = fc.constantFrom(0, 0.3, 0.5, 0.7, 0.9, 0.95, 0.99, 1);
const FORMAT = fc.constantFrom<['csr'] | ['bsr', [number, number]]>(['csr'], ['bsr', [1, 4]], ['bsr', [2, 4]], ['bsr', [1, 1]], ['bsr', [4, 1]], ['bsr', [3, 2]]);
// Relu and Clip(0, hi) run in registers; other clips and the rest in a pass after the product.
const ACT = fc.constantFrom<RawAttrs>({}, { activation: 'Relu' }, { activation: 'Clip', activation_params: [0, 6] }, { activation: 'Clip', activation_params: [0, 0.3] },
  { activation: 'Clip', activation_params: [-0.5, 0.25] }, { activation: 'Sigmoid' }, { activation: 'SiLU' }, { activation: 'Gelu' });
const actRef = (raw: RawAttrs) => {
  const a = raw.activation as string | undefined, p = raw.activation_params as number[] | undefined;
  return !a ? undefined : a === 'Clip' ? { kind: 'clip', min: p![0], max: p![1] } : { kind: a === 'SiLU' ? 'silu' : a.toLowerCase() };
};
const dims = (max: number) => fc.oneof(fc.constantFrom(0, 1, 3, 4, 5, 7, 8, 9, 13), fc.integer({ min: 0, max }));

function pack(fmt: ['csr'] | ['bsr', [number, number]], t: Tensor, axis: 0 | 1): PackedWeight {
  return fmt[0] === 'csr' ? CsrWeight.fromDense(t, axis) : BsrWeight.fromDense(t, axis, fmt[1]);
}

describe('SparseMatMul vs float64 dense reference', () => {
  it('CSR and BSR, sparsity 0..100%, odd sizes, bias and activations', () => {
    fc.assert(fc.property(
      fc.record({ M: dims(19), K: dims(21), N: dims(19), lead: fc.constantFrom(0, 1, 2), s: seed(), sp: SPARSITY, fmt: FORMAT, act: ACT, bias: fc.boolean(), axis: fc.constantFrom<0 | 1>(0, 1) }),
      ({ M, K, N, lead, s, sp, fmt, act, bias, axis }) => {
        // axis 0: the weight was a Gemm B with transB ([N, K]); stored with shape [K, N] either way.
        const wkn = sparseDense(K * N, s, sp);
        const stored = axis === 1 ? wkn : Float32Array.from({ length: K * N }, (_, i) => wkn[(i % K) * N + Math.floor(i / K)]);
        const packed = pack(fmt, new Tensor('float32', axis === 1 ? [K, N] : [N, K], stored), axis);
        const w = axis === 1 ? packed : relabel(packed, [K, N]);
        const shape = lead === 0 ? [M, K] : lead === 1 ? [2, M, K] : [K];
        const rows = lead === 2 ? 1 : lead === 1 ? 2 * M : M;
        const a = randomFloats(rows * K, s + 1), b = bias ? randomFloats(N, s + 2) : undefined;
        const got = runSparse('SparseMatMul', { dtype: 'float32', shape, data: a }, w, b, act);
        expectClose(got, sparseMatMulRef(a, rows, K, wkn, N, b, actRef(act)), { M, K, N, lead, s, sp, fmt, act, bias, axis }, { k: K });
      }), { numRuns: RUNS * 2 });
  });

  it('more rows than one transposed chunk (128), in both formats', () => {
    for (const fmt of [['csr'], ['bsr', [1, 4]]] as const) {
      const [M, K, N] = [301, 33, 21], wd = sparseDense(K * N, 11, 0.8), a = randomFloats(M * K, 12), b = randomFloats(N, 13);
      const got = runSparse('SparseMatMul', { dtype: 'float32', shape: [M, K], data: a }, pack(fmt as never, new Tensor('float32', [K, N], wd), 1), b, { activation: 'Gelu' });
      expectClose(got, sparseMatMulRef(a, M, K, wd, N, b, { kind: 'gelu' }), { fmt }, { k: K });
    }
  });

  it('an all-zero weight gives act(bias); K = 0 too', () => {
    for (const [M, K, N] of [[5, 7, 9], [9, 0, 4], [1, 3, 6]]) {
      const w = CsrWeight.fromDense(new Tensor('float32', [K, N]), 1), b = randomFloats(N, 3);
      const got = runSparse('SparseMatMul', { dtype: 'float32', shape: [M, K], data: randomFloats(M * K, 4) }, w, b, { activation: 'Relu' });
      expectClose(got, Float64Array.from({ length: M * N }, (_, i) => Math.max(0, b[i % N])), { M, K, N });
    }
  });
});

describe('SparseConv (1x1) vs float64 dense reference', () => {
  it('CSR and BSR, NCHW and NCL, pixels off the tile width', () => {
    fc.assert(fc.property(
      fc.record({ N: fc.constantFrom(0, 1, 2), C: dims(19), M: dims(19), H: dims(6), W: dims(7), rank3: fc.boolean(), s: seed(), sp: SPARSITY, fmt: FORMAT, act: ACT, bias: fc.boolean() }),
      ({ N, C, M, H, W, rank3, s, sp, fmt, act, bias }) => {
        const wd = sparseDense(M * C, s, sp), P = rank3 ? W : H * W;
        const w = pack(fmt, new Tensor('float32', rank3 ? [M, C, 1] : [M, C, 1, 1], wd), 0);
        const x = randomFloats(N * C * P, s + 1), b = bias ? randomFloats(M, s + 2) : undefined;
        const got = runSparse('SparseConv', { dtype: 'float32', shape: rank3 ? [N, C, W] : [N, C, H, W], data: x }, w, b, act);
        expectClose(got, sparseConvRef(x, N, C, P, wd, M, b, actRef(act)), { N, C, M, H, W, rank3, s, sp, fmt, act, bias }, { k: C });
      }), { numRuns: RUNS * 2 });
  });
});

describe('sparse op errors', () => {
  const csr = CsrWeight.fromDense(new Tensor('float32', [4, 3], randomFloats(12, 1)), 1);
  it('rejects dense weights, wrong sizes and bad shapes before running', () => {
    const k = CPU_KERNELS.SparseMatMul as CpuKernel<unknown, unknown>;
    expect(() => k.prepare!({}, [{ dtype: 'float32', shape: [2, 4] }, { dtype: 'float32', shape: [4, 3], data: new Float32Array(12) }], [])).toThrow(/input W must be a packed sparse weight \(CSR or BSR.*got a dense tensor/);
    expect(() => k.prepare!({}, [{ dtype: 'float32', shape: [2, 3] }, { dtype: 'float32', shape: [3, 4], packed: csr }], [])).toThrow(/holds 3 output channels x 4 inputs, but the op needs 4 x 3/);
    expect(() => OPS.SparseMatMul.infer([{ dtype: 'float32', shape: [2, 5] }, { dtype: 'float32', shape: [4, 3] }], {})).toThrow(/inner dimensions of A \[2, 5\] and W \[4, 3\] differ/);
    expect(() => OPS.SparseConv.infer([{ dtype: 'float32', shape: [1, 4, 5, 5] }, { dtype: 'float32', shape: [3, 4, 3, 3] }], {})).toThrow(/pointwise weight \[M, C, 1, 1\]/);
    expect(() => OPS.SparseMatMul.parse({ activation: 'Tanh' })).toThrow(/attribute 'activation' must be one of/);
  });
});

/** The same arrays under another dense shape (a transB Gemm weight [N, K] viewed as [K, N], axis 1). */
function relabel(w: PackedWeight, shape: number[]): PackedWeight {
  if (w instanceof CsrWeight) return new CsrWeight(shape, 1, w.rowPtr, w.colIndex, w.values);
  const b = w as BsrWeight;
  return new BsrWeight(shape, 1, b.block, b.rowPtr, b.colIndex, b.values);
}
