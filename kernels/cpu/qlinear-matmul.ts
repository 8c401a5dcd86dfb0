import { cpuKernel } from '../types.js';
import { roundHalfEven } from './q-round.js';
import { ScratchCache } from './q-scratch.js';
import { matmulBatches, satRange, type MatMulBatches } from './q-linear-params.js';
import { integerMatMul } from './matmul-integer.js';

interface Plan extends MatMulBatches { lo: number; hi: number; scratch: ScratchCache }

/**
 * The int32 product, then requantized as onnxruntime does in float32: multiplier =
 * (a_scale * b_scale) / y_scale, y = saturate(roundHalfEven(float(acc) * multiplier) + y_zero_point).
 * The int32 accumulator lives in scratch.
 */
export const qLinearMatMul = cpuKernel<Record<string, never>, Plan>({
  prepare(_attrs, inputs, outputs) {
    const [lo, hi] = satRange(outputs[0].dtype);
    const size = outputs[0].shape.reduce((a, b) => a * b, 1);
    return { ...matmulBatches(inputs[0].shape, inputs[3].shape), lo, hi, scratch: new ScratchCache({ f64: [], f32: [], i32: [size] }) };
  },
  scratchBytes: (_p, _i, outputs) => outputs[0].shape.reduce((a, b) => a * b, 1) * 4,
  run(inputs, p, outputs, scratch) {
    const y = outputs[0].data, acc = p.scratch.views(scratch).i32[0];
    const as = inputs[1]!.data, az = inputs[2]!.data, bs = inputs[4]!.data, bz = inputs[5]!.data, ys = inputs[6]!.data[0], yz = inputs[7]!.data[0];
    integerMatMul(inputs[0]!.data, inputs[3]!.data, az, bz, p, acc);
    const { M, N, K, lo, hi } = p, f = Math.fround;
    for (let t = 0; t < p.batches; t++) {
      const bCol = bs.length > N ? (p.bOff[t] / (K * N)) * N : 0;
      for (let i = 0; i < M; i++) {
        const sa = as[as.length > 1 ? p.aOff[t] / K + i : 0];
        for (let j = 0; j < N; j++) {
          const o = (t * M + i) * N + j, mult = f(f(sa * bs[bs.length > 1 ? bCol + j : 0]) / ys);
          const q = roundHalfEven(f(f(acc[o]) * mult)) + yz;
          y[o] = q < lo ? lo : q > hi ? hi : q;
        }
      }
    }
  },
});
