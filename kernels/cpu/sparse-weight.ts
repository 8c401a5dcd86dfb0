import type { KMeta } from '../types.js';
import type { CsrWeight } from '../../src/sparse/formats/csr.js';
import type { BsrWeight } from '../../src/sparse/formats/bsr.js';
import { allocLike } from './shared-alloc.js';

/**
 * A packed sparse weight as the SpMM cores take it: CSR rows, or BSR with [1, 4] blocks (one K
 * index by four output channels). Other block shapes are rewritten at plan time: [bk, 4] splits
 * into bk blocks of [1, 4]; any other [bk, br] becomes CSR (its stored zeros kept), so every
 * block shape runs, and the shape the cores are tuned for runs fastest.
 */
export type SparseOperand =
  | { kind: 'csr'; rows: number; depth: number; rowPtr: Int32Array; col: Uint16Array | Int32Array; val: Float32Array }
  | { kind: 'bsr4'; rows: number; depth: number; blockRows: number; rowPtr: Int32Array; col: Uint16Array | Int32Array; val: Float32Array };

/** The packed weight of input `i`, checked against the rows x depth the op needs. */
export function sparseOperand(meta: KMeta, rows: number, depth: number, what: string): SparseOperand {
  const p = meta.packed;
  if (!p || (p.format !== 'csr' && p.format !== 'bsr')) {
    throw new Error(`${what} must be a packed sparse weight (CSR or BSR, made by sparsify()), got ${p ? `a '${p.format}' packed weight` : 'a dense tensor'}`);
  }
  const w = p as CsrWeight | BsrWeight;
  if (w.rows !== rows || w.depth !== depth) throw new Error(`${what} holds ${w.rows} output channels x ${w.depth} inputs, but the op needs ${rows} x ${depth}`);
  if (w.format === 'csr') return { kind: 'csr', rows, depth, rowPtr: w.rowPtr, col: w.colIndex, val: w.values };
  const [bk, br] = w.block;
  if (br === 4) return bk === 1 ? { kind: 'bsr4', rows, depth, blockRows: w.blockRows, rowPtr: w.rowPtr, col: w.colIndex, val: w.values } : splitBlocks(w, bk);
  return blocksToCsr(w);
}

/** [bk, 4] blocks -> bk blocks of [1, 4] each (padding past `depth` dropped). */
function splitBlocks(w: BsrWeight, bk: number): SparseOperand {
  const rowPtr = new Int32Array(w.blockRows + 1), cols: number[] = [], vals: number[] = [];
  for (let R = 0; R < w.blockRows; R++) {
    for (let j = w.rowPtr[R]; j < w.rowPtr[R + 1]; j++) {
      for (let kk = 0; kk < bk; kk++) {
        const k = w.colIndex[j] * bk + kk;
        if (k >= w.depth) break;
        cols.push(k);
        for (let r = 0; r < 4; r++) vals.push(w.values[(j * 4 + r) * bk + kk]);
      }
    }
    rowPtr[R + 1] = cols.length;
  }
  const { col, val } = packed(w, cols, vals);
  return { kind: 'bsr4', rows: w.rows, depth: w.depth, blockRows: w.blockRows, rowPtr: copyLike(rowPtr, w.values), col, val };
}

/** Any block shape -> CSR holding every stored element of the blocks (padding dropped). */
function blocksToCsr(w: BsrWeight): SparseOperand {
  const [bk, br] = w.block, rowPtr = new Int32Array(w.rows + 1), cols: number[] = [], vals: number[] = [];
  for (let c = 0; c < w.rows; c++) {
    const R = Math.floor(c / br), r = c - R * br;
    for (let j = w.rowPtr[R]; j < w.rowPtr[R + 1]; j++) {
      for (let kk = 0; kk < bk; kk++) {
        const k = w.colIndex[j] * bk + kk;
        if (k >= w.depth) break;
        cols.push(k);
        vals.push(w.values[(j * br + r) * bk + kk]);
      }
    }
    rowPtr[c + 1] = cols.length;
  }
  const { col, val } = packed(w, cols, vals);
  return { kind: 'csr', rows: w.rows, depth: w.depth, rowPtr: copyLike(rowPtr, w.values), col, val };
}

/** The rewritten operand's arrays, in shared memory when the weight's are (threads can then read them). */
function packed(w: BsrWeight, cols: number[], vals: number[]): { col: Uint16Array | Int32Array; val: Float32Array } {
  const col = w.depth <= 65536 ? allocLike(Uint16Array, cols.length, w.values) : allocLike(Int32Array, cols.length, w.values);
  const val = allocLike(Float32Array, vals.length, w.values);
  col.set(cols);
  val.set(vals);
  return { col, val };
}

function copyLike(a: Int32Array, like: ArrayBufferView): Int32Array {
  const c = allocLike(Int32Array, a.length, like);
  c.set(a);
  return c;
}
