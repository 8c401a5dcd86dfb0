import type { LayerNormalizationAttrs } from '../../src/ops/layer-normalization.js';
import { cpuKernel } from '../types.js';

interface LayerNormPlan {
  rows: number;
  /** Elements normalised together (product of X.shape[axis:]). */
  d: number;
  epsilon: number;
  /** Index of Scale / B per position in a row; null when it is dense over the row (the usual case). */
  scaleIdx: Int32Array | null;
  biasIdx: Int32Array | null;
}

/** Map each flat position of the normalised dims to a (broadcast) parameter's element. */
function paramIndex(param: readonly number[], norm: readonly number[], d: number): Int32Array | null {
  const p = param.slice(Math.max(0, param.length - norm.length)); // leading dims are all 1
  if (p.reduce((a, b) => a * b, 1) === d) return null;
  const idx = new Int32Array(d), off = norm.length - p.length;
  for (let q = 0; q < d; q++) {
    let rem = q, at = 0, stride = 1;
    for (let k = norm.length - 1; k >= 0; k--) {
      const i = rem % norm[k];
      rem = Math.floor(rem / norm[k]);
      if (k < off) continue;
      const pd = p[k - off];
      if (pd !== 1) at += i * stride;
      stride *= pd;
    }
    idx[q] = at;
  }
  return idx;
}

export const layerNormalization = cpuKernel<LayerNormalizationAttrs, LayerNormPlan>({
  prepare(attrs, inputs) {
    const s = inputs[0].shape, axis = attrs.axis < 0 ? attrs.axis + s.length : attrs.axis;
    const norm = s.slice(axis), d = norm.reduce((a, b) => a * b, 1);
    const rows = s.slice(0, axis).reduce((a, b) => a * b, 1);
    const hasB = inputs.length > 2 && inputs[2] !== undefined;
    return {
      rows, d, epsilon: attrs.epsilon,
      scaleIdx: paramIndex(inputs[1].shape, norm, d),
      biasIdx: hasB ? paramIndex(inputs[2].shape, norm, d) : null,
    };
  },
  run(inputs, p, outputs) {
    const x = inputs[0]!.data as Float32Array, g = inputs[1]!.data as Float32Array, b = inputs[2]?.data as Float32Array | undefined;
    const y = outputs[0].data as Float32Array, meanOut = outputs[1]?.data, invOut = outputs[2]?.data;
    const { rows, d, epsilon, scaleIdx, biasIdx } = p;
    for (let r = 0, base = 0; r < rows; r++, base += d) {
      // One read pass: sums shifted by the row's first element, which keeps the
      // E[x^2] - E[x]^2 form exact enough when |mean| >> std (float64 accumulators).
      let mean = NaN, inv = NaN;
      if (d > 0) {
        const shift = x[base];
        let s1 = 0, s2 = 0;
        for (let i = base; i < base + d; i++) { const v = x[i] - shift; s1 += v; s2 += v * v; }
        const m = s1 / d, variance = Math.max(0, s2 / d - m * m);
        mean = shift + m;
        inv = 1 / Math.sqrt(variance + epsilon);
      }
      if (meanOut) meanOut[r] = mean;
      if (invOut) invOut[r] = inv;
      if (!scaleIdx && (!b || !biasIdx)) {
        if (b) for (let i = 0; i < d; i++) y[base + i] = (x[base + i] - mean) * inv * g[i] + b[i];
        else for (let i = 0; i < d; i++) y[base + i] = (x[base + i] - mean) * inv * g[i];
      } else {
        for (let i = 0; i < d; i++) {
          const v = (x[base + i] - mean) * inv * g[scaleIdx ? scaleIdx[i] : i];
          y[base + i] = b ? v + b[biasIdx ? biasIdx[i] : i] : v;
        }
      }
    }
  },
});
