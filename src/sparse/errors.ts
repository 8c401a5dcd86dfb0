/** Bad pruning or sparsification input: names the option, layer or weight at fault. */
export class SparseError extends Error {
  override name = 'SparseError';
}
