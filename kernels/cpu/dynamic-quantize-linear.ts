import { cpuKernel } from '../types.js';
import { roundHalfEven } from './q-round.js';

/**
 * uint8 asymmetric quantization over [min(0, min x), max(0, max x)], float32 arithmetic in
 * onnxruntime's order (scale 1 when the range is 0, as onnxruntime does).
 */
export const dynamicQuantizeLinear = cpuKernel<Record<string, never>>({
  run(inputs, _attrs, outputs) {
    const x = inputs[0]!.data, y = outputs[0].data, n = x.length;
    let lo = 0, hi = 0;
    for (let i = 0; i < n; i++) { const v = x[i]; if (v < lo) lo = v; if (v > hi) hi = v; }
    const f = Math.fround;
    const scale = hi === lo ? 1 : f(f(hi - lo) / 255);
    const z0 = f(0 - f(lo / scale));
    const zp = roundHalfEven(z0 < 0 ? 0 : z0 > 255 ? 255 : z0);
    for (let i = 0; i < n; i++) {
      const q = roundHalfEven(f(x[i] / scale)) + zp;
      y[i] = q < 0 ? 0 : q > 255 ? 255 : q;
    }
    outputs[1].data[0] = scale;
    outputs[2].data[0] = zp;
  },
});
