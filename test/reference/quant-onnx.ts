import { roundHalfEven } from '../../kernels/cpu/q-round.js';
import { broadcastShape, ravel, size, unravel } from './tensor.js';
import { refGeometry, type RefWindow } from './conv.js';

/**
 * References for the ONNX quantized ops, straight from the operator texts (with onnxruntime's
 * float32 arithmetic where the text leaves it open): index arithmetic per element, no tiling.
 */
const f = Math.fround;
export const range = (dtype: string): [number, number] => (dtype === 'int8' ? [-128, 127] : [0, 255]);
const clamp = (v: number, [lo, hi]: [number, number]) => Math.min(hi, Math.max(lo, v));

/** Parameter index of flat element i: per tensor (one value) or along `axis`. */
function param(i: number, shape: number[], count: number, axis: number): number {
  if (count === 1) return 0;
  const a = axis < 0 ? axis + shape.length : axis;
  return unravel(i, shape)[a];
}

export function quantizeLinearRef(x: ArrayLike<number>, shape: number[], s: ArrayLike<number>, z: ArrayLike<number> | undefined, axis: number, dtype: string): number[] {
  return Array.from({ length: size(shape) }, (_, i) => {
    const c = param(i, shape, s.length, axis);
    return clamp(roundHalfEven(f(x[i] / s[c])) + (z ? z[c] : 0), range(dtype));
  });
}

export function dequantizeLinearRef(x: ArrayLike<number>, shape: number[], s: ArrayLike<number>, z: ArrayLike<number> | undefined, axis: number): number[] {
  return Array.from({ length: size(shape) }, (_, i) => { const c = param(i, shape, s.length, axis); return f((x[i] - (z ? z[c] : 0)) * s[c]); });
}

export function dynamicQuantizeLinearRef(x: ArrayLike<number>): { y: number[]; scale: number; zp: number } {
  const xs = Array.from(x);
  const hi = f(Math.max(0, ...xs)), lo = f(Math.min(0, ...xs));
  const scale = hi === lo ? 1 : f(f(hi - lo) / 255);
  const zp = roundHalfEven(clamp(f(0 - f(lo / scale)), [0, 255]));
  return { y: xs.map((v) => clamp(roundHalfEven(f(v / scale)) + zp, [0, 255])), scale, zp };
}

/** numpy.matmul of (A - a_zp) and (B - b_zp) in exact integers; zero points per tensor, per row of A, per column of B. */
export function matMulIntegerRef(a: ArrayLike<number>, aShape: number[], b: ArrayLike<number>, bShape: number[], az?: ArrayLike<number>, bz?: ArrayLike<number>): { shape: number[]; data: number[] } {
  const A = aShape.length === 1 ? [1, aShape[0]] : aShape, B = bShape.length === 1 ? [bShape[0], 1] : bShape;
  const M = A[A.length - 2], K = A[A.length - 1], N = B[B.length - 1];
  const batch = broadcastShape(A.slice(0, -2), B.slice(0, -2)), full = [...batch, M, N];
  const data: number[] = [];
  for (let o = 0; o < size(full); o++) {
    const idx = unravel(o, full), i = idx[idx.length - 2], j = idx[idx.length - 1], bi = idx.slice(0, -2);
    const aIdx = A.slice(0, -2).map((d, t) => (d === 1 ? 0 : bi[bi.length - (A.length - 2) + t]));
    const bIdx = B.slice(0, -2).map((d, t) => (d === 1 ? 0 : bi[bi.length - (B.length - 2) + t]));
    const aRow = ravel([...aIdx, i], A.slice(0, -1)), bCol = ravel([...bIdx, j], [...B.slice(0, -2), N]);
    const za = az ? az[az.length > 1 ? aRow : 0] : 0, zb = bz ? bz[bz.length > 1 ? (bz.length === N ? j : bCol) : 0] : 0;
    let s = 0;
    for (let k = 0; k < K; k++) s += (a[ravel([...aIdx, i, k], A)] - za) * (b[ravel([...bIdx, k, j], B)] - zb);
    data.push(s | 0);
  }
  const shape = [...batch, ...(aShape.length === 1 ? [] : [M]), ...(bShape.length === 1 ? [] : [N])];
  return { shape, data };
}

/** 2-D integer conv of (x - xz) by (w - wz[m]); padded taps contribute 0. */
export function convIntegerRef(x: ArrayLike<number>, xShape: number[], w: ArrayLike<number>, wShape: number[], win: RefWindow, group: number, xz = 0, wz?: ArrayLike<number>): { shape: number[]; data: number[] } {
  const [N, C, H, W] = xShape, [M, Cg, KH, KW] = wShape, Mg = M / group;
  const { out: [OH, OW], padBegin: [PT, PL] } = refGeometry([H, W], { ...win, kernel: [KH, KW] });
  const data: number[] = [];
  for (let n = 0; n < N; n++) for (let m = 0; m < M; m++) for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) {
    const g = Math.floor(m / Mg), zw = wz ? wz[wz.length > 1 ? m : 0] : 0;
    let s = 0;
    for (let c = 0; c < Cg; c++) for (let kh = 0; kh < KH; kh++) for (let kw = 0; kw < KW; kw++) {
      const iy = oh * win.strides[0] - PT + kh * win.dilations[0], ix = ow * win.strides[1] - PL + kw * win.dilations[1];
      if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
      s += (x[((n * C + g * Cg + c) * H + iy) * W + ix] - xz) * (w[((m * Cg + c) * KH + kh) * KW + kw] - zw);
    }
    data.push(s);
  }
  return { shape: [N, M, OH, OW], data };
}

/** onnxruntime's requantization: float32 multiplier (s1 * s2) / ys, float32 product, ties to even. */
export function requantize(acc: number, s1: number, s2: number, ys: number, yz: number, dtype: string): number {
  return clamp(roundHalfEven(f(f(acc) * f(f(s1 * s2) / ys))) + yz, range(dtype));
}

/** MatMulNBits: W[n, k] = (u[n, k] - zp[n, block]) * scale[n, block]; Y = A @ W^T + bias, float64. */
export function matMulNBitsRef(a: ArrayLike<number>, M: number, K: number, N: number, G: number, b: Uint8Array, scales: ArrayLike<number>, zeros?: ArrayLike<number>, bias?: ArrayLike<number>): Float64Array {
  const blocks = Math.ceil(K / G), y = new Float64Array(M * N);
  for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) {
    const blk = Math.floor(k / G), byte = b[(n * blocks + blk) * (G / 2) + ((k % G) >> 1)], u = (k % 2 ? byte >> 4 : byte) & 15;
    const wv = (u - (zeros ? zeros[n * blocks + blk] : 8)) * scales[n * blocks + blk];
    for (let i = 0; i < M; i++) y[i * N + n] += a[i * K + k] * wv;
  }
  if (bias) for (let i = 0; i < M; i++) for (let n = 0; n < N; n++) y[i * N + n] += bias[n];
  return y;
}
