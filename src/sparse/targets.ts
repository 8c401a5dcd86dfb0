import type { Graph, Node } from '../graph/graph.js';
import { isPacked } from '../graph/graph.js';
import type { Tensor } from '../tensor.js';

/**
 * A weight prune() can act on: the dense float32 constant of a Conv (group 1), Gemm (B) or
 * MatMul (2-D B), seen as `rows` output channels by `depth` K (see formats/matrix.ts). Depthwise
 * and grouped convs are left alone: they hold few weights and no sparse kernel speeds them up.
 */
export interface PrunableLayer {
  /** The first node reading the weight (its name is what reports and `skip` use). */
  node: string;
  op: string;
  weight: string;
  shape: readonly number[];
  axis: 0 | 1;
  rows: number;
  depth: number;
  /** Kernel positions per input channel (kh * kw for a conv, 1 otherwise): K = channels * spatial. */
  spatial: number;
}

const CONV = new Set(['Conv', 'FusedConv']), GEMM = new Set(['Gemm', 'FusedGemm']), MATMUL = new Set(['MatMul', 'FusedMatMul']);

/** A dense float32 initializer that no graph input overrides. */
export function denseConstant(g: Graph, name: string): Tensor | undefined {
  const w = name ? g.initializers.get(name) : undefined;
  if (!w || isPacked(w) || g.inputs.some((v) => v.name === name)) return undefined;
  return (w as Tensor).dtype === 'float32' ? (w as Tensor) : undefined;
}

/** The layer a node's weight input makes, if the node is a prunable Conv/Gemm/MatMul. */
export function layerOf(g: Graph, n: Node): PrunableLayer | undefined {
  const weight = n.inputs[1], w = denseConstant(g, weight);
  if (!w) return undefined;
  if (CONV.has(n.op)) {
    if (((n.attrs.group as number | undefined) ?? 1) !== 1 || w.rank < 3) return undefined;
    const spatial = w.shape.slice(2).reduce((a, b) => a * b, 1);
    return { node: n.name, op: n.op, weight, shape: w.shape, axis: 0, rows: w.shape[0], depth: w.shape[1] * spatial, spatial };
  }
  if (GEMM.has(n.op) && w.rank === 2) {
    const axis = n.attrs.transB === 1 ? 0 : 1;
    return { node: n.name, op: n.op, weight, shape: w.shape, axis, rows: w.shape[axis], depth: w.shape[1 - axis], spatial: 1 };
  }
  if (MATMUL.has(n.op) && w.rank === 2) return { node: n.name, op: n.op, weight, shape: w.shape, axis: 1, rows: w.shape[1], depth: w.shape[0], spatial: 1 };
  return undefined;
}

export type SkipOption = readonly (string | RegExp)[] | ((layer: PrunableLayer) => boolean);

/** Every prunable weight once (the first node reading it decides its view), minus `skip`. */
export function prunableLayers(g: Graph, skip?: SkipOption): PrunableLayer[] {
  const seen = new Set<string>(), out: PrunableLayer[] = [];
  for (const n of g.nodes) {
    const l = layerOf(g, n);
    if (!l || seen.has(l.weight)) continue;
    seen.add(l.weight);
    if (!skipped(l, skip)) out.push(l);
  }
  return out;
}

/** `skip` matches a layer by node or weight name (exact string or RegExp), or is a predicate. */
export function skipped(l: PrunableLayer, skip: SkipOption | undefined): boolean {
  if (!skip) return false;
  if (typeof skip === 'function') return skip(l);
  return skip.some((s) => (typeof s === 'string' ? s === l.node || s === l.weight : s.test(l.node) || s.test(l.weight)));
}
