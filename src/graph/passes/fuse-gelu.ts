import type { Node } from '../graph.js';
import { isFloat } from '../../dtype.js';
import { near, other, sameShape, valueTypes, type Pass, type Rewriter } from './pattern.js';

const SQRT2 = Math.SQRT2, SQRT1_2 = Math.SQRT1_2, SQRT_2_PI = Math.sqrt(2 / Math.PI), CUBIC = 0.044715;

/**
 * Recognises GELU written out elementwise and replaces it with one Gelu node:
 *
 *   erf form:  x * 0.5 * (1 + Erf(x / sqrt(2)))            (or Erf(x * 0.70710678))
 *   tanh form: x * 0.5 * (1 + Tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))   -> approximate 'tanh'
 *
 * The outer product of x, 0.5 and (1 + ...) may be grouped any way (x*0.5 first, or x*(...),
 * or 0.5*(...)) and every binary op may take its operands in either order; x^3 may be Pow(x, 3),
 * x*(x*x) or (x*x)*x. Constants match to 1e-4 relative. Every intermediate must feed only the
 * next step and not be a graph output.
 */
export const fuseGelu: Pass = {
  name: 'fuse-gelu',
  run(rw) {
    const types = valueTypes(rw.graph);
    for (const n of rw.nodes()) {
      if (!rw.isLive(n)) continue;
      const inner = n.op === 'Erf' ? erfArgument(rw, n) : n.op === 'Tanh' ? tanhArgument(rw, n) : undefined;
      if (!inner) continue;
      const xt = types.get(inner.x);
      const add = rw.soleConsumer(n.outputs[0], 'Add'), one = add && other(add, n.outputs[0]);
      if (!xt || !isFloat(xt.dtype) || !add || !one || !near(rw.scalar(one), 1)) continue;
      const outer = halfProduct(rw, inner.x, add.outputs[0]);
      if (!outer || !sameShape(types.get(outer.top.outputs[0])?.shape, xt.shape)) continue;
      rw.replace([...inner.nodes, n, add, ...outer.nodes], [{
        name: outer.top.name, op: 'Gelu', inputs: [inner.x], outputs: [outer.top.outputs[0]],
        attrs: n.op === 'Tanh' ? { approximate: 'tanh' } : {},
      }]);
    }
  },
};

interface Inner { x: string; nodes: Node[] }

/** The multiplicand of Mul(v, c) / Mul(c, v) with c a scalar constant near `value`. */
function scaled(rw: Rewriter, mul: Node | undefined, value: number): string | undefined {
  if (!mul || mul.op !== 'Mul') return undefined;
  if (near(rw.scalar(mul.inputs[1]), value)) return mul.inputs[0];
  if (near(rw.scalar(mul.inputs[0]), value)) return mul.inputs[1];
  return undefined;
}

/** Erf(x / sqrt 2) or Erf(x * (1 / sqrt 2)). */
function erfArgument(rw: Rewriter, erf: Node): Inner | undefined {
  const u = erf.inputs[0], p = rw.producedBy(u, 'Div', 'Mul');
  if (!p || !rw.onlyFeeds(u, erf)) return undefined;
  const x = p.op === 'Div' ? (near(rw.scalar(p.inputs[1]), SQRT2) ? p.inputs[0] : undefined) : scaled(rw, p, SQRT1_2);
  return x ? { x, nodes: [p] } : undefined;
}

/** Tanh(sqrt(2/pi) * (x + 0.044715 * x^3)). */
function tanhArgument(rw: Rewriter, tanh: Node): Inner | undefined {
  const u = tanh.inputs[0], k = rw.producedBy(u, 'Mul');
  const v = rw.onlyFeeds(u, tanh) ? scaled(rw, k, SQRT_2_PI) : undefined;
  const sum = v !== undefined ? rw.producedBy(v, 'Add') : undefined;
  if (!k || !v || !sum || !rw.onlyFeeds(v, k)) return undefined;
  for (const [x, w] of [[sum.inputs[0], sum.inputs[1]], [sum.inputs[1], sum.inputs[0]]]) {
    const c = rw.producedBy(w, 'Mul');
    const cube = c && rw.onlyFeeds(w, sum) ? scaled(rw, c, CUBIC) : undefined;
    const cubeNodes = cube !== undefined ? cubeOf(rw, cube, x, c!) : undefined;
    if (cubeNodes) return { x, nodes: [...cubeNodes, c!, sum, k] };
  }
  return undefined;
}

/** The nodes computing v = x^3 for `reader`: Pow(x, 3), Mul(x, Mul(x, x)) or Mul(Mul(x, x), x). */
function cubeOf(rw: Rewriter, v: string, x: string, reader: Node): Node[] | undefined {
  const p = rw.producedBy(v, 'Pow', 'Mul');
  if (!p || !rw.onlyFeeds(v, reader)) return undefined;
  if (p.op === 'Pow') return p.inputs[0] === x && rw.scalar(p.inputs[1]) === 3 ? [p] : undefined;
  const sq = other(p, x);
  const s = sq !== undefined ? rw.producedBy(sq, 'Mul') : undefined;
  return s && s.inputs[0] === x && s.inputs[1] === x && rw.onlyFeeds(sq!, p) ? [s, p] : undefined;
}

/**
 * The Mul tree computing x * 0.5 * a, grouped any way: returns its top node and all its Mul
 * nodes. Tries the larger tree first (a feeding an inner Mul), then a Mul reading a directly.
 */
function halfProduct(rw: Rewriter, x: string, a: string): { top: Node; nodes: Node[] } | undefined {
  const first = rw.soleConsumer(a, 'Mul');
  if (!first) return undefined;
  const second = rw.soleConsumer(first.outputs[0], 'Mul');
  for (const top of second ? [second, first] : [first]) {
    const nodes = [top], leaves: string[] = [];
    for (const v of top.inputs) {
      const p = v !== x && v !== a ? rw.producedBy(v, 'Mul') : undefined;
      if (p && rw.onlyFeeds(v, top)) { nodes.push(p); leaves.push(...p.inputs); } else leaves.push(v);
    }
    if (leaves.length !== 3 || !nodes.includes(first)) continue;
    const rest = leaves.filter((l) => l !== x && l !== a);
    if (leaves.filter((l) => l === x).length === 1 && leaves.filter((l) => l === a).length === 1 && rest.length === 1 && near(rw.scalar(rest[0]), 0.5)) {
      return { top, nodes };
    }
  }
  return undefined;
}
