import { denseIndex, type WeightMatrix } from './formats/matrix.js';

/**
 * The per-layer cost model sparsify() decides with. Every term is nanoseconds per activation
 * lane (a row of A for MatMul/Gemm, a pixel for a 1x1 conv), so the choice does not depend on
 * the batch or image size:
 *   dense  = rows * depth * denseMac
 *   CSR    = nnz * csrNnz + rows * row
 *   BSR    = blocks * bsr4Block + rows * row        ([1, 4] blocks)
 * and the cheapest wins. Only the ratios matter: CSR pays off below a density of about
 * denseMac / csrNnz.
 */
export interface SparseCostModel {
  /** Dense kernel, per multiply-add. */
  denseMac: number;
  /** CSR kernel, per stored nonzero. */
  csrNnz: number;
  /** BSR [1, 4] kernel, per stored block (four multiply-adds). */
  bsr4Block: number;
  /** Sparse kernels, per output channel: loop, epilogue and store. */
  row: number;
}

/**
 * Calibrated by `node dist/bench/sparse.js --calibrate` (bench/sparse.ts fits these from the
 * same runs as its speedup table) on the development machine (2-core AMD EPYC, Node 20):
 * see the README's "Pruning and sparsity" section for the figures it printed.
 */
export const DEFAULT_COST: SparseCostModel = { denseMac: 1, csrNnz: 2.2, bsr4Block: 5, row: 4 };

export type SparseFormat = 'csr' | 'bsr';

export interface LayerCost {
  rows: number; depth: number; nnz: number;
  /** Nonzero [1, 4] blocks (four output channels at one K index). */
  blocks: number;
  dense: number; csr: number; bsr: number;
  /** The cheapest format, or 'dense'. */
  best: SparseFormat | 'dense';
}

/** Counts the nonzeros and [1, 4] blocks of a weight and prices each way of running it. */
export function layerCost(w: Float32Array, m: WeightMatrix, model: SparseCostModel = DEFAULT_COST): LayerCost {
  const { rows, depth } = m;
  let nnz = 0, blocks = 0;
  for (let r0 = 0; r0 < rows; r0 += 4) {
    const r1 = Math.min(rows, r0 + 4);
    for (let k = 0; k < depth; k++) {
      let any = false;
      for (let c = r0; c < r1; c++) if (w[denseIndex(m, c, k)] !== 0) { nnz++; any = true; }
      if (any) blocks++;
    }
  }
  const dense = rows * depth * model.denseMac, csr = nnz * model.csrNnz + rows * model.row, bsr = blocks * model.bsr4Block + rows * model.row;
  const best = Math.min(dense, csr, bsr) === dense ? 'dense' : csr <= bsr ? 'csr' : 'bsr';
  return { rows, depth, nnz, blocks, dense, csr, bsr, best };
}
