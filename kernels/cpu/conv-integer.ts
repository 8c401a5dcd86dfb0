import type { ConvAttrs } from '../../src/ops/conv.js';
import { cpuKernel, type KTensor } from '../types.js';
import { window2d, type Window2d } from './conv.js';

export interface IntConvPlan { N: number; C: number; M: number; Cg: number; Mg: number; win: Window2d }

export function prepareIntConv(attrs: ConvAttrs, x: readonly number[], w: readonly number[], y: readonly number[]): IntConvPlan {
  return { N: x[0], C: x[1], M: w[0], Cg: w[1], Mg: w[0] / attrs.group, win: window2d(attrs, w.slice(2), x, y) };
}

/**
 * acc[n, m, oh, ow] = sum over the group's channels and taps of (x - xz)(w[m] - wz[m]) in int32;
 * taps in the padding contribute 0 (they read the zero point). Direct loops: imported models
 * carry these ops, Tessera's own quantized convs run QConv.
 */
export function integerConv(x: KTensor['data'], w: KTensor['data'], xz: number, wz: KTensor['data'] | undefined, p: IntConvPlan, acc: Int32Array): void {
  const { N, C, M, Cg, Mg, win } = p, { H, W, OH, OW, KH, KW, SH, SW, DH, DW, PT, PL } = win;
  for (let n = 0; n < N; n++) for (let m = 0; m < M; m++) {
    const g = Math.floor(m / Mg), zw = wz ? wz[wz.length > 1 ? m : 0] : 0;
    for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) {
      let s = 0;
      for (let c = 0; c < Cg; c++) {
        const xc = (n * C + g * Cg + c) * H * W, wc = (m * Cg + c) * KH * KW;
        for (let kh = 0; kh < KH; kh++) {
          const iy = oh * SH - PT + kh * DH;
          if (iy < 0 || iy >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const ix = ow * SW - PL + kw * DW;
            if (ix < 0 || ix >= W) continue;
            s = (s + Math.imul(x[xc + iy * W + ix] - xz, w[wc + kh * KW + kw] - zw)) | 0;
          }
        }
      }
      acc[((n * M + m) * OH + oh) * OW + ow] = s;
    }
  }
}

export const convInteger = cpuKernel<ConvAttrs, IntConvPlan>({
  prepare: (attrs, inputs, outputs) => prepareIntConv(attrs, inputs[0].shape, inputs[1].shape, outputs[0].shape),
  run(inputs, p, outputs) {
    integerConv(inputs[0]!.data, inputs[1]!.data, inputs[2] ? inputs[2].data[0] : 0, inputs[3]?.data, p, outputs[0].data as Int32Array);
  },
});
