import { gemmF32I8, gemmI8Pairs } from './q-gemm-i8.js';
import { QMode } from './q-mode.js';
import { gemmF32I4, gemmI8I4 } from './q-gemm-i4.js';
import { bsr4Spmm, csrSpmm } from './sparse-spmm.js';
import { depthwiseConv, depthwiseFromInts } from './depthwise.js';
import { depthwiseSimd } from './depthwise-simd.js';
import { convImagesFromInts, convImagesSimd, convImagesTileFloats } from './conv-images.js';
import { q8GemmSimd } from './qgemm-simd.js';
import type { SimdGemm } from './sgemm-simd.js';

/**
 * Work that threads can share: each job computes the part [lo, hi) of its output (channel
 * blocks, rows or output channels, as the job says) from typed arrays and numbers alone, so the
 * calling thread and a worker (src/runtime/cpu/gemm-worker.ts) run the same function on the same
 * shared memory. Parts never overlap and the split is never over K, so every output is summed
 * in the same order as on one thread: results are bit-identical.
 */
export type JobArray = Float32Array | Float64Array | Int32Array | Uint16Array | Int8Array | Uint8Array;

export interface Job {
  /** Float64 scratch one thread needs for a part (each thread brings its own). */
  tmpF64(ints: ArrayLike<number>): number;
  /** The job runs on each thread's WebAssembly SIMD engine (passed to run as `simd`). */
  simd?: true;
  run(arrays: readonly (JobArray | undefined)[], ints: ArrayLike<number>, floats: ArrayLike<number>, lo: number, hi: number, tmp: Float64Array, simd?: SimdGemm): void;
}

/** qgemm arrays: float rows (float modes) or row pairs plus row scales (int8-input modes); Zeros: MatMulNBits zero points (int4, float inputs). */
export const QArr = { A: 0, Pairs: 1, RowScale: 2, Panel: 3, Scales: 4, Bias: 5, Y: 6, Zeros: 7 } as const;
export const QInt = { Mode: 0, ByRows: 1, M: 2, K: 3, N: 4, G: 5, Blocks: 6, AOff: 7, Lda: 8, YOff: 9, RsY: 10, CsY: 11, Count: 12 } as const;

/**
 * One quantized GEMM over [lo, hi): 4-channel blocks (ByRows 0), or rows (ByRows 1; lo even in
 * the int8-input modes, so row pairs stay whole). The activation quantization happened before
 * the split: workers only read the pairs and row scales.
 */
const qgemm: Job = {
  tmpF64: (ints) => 24 + 3 * ints[QInt.Blocks],
  run(arrays, ints, _floats, lo, hi, tmp) {
    const mode = ints[QInt.Mode], K = ints[QInt.K], N = ints[QInt.N], G = ints[QInt.G], blocks = ints[QInt.Blocks];
    const panel = arrays[QArr.Panel] as Int32Array, scales = arrays[QArr.Scales] as Float32Array;
    const bias = arrays[QArr.Bias] as Float32Array | undefined, y = arrays[QArr.Y] as Float32Array;
    const lda = ints[QInt.Lda], rsY = ints[QInt.RsY], csY = ints[QInt.CsY];
    const byRows = ints[QInt.ByRows] === 1, r0 = byRows ? lo : 0, M = byRows ? hi - lo : ints[QInt.M];
    const jb0 = byRows ? 0 : lo, jb1 = byRows ? Math.ceil(N / 4) : hi;
    const aOff = ints[QInt.AOff] + r0 * lda, yOff = ints[QInt.YOff] + r0 * rsY;
    const acc = tmp.subarray(0, 24), gs = tmp.subarray(24, 24 + 3 * blocks);
    if (mode === QMode.I8F || mode === QMode.I4F) {
      const a = arrays[QArr.A] as Float32Array;
      if (mode === QMode.I8F) gemmF32I8(M, K, a, aOff, lda, panel, jb0, jb1, N, scales, bias, y, yOff, rsY, csY);
      else gemmF32I4(M, K, a, aOff, lda, panel, G, blocks, jb0, jb1, N, scales, bias, y, yOff, rsY, csY, acc, gs, arrays[QArr.Zeros] as Float32Array | undefined);
      return;
    }
    let pairs = arrays[QArr.Pairs] as Float64Array, rowScale = arrays[QArr.RowScale] as Float32Array;
    if (r0 > 0) { pairs = pairs.subarray((r0 >> 1) * K); rowScale = rowScale.subarray(r0); }
    if (mode === QMode.I8I8) gemmI8Pairs(M, K, pairs, panel, jb0, jb1, N, rowScale, scales, bias, y, yOff, rsY, csY, acc);
    else gemmI8I4(M, K, pairs, panel, G, blocks, jb0, jb1, N, rowScale, scales, bias, y, yOff, rsY, csY, acc, gs);
  },
};

export const SArr = { RowPtr: 0, Col: 1, Val: 2, X: 3, Y: 4, Bias: 5 } as const;
export const SInt = { Bsr4: 0, Rows: 1, Lanes: 2, XOff: 3, Ldx: 4, YOff: 5, RsY: 6, CsY: 7, Code: 8, RowsOuter: 9, ByLanes: 10, Count: 11 } as const;

