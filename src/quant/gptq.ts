import type { Graph, Node } from '../graph/graph.js';
import type { Tensor } from '../tensor.js';
import { schemaOf } from '../ops/index.js';
import type { ConvAttrs } from '../ops/conv.js';
import { window2d } from '../../kernels/cpu/conv.js';
import { int8Scale, quantizeInt8 } from '../../kernels/cpu/q-round.js';
import { runProbe } from './calibrate.js';
import { Int8Weight, int8Stride } from './formats/int8.js';
import { Int4Weight, halfToNumber, int4GroupScale, int4ScaleCount, q4, type Int4GroupSize } from './formats/int4.js';

/** A layer for GPTQ: its node in the float graph and its weight as the quantized op sees it. */
export interface GptqLayer { node: Node; kind: 'matmul' | 'conv'; dense: Tensor; axis: 0 | 1 }

/**
 * GPTQ (Frantar et al., 2022): weights are quantized one input element k at a time, and the
 * rounding error of column k is spread over the columns not yet quantized in proportion to
 * the inverse input Hessian H = E[x x^T] (from calibration inputs), which minimizes the
 * layer's output error E||(W - Q) x||^2 instead of the weight error. Produces the same formats
 * as the round-to-nearest quantizers (int4 group scales are chosen when a group starts, from the
 * updated weights). Cost: K^3 for the factorizations plus rows * K^2 per layer.
 * Grouped convs are not handled (the caller quantizes them to nearest).
 */
export function gptqWeights(g: Graph, layers: readonly GptqLayer[], feeds: readonly Record<string, Tensor>[], format: 'int8' | 'int4', groupSize: Int4GroupSize): Map<Node, Int8Weight | Int4Weight> {
  const hess = new Map<Node, { h: Float64Array; n: number }>();
  for (const l of layers) {
    const K = l.dense.size / Math.max(1, l.dense.shape[l.axis]);
    hess.set(l.node, { h: new Float64Array(K * K), n: 0 });
  }
  runProbe(g, layers.map((l) => l.node.inputs[0]), feeds, (values, types) => {
    for (const l of layers) {
      const x = values.get(l.node.inputs[0])!, acc = hess.get(l.node)!, K = Math.sqrt(acc.h.length);
      if (l.kind === 'matmul') {
        const d = x.data as Float32Array, rows = d.length / Math.max(1, K);
        for (let r = 0; r < rows; r++) addOuter(acc.h, d, r * K, K);
        acc.n += rows;
      } else {
        acc.n += patchRows(l, x, types.get(l.node.outputs[0])!.shape as number[], (row) => addOuter(acc.h, row, 0, K));
      }
    }
  });
  const out = new Map<Node, Int8Weight | Int4Weight>();
  for (const l of layers) {
    const { h, n } = hess.get(l.node)!, K = Math.sqrt(h.length);
    for (let i = 0; i < K; i++) for (let j = i; j < K; j++) h[j * K + i] = h[i * K + j] /= Math.max(1, n);
    out.set(l.node, quantizeLayer(l, h, K, format === 'int4' && K >= groupSize ? groupSize : 0));
  }
  return out;
}

/** H[i, j] += v[i] v[j] for j >= i (the upper triangle; mirrored at the end). */
function addOuter(h: Float64Array, v: ArrayLike<number>, off: number, K: number): void {
  for (let i = 0; i < K; i++) {
    const vi = v[off + i];
    if (vi === 0) continue;
    for (let j = i, r = i * K; j < K; j++) h[r + j] += vi * v[off + j];
  }
}

/** Calls `each` with every receptive field (im2col row, padding 0) of a group-1 conv; returns the count. */
function patchRows(l: GptqLayer, x: Tensor, yShape: number[], each: (row: Float64Array) => void): number {
  const attrs = schemaOf(l.node.op)!.parse(l.node.attrs) as ConvAttrs, w = l.dense.shape;
  const q = window2d(attrs, w.slice(2), x.shape, yShape), [N, C] = x.shape, d = x.data as Float32Array;
  const row = new Float64Array(C * q.KH * q.KW);
  for (let n = 0; n < N; n++) for (let oh = 0; oh < q.OH; oh++) for (let ow = 0; ow < q.OW; ow++) {
    let i = 0;
    for (let c = 0; c < C; c++) for (let kh = 0; kh < q.KH; kh++) for (let kw = 0; kw < q.KW; kw++) {
      const iy = oh * q.SH - q.PT + kh * q.DH, ix = ow * q.SW - q.PL + kw * q.DW;
      row[i++] = iy >= 0 && iy < q.H && ix >= 0 && ix < q.W ? d[((n * C + c) * q.H + iy) * q.W + ix] : 0;
    }
    each(row);
  }
  return N * q.OH * q.OW;
}

