/**
 * Does sparse + INT8 pay? A measurement, not a kernel: the CSR core's 8-lane loop (as in
 * kernels/cpu/sparse-spmm.ts) with float32 values against the same loop with int8 values and
 * one float scale per output row (symmetric per-channel, as quantize() stores weights), on a
 * 90%-sparse 3072x768 weight times 128 activation columns (DistilBERT's FFN at S=128).
 *
 *   npm run build && node dist/bench/sparse-int8.js
 *
 * Each nonzero's value is loaded once and used for 8 lanes, so value bytes are an eighth of
 * the loads; int8 values shrink the stored weight (6 -> 3 bytes per nonzero with 16-bit column
 * indices) but are not expected to run faster in scalar JavaScript.
 */
import { seededFloats } from './data.js';

const ROWS = 3072, DEPTH = 768, LANES = 128, DENSITY = 0.1;

function csr(): { rowPtr: Int32Array; col: Uint16Array; val: Float32Array; q: Int8Array; scale: Float32Array } {
  const r = seededFloats(ROWS * DEPTH, 3, 0, 1), w = seededFloats(ROWS * DEPTH, 4);
  const rowPtr = new Int32Array(ROWS + 1), cols: number[] = [], vals: number[] = [];
  for (let o = 0; o < ROWS; o++) {
    for (let k = 0; k < DEPTH; k++) if (r[o * DEPTH + k] < DENSITY) { cols.push(k); vals.push(w[o * DEPTH + k]); }
    rowPtr[o + 1] = cols.length;
  }
  const val = Float32Array.from(vals), q = new Int8Array(val.length), scale = new Float32Array(ROWS);
  for (let o = 0; o < ROWS; o++) {
    let m = 0;
    for (let j = rowPtr[o]; j < rowPtr[o + 1]; j++) m = Math.max(m, Math.abs(val[j]));
    scale[o] = m / 127 || 1;
    for (let j = rowPtr[o]; j < rowPtr[o + 1]; j++) q[j] = Math.round(val[j] / scale[o]);
  }
  return { rowPtr, col: Uint16Array.from(cols), val, q, scale };
}

function f32(rowPtr: Int32Array, col: Uint16Array, val: Float32Array, x: Float32Array, y: Float32Array): void {
  for (let t = 0; t < LANES; t += 8) {
    for (let o = 0; o < ROWS; o++) {
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
      for (let j = rowPtr[o], end = rowPtr[o + 1]; j < end; j++) {
        const v = val[j], p = col[j] * LANES + t;
        a0 += v * x[p]; a1 += v * x[p + 1]; a2 += v * x[p + 2]; a3 += v * x[p + 3];
        a4 += v * x[p + 4]; a5 += v * x[p + 5]; a6 += v * x[p + 6]; a7 += v * x[p + 7];
      }
      const q = o * LANES + t;
      y[q] = a0; y[q + 1] = a1; y[q + 2] = a2; y[q + 3] = a3; y[q + 4] = a4; y[q + 5] = a5; y[q + 6] = a6; y[q + 7] = a7;
    }
  }
}

function i8(rowPtr: Int32Array, col: Uint16Array, val: Int8Array, scale: Float32Array, x: Float32Array, y: Float32Array): void {
  for (let t = 0; t < LANES; t += 8) {
    for (let o = 0; o < ROWS; o++) {
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
      for (let j = rowPtr[o], end = rowPtr[o + 1]; j < end; j++) {
        const v = val[j], p = col[j] * LANES + t;
        a0 += v * x[p]; a1 += v * x[p + 1]; a2 += v * x[p + 2]; a3 += v * x[p + 3];
        a4 += v * x[p + 4]; a5 += v * x[p + 5]; a6 += v * x[p + 6]; a7 += v * x[p + 7];
      }
      const s = scale[o], q = o * LANES + t;
      y[q] = a0 * s; y[q + 1] = a1 * s; y[q + 2] = a2 * s; y[q + 3] = a3 * s; y[q + 4] = a4 * s; y[q + 5] = a5 * s; y[q + 6] = a6 * s; y[q + 7] = a7 * s;
    }
  }
}

/** Best of `runs` for each, the two interleaved so that other load on the machine hits both alike. */
function bestOf(fs: (() => void)[], runs = 21): number[] {
  const best = fs.map(() => Infinity);
  for (let r = 0; r < runs; r++) {
    fs.forEach((f, i) => { const s = performance.now(); f(); best[i] = Math.min(best[i], performance.now() - s); });
  }
  return best;
}

const w = csr(), x = seededFloats(DEPTH * LANES, 5), y32 = new Float32Array(ROWS * LANES), y8 = new Float32Array(ROWS * LANES);
const nnz = w.val.length;
const [a, b] = bestOf([() => f32(w.rowPtr, w.col, w.val, x, y32), () => i8(w.rowPtr, w.col, w.q, w.scale, x, y8)]);
let num = 0, den = 0;
for (let i = 0; i < y32.length; i++) { num += (y32[i] - y8[i]) ** 2; den += y32[i] ** 2; }
console.log(`CSR ${ROWS}x${DEPTH} at ${(100 * (1 - nnz / (ROWS * DEPTH))).toFixed(1)}% sparsity x ${LANES} columns (best of 21, interleaved):`);
console.log(`  float32 values: ${a.toFixed(2)} ms, weight ${((nnz * 6 + (ROWS + 1) * 4) / 2 ** 20).toFixed(2)} MiB`);
console.log(`  int8 values:    ${b.toFixed(2)} ms, weight ${((nnz * 3 + (ROWS + 1) * 4 + ROWS * 4) / 2 ** 20).toFixed(2)} MiB  (time ratio ${(b / a).toFixed(2)}, output NMSE ${(num / den).toExponential(1)})`);