/**
 * One sparse x dense product (sparse-spmm.ts) over output channels [lo, hi) (CSR) or block rows
 * (BSR [1, 4]), or with ByLanes over lanes [lo, hi) of every channel (lo a multiple of 8, so
 * each lane falls in the same kind of lane tile as on one thread); floats: [hi clamp].
 */
const spmm: Job = {
  tmpF64: () => 32,
  run(arrays, ints, floats, lo, hi, tmp) {
    const rowPtr = arrays[SArr.RowPtr] as Int32Array, col = arrays[SArr.Col] as Uint16Array | Int32Array, val = arrays[SArr.Val] as Float32Array;
    const x = arrays[SArr.X] as Float32Array, y = arrays[SArr.Y] as Float32Array;
    const e = { bias: arrays[SArr.Bias] as Float32Array | undefined, code: ints[SInt.Code], hi: floats[0], post: undefined };
    const ldx = ints[SInt.Ldx], rsY = ints[SInt.RsY], csY = ints[SInt.CsY], rows = ints[SInt.Rows], bsr = ints[SInt.Bsr4] === 1;
    const byLanes = ints[SInt.ByLanes] === 1, t0 = byLanes ? lo : 0, lanes = byLanes ? hi - lo : ints[SInt.Lanes];
    const o0 = byLanes ? 0 : lo, o1 = byLanes ? (bsr ? Math.ceil(rows / 4) : rows) : hi;
    const xOff = ints[SInt.XOff] + t0, yOff = ints[SInt.YOff] + t0 * csY;
    if (bsr) bsr4Spmm(rowPtr, col, val, rows, o0, o1, lanes, x, xOff, ldx, y, yOff, rsY, csY, e, tmp);
    else csrSpmm(rowPtr, col, val, o0, o1, lanes, x, xOff, ldx, y, yOff, rsY, csY, e, ints[SInt.RowsOuter] === 1);
  },
};

/** A depthwise conv (depthwise.ts) over planes [lo, hi); arrays x, w, bias, y; ints/floats from depthwiseInts. */
const depthwise: Job = {
  tmpF64: () => 0,
  run(arrays, ints, floats, lo, hi) {
    depthwiseConv(arrays[0] as Float32Array, arrays[1] as Float32Array, arrays[2] as Float32Array | undefined, arrays[3] as Float32Array, depthwiseFromInts(ints, floats), lo, hi);
  },
};

/** The same on the WebAssembly SIMD engine (depthwise-simd.ts; 3x3 windows), each thread on its own. */
const depthwiseSimdJob: Job = {
  tmpF64: () => 0,
  simd: true,
  run(arrays, ints, floats, lo, hi, _tmp, simd) {
    if (!simd || !depthwiseSimd(simd, arrays[0] as Float32Array, arrays[1] as Float32Array, arrays[2] as Float32Array | undefined, arrays[3] as Float32Array, depthwiseFromInts(ints, floats), lo, hi)) {
      throw new Error('depthwiseSimd: this thread has no SIMD engine, or the window is not 3x3');
    }
  },
};

/** An im2col conv (conv-images.ts) over images [lo, hi); arrays x, w, bias, y; ints/floats from convImagesInts. */
const convImages: Job = {
  tmpF64: (ints) => Math.ceil(convImagesTileFloats(convImagesFromInts(ints, [0, 0])) / 2),
  simd: true,
  run(arrays, ints, floats, lo, hi, tmp, simd) {
    if (!simd) throw new Error('convImages: this thread has no SIMD engine');
    const p = convImagesFromInts(ints, floats), col = new Float32Array(tmp.buffer, tmp.byteOffset, convImagesTileFloats(p));
    convImagesSimd(simd, arrays[0] as Float32Array, arrays[1] as Float32Array, arrays[2] as Float32Array | undefined, arrays[3] as Float32Array, p, lo, hi, col);
  },
};

/**
 * The int8 x int8 SIMD GEMM (qgemm-simd.ts) over rows [lo, hi) of A (lo even: the module's
 * tile is two rows); arrays a, weight words, scales, bias, y; ints M, K, N, aOff, lda, yOff, rsY, csY, kpad, chans. Each row is
 * quantized on its own, so a part's rows come out as on one thread.
 */
const q8gemmSimd: Job = {
  tmpF64: () => 0,
  simd: true,
  run(arrays, ints, _floats, lo, hi, _tmp, simd) {
    if (!simd) throw new Error('q8gemmSimd: this thread has no SIMD engine');
    const [, K, N, aOff, lda, yOff, rsY, csY, kpad, chans] = Array.from(ints);
    const w = { words: arrays[1] as Int32Array, scales: arrays[2] as Float32Array, kpad, chans };
    q8GemmSimd(simd, hi - lo, K, N, arrays[0] as Float32Array, aOff + lo * lda, lda, w, arrays[3] as Float32Array | undefined, arrays[4] as Float32Array, yOff + lo * rsY, rsY, csY);
  },
};

/** Every job, by the name kernels pass to ParallelGemm.split; a job's wire code is its index in JOB_KINDS. */
export const JOBS = { qgemm, spmm, depthwise, depthwiseSimd: depthwiseSimdJob, convImages, q8gemmSimd } as const;
export type JobKind = keyof typeof JOBS;
export const JOB_KINDS = Object.keys(JOBS) as JobKind[];
