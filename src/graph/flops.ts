import type { Graph } from './graph.js';
import { analyze } from './analyze.js';
import { inferTypes } from './infer.js';
import type { Dim } from '../ops/types.js';

const num = (shape: Dim[]): number[] => shape.map((d) => (typeof d === 'number' ? d : NaN));
const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

/**
 * Multiply-add work of a graph for concrete input shapes, counted as 2 FLOPs per MAC over
 * Conv, Gemm and MatMul (what dominates; elementwise work is not counted, as is usual). Fused,
 * quantized (QConv, QMatMul) and sparse (SparseConv, SparseMatMul) forms count as the dense
 * op they replace: the model's nominal work, so rows of one model compare.
 */
export function countFlops(graph: Graph, inputShapes: Record<string, number[]>): number {
  const types = inferTypes(graph, analyze(graph), { inputShapes: new Map(Object.entries(inputShapes)) });
  let flops = 0;
  for (const n of graph.nodes) {
    const op = n.op.replace(/^(Fused|Q|Sparse)(?=Conv$|MatMul$|Gemm$)/, '');
    const out = types.get(n.outputs[0]);
    if (!out) continue;
    const y = num(out.shape);
    if (op === 'Conv') {
      const w = num(types.get(n.inputs[1])!.shape);
      flops += 2 * prod(y) * prod(w.slice(1));
    } else if (op === 'Gemm') {
      const a = num(types.get(n.inputs[0])!.shape);
      const k = n.attrs.transA ? a[0] : a[1];
      flops += 2 * prod(y) * k;
    } else if (op === 'MatMul') {
      const a = num(types.get(n.inputs[0])!.shape);
      flops += 2 * prod(y) * a[a.length - 1];
    }
  }
  return flops;
}
