import type { ParallelGemm } from './parallel.js';
import { QMode } from './q-mode.js';

/** 4-channel blocks per thread from which a product splits by channels even when it is tall. */
const WIDE_BLOCKS = 24;
/** Blocks (or rows) per thread at least, so each part still fills whole register tiles. */
const MIN_BLOCKS = 6;
const MIN_ROWS = 12;

/**
 * Runs one quantized GEMM core (the 'qgemm' job of jobs.ts) across threads when `par` takes
 * it: split by 4-channel blocks (each thread reads only its share of the weight) unless the
 * product is too narrow for that (a conv group with few channels and many pixels): then by
 * rows, in whole tiles (6 rows, 3 row pairs, with int8 inputs, so pairs stay whole). Returns
 * false when it did not split: the caller runs the core itself. Int8-input modes read
 * activations already quantized (pairs, rowScale) by the caller; float modes read `a`.
 */
export function splitQGemm(
  par: ParallelGemm | undefined, mode: number, M: number, K: number, N: number, G: number, blocks: number,
  a: Float32Array | undefined, aOff: number, lda: number, pairs: Float64Array | undefined, rowScale: Float32Array | undefined,
  panel: Int32Array, scales: Float32Array, bias: Float32Array | undefined, y: Float32Array, yOff: number, rsY: number, csY: number,
  zeros?: Float32Array,
): boolean {
  if (!par) return false;
  const T = par.threads, jbs = Math.ceil(N / 4), pairsIn = mode === QMode.I8I8 || mode === QMode.I4I8;
  const byCols = jbs >= T * WIDE_BLOCKS || (jbs >= T * MIN_BLOCKS && M < T * MIN_ROWS);
  if (!byCols && M < T * MIN_ROWS) return false;
  const ints = [mode, byCols ? 0 : 1, M, K, N, G, blocks, aOff, lda, yOff, rsY, csY];
  const arrays = pairsIn ? [undefined, pairs, rowScale, panel, scales, bias, y] : [a, undefined, undefined, panel, scales, bias, y, zeros];
  return par.split('qgemm', M * N * K, byCols ? jbs : M, byCols ? 1 : pairsIn ? 6 : 3, arrays, ints, []);
}
