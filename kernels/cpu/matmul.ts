import type { MatMulAttrs } from '../../src/ops/matmul.js';
import type { KernelData } from '../../src/dtype.js';
import { cpuKernel } from '../types.js';
import { sgemm, sgemmWorkspaceFloats } from './sgemm.js';
import { gemmEpilogue, type GemmEpilogue } from './gemm-epilogue.js';
import type { ParallelGemm } from './parallel.js';
import { planActivation, type ActivationPlan } from './gemm.js';

interface MatMulPlan {
  M: number; N: number; K: number;
  /** Number of GEMMs, and per GEMM the element offsets of its A and B matrices (broadcast batch dims repeat an offset: no copies). */
  batches: number;
  aOff: Int32Array;
  bOff: Int32Array;
  float: boolean;
  bias: boolean;
  act: ActivationPlan;
  /** Bias (per column) and activation, applied in the GEMM's tile stores. */
  epi?: GemmEpilogue;
}

/** Offsets of each batch's matrix in a contiguous tensor whose batch dims broadcast to `out`. */
function batchOffsets(batch: readonly number[], out: readonly number[], matSize: number, n: number): Int32Array {
  const pad = out.length - batch.length, offs = new Int32Array(n);
  const stride = new Array<number>(out.length).fill(0);
  for (let d = out.length - 1, acc = matSize; d >= pad; d--) {
    const s = batch[d - pad];
    stride[d] = s === 1 ? 0 : acc;
    acc *= s;
  }
  for (let i = 0; i < n; i++) {
    let rem = i, off = 0;
    for (let d = out.length - 1; d >= 0; d--) { off += (rem % out[d]) * stride[d]; rem = Math.floor(rem / out[d]); }
    offs[i] = off;
  }
  return offs;
}

const prod = (s: readonly number[]) => s.reduce((x, y) => x * y, 1);

export const matMul = cpuKernel<MatMulAttrs, MatMulPlan>({
  prepare(attrs, inputs) {
    const a = inputs[0].shape, b = inputs[1].shape;
    const A = a.length === 1 ? [1, a[0]] : a, B = b.length === 1 ? [b[0], 1] : b;
    const M = A[A.length - 2], K = A[A.length - 1], N = B[B.length - 1];
    const aBatch = A.slice(0, -2), bBatch = B.slice(0, -2);
    const rank = Math.max(aBatch.length, bBatch.length), batch: number[] = [];
    for (let i = 0; i < rank; i++) {
      const x = aBatch[aBatch.length - rank + i] ?? 1, y = bBatch[bBatch.length - rank + i] ?? 1;
      batch.push(x === 1 ? y : x);
    }
    const nb = prod(batch);
    const float = inputs[0].dtype === 'float32' || inputs[0].dtype === 'float16';
    const act = attrs.activation, bias = attrs.bias === true;
    const epi = bias || act ? gemmEpilogue(act?.kind, act?.min, act?.max, false) : undefined;
    const common = { N, K, float, bias, act: planActivation(act), epi };
    // One shared B and an unbroadcast A (the Linear-layer case): the batch is just more rows of one GEMM.
    if (float && prod(bBatch) === 1 && prod(aBatch) === nb) {
      return { M: M * nb, batches: 1, aOff: new Int32Array(1), bOff: new Int32Array(1), ...common };
    }
    return { M, batches: nb, aOff: batchOffsets(aBatch, batch, M * K, nb), bOff: batchOffsets(bBatch, batch, K * N, nb), ...common };
  },
  scratchBytes: (p) => (p.float ? sgemmWorkspaceFloats(p.M, p.N, p.K) * 4 : 0),
  run(inputs, p, outputs, scratch, par?: ParallelGemm) {
    const a = inputs[0]!.data, b = inputs[1]!.data, y = outputs[0].data;
    const { M, N, K, batches } = p;
    if (!p.float) { intMatMul(a, b, y, p); return; }
    const bias = p.bias ? inputs[2]!.data as Float32Array : undefined;
    for (let t = 0; t < batches; t++) {
      sgemm(M, N, K, a as Float32Array, p.aOff[t], K, 1, b as Float32Array, p.bOff[t], N, 1, y as Float32Array, t * M * N, N, false, scratch, 0, p.epi, bias, 0, par);
    }
  },
});

/** int32/int64 (computed in int32, wrapping like two's complement). */
function intMatMul(a: KernelData, b: KernelData, y: KernelData, p: MatMulPlan): void {
  const { M, N, K } = p;
  y.fill(0);
  for (let t = 0; t < p.batches; t++) {
    const ao = p.aOff[t], bo = p.bOff[t], yo = t * M * N;
    for (let i = 0; i < M; i++) {
      for (let k = 0; k < K; k++) {
        const x = a[ao + i * K + k], br = bo + k * N, yr = yo + i * N;
        for (let j = 0; j < N; j++) y[yr + j] = (y[yr + j] + Math.imul(x, b[br + j])) | 0;
      }
    }
  }
}
