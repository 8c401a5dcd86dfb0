import { ravel, size, unravel, type RefTensor } from './tensor.js';
import { erf64 } from './unary.js';

/** A window op's geometry per spatial axis, as the ONNX operator text states it. */
export interface RefWindow {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** [begin..., end...] */
  pads: number[];
  autoPad?: 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';
  ceilMode?: boolean;
}

/** Output sizes and the pads actually applied, straight from the ONNX formulas. */
export function refGeometry(spatial: readonly number[], w: RefWindow): { out: number[]; padBegin: number[]; padEnd: number[] } {
  const out: number[] = [], padBegin: number[] = [], padEnd: number[] = [];
  spatial.forEach((n, i) => {
    const span = (w.kernel[i] - 1) * w.dilations[i] + 1, s = w.strides[i];
    let pb = w.pads[i], pe = w.pads[i + spatial.length], o: number;
    if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') {
      o = Math.ceil(n / s);
      const total = Math.max(0, (o - 1) * s + span - n);
      pb = w.autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : Math.ceil(total / 2);
      pe = total - pb;
    } else {
      if (w.autoPad === 'VALID') { pb = 0; pe = 0; }
      const room = n + pb + pe - span;
      if (n === 0 && room < 0) o = 0;
      else if (w.ceilMode) {
        o = Math.ceil(room / s) + 1;
        if ((o - 1) * s >= n + pb) o -= 1; // the last window must start inside the input or the leading pad
      } else o = Math.floor(room / s) + 1;
    }
    out.push(o); padBegin.push(pb); padEnd.push(pe);
  });
  return { out, padBegin, padEnd };
}

export type RefActivation = { kind: 'relu' | 'clip' | 'sigmoid' | 'silu' | 'gelu'; min?: number; max?: number };

export function refActivation(v: number, a: RefActivation | undefined): number {
  if (!a) return v;
  switch (a.kind) {
    case 'relu': return Math.max(v, 0);
    case 'clip': return Math.min(Math.max(v, a.min ?? -Infinity), a.max ?? Infinity);
    case 'sigmoid': return 1 / (1 + Math.exp(-v));
    case 'silu': return v / (1 + Math.exp(-v));
    case 'gelu': return 0.5 * v * (1 + erf64(v / Math.SQRT2));
  }
}

/**
 * Conv, any spatial rank: y[n, m, o...] = B[m] + sum over the group's channels c and kernel
 * taps k of x[n, c, o*s - padBegin + k*d] * w[m, c, k], taps in the padding reading 0.
 */
export function convRef(x: RefTensor, w: RefTensor, b: RefTensor | undefined, win: RefWindow, group: number, act?: RefActivation): RefTensor {
  const [N, C] = x.shape, M = w.shape[0], Cg = C / group, Mg = M / group, spatial = x.shape.slice(2), kernel = w.shape.slice(2);
  const { out, padBegin } = refGeometry(spatial, { ...win, kernel });
  const shape = [N, M, ...out], y = new Float64Array(size(shape));
  for (let i = 0; i < y.length; i++) {
    const [n, m, ...o] = unravel(i, shape), g = Math.floor(m / Mg);
    let s = b ? b.data[m] : 0;
    for (let cg = 0; cg < Cg; cg++) {
      for (let t = 0; t < size(kernel); t++) {
        const k = unravel(t, kernel);
        const pos = o.map((od, d) => od * win.strides[d] - padBegin[d] + k[d] * win.dilations[d]);
        if (pos.some((p, d) => p < 0 || p >= spatial[d])) continue;
        s += x.data[ravel([n, g * Cg + cg, ...pos], x.shape)] * w.data[ravel([m, cg, ...k], w.shape)];
      }
    }
    y[i] = refActivation(s, act);
  }
  return { shape, data: y };
}