/** Lower Cholesky factor of a symmetric positive definite K x K matrix (row-major), in place into a new array. */
function cholesky(a: Float64Array, K: number): Float64Array {
  const L = new Float64Array(K * K);
  for (let i = 0; i < K; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * K + j];
      for (let k = 0; k < j; k++) s -= L[i * K + k] * L[j * K + k];
      if (i === j) {
        if (!(s > 0)) throw new Error('GPTQ: the input Hessian is not positive definite even after dampening');
        L[i * K + i] = Math.sqrt(s);
      } else L[i * K + j] = s / L[j * K + j];
    }
  }
  return L;
}

/** U (upper) with H^-1 = U^T U, the factor GPTQ's error propagation reads row by row. */
function inverseFactor(h: Float64Array, K: number): Float64Array {
  const L = cholesky(h, K), Li = new Float64Array(K * K);
  for (let j = 0; j < K; j++) { // columns of L^-1 by forward substitution
    Li[j * K + j] = 1 / L[j * K + j];
    for (let i = j + 1; i < K; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= L[i * K + k] * Li[k * K + j];
      Li[i * K + j] = s / L[i * K + i];
    }
  }
  const hinv = new Float64Array(K * K); // H^-1 = L^-T L^-1
  for (let i = 0; i < K; i++) for (let j = i; j < K; j++) {
    let s = 0;
    for (let k = j; k < K; k++) s += Li[k * K + i] * Li[k * K + j];
    hinv[i * K + j] = hinv[j * K + i] = s;
  }
  const Lh = cholesky(hinv, K), U = new Float64Array(K * K);
  for (let i = 0; i < K; i++) for (let j = i; j < K; j++) U[i * K + j] = Lh[j * K + i];
  return U;
}

function quantizeLayer(l: GptqLayer, h: Float64Array, K: number, G: number): Int8Weight | Int4Weight {
  const rows = l.dense.shape[l.axis], dense = l.dense.data as Float32Array;
  const W = new Float64Array(rows * K);
  for (let n = 0; n < rows; n++) for (let k = 0; k < K; k++) W[n * K + k] = l.axis === 0 ? dense[n * K + k] : dense[k * rows + n];
  let mean = 0;
  for (let i = 0; i < K; i++) mean += h[i * K + i] / K;
  for (let i = 0; i < K; i++) {
    if (h[i * K + i] === 0) { h[i * K + i] = 1; for (let n = 0; n < rows; n++) W[n * K + i] = 0; } // an input that is always 0
    h[i * K + i] += 0.01 * (mean || 1);
  }
  const U = inverseFactor(h, K), Q = new Int8Array(rows * K);
  const blocks = G ? Math.ceil(K / G) : 0, f16 = new Uint16Array(G ? int4ScaleCount(rows, blocks) : 0);
  const scale = new Float64Array(rows), inv = new Float64Array(rows);
  if (!G) for (let n = 0; n < rows; n++) { scale[n] = Math.fround(int8Scale(W, n * K, K)); inv[n] = scale[n] === 0 ? 0 : 1 / scale[n]; }
  for (let k = 0; k < K; k++) {
    if (G && k % G === 0) {
      const b = k / G, e = Math.min(K, k + G);
      for (let n = 0; n < rows; n++) {
        const bits = int4GroupScale(W.subarray(n * K, n * K + K), k, e, `weight of node '${l.node.name}'`);
        f16[n * blocks + b] = bits;
        scale[n] = halfToNumber(bits);
        inv[n] = scale[n] === 0 ? 0 : 1 / scale[n];
      }
    }
    const d = U[k * K + k];
    for (let n = 0; n < rows; n++) {
      const o = n * K, w = W[o + k], q = G ? q4(w, inv[n]) : quantizeInt8(w, inv[n]);
      Q[o + k] = q;
      const err = (w - q * scale[n]) / d;
      if (err !== 0) for (let j = k + 1, u = k * K; j < K; j++) W[o + j] -= err * U[u + j];
    }
  }
  return G ? pack4(l, Q, rows, K, G as Int4GroupSize, blocks, f16) : pack8(l, Q, rows, K, scale);
}

function pack8(l: GptqLayer, Q: Int8Array, rows: number, K: number, scale: Float64Array): Int8Weight {
  const stride = int8Stride(K), quants = new Int8Array(rows * stride);
  for (let n = 0; n < rows; n++) quants.set(Q.subarray(n * K, n * K + K), n * stride);
  return new Int8Weight(l.dense.shape, l.axis, quants, Float32Array.from(scale));
}

function pack4(l: GptqLayer, Q: Int8Array, rows: number, K: number, G: Int4GroupSize, blocks: number, f16: Uint16Array): Int4Weight {
  const rowBytes = blocks * (G / 2), quants = new Uint8Array(rows * rowBytes).fill(0x88);
  for (let n = 0; n < rows; n++) for (let k = 0; k < K; k++) {
    const at = n * rowBytes + (k >> 1), u = Q[n * K + k] + 8;
    quants[at] = k & 1 ? (quants[at] & 0x0f) | (u << 4) : (quants[at] & 0xf0) | u;
  }
  return new Int4Weight(l.dense.shape, l.axis, G, quants, f16);
}
