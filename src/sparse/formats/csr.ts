import type { PackedWeight } from '../../graph/graph.js';
import { Tensor } from '../../tensor.js';
import { SparseError } from '../errors.js';
import { checkColumns, checkRowPtr, denseIndex, indexArray, weightMatrix, type WeightMatrix } from './matrix.js';

/**
 * Compressed sparse rows: an unstructured sparse weight, one row per output channel.
 *
 * The dense weight (float32, `shape`) is a matrix of `rows` output channels by `depth` K
 * elements (WeightMatrix: `axis` 0 = W[c, ...] flattened, `axis` 1 = column c of W[k, c]).
 *
 * Layout (three arrays):
 *   rowPtr    Int32Array              rows + 1 entries; row c's entries are [rowPtr[c], rowPtr[c + 1]),
 *                                     rowPtr[0] = 0, rowPtr[rows] = nnz
 *   colIndex  Uint16Array             nnz entries, the k of each stored value, strictly increasing in a
 *             (Int32Array if depth > 65536)   row (16-bit whenever K fits: a third less memory than int32)
 *   values    Float32Array            nnz entries
 *   byteLength = 4 * (rows + 1) + (2 or 4) * nnz + 4 * nnz.
 *
 * Dense equivalent: W[c, colIndex[j]] = values[j] for j in row c, every other element 0.
 * Only nonzeros are stored by fromDense (exact zeros, -0 included, are dropped).
 */
export class CsrWeight implements PackedWeight {
  readonly format = 'csr' as const;
  readonly shape: readonly number[];
  readonly axis: 0 | 1;
  readonly rows: number;
  readonly depth: number;

  constructor(shape: readonly number[], axis: 0 | 1, readonly rowPtr: Int32Array, readonly colIndex: Uint16Array | Int32Array, readonly values: Float32Array) {
    const m = weightMatrix(shape, axis, 'CsrWeight');
    this.shape = Object.freeze(shape.slice());
    this.axis = axis;
    this.rows = m.rows;
    this.depth = m.depth;
    checkRowPtr(rowPtr, m.rows, values.length, 'CsrWeight');
    if (colIndex.length !== values.length) throw new SparseError(`CsrWeight: colIndex must hold one index per value (${values.length}), got ${colIndex.length}`);
    checkColumns(rowPtr, colIndex, m.rows, m.depth, 'CsrWeight');
  }

  get nnz(): number { return this.values.length; }
  /** Fraction of the dense elements that are not stored. */
  get sparsity(): number { const n = this.rows * this.depth; return n === 0 ? 0 : 1 - this.nnz / n; }
  get byteLength(): number { return this.rowPtr.byteLength + this.colIndex.byteLength + this.values.byteLength; }

  dequantize(): Tensor<'float32'> {
    const out = new Float32Array(this.rows * this.depth);
    for (let c = 0; c < this.rows; c++) {
      for (let j = this.rowPtr[c]; j < this.rowPtr[c + 1]; j++) out[denseIndex(this, c, this.colIndex[j])] = this.values[j];
    }
    return new Tensor('float32', this.shape, out);
  }

  /** Reference conversion: every nonzero of a float32 weight, row by row. */
  static fromDense(w: Tensor, axis: 0 | 1, what = 'weight'): CsrWeight {
    if (w.dtype !== 'float32') throw new SparseError(`${what}: only float32 weights can be stored sparse, got ${w.dtype}`);
    const m: WeightMatrix = weightMatrix(w.shape, axis, what), data = w.data as Float32Array;
    const rowPtr = new Int32Array(m.rows + 1);
    let nnz = 0;
    for (let c = 0; c < m.rows; c++) {
      for (let k = 0; k < m.depth; k++) if (data[denseIndex(m, c, k)] !== 0) nnz++;
      rowPtr[c + 1] = nnz;
    }
    const colIndex = indexArray(m.depth, nnz), values = new Float32Array(nnz);
    for (let c = 0, j = 0; c < m.rows; c++) {
      for (let k = 0; k < m.depth; k++) {
        const v = data[denseIndex(m, c, k)];
        if (v !== 0) { colIndex[j] = k; values[j++] = v; }
      }
    }
    return new CsrWeight(w.shape, axis, rowPtr, colIndex, values);
  }
}

/** Bytes a CSR copy of a rows x depth matrix with `nnz` nonzeros takes (for the planner and reports). */
export function csrBytes(rows: number, depth: number, nnz: number): number {
  return 4 * (rows + 1) + (depth <= 65536 ? 2 : 4) * nnz + 4 * nnz;
}
