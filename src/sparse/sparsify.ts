import { Graph } from '../graph/graph.js';
import { optimize, PASS_NAMES } from '../graph/passes/index.js';
import { Rewriter } from '../graph/passes/pattern.js';
import { dce } from '../graph/passes/dce.js';
import { evaluateOnCpu } from '../runtime/cpu/evaluate.js';
import { SparseError } from './errors.js';
import { sparsifyNodes, type SparsifyOptions } from './convert.js';

/**
 * Converts the layers of a (pruned) graph that run faster sparse into SparseMatMul /
 * SparseConv ops with CSR or BSR weights; layers below the cost model's break-even stay dense.
 * The graph is first optimized as InferenceSession would (BatchNorm folded, activations fused),
 * so the sparse ops carry the fused epilogues. The result is for running in Tessera (its
 * weightBytes counts the sparse storage); save the pruned graph itself for other runtimes.
 *
 * InferenceSession does this by itself for weights with many exact zeros; call sparsify() to
 * choose the threshold or format, or to see the decisions (`onDecision`).
 */
export function sparsify(graph: Graph, opts: SparsifyOptions = {}): Graph {
  if (!(graph instanceof Graph)) throw new SparseError('sparsify: the first argument must be a Graph');
  const min = opts.minSparsity ?? 0, format = opts.format ?? 'auto';
  if (typeof min !== 'number' || !(min >= 0 && min <= 1)) throw new SparseError(`sparsify: option 'minSparsity' must be a number in [0, 1], got ${JSON.stringify(min)}`);
  if (!['auto', 'csr', 'bsr'].includes(format)) throw new SparseError(`sparsify: option 'format' must be 'auto', 'csr' or 'bsr', got ${JSON.stringify(format)}`);
  // The default pipeline, minus the automatic sparsify pass: this call decides with `opts`.
  const passes = PASS_NAMES.includes('sparsify') ? { disable: ['sparsify'] } : undefined;
  const rw = new Rewriter(optimize(graph, { evaluate: evaluateOnCpu, ...(passes ? { passes } : {}) }));
  sparsifyNodes(rw, opts);
  dce.run(rw, {});
  return rw.graph;
}

export type { SparsifyOptions, SparsifyDecision } from './convert.js';
