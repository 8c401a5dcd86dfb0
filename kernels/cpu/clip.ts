import type { ClipAttrs } from '../../src/ops/clip.js';
import { cpuKernel } from '../types.js';

export const clip = cpuKernel<ClipAttrs>({
  run(inputs, _attrs, outputs) {
    const x = inputs[0]!.data, y = outputs[0].data, n = y.length;
    // Bounds are data, not attributes: read here so a computed min/max works too.
    const lo = inputs[1] ? inputs[1].data[0] : -Infinity, hi = inputs[2] ? inputs[2].data[0] : Infinity;
    // NaN passes through (neither comparison holds); min > max yields max, as ONNX specifies.
    for (let i = 0; i < n; i++) { const v = x[i]; y[i] = v < lo ? (lo > hi ? hi : lo) : v > hi ? hi : v; }
  },
});
