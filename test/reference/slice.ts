import { ravel, size, unravel, type RefTensor } from './tensor.js';

/** The indices Python's `range(*slice(start, end, step).indices(d))` visits. */
export function sliceIndicesRef(d: number, start: number, end: number, step: number): number[] {
  const lower = step > 0 ? 0 : -1, upper = step > 0 ? d : d - 1;
  const fix = (v: number) => { const w = v < 0 ? v + d : v; return Math.min(Math.max(w, lower), upper); };
  const out: number[] = [];
  for (let i = fix(start), e = fix(end); step > 0 ? i < e : i > e; i += step) out.push(i);
  return out;
}

/** ONNX Slice: axes default to 0..n-1, steps to 1; unnamed axes are kept whole. */
export function sliceRef(x: RefTensor, starts: number[], ends: number[], axes?: number[], steps?: number[]): RefTensor {
  const r = x.shape.length;
  const picks = x.shape.map((d) => Array.from({ length: d }, (_, i) => i));
  starts.forEach((s, k) => {
    const a0 = axes ? axes[k] : k, a = a0 < 0 ? a0 + r : a0;
    picks[a] = sliceIndicesRef(x.shape[a], s, ends[k], steps ? steps[k] : 1);
  });
  const shape = picks.map((p) => p.length), data = new Float64Array(size(shape));
  for (let i = 0; i < data.length; i++) data[i] = x.data[ravel(unravel(i, shape).map((j, a) => picks[a][j]), x.shape)];
  return { shape, data };
}
