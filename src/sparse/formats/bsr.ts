import type { PackedWeight } from '../../graph/graph.js';
import { Tensor } from '../../tensor.js';
import { SparseError } from '../errors.js';
import { checkColumns, checkRowPtr, denseIndex, indexArray, weightMatrix, type WeightMatrix } from './matrix.js';

/**
 * Block sparse rows: a weight pruned in aligned blocks of `block` = [inputs, outputs] elements,
 * i.e. bk consecutive K (reduction) indices by br consecutive output channels. The order follows
 * TensorFlow Model Optimization's block_size on [in, out] kernels, so the default [1, 4] is one
 * input by four output channels: a kernel loads each activation once and feeds four outputs.
 *
 * The dense weight is a matrix of `rows` output channels by `depth` K (WeightMatrix). Blocks tile
 * it from (0, 0); the last block row / column may stick out past rows / depth (padding, stored 0).
 *
 * Layout (three arrays):
 *   rowPtr    Int32Array    blockRows + 1 entries, blockRows = ceil(rows / br); block row R's blocks
 *                           are [rowPtr[R], rowPtr[R + 1])
 *   colIndex  Uint16Array   one per block: its block column b (K from b * bk), strictly increasing in
 *             (Int32Array if blockCols > 65536)   a block row
 *   values    Float32Array  nBlocks * br * bk: element (r, kk) of block j, i.e. output R * br + r
 *                           and depth b * bk + kk, at values[(j * br + r) * bk + kk]
 *   byteLength = 4 * (blockRows + 1) + (2 or 4) * nBlocks + 4 * br * bk * nBlocks.
 *
 * A block is stored when any of its elements is nonzero; stored blocks may hold zeros.
 */
export class BsrWeight implements PackedWeight {
  readonly format = 'bsr' as const;
  readonly shape: readonly number[];
  readonly axis: 0 | 1;
  readonly rows: number;
  readonly depth: number;
  /** [inputs (K extent bk), outputs (row extent br)]. */
  readonly block: readonly [number, number];
  readonly blockRows: number;
  readonly blockCols: number;

  constructor(shape: readonly number[], axis: 0 | 1, block: readonly [number, number],
    readonly rowPtr: Int32Array, readonly colIndex: Uint16Array | Int32Array, readonly values: Float32Array) {
    const m = weightMatrix(shape, axis, 'BsrWeight');
    checkBlock(block, 'BsrWeight');
    const [bk, br] = block;
    this.shape = Object.freeze(shape.slice());
    this.axis = axis;
    this.rows = m.rows;
    this.depth = m.depth;
    this.block = [bk, br];
    this.blockRows = Math.ceil(m.rows / br);
    this.blockCols = Math.ceil(m.depth / bk);
    checkRowPtr(rowPtr, this.blockRows, colIndex.length, 'BsrWeight');
    if (values.length !== colIndex.length * bk * br) {
      throw new SparseError(`BsrWeight: values must hold nBlocks * ${br} * ${bk} = ${colIndex.length * bk * br} floats, got ${values.length}`);
    }
    checkColumns(rowPtr, colIndex, this.blockRows, this.blockCols, 'BsrWeight');
  }

  get nBlocks(): number { return this.colIndex.length; }
  /** Stored values (padding and zeros inside stored blocks included). */
  get stored(): number { return this.values.length; }
  /** Fraction of the dense elements that are not stored. */
  get sparsity(): number { const n = this.rows * this.depth; return n === 0 ? 0 : Math.max(0, 1 - this.stored / n); }
  get byteLength(): number { return this.rowPtr.byteLength + this.colIndex.byteLength + this.values.byteLength; }

  dequantize(): Tensor<'float32'> {
    const out = new Float32Array(this.rows * this.depth), [bk, br] = this.block;
    for (let R = 0; R < this.blockRows; R++) {
      for (let j = this.rowPtr[R]; j < this.rowPtr[R + 1]; j++) {
        const k0 = this.colIndex[j] * bk;
        for (let r = 0; r < br; r++) {
          const c = R * br + r;
          if (c >= this.rows) break;
          for (let kk = 0; kk < bk && k0 + kk < this.depth; kk++) out[denseIndex(this, c, k0 + kk)] = this.values[(j * br + r) * bk + kk];
        }
      }
    }
    return new Tensor('float32', this.shape, out);
  }

  /** Reference conversion: every block holding a nonzero of a float32 weight. */
  static fromDense(w: Tensor, axis: 0 | 1, block: readonly [number, number] = [1, 4], what = 'weight'): BsrWeight {
    if (w.dtype !== 'float32') throw new SparseError(`${what}: only float32 weights can be stored sparse, got ${w.dtype}`);
    checkBlock(block, what);
    const m: WeightMatrix = weightMatrix(w.shape, axis, what), data = w.data as Float32Array, [bk, br] = block;
    const blockRows = Math.ceil(m.rows / br), blockCols = Math.ceil(m.depth / bk);
    const at = (c: number, k: number) => (c < m.rows && k < m.depth ? data[denseIndex(m, c, k)] : 0);
    const nonzero = (R: number, b: number) => {
      for (let r = 0; r < br; r++) for (let kk = 0; kk < bk; kk++) if (at(R * br + r, b * bk + kk) !== 0) return true;
      return false;
    };
    const rowPtr = new Int32Array(blockRows + 1), cols: number[] = [];
    for (let R = 0; R < blockRows; R++) {
      for (let b = 0; b < blockCols; b++) if (nonzero(R, b)) cols.push(b);
      rowPtr[R + 1] = cols.length;
    }
    const colIndex = indexArray(blockCols, cols.length), values = new Float32Array(cols.length * br * bk);
    colIndex.set(cols);
    for (let R = 0; R < blockRows; R++) {
      for (let j = rowPtr[R]; j < rowPtr[R + 1]; j++) {
        for (let r = 0; r < br; r++) for (let kk = 0; kk < bk; kk++) values[(j * br + r) * bk + kk] = at(R * br + r, colIndex[j] * bk + kk);
      }
    }
    return new BsrWeight(w.shape, axis, block, rowPtr, colIndex, values);
  }
}

export function checkBlock(block: readonly number[], what: string): void {
  if (!Array.isArray(block) || block.length !== 2 || !block.every((d) => Number.isInteger(d) && d >= 1 && d <= 64)) {
    throw new SparseError(`${what}: block must be [inputs, outputs], two integers in 1..64, got ${JSON.stringify(block)}`);
  }
}

/** Bytes a BSR copy takes with `nBlocks` stored blocks (for the planner and reports). */
export function bsrBytes(rows: number, depth: number, block: readonly [number, number], nBlocks: number): number {
  const [bk, br] = block;
  return 4 * (Math.ceil(rows / br) + 1) + (Math.ceil(depth / bk) <= 65536 ? 2 : 4) * nBlocks + 4 * bk * br * nBlocks;
}
