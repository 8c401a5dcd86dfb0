import { Tensor } from '../../tensor.js';
import { isFloat, toKernelData, toPublicData, type DType } from '../../dtype.js';
import type { Pass } from './pattern.js';

/**
 * Conv followed by an inference BatchNormalization with constant parameters becomes one Conv:
 * with s = scale / sqrt(var + eps), W'[m] = W[m] * s[m] and b'[m] = (b[m] - mean[m]) * s[m] + B[m].
 * Only when the Conv output feeds nothing else (and is not a graph output), and the Conv
 * weights are dense constants. New initializers are made (weights may be shared); DCE drops the
 * old ones. Computed in float64 and rounded once, so results move by float32 rounding only.
 */
export const foldBatchNorm: Pass = {
  name: 'fold-batchnorm',
  run(rw) {
    for (const bn of rw.nodes()) {
      if (bn.op !== 'BatchNormalization' || !rw.isLive(bn)) continue;
      const conv = rw.producedBy(bn.inputs[0], 'Conv');
      if (!conv || !rw.onlyFeeds(conv.outputs[0], bn)) continue;
      const w = rw.constant(conv.inputs[1]);
      if (!w || !isFloat(w.dtype) || w.rank < 1) continue;
      const M = w.shape[0];
      const params = bn.inputs.slice(1, 5).map((v) => rw.floatValues(v));
      if (params.some((p) => !p || p.length !== M)) continue;
      const bias = conv.inputs[2] ? rw.constant(conv.inputs[2]) : undefined;
      if (conv.inputs[2] && (!bias || bias.size !== M || !isFloat(bias.dtype))) continue;
      const [scale, beta, mean, variance] = params as Float64Array[];
      const eps = (bn.attrs.epsilon as number | undefined) ?? 1e-5;
      const s = scale.map((g, m) => g / Math.sqrt(variance[m] + eps));
      const b = bias ? Float64Array.from(toKernelData(bias.dtype, bias.data)) : new Float64Array(M);
      const scaled = scaleRows(toKernelData(w.dtype, w.data) as Float32Array, s);
      const folded = Float32Array.from(b, (v, m) => (v - mean[m]) * s[m] + beta[m]);
      const wName = rw.addInitializer(`${conv.inputs[1]}_bn`, tensor(w.dtype, w.shape, scaled));
      const bName = rw.addInitializer(`${conv.name}_bias_bn`, tensor(w.dtype, [M], folded));
      rw.replace([conv, bn], [{ ...conv, inputs: [conv.inputs[0], wName, bName], outputs: [bn.outputs[0]], attrs: { ...conv.attrs } }]);
    }
  },
};

/** w viewed as [s.length, rest], row m times s[m]: a small function so it is optimised early. */
function scaleRows(w: Float32Array, s: Float64Array): Float32Array {
  const out = new Float32Array(w.length), per = w.length / s.length;
  for (let m = 0, i = 0; m < s.length; m++) {
    const sm = s[m];
    for (const end = i + per; i < end; i++) out[i] = w[i] * sm;
  }
  return out;
}

function tensor(dtype: DType, shape: readonly number[], data: Float32Array): Tensor {
  return new Tensor(dtype, shape, dtype === 'float32' ? data : (toPublicData(dtype, data) as never));
}
