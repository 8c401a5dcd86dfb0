import type { Graph } from '../graph/graph.js';
import type { Tensor } from '../tensor.js';
import { csrBytes } from './formats/csr.js';
import { prunableLayers } from './targets.js';

/** One prunable layer's weight as it stands: how sparse, and what it takes dense and as CSR. */
export interface LayerSparsity {
  node: string;
  op: string;
  weight: string;
  shape: readonly number[];
  zeros: number;
  sparsity: number;
  denseBytes: number;
  csrBytes: number;
}

/** Sparsity of every prunable weight (Conv group 1, Gemm, MatMul), in graph order. */
export function sparsityReport(g: Graph): LayerSparsity[] {
  return prunableLayers(g).map((l) => {
    const w = (g.initializers.get(l.weight) as Tensor).data as Float32Array;
    let zeros = 0;
    for (let i = 0; i < w.length; i++) if (w[i] === 0) zeros++;
    return {
      node: l.node, op: l.op, weight: l.weight, shape: l.shape, zeros, sparsity: w.length ? zeros / w.length : 0,
      denseBytes: w.byteLength, csrBytes: csrBytes(l.rows, l.depth, w.length - zeros),
    };
  });
}
