/**
 * Pure index arithmetic shared by op schemas (shape inference) and the kernels of every
 * backend: one rule for slice bounds, pads, ranges and Shape's start/end, in one place.
 * Backend-neutral: no typed-array kernels here, only numbers.
 */
import type { ShapeAttrs } from '../src/ops/shape.js';

/** n rounded up to a multiple of m (tile, vector and block padding). */
export const roundUp = (n: number, m: number): number => Math.ceil(n / m) * m;

const UNSET = -2147483648; // marks axes no pad names yet (a real pad that large cannot fit)

/**
 * ONNX pads ([begin per named axis..., end per named axis...]) -> begin and end per data axis,
 * written into the given arrays (no allocation: run calls this when pads are not constants).
 * Returns '' or what is wrong.
 */
export function resolvePads(r: number, pads: ArrayLike<number>, axes: ArrayLike<number> | undefined, begin: Int32Array, end: Int32Array): string {
  const n = axes ? axes.length : r;
  if (pads.length !== 2 * n) return `pads must have 2 values per ${axes ? 'axis in axes' : 'data axis'} (${2 * n}), got ${pads.length}`;
  end.fill(0);
  begin.fill(UNSET);
  for (let i = 0; i < n; i++) {
    const a0 = axes ? axes[i] : i, a = a0 < 0 ? a0 + r : a0;
    if (!(a >= 0 && a < r)) return `axis ${a0} is out of range for rank ${r}`;
    if (begin[a] !== UNSET) return `axis ${a0} is padded twice`;
    begin[a] = pads[i]; end[a] = pads[i + n];
  }
  for (let a = 0; a < r; a++) if (begin[a] === UNSET) begin[a] = 0;
  return '';
}

/** ONNX Range's length: max(ceil((limit - start) / delta), 0). */
export function rangeLength(start: number, limit: number, delta: number): number {
  return Math.max(Math.ceil((limit - start) / delta), 0);
}

/** ONNX Shape's [start, end) for rank r: negatives count from the back, both clamped to [0, r]. */
export function shapeRange(attrs: ShapeAttrs, r: number): [number, number] {
  const clamp = (v: number) => Math.min(r, Math.max(0, v < 0 ? v + r : v));
  const start = clamp(attrs.start), end = clamp(attrs.end ?? r);
  return [start, Math.max(start, end)];
}

/**
 * ONNX Slice's inputs -> one (start, step, count) per data axis, written into the given arrays
 * (no allocation: the kernel calls this in run when starts/ends are not plan-time constants).
 * Axes not named are taken whole. Returns '' or what is wrong with the inputs.
 */
export function resolveSlice(
  dims: ArrayLike<number>, starts: ArrayLike<number>, ends: ArrayLike<number>,
  axes: ArrayLike<number> | undefined, steps: ArrayLike<number> | undefined,
  start: Int32Array, step: Int32Array, count: Int32Array,
): string {
  const r = dims.length, n = starts.length;
  if (ends.length !== n || (axes && axes.length !== n) || (steps && steps.length !== n)) {
    return `starts, ends${axes ? ', axes' : ''}${steps ? ', steps' : ''} must have one length, got ${starts.length}, ${ends.length}${axes ? `, ${axes.length}` : ''}${steps ? `, ${steps.length}` : ''}`;
  }
  for (let a = 0; a < r; a++) { start[a] = 0; step[a] = 1; count[a] = -1; }
  for (let i = 0; i < n; i++) {
    const a0 = axes ? axes[i] : i, a = a0 < 0 ? a0 + r : a0;
    if (!(a >= 0 && a < r)) return `axis ${a0} is out of range for rank ${r}`;
    if (count[a] !== -1) return `axis ${a0} is sliced twice`;
    const d = dims[a], st = steps ? steps[i] : 1;
    if (st === 0) return `step for axis ${a0} is 0`;
    let s = starts[i], e = ends[i];
    if (s < 0) s += d;
    if (e < 0) e += d;
    // Forward slices clamp to [0, d]; backward ones to [-1, d-1] (-1: "before the first").
    const lo = st > 0 ? 0 : -1, hi = st > 0 ? d : d - 1;
    s = s < lo ? lo : s > hi ? hi : s;
    e = e < lo ? lo : e > hi ? hi : e;
    start[a] = s; step[a] = st;
    count[a] = st > 0 ? (e > s ? Math.ceil((e - s) / st) : 0) : (s > e ? Math.ceil((s - e) / -st) : 0);
  }
  for (let a = 0; a < r; a++) if (count[a] === -1) count[a] = dims[a];
  return '';
}
