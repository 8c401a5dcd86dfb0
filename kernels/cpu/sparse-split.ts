import type { ParallelGemm } from './parallel.js';
import type { SparseEpilogue } from './sparse-epilogue.js';
import type { SparseOperand } from './sparse-weight.js';

/**
 * Runs one SpMM (the 'spmm' job of jobs.ts, sparse-spmm.ts's cores) across threads when `par`
 * takes it, split by output channels (CSR) or 4-channel block rows (BSR), or with `byLanes` by
 * lanes in whole tiles of 8: a sum does not depend on the split, so the output is the
 * one-thread output. The epilogue's `post`
 * activation is the caller's, after the product. Returns false when it did not split.
 */
export function splitSpmm(
  par: ParallelGemm | undefined, w: SparseOperand, lanes: number, x: Float32Array, xOff: number, ldx: number,
  y: Float32Array, yOff: number, rsY: number, csY: number, e: SparseEpilogue, rowsOuter = false, byLanes = false,
): boolean {
  if (!par) return false;
  const bsr = w.kind === 'bsr4', extent = byLanes ? lanes : bsr ? w.blockRows : w.rows;
  const ints = [bsr ? 1 : 0, w.rows, lanes, xOff, ldx, yOff, rsY, csY, e.code, rowsOuter ? 1 : 0, byLanes ? 1 : 0];
  return par.split('spmm', w.val.length * lanes, extent, byLanes ? 8 : 1, [w.rowPtr, w.col, w.val, x, y, e.bias], ints, [e.hi]);
}
