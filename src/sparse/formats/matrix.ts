import { SparseError } from '../errors.js';

/**
 * How a dense weight is seen as a matrix of output channels (rows) by reduction elements
 * (depth K), the view every sparse format and kernel uses. `axis` 0 takes W[c, ...] flattened
 * as row c (Conv W [M, C, kh, kw], Gemm B with transB = 1); `axis` 1 takes column c of a 2-D
 * W[k, c] (MatMul B [K, N], Gemm B with transB = 0).
 */
export interface WeightMatrix { readonly axis: 0 | 1; readonly rows: number; readonly depth: number }

export function weightMatrix(shape: readonly number[], axis: 0 | 1, what: string): WeightMatrix {
  if (axis === 1 && shape.length !== 2) throw new SparseError(`${what}: axis 1 (columns are output channels) needs a 2-D weight, got shape [${shape.join(', ')}]`);
  if (shape.length < 1) throw new SparseError(`${what}: a scalar has no output channels`);
  const rows = shape[axis], depth = axis === 1 ? shape[0] : shape.slice(1).reduce((a, b) => a * b, 1);
  return { axis, rows, depth };
}

/** Flat index of row c, element k in the dense layout. */
export function denseIndex(m: WeightMatrix, c: number, k: number): number {
  return m.axis === 0 ? c * m.depth + k : k * m.rows + c;
}

/** Index array wide enough for `n` distinct values: 16-bit when it fits (the common case), else 32-bit. */
export function indexArray(n: number, length: number): Uint16Array | Int32Array {
  return n <= 65536 ? new Uint16Array(length) : new Int32Array(length);
}

export function checkRowPtr(rowPtr: Int32Array, rows: number, stored: number, what: string): void {
  if (rowPtr.length !== rows + 1) throw new SparseError(`${what}: rowPtr must hold rows + 1 = ${rows + 1} entries, got ${rowPtr.length}`);
  if (rowPtr[0] !== 0) throw new SparseError(`${what}: rowPtr[0] must be 0, got ${rowPtr[0]}`);
  for (let r = 0; r < rows; r++) {
    if (rowPtr[r + 1] < rowPtr[r]) throw new SparseError(`${what}: rowPtr must not decrease, but rowPtr[${r + 1}] = ${rowPtr[r + 1]} < rowPtr[${r}] = ${rowPtr[r]}`);
  }
  if (rowPtr[rows] !== stored) throw new SparseError(`${what}: rowPtr[rows] must equal the number of stored entries ${stored}, got ${rowPtr[rows]}`);
}

/** Column indices of each row strictly increasing and below `limit`. */
export function checkColumns(rowPtr: Int32Array, cols: ArrayLike<number>, rows: number, limit: number, what: string): void {
  for (let r = 0; r < rows; r++) {
    for (let j = rowPtr[r]; j < rowPtr[r + 1]; j++) {
      const c = cols[j];
      if (!(c >= 0 && c < limit)) throw new SparseError(`${what}: column index ${c} in row ${r} is outside [0, ${limit})`);
      if (j > rowPtr[r] && c <= cols[j - 1]) throw new SparseError(`${what}: column indices of row ${r} must strictly increase, got ${cols[j - 1]} then ${c}`);
    }
  }
}
