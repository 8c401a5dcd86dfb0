import type { ReduceAttrs } from '../../src/ops/reduce.js';
import type { DType, KernelData } from '../../src/dtype.js';
import { cpuKernel, type KMeta } from '../types.js';

const SUM = 0, MEAN = 1, MAX = 2;
const CODES = { ReduceSum: SUM, ReduceMean: MEAN, ReduceMax: MAX } as const;

/** The smallest value of each kernel storage: ReduceMax's identity (ONNX 18: empty max is -inf or the type's minimum). */
const LOWEST: Record<DType, number> = { float32: -Infinity, float16: -Infinity, int32: -2147483648, int64: -2147483648, int8: -128, uint8: 0, bool: 0 };

/**
 * Input dims coalesced into groups that are all reduced or all kept (size-1 dims dropped), so
 * the input is walked once in memory order: the innermost group is one contiguous loop, either
 * folded into one output (reduced) or combined elementwise into a row of outputs (kept).
 */
interface ReducePlan {
  code: number;
  float: boolean;
  identity: boolean;
  init: number;
  /** Elements per output: the divisor of ReduceMean. */
  count: number;
  shape: number[];
  reduced: boolean[];
  outStrides: number[];
  idx: Int32Array;
}

function planAxes(attrs: ReduceAttrs, inputs: readonly KMeta[]): number[] {
  const rank = inputs[0].shape.length, a = inputs[1];
  let raw = attrs.axes;
  // An absent optional input reaches prepare as a placeholder meta: rank 0, no data.
  if (!raw && a && (a.data || a.shape.length === 1)) {
    if (!a.data) throw new Error('the axes input must be known when the plan is made (a constant or computed from shapes)');
    raw = Array.from(a.data);
  }
  return (raw ?? []).map((x) => (x < 0 ? x + rank : x));
}

function planReduce(attrs: ReduceAttrs, inputs: readonly KMeta[]): ReducePlan {
  const x = inputs[0], axes = planAxes(attrs, inputs);
  const float = x.dtype === 'float32' || x.dtype === 'float16';
  const identity = axes.length === 0 && attrs.noopWithEmptyAxes;
  const isReduced = (d: number) => axes.length === 0 || axes.includes(d);
  const shape: number[] = [], reduced: boolean[] = [];
  let count = 1;
  x.shape.forEach((n, d) => {
    const r = isReduced(d);
    if (r) count *= n;
    if (n === 1) return;
    const k = shape.length - 1;
    if (k >= 0 && reduced[k] === r) shape[k] *= n;
    else { shape.push(n); reduced.push(r); }
  });
  if (shape.length === 0) { shape.push(1); reduced.push(false); }
  const outStrides = new Array<number>(shape.length);
  for (let k = shape.length - 1, acc = 1; k >= 0; k--) {
    outStrides[k] = reduced[k] ? 0 : acc;
    if (!reduced[k]) acc *= shape[k];
  }
  const code = CODES[attrs.op];
  return { code, float, identity, init: code === MAX ? LOWEST[x.dtype] : 0, count, shape, reduced, outStrides, idx: new Int32Array(shape.length) };
}

function runReduce(x: KernelData, y: KernelData, p: ReducePlan): void {
  if (p.identity) { y.set(x); return; }
  y.fill(p.init);
  const r = p.shape.length, n = p.shape[r - 1], innerReduced = p.reduced[r - 1], max = p.code === MAX;
  const idx = p.idx;
  idx.fill(0);
  let oi = 0;
  if (n > 0) for (let xi = 0; xi < x.length; xi += n) {
    if (innerReduced) {
      let acc = y[oi];
      if (max) for (let i = xi; i < xi + n; i++) { const v = x[i]; if (v > acc || v !== v) acc = v; }
      else for (let i = xi; i < xi + n; i++) acc += x[i];
      y[oi] = acc;
    } else if (max) {
      for (let i = 0; i < n; i++) { const v = x[xi + i], o = y[oi + i]; if (v > o || v !== v) y[oi + i] = v; }
    } else {
      for (let i = 0; i < n; i++) y[oi + i] += x[xi + i];
    }
    for (let d = r - 2; d >= 0; d--) {
      oi += p.outStrides[d];
      if (++idx[d] < p.shape[d]) break;
      oi -= p.outStrides[d] * p.shape[d];
      idx[d] = 0;
    }
  }
  if (p.code === MEAN) {
    const c = p.count;
    if (p.float) for (let i = 0; i < y.length; i++) y[i] /= c;
    else for (let i = 0; i < y.length; i++) y[i] = c === 0 ? 0 : Math.trunc(y[i] / c);
  }
}

const kernel = cpuKernel<ReduceAttrs, ReducePlan>({
  prepare: (attrs, inputs) => planReduce(attrs, inputs),
  run(inputs, p, outputs) { runReduce(inputs[0]!.data, outputs[0].data, p); },
});

export const reduceMean = kernel;
export const reduceSum = kernel;
export const reduceMax = kernel;
