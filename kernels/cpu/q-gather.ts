import type { QGatherAttrs } from '../../src/ops/q-gather.js';
import { cpuKernel } from '../types.js';
import { quantView, type QuantView } from './q-weights.js';

interface QGatherPlan { v: QuantView; V: number; H: number; scales: Float32Array }

/** QGather: rows of a packed embedding table, dequantized as they are copied out. */
export const qGather = cpuKernel<QGatherAttrs, QGatherPlan>({
  prepare(_attrs, inputs) {
    const v = quantView(inputs[0].packed, 'QGather', 0);
    const [V, H] = inputs[0].shape;
    return { v, V, H, scales: v.format === 'int4' ? v.scalesFloat32() : v.scales };
  },
  run(inputs, { v, V, H, scales }, outputs) {
    const idx = inputs[1]!.data, y = outputs[0].data as Float32Array, n = idx.length;
    for (let j = 0; j < n; j++) {
      const k = idx[j];
      if (k < -V || k >= V) throw new RangeError(`QGather: index ${k} (position ${j}) is out of range for a table of ${V} rows; valid indices are ${-V}..${V - 1}`);
    }
    for (let j = 0; j < n; j++) {
      const row = idx[j] < 0 ? idx[j] + V : idx[j], o = j * H;
      if (v.format === 'int8') {
        const q = v.quants, s = scales[row], base = row * v.stride;
        for (let h = 0; h < H; h++) y[o + h] = q[base + h] * s;
      } else {
        const q = v.quants, G = v.groupSize, base = row * v.blocks * (G >> 1);
        for (let h = 0; h < H; h++) {
          const byte = q[base + (h >> 1)];
          y[o + h] = (((h & 1 ? byte >> 4 : byte) & 15) - 8) * scales[row * v.blocks + Math.floor(h / G)];
        }
      }
    }
  },
});
