import type { DType } from '../dtype.js';
import { isFloat } from '../dtype.js';
import type { Dim, ValueType } from './types.js';
import { OpError } from './types.js';

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function isStatic(shape: readonly Dim[]): shape is number[] {
  return shape.every((d) => typeof d === 'number');
}

export function showShape(shape: readonly Dim[]): string { return `[${shape.join(', ')}]`; }

/** Numpy-style broadcast of several shapes; symbolic dims unify when equal or against 1. */
export function broadcast(shapes: readonly (readonly Dim[])[]): Dim[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let d: Dim = 1;
    for (const s of shapes) {
      const k = s.length - rank + i;
      if (k < 0) continue;
      const e = s[k];
      if (e === 1 || e === d) continue;
      if (d === 1) { d = e; continue; }
      if (typeof d === 'number' && typeof e === 'number') {
        throw new OpError(`shapes ${shapes.map(showShape).join(' and ')} cannot be broadcast (dimension ${i}: ${d} vs ${e})`);
      }
      if (typeof d === 'string' && typeof e === 'number') d = e; // the symbol must equal e
    }
    out.push(d);
  }
  return out;
}

/** Normalise a possibly negative axis for a tensor of the given rank. */
export function normAxis(axis: number, rank: number, what = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!(a >= 0 && a < rank)) throw new OpError(`${what} ${axis} is out of range for rank ${rank}`);
  return a;
}

export function input(inputs: readonly (ValueType | undefined)[], i: number, name: string): ValueType {
  const t = inputs[i];
  if (!t) throw new OpError(`input ${i} (${name}) is required`);
  return t;
}

export function expectFloat(t: ValueType, name: string): void {
  if (!isFloat(t.dtype)) throw new OpError(`input ${name} must be float32 or float16, got ${t.dtype}`);
}

export function expectDType(t: ValueType, name: string, allowed: readonly DType[]): void {
  if (!allowed.includes(t.dtype)) throw new OpError(`input ${name} must be ${allowed.join(' or ')}, got ${t.dtype}`);
}

export function expectRank(t: ValueType, name: string, rank: number | readonly number[]): void {
  const ok = typeof rank === 'number' ? t.shape.length === rank : rank.includes(t.shape.length);
  if (!ok) throw new OpError(`input ${name} must have rank ${typeof rank === 'number' ? rank : rank.join(' or ')}, got shape ${showShape(t.shape)}`);
}

/** Two dims that must agree (equal numbers; symbols are assumed to agree). */
export function sameDim(a: Dim, b: Dim, what: string): void {
  if (typeof a === 'number' && typeof b === 'number' && a !== b) throw new OpError(`${what}: ${a} vs ${b}`);
}

/** Row-major strides. */
export function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
  return s;
}

/** Integer data of a constant input, when shape inference knows it. */
export function knownInts(t: ValueType | undefined): number[] | undefined {
  return t?.value ? Array.from(t.value) : undefined;
}

/** A tensor whose data is known at inference time (the shape a CPU kernel reads and writes). */
// ---- Sliding windows (Conv and the pools): one padding and output-size rule for all of them ----

export type AutoPad = 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';
export const AUTO_PADS: readonly AutoPad[] = ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'];

/**
 * Window attributes as parsed once. Arrays have one entry per spatial axis when the spatial rank
 * is known at parse time (any of the attributes gives it), else they are empty and mean "all
 * defaults" (kernel_shape then comes from W). `pads` is ONNX's [x1_begin, x2_begin, ..., x1_end,
 * x2_end]; under an auto_pad other than NOTSET it is all zeros (explicit pads are ignored then, as
 * onnxruntime does).
 */
export interface WindowAttrs {
  autoPad: AutoPad;
  kernelShape: number[];
  strides: number[];
  dilations: number[];
  pads: number[];
}

/** Parse auto_pad, kernel_shape, strides, dilations, pads; lengths must agree with each other. */
export function parseWindow(raw: Readonly<Record<string, unknown>>, kernelRequired: boolean): WindowAttrs {
  const autoPad = (raw.auto_pad as string | undefined) ?? 'NOTSET';
  if (!(AUTO_PADS as readonly string[]).includes(autoPad)) throw new OpError(`attribute 'auto_pad' must be one of ${AUTO_PADS.join(', ')}, got '${autoPad}'`);
  const list = (name: string): number[] | undefined => {
    const v = raw[name] as number[] | undefined;
    return v && v.length ? v.slice() : undefined;
  };
  const k = list('kernel_shape'), s = list('strides'), d = list('dilations'), p = list('pads');
  if (kernelRequired && !k) throw new OpError(`attribute 'kernel_shape' is required (one window size per spatial axis)`);
  if (p && p.length % 2) throw new OpError(`attribute 'pads' must have 2 values per spatial axis (all begins, then all ends), got ${p.length}: ${showShape(p)}`);
  const positive = (name: string, v: number[] | undefined, min: number) => {
    if (v?.some((x) => x < min)) throw new OpError(`attribute '${name}' values must be >= ${min}, got ${showShape(v)}`);
  };
  positive('kernel_shape', k, 1); positive('strides', s, 1); positive('dilations', d, 1); positive('pads', p, 0);
  const ranks: [string, number][] = [];
  if (k) ranks.push(['kernel_shape', k.length]);
  if (s) ranks.push(['strides', s.length]);
  if (d) ranks.push(['dilations', d.length]);
  if (p) ranks.push(['pads', p.length / 2]);
  for (const [name, r] of ranks) {
    if (r !== ranks[0][1]) throw new OpError(`attributes disagree on the number of spatial axes: ${ranks[0][0]} gives ${ranks[0][1]}, ${name} gives ${r}`);
  }
  const r = ranks.length ? ranks[0][1] : 0;
  const fill = (v: number[] | undefined, def: number, n: number) => v ?? new Array<number>(n).fill(def);
  return {
    autoPad: autoPad as AutoPad,
    kernelShape: k ?? [],
    strides: fill(s, 1, r),
    dilations: fill(d, 1, r),
    pads: autoPad === 'NOTSET' ? fill(p, 0, 2 * r) : new Array<number>(2 * r).fill(0),
  };
}

