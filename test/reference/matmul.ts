import { broadcastShape, ravel, size, unravel, type RefTensor } from './tensor.js';
import { activationRef, type RefActivation } from './gemm.js';

/** numpy.matmul, then (fused extras) + bias[j] and an activation. */
export function matMulRef(a: RefTensor, b: RefTensor, extra: { bias?: RefTensor; activation?: RefActivation } = {}): RefTensor {
  const aShape = a.shape.length === 1 ? [1, a.shape[0]] : a.shape;
  const bShape = b.shape.length === 1 ? [b.shape[0], 1] : b.shape;
  const M = aShape[aShape.length - 2], K = aShape[aShape.length - 1], N = bShape[bShape.length - 1];
  if (bShape[bShape.length - 2] !== K) throw new Error(`inner dims differ: [${a.shape}] x [${b.shape}]`);
  const aBatch = aShape.slice(0, -2), bBatch = bShape.slice(0, -2);
  const batch = broadcastShape(aBatch, bBatch);
  // Index of a batch in a tensor whose batch dims broadcast to `batch`.
  const batchIndex = (own: number[], idx: number[]) => ravel(own.map((d, k) => (d === 1 ? 0 : idx[idx.length - own.length + k])), own);
  const out = new Float64Array(size(batch) * M * N);
  for (let t = 0; t < size(batch); t++) {
    const idx = unravel(t, batch);
    const ab = batchIndex(aBatch, idx) * M * K, bb = batchIndex(bBatch, idx) * K * N;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a.data[ab + i * K + k] * b.data[bb + k * N + j];
        if (extra.bias) s += extra.bias.data[j];
        out[(t * M + i) * N + j] = activationRef(s, extra.activation);
      }
    }
  }
  const shape = [...batch, ...(a.shape.length === 1 ? [] : [M]), ...(b.shape.length === 1 ? [] : [N])];
  return { shape, data: out };
}
