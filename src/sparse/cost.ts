import type { WeightMatrix } from './formats/matrix.js';

/**
 * The per-layer cost model sparsify() decides with. Every term is nanoseconds per activation
 * lane (a row of A for MatMul/Gemm, a pixel for a 1x1 conv), so the choice does not depend on
 * the batch or image size:
 *   dense  = rows * depth * denseMac + rows * row
 *   CSR    = nnz * csrNnz + rows * row
 *   BSR    = blocks * bsr4Block + rows * row        ([1, 4] blocks)
 * and a sparse format wins when it is the cheapest and below SPARSE_MARGIN times dense. Only
 * the ratios matter: on wide layers CSR pays off below a density of about
 * 0.8 * denseMac / csrNnz (0.53). Dense pays the per-row term too (epilogue, stores, copy out):
 * on MobileNet's thin layers (depth 8-24) that, not the multiply-adds, is most of its time.
 */
export interface SparseCostModel {
  /** Dense kernel, per multiply-add. */
  denseMac: number;
  /** CSR kernel, per stored nonzero. */
  csrNnz: number;
  /** BSR [1, 4] kernel, per stored block (four multiply-adds). */
  bsr4Block: number;
  /** Every kernel, per output channel: loop, epilogue and store. */
  row: number;
}

/**
 * Calibrated with `node dist/bench/sparse.js --only gemm,pointwise` (bench/sparse.ts fits these
 * from the fastest rounds of its GEMM 128x768x3072 and MobileNetV2 pointwise runs, relative
 * least squares) on the development machine: 2-core AMD EPYC, Node 20, 2026-11-29, one thread
 * pinned to one core (taskset -c 0), kernels on the WebAssembly SIMD tier as a default session
 * runs them (dense GEMM sgemm-simd.ts, CSR spmm-simd.ts; BSR is still the JavaScript kernel);
 * it printed { denseMac: 0.056, csrNnz: 0.0851, bsr4Block: 2.07, row: 0.856 } (row fitted
 * 0.639 for CSR, 1.07 for BSR; runs on the shared machine scattered csrNnz / denseMac from 1.5
 * to 1.9). BSR then never wins (a block costs more than four CSR nonzeros), so block-pruned
 * weights go CSR, which beats BSR on this tier.
 * The JavaScript tier (sessions with `simd: false`) has other ratios: with `--js` it printed
 * { denseMac: 0.547, csrNnz: 0.757, bsr4Block: 2.24, row: 0.689 } the same day, before dense
 * had the row term (CSR break-even
 * density ~0.72, BSR ~0.98: block pruning would go BSR there), but sparsify() prices with the
 * default tier's, so a `simd: false` session runs block-pruned layers as JavaScript CSR. Re-run it
 * when the dense or sparse kernels change: these are relative to Tessera's own dense GEMM.
 */
export const DEFAULT_COST: SparseCostModel = { denseMac: 0.056, csrNnz: 0.085, bsr4Block: 2.07, row: 0.86 };

/**
 * A sparse kernel must be priced below this fraction of the dense one to be picked: margin
 * for calibration drift and for what the model leaves out (the transpose of A, cache misses).
 */
export const SPARSE_MARGIN = 0.8;

export type SparseFormat = 'csr' | 'bsr';

export interface LayerCost {
  rows: number; depth: number; nnz: number;
  /** Nonzero [1, 4] blocks (four output channels at one K index). */
  blocks: number;
  dense: number; csr: number; bsr: number;
  /** The cheapest format, or 'dense'. */
  best: SparseFormat | 'dense';
}

/** Counts the nonzeros (and, when BSR could win, the [1, 4] blocks) of a weight and prices each way of running it. */
export function layerCost(w: Float32Array, m: WeightMatrix, model: SparseCostModel = DEFAULT_COST): LayerCost {
  const { rows, depth } = m;
  let nnz = 0;
  for (let i = 0; i < w.length; i++) if (w[i] !== 0) nnz++;
  const dense = rows * depth * model.denseMac + rows * model.row, csr = nnz * model.csrNnz + rows * model.row;
  // Blocks hold at least nnz / 4 nonzeros each... at most 4: skip counting them when even that bound loses.
  const blockBound = Math.ceil(nnz / 4) * model.bsr4Block + rows * model.row;
  const blocks = blockBound < Math.min(SPARSE_MARGIN * dense, csr) ? countBlocks(w, m) : Math.ceil(nnz / 4);
  const bsr = blocks * model.bsr4Block + rows * model.row;
  const best = Math.min(csr, bsr) >= SPARSE_MARGIN * dense ? 'dense' : csr <= bsr ? 'csr' : 'bsr';
  return { rows, depth, nnz, blocks, dense, csr, bsr, best };
}

/** [1, 4] blocks (four consecutive output channels at one K) holding a nonzero. */
function countBlocks(w: Float32Array, m: WeightMatrix): number {
  const { rows, depth } = m;
  let blocks = 0;
  for (let r0 = 0; r0 < rows; r0 += 4) {
    const r1 = Math.min(rows, r0 + 4);
    for (let k = 0; k < depth; k++) {
      for (let c = r0; c < r1; c++) {
        if (w[m.axis === 0 ? c * depth + k : k * rows + c] !== 0) { blocks++; break; }
      }
    }
  }
  return blocks;
}
