import { cpuKernel, type KTensor } from '../types.js';
import { matmulBatches, type MatMulBatches } from './q-linear-params.js';

/** acc[t, i, j] = sum_k (A - a_zp[row]) (B - b_zp[col]) in int32 (wrapping, as int32 hardware does). */
export function integerMatMul(a: KTensor['data'], b: KTensor['data'], az: KTensor['data'] | undefined, bz: KTensor['data'] | undefined, p: MatMulBatches, acc: Int32Array): void {
  const { M, K, N } = p;
  const aStep = az && az.length > 1, bStep = bz && bz.length > 1;
  for (let t = 0; t < p.batches; t++) {
    const ao = p.aOff[t], bo = p.bOff[t], yo = t * M * N, bRow = bStep && bz!.length > N ? (bo / (K * N)) * N : 0;
    for (let i = 0; i < M; i++) {
      const za = az ? az[aStep ? ao / K + i : 0] : 0, yr = yo + i * N;
      for (let j = 0; j < N; j++) acc[yr + j] = 0;
      for (let k = 0; k < K; k++) {
        const x = a[ao + i * K + k] - za, br = bo + k * N;
        if (x === 0) continue;
        for (let j = 0; j < N; j++) acc[yr + j] = (acc[yr + j] + Math.imul(x, b[br + j] - (bz ? bz[bStep ? bRow + j : 0] : 0))) | 0;
      }
    }
  }
}

export const matMulInteger = cpuKernel<Record<string, never>, MatMulBatches>({
  prepare: (_attrs, inputs) => matmulBatches(inputs[0].shape, inputs[1].shape),
  run(inputs, p, outputs) {
    integerMatMul(inputs[0]!.data, inputs[1]!.data, inputs[2]?.data, inputs[3]?.data, p, outputs[0].data as Int32Array);
  },
});
