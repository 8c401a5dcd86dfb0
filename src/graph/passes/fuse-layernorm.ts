import type { Node } from '../graph.js';
import { Tensor } from '../../tensor.js';
import { isFloat, toPublicData } from '../../dtype.js';
import type { ValueType } from '../../ops/types.js';
import { other, sameShape, valueTypes, type Pass, type Rewriter } from './pattern.js';

/**
 * Recognises LayerNorm as PyTorch (and most exporters) decompose it, and replaces it with one
 * LayerNormalization:
 *
 *   mean = ReduceMean(x, axes)        d = Sub(x, mean)
 *   var  = ReduceMean(Pow(d, 2), axes)   (or Mul(d, d))
 *   y    = Div(d, Sqrt(Add(var, eps)))
 *   out  = Add(Mul(y, gamma), beta)   (Mul and Add optional, either operand order)
 *
 * axes (attribute or constant input) must be the trailing dims of x; keepdims must be 1.
 * Every intermediate must feed only the next step (d feeds Pow and Div) and not be a graph
 * output. gamma and beta must be constants over the normalised dims.
 */
export const fuseLayerNorm: Pass = {
  name: 'fuse-layernorm',
  run(rw) {
    const types = valueTypes(rw.graph);
    for (const n of rw.nodes()) if (n.op === 'ReduceMean' && rw.isLive(n)) tryFuse(rw, n, types);
  },
};

function tryFuse(rw: Rewriter, mean: Node, types: Map<string, ValueType>): void {
  const x = mean.inputs[0], xt = types.get(x);
  if (!xt || !isFloat(xt.dtype)) return;
  const rank = xt.shape.length, axis = trailingAxis(rw, mean, rank);
  if (axis === undefined) return;
  const sub = rw.soleConsumer(mean.outputs[0], 'Sub');
  if (!sub || sub.inputs[0] !== x || sub.inputs[1] !== mean.outputs[0]) return;
  const d = sub.outputs[0], dc = rw.consumers(d);
  if (rw.isGraphOutput(d) || dc.length !== 2) return;
  const sq = dc.find((n) => (n.op === 'Pow' && n.inputs[0] === d && rw.scalar(n.inputs[1]) === 2) || (n.op === 'Mul' && n.inputs[0] === d && n.inputs[1] === d));
  const div = dc.find((n) => n.op === 'Div' && n.inputs[0] === d);
  if (!sq || !div) return;
  const varMean = rw.soleConsumer(sq.outputs[0], 'ReduceMean');
  if (!varMean || varMean.inputs[0] !== sq.outputs[0] || trailingAxis(rw, varMean, rank) !== axis) return;
  const addEps = rw.soleConsumer(varMean.outputs[0], 'Add');
  const epsName = addEps && other(addEps, varMean.outputs[0]);
  const eps = epsName ? rw.scalar(epsName) : undefined;
  if (!addEps || eps === undefined || !(eps >= 0)) return;
  const sqrt = rw.soleConsumer(addEps.outputs[0], 'Sqrt');
  if (!sqrt || !rw.onlyFeeds(sqrt.outputs[0], div) || div.inputs[1] !== sqrt.outputs[0]) return;
  const nodes = [mean, sub, sq, varMean, addEps, sqrt, div];

  const normDims = xt.shape.slice(axis);
  let out = div.outputs[0], gamma: string | undefined, beta: string | undefined;
  const mul = rw.soleConsumer(out, 'Mul'), g = mul && other(mul, out);
  if (mul && g && g !== out && isParam(rw, g, xt, axis)) { gamma = g; nodes.push(mul); out = mul.outputs[0]; }
  const add = rw.soleConsumer(out, 'Add'), b = add && other(add, out);
  if (add && b && b !== out && isParam(rw, b, xt, axis)) { beta = b; nodes.push(add); out = add.outputs[0]; }
  if (!sameShape(types.get(out)?.shape, xt.shape)) return;
  if (!gamma) {
    // LayerNormalization requires Scale: ones over the normalised dims (which must be static).
    if (!normDims.every((d): d is number => typeof d === 'number')) return;
    const size = normDims.reduce((p, q) => p * q, 1);
    gamma = rw.addInitializer(`${mean.name}_scale`, new Tensor(xt.dtype, normDims, toPublicData(xt.dtype, new Float32Array(size).fill(1)) as never));
  }
  rw.replace(nodes, [{
    name: mean.name, op: 'LayerNormalization', inputs: beta ? [x, gamma, beta] : [x, gamma], outputs: [out],
    attrs: { axis, epsilon: eps },
  }]);
}

/** The first reduced axis when a ReduceMean keeps dims and reduces exactly the trailing dims [axis, rank). */
function trailingAxis(rw: Rewriter, r: Node, rank: number): number | undefined {
  if (((r.attrs.keepdims as number | undefined) ?? 1) !== 1) return undefined;
  const raw = r.inputs[1] ? rw.values(r.inputs[1]) : (r.attrs.axes as number[] | undefined);
  if (!raw || raw.length === 0) return undefined;
  const axes = Array.from(raw, (a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
  const first = axes[0];
  return first >= 0 && axes.every((a, i) => a === first + i) && axes[axes.length - 1] === rank - 1 ? first : undefined;
}

/** A constant of x's dtype that broadcasts onto the normalised dims only (leading dims 1). */
function isParam(rw: Rewriter, name: string, x: ValueType, axis: number): boolean {
  const t = rw.constant(name);
  if (!t || t.dtype !== x.dtype || t.rank > x.shape.length) return false;
  const off = x.shape.length - t.rank;
  return t.shape.every((d, i) => d === 1 || (off + i >= axis && d === x.shape[off + i]));
}
