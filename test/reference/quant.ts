import { Int8Weight } from '../../src/quant/formats/int8.js';
import { Int4Weight } from '../../src/quant/formats/int4.js';
import { int8Scale, quantizeInt8 } from '../../kernels/cpu/q-round.js';
import { refGeometry, type RefWindow } from './conv.js';

/**
 * Float64 references for the internal quantized ops (QMatMul, QConv, QGather), written from
 * the format definitions in src/quant/formats: plain loops over q[c, k] and scales, no tiles,
 * no packing tricks. The int8-input paths are integer sums, so kernels must match them exactly
 * once rounded to float32.
 */
export type QWeight = Int8Weight | Int4Weight;

/** W[c, k] in float64 (row c = output channel). */
export function deqRef(w: QWeight, c: number, k: number): number {
  return w instanceof Int8Weight ? w.quant(c, k) * w.scales[c] : w.quant(c, k) * w.scale(c, Math.floor(k / w.groupSize));
}

/** One GEMM row's dynamic int8 quantization, as the format defines it: scale and quants. */
export function quantizeRowRef(row: ArrayLike<number>): { scale: number; q: number[] } {
  const scale = Math.fround(int8Scale(row, 0, row.length)), inv = scale === 0 ? 0 : 1 / scale;
  return { scale, q: Array.from(row, (v) => quantizeInt8(v, inv)) };
}

/** y[n] for one GEMM row `a` against every channel of w, before any activation (bias optional). */
export function qRowRef(a: ArrayLike<number>, w: QWeight, bias: ArrayLike<number> | undefined, inputQuant: 'none' | 'int8'): Float64Array {
  const N = w.rows, K = w.depth, y = new Float64Array(N);
  const qa = inputQuant === 'int8' ? quantizeRowRef(a) : undefined;
  for (let n = 0; n < N; n++) {
    let v = 0;
    if (!qa) {
      for (let k = 0; k < K; k++) v += a[k] * deqRef(w, n, k);
    } else if (w instanceof Int8Weight) {
      let acc = 0;
      for (let k = 0; k < K; k++) acc += qa.q[k] * w.quant(n, k);
      v = acc * qa.scale * w.scales[n];
    } else {
      let acc = 0;
      for (let g = 0; g < w.blocks; g++) {
        let isum = 0;
        for (let k = g * w.groupSize; k < Math.min(K, (g + 1) * w.groupSize); k++) isum += qa.q[k] * w.quant(n, k);
        acc += isum * w.scale(n, g);
      }
      v = acc * qa.scale;
    }
    y[n] = v + (bias ? bias[n] : 0);
  }
  return y;
}

/** QMatMul: A [M, K] (any leading dims flattened) against W [K, N] (channels are columns). */
export function qMatMulRef(a: Float32Array, M: number, w: QWeight, bias: ArrayLike<number> | undefined, inputQuant: 'none' | 'int8'): Float64Array {
  const K = w.depth, N = w.rows, y = new Float64Array(M * N);
  for (let r = 0; r < M; r++) y.set(qRowRef(a.subarray(r * K, (r + 1) * K), w, bias, inputQuant), r * N);
  return y;
}

/**
 * QConv (2-D, NCHW): each output pixel's receptive field within its group is one GEMM row,
 * taps in (c, kh, kw) order, padding reading 0.
 */
export function qConvRef(
  x: Float32Array, xShape: number[], w: QWeight, bias: ArrayLike<number> | undefined, win: RefWindow, group: number, inputQuant: 'none' | 'int8',
): { shape: number[]; data: Float64Array } {
  const [N, C, H, W] = xShape, [M, Cg, KH, KW] = w.shape, Mg = M / group;
  const { out: [OH, OW], padBegin: [PT, PL] } = refGeometry([H, W], { ...win, kernel: [KH, KW] });
  const y = new Float64Array(N * M * OH * OW), row = new Float64Array(Cg * KH * KW);
  for (let n = 0; n < N; n++) for (let g = 0; g < group; g++) for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) {
    let i = 0;
    for (let c = 0; c < Cg; c++) for (let kh = 0; kh < KH; kh++) for (let kw = 0; kw < KW; kw++) {
      const iy = oh * win.strides[0] - PT + kh * win.dilations[0], ix = ow * win.strides[1] - PL + kw * win.dilations[1];
      row[i++] = iy >= 0 && iy < H && ix >= 0 && ix < W ? x[((n * C + g * Cg + c) * H + iy) * W + ix] : 0;
    }
    const all = qRowRef(row, w, bias, inputQuant);
    for (let m = g * Mg; m < (g + 1) * Mg; m++) y[((n * M + m) * OH + oh) * OW + ow] = all[m];
  }
  return { shape: [N, M, OH, OW], data: y };
}
