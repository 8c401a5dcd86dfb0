/**
 * Pruning and sparse weights: prune() (magnitude pruning: unstructured, block, 2:4, channel),
 * sparsify() (sparse kernels where the cost model says they pay), and the CSR / BSR formats.
 */
export { prune, type PruneOptions, type PrunePattern } from './prune.js';
export { sparsify, type SparsifyOptions, type SparsifyDecision } from './sparsify.js';
export { CsrWeight, csrBytes } from './formats/csr.js';
export { BsrWeight, bsrBytes } from './formats/bsr.js';
export { DEFAULT_COST, SPARSE_MARGIN, layerCost, type SparseCostModel, type LayerCost, type SparseFormat } from './cost.js';
export { prunableLayers, type PrunableLayer, type SkipOption } from './targets.js';
export { sparsityReport, type LayerSparsity } from './report.js';
export { SparseError } from './errors.js';