/** The window attributes completed for a known spatial rank; lengths that disagree with X throw. */
export function windowForRank(w: WindowAttrs, rank: number, x: ValueType): WindowAttrs {
  const check = (name: string, n: number, per = 1) => {
    if (n && n !== rank * per) throw new OpError(`attribute '${name}' has ${n} values but input X ${showShape(x.shape)} has ${rank} spatial axes${per > 1 ? ` (pads needs ${rank * per})` : ''}`);
  };
  check('kernel_shape', w.kernelShape.length); check('strides', w.strides.length); check('dilations', w.dilations.length); check('pads', w.pads.length, 2);
  const fill = (v: number[], def: number, n: number) => (v.length ? v : new Array<number>(n).fill(def));
  return { autoPad: w.autoPad, kernelShape: w.kernelShape, strides: fill(w.strides, 1, rank), dilations: fill(w.dilations, 1, rank), pads: fill(w.pads, 0, 2 * rank) };
}

/**
 * Output length of a window sliding along one axis with explicit pads (ONNX Conv/Pool formula).
 * ceil_mode rounds up, but the last window must still start inside the input or the leading pad
 * (onnx/onnx#5741; onnxruntime and PyTorch agree). A window larger than the padded input is an
 * error unless the input is empty.
 */
export function convOutputSize(inSize: number, kernel: number, stride: number, dilation: number, padBegin: number, padEnd: number, ceilMode = false): number {
  const span = (kernel - 1) * dilation + 1;
  const room = inSize + padBegin + padEnd - span;
  if (room < 0) {
    if (inSize === 0) return 0;
    throw new OpError(`window span ${span} (kernel ${kernel}, dilation ${dilation}) is larger than the padded input ${inSize + padBegin + padEnd} (size ${inSize}, pads ${padBegin}+${padEnd})`);
  }
  let out = (ceilMode ? Math.ceil(room / stride) : Math.floor(room / stride)) + 1;
  if (ceilMode && (out - 1) * stride >= inSize + padBegin) out--;
  return out;
}

/**
 * The pads one axis actually gets under auto_pad, and its output length. SAME_* keeps
 * ceil(in / stride) outputs and splits the total pad with the odd one at the end (UPPER) or the
 * beginning (LOWER); a negative total (kernel smaller than stride) is clamped to 0 as ONNX's shape
 * inference does.
 */
export function resolvePads(
  inSize: number, kernel: number, stride: number, dilation: number,
  autoPad: AutoPad, padBegin: number, padEnd: number, ceilMode = false,
): { out: number; padBegin: number; padEnd: number } {
  if (autoPad === 'VALID') return { out: convOutputSize(inSize, kernel, stride, dilation, 0, 0, ceilMode), padBegin: 0, padEnd: 0 };
  if (autoPad === 'NOTSET') return { out: convOutputSize(inSize, kernel, stride, dilation, padBegin, padEnd, ceilMode), padBegin, padEnd };
  const out = Math.ceil(inSize / stride);
  const total = Math.max(0, (out - 1) * stride + (kernel - 1) * dilation + 1 - inSize);
  const begin = autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2);
  return { out, padBegin: begin, padEnd: total - begin };
}

/**
 * Output spatial dims of a window op over possibly symbolic input dims: a symbol stays when
 * SAME_* with stride 1 keeps the size, else becomes '?'. `w` must be complete (windowForRank).
 */
export function windowOutputDims(spatial: readonly Dim[], kernel: readonly Dim[], w: WindowAttrs, ceilMode = false): Dim[] {
  const r = spatial.length;
  return spatial.map((d, i) => {
    const k = kernel[i], s = w.strides[i];
    if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') return typeof d === 'number' ? Math.ceil(d / s) : s === 1 ? d : '?';
    if (typeof d !== 'number' || typeof k !== 'number') return '?';
    return resolvePads(d, k, s, w.dilations[i], w.autoPad, w.pads[i], w.pads[i + r], ceilMode).out;
  });
}
